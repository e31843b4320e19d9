//! When a field shows a problem while the payer types: the [`domain`] rules, and the
//! page's manners (a number is not called mistyped before it is complete, a field the
//! payer has not left yet is not scolded). Pure, so it is tested without a browser.

use domain::card_entry::number_problem;
use domain::methods::check_offered;
use domain::money::{Currency, Money};
use domain::paylink::{check_typed, AmountRule, TypedAmountError, ValueError};
use domain::CardError;

/// The card number's problem as typed ([`number_problem`]), or a brand the merchant
/// does not offer (MB-11), refused as soon as the digits tell it. `offered`: the brands'
/// names; empty where the page does not restrict brands (tokenization).
pub fn typed_number_problem(raw: &str, touched: bool, offered: &[String]) -> Option<CardError> {
    number_problem(raw, touched).or_else(|| {
        if offered.is_empty() {
            return None;
        }
        check_offered(raw, offered).err()
    })
}

/// A problem of a pre-payment field or amount, by the key of its text in the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    /// Empty and required.
    Required,
    /// Too long.
    TooLong,
    /// Not of the expected form.
    Pattern,
    /// Not an amount in the currency.
    InvalidAmount,
    /// Below the link's minimum.
    BelowMinimum,
    /// Above the link's maximum.
    AboveMaximum,
}

impl FieldProblem {
    /// The key of its text in `#payer-texts`.
    pub fn key(self) -> &'static str {
        match self {
            FieldProblem::Required => "required",
            FieldProblem::TooLong => "too-long",
            FieldProblem::Pattern => "pattern",
            FieldProblem::InvalidAmount => "invalid-amount",
            FieldProblem::BelowMinimum => "below-minimum",
            FieldProblem::AboveMaximum => "above-maximum",
        }
    }
}

/// A custom field's value checked as the server will ([`check_typed`]).
pub fn field_problem(pattern: &str, required: bool, value: &str) -> Option<FieldProblem> {
    check_typed(pattern, required, value)
        .err()
        .map(|e| match e {
            ValueError::Required => FieldProblem::Required,
            ValueError::TooLong => FieldProblem::TooLong,
            ValueError::Pattern => FieldProblem::Pattern,
        })
}

/// The amount the payer typed, checked as the server will ([`AmountRule::typed`]) within
/// the link's bounds (minor units); without bounds, any amount above zero. `Ok(None)`
/// when the page cannot tell (an unknown currency: the server decides).
pub fn entered_amount(
    text: &str,
    currency: Option<Currency>,
    bounds: Option<(i64, i64)>,
) -> Result<Option<Money>, FieldProblem> {
    if text.trim().is_empty() {
        return Err(FieldProblem::Required);
    }
    let Some(currency) = currency else {
        return Ok(None);
    };
    let (min, max) = bounds.unwrap_or((1, i64::MAX));
    AmountRule::Entered { min, max }
        .typed(text, currency)
        .map_err(|e| match e {
            TypedAmountError::Required => FieldProblem::Required,
            TypedAmountError::Invalid => FieldProblem::InvalidAmount,
            TypedAmountError::BelowMin => FieldProblem::BelowMinimum,
            TypedAmountError::AboveMax => FieldProblem::AboveMaximum,
        })
        .and_then(|minor| {
            Money::new(minor, currency)
                .map(Some)
                .map_err(|_| FieldProblem::InvalidAmount)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brand_the_merchant_does_not_offer_is_refused_as_soon_as_it_shows() {
        let visa_only = vec!["Visa".to_owned()];
        assert_eq!(
            typed_number_problem("5555 55", false, &visa_only),
            Some(CardError::BrandNotAccepted)
        );
        assert_eq!(typed_number_problem("4111 11", false, &visa_only), None);
    }

    fn eur() -> Option<Currency> {
        Currency::parse("EUR")
    }

    #[test]
    fn an_entered_amount_is_checked_against_the_links_bounds() {
        let bounds = Some((500, 50_000));
        assert_eq!(
            entered_amount("12.50", eur(), bounds).map(|m| m.map(Money::minor)),
            Ok(Some(1250))
        );
        assert_eq!(
            entered_amount("5", eur(), bounds).map(|m| m.map(Money::minor)),
            Ok(Some(500))
        );
        assert_eq!(
            entered_amount("4.99", eur(), bounds),
            Err(FieldProblem::BelowMinimum)
        );
        assert_eq!(
            entered_amount("500.01", eur(), bounds),
            Err(FieldProblem::AboveMaximum)
        );
        assert_eq!(
            entered_amount("12.345", eur(), bounds),
            Err(FieldProblem::InvalidAmount)
        );
        assert_eq!(
            entered_amount("abc", eur(), bounds),
            Err(FieldProblem::InvalidAmount)
        );
        assert_eq!(
            entered_amount("  ", eur(), bounds),
            Err(FieldProblem::Required)
        );
        assert_eq!(
            entered_amount("0", eur(), None),
            Err(FieldProblem::InvalidAmount)
        );
        assert_eq!(entered_amount("12", None, bounds), Ok(None));
    }

    #[test]
    fn custom_fields_follow_the_servers_rules() {
        assert_eq!(field_problem("", true, " "), Some(FieldProblem::Required));
        assert_eq!(field_problem("", false, ""), None);
        assert_eq!(
            field_problem("[0-9]{4}", false, "12a4"),
            Some(FieldProblem::Pattern)
        );
        assert_eq!(field_problem("[0-9]{4}", true, "1234"), None);
        assert_eq!(
            field_problem("", false, &"x".repeat(1000)),
            Some(FieldProblem::TooLong)
        );
    }
}
