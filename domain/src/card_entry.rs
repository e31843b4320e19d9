//! When a card field shows its problem while the payer or the operator types: the card
//! rules of [`crate::card`], and the manners of a form (a number is not called mistyped
//! before it is complete, a field not yet left is not scolded). The browser calls these
//! as the fields change; the server decides with the rules themselves.

use crate::card::check_cvc;
use crate::{CardError, CardNumber, Expiry};

/// The card number's problem, `None` while it is still being typed (`touched`: the
/// field was left, or the form sent).
pub fn number_problem(raw: &str, touched: bool) -> Option<CardError> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    match CardNumber::parse(raw) {
        Ok(_) => None,
        Err(_) if raw.trim().is_empty() && !touched => None,
        Err(CardError::Length | CardError::Luhn) if !touched && digits < 16 => None,
        Err(e) => Some(e),
    }
}

/// The expiry's problem once four digits are typed or the field was left; `today` is
/// `(year, month)`.
pub fn expiry_problem(raw: &str, touched: bool, today: (i32, u32)) -> Option<CardError> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if !touched && digits < 4 {
        return None;
    }
    Expiry::parse(raw, today).err()
}

/// The security code's problem for the typed number's brand, once the field was left.
pub fn cvc_problem(number: &str, cvc: &str, touched: bool) -> Option<CardError> {
    if !touched {
        return None;
    }
    let brand = CardNumber::parse(number).ok().map(|c| c.brand())?;
    check_cvc(cvc, brand).err()
}

/// The brand's name and the masked number of a valid card number; `None` for nothing
/// typed.
pub fn card_check(raw: &str) -> Option<Result<(&'static str, String), CardError>> {
    if raw.trim().is_empty() {
        return None;
    }
    Some(CardNumber::parse(raw).map(|c| (c.brand().name(), c.masked())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_not_called_mistyped_before_it_is_complete() {
        assert_eq!(number_problem("4111 1111", false), None);
        assert_eq!(number_problem("", false), None);
        assert!(number_problem("", true).is_some());
        assert_eq!(number_problem("4111 1111", true), Some(CardError::Length));
        assert_eq!(
            number_problem("4111 1111 1111 1112", false),
            Some(CardError::Luhn)
        );
        assert_eq!(number_problem("4111 1111 1111 1111", false), None);
        assert_eq!(number_problem("41x1", false), Some(CardError::NotDigits));
    }

    #[test]
    fn expiry_and_security_code_wait_for_the_payer() {
        let today = (2026, 12);
        assert_eq!(expiry_problem("12/", false, today), None);
        assert_eq!(
            expiry_problem("01/20", false, today),
            Some(CardError::Expired)
        );
        assert_eq!(expiry_problem("12/30", true, today), None);
        assert_eq!(
            expiry_problem("1", true, today),
            Some(CardError::ExpiryFormat)
        );
        assert_eq!(cvc_problem("3782 822463 10005", "123", false), None);
        assert_eq!(
            cvc_problem("3782 822463 10005", "123", true),
            Some(CardError::Cvc)
        );
        assert_eq!(cvc_problem("3782 822463 10005", "1234", true), None);
        assert_eq!(cvc_problem("", "1", true), None);
    }

    #[test]
    fn the_card_check_names_brand_and_masked_number() {
        assert_eq!(card_check("  "), None);
        assert_eq!(
            card_check("4111 1111 1111 1111"),
            Some(Ok(("Visa", "411111******1111".to_owned())))
        );
        assert_eq!(
            card_check("4111 1111 1111 1112"),
            Some(Err(CardError::Luhn))
        );
    }
}
