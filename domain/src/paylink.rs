//! Payment links (MB-36, HP-1, PE-6): the rules a link template's settings and a payer's
//! entries must follow, the same in the browser (as typed) and on the server (the
//! decision).
//!
//! - **Custom fields**: a label, a name of letters and underscores, an optional
//!   placeholder, an optional regular expression the whole value must match, an optional
//!   fixed value, and whether it is required. A merchant's pattern is compiled with a
//!   linear-time engine (`regex-lite`: no backtracking, O(pattern × value)) under size
//!   and nesting limits, and tried when the template is saved, so no pattern can hang the
//!   payer's page.
//! - **Amount**: fixed, or entered by the payer within the template's minimum and maximum.
//! - **Status**: Active, Expired (past its end), Disabled (by the merchant, or cancelled
//!   through the API) or Paid (a single-use link once paid).

use crate::money::{Currency, Money};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Custom fields one template may have.
pub const MAX_FIELDS: usize = 10;
/// Longest pattern a merchant may give, in bytes.
pub const MAX_PATTERN_BYTES: usize = 200;
/// Longest label, placeholder, fixed value or payer's value, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Longest field name, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Compiled-program size a pattern may take (bytes of the engine's program).
const PATTERN_SIZE_LIMIT: usize = 64 * 1024;
/// Nesting a pattern may have.
const PATTERN_NEST_LIMIT: u32 = 20;

/// One custom field of a link template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// What the payer reads.
    pub label: String,
    /// The parameter's name (`[A-Za-z_]+`), as stored with the payment.
    pub name: String,
    /// Example text in the empty field.
    pub placeholder: String,
    /// A regular expression the whole value must match (empty: any value).
    pub pattern: String,
    /// A value the payer cannot change (empty: the payer types it).
    pub fixed: String,
    /// Whether the payer must fill it in.
    pub required: bool,
}

/// Why a custom field's settings are refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The label is empty or too long.
    #[error("give the field a label of at most {MAX_TEXT_CHARS} characters")]
    Label,
    /// The name is not letters and underscores.
    #[error("use letters and underscores only, at most {MAX_NAME_CHARS} characters")]
    Name,
    /// Two fields have one name.
    #[error("another field already has this name")]
    DuplicateName,
    /// The placeholder or fixed value is too long.
    #[error("at most {MAX_TEXT_CHARS} characters")]
    TooLong,
    /// The pattern is longer than allowed.
    #[error("the pattern may have at most {MAX_PATTERN_BYTES} characters")]
    PatternTooLong,
    /// The pattern does not compile (the engine's reason), or is too large once compiled.
    #[error("this is not a valid pattern: {0}")]
    Pattern(String),
    /// The fixed value does not match the field's own pattern.
    #[error("the fixed value does not match the pattern")]
    FixedMismatch,
    /// More fields than allowed.
    #[error("at most {MAX_FIELDS} custom fields")]
    TooMany,
}

/// Why a payer's value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Required and empty.
    #[error("this field is required")]
    Required,
    /// Longer than allowed.
    #[error("at most {MAX_TEXT_CHARS} characters")]
    TooLong,
    /// Does not match the field's pattern.
    #[error("this value does not have the expected form")]
    Pattern,
}

/// A field's pattern, compiled to match whole values.
pub struct Pattern(regex_lite::Regex);

impl Pattern {
    /// Compiles `pattern` (anchored: the whole value must match) under the size and
    /// nesting limits; `None` for an empty pattern.
    pub fn compile(pattern: &str) -> Result<Option<Pattern>, FieldError> {
        if pattern.is_empty() {
            return Ok(None);
        }
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(FieldError::PatternTooLong);
        }
        regex_lite::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(PATTERN_SIZE_LIMIT)
            .nest_limit(PATTERN_NEST_LIMIT)
            .build()
            .map(|re| Some(Pattern(re)))
            .map_err(|e| FieldError::Pattern(first_line(&e.to_string())))
    }

    /// Whether `value` matches as a whole.
    pub fn matches(&self, value: &str) -> bool {
        self.0.is_match(value)
    }
}

fn first_line(message: &str) -> String {
    let line = message
        .lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| message.lines().next().unwrap_or(message));
    line.trim_start_matches("error:")
        .trim()
        .chars()
        .take(120)
        .collect()
}

/// Whether `name` is a field name: letters and underscores, 1 to [`MAX_NAME_CHARS`].
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
}

/// Checks one field's settings: label, name, lengths, and that the pattern compiles and
/// the fixed value (if any) matches it.
pub fn check_field(spec: &FieldSpec) -> Result<(), FieldError> {
    let label = spec.label.trim();
    if label.is_empty() || label.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldError::Label);
    }
    if !valid_name(&spec.name) || reserved_name(&spec.name) {
        return Err(FieldError::Name);
    }
    if spec.placeholder.chars().count() > MAX_TEXT_CHARS
        || spec.fixed.chars().count() > MAX_TEXT_CHARS
    {
        return Err(FieldError::TooLong);
    }
    let pattern = Pattern::compile(&spec.pattern)?;
    if let Some(pattern) = pattern {
        if !spec.fixed.is_empty() && !pattern.matches(&spec.fixed) {
            return Err(FieldError::FixedMismatch);
        }
    }
    Ok(())
}

/// Checks a template's fields: each one, their count and that names are unique
/// (case-insensitively); the first refusal with its field's index.
pub fn check_fields(specs: &[FieldSpec]) -> Result<(), (usize, FieldError)> {
    if specs.len() > MAX_FIELDS {
        return Err((MAX_FIELDS, FieldError::TooMany));
    }
    for (i, spec) in specs.iter().enumerate() {
        check_field(spec).map_err(|e| (i, e))?;
        let lower = spec.name.to_ascii_lowercase();
        if specs[..i]
            .iter()
            .any(|s| s.name.to_ascii_lowercase() == lower)
        {
            return Err((i, FieldError::DuplicateName));
        }
    }
    Ok(())
}

/// The value stored for a payer's entry in `spec`: the fixed value when there is one
/// (whatever was sent), else the trimmed entry, checked for presence, length and pattern.
/// Empty and optional is `Ok("")`. `spec` is assumed to pass [`check_field`]; a pattern
/// that no longer compiles refuses every non-empty value.
pub fn check_value(spec: &FieldSpec, value: &str) -> Result<String, ValueError> {
    if !spec.fixed.is_empty() {
        return Ok(spec.fixed.clone());
    }
    check_typed(&spec.pattern, spec.required, value)
}

/// A value the payer typed into a field of `pattern` (empty: any), `required` or not:
/// trimmed, or why it is refused. The rule of [`check_value`] for a field the payer
/// fills in.
pub fn check_typed(pattern: &str, required: bool, value: &str) -> Result<String, ValueError> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err(ValueError::Required)
        } else {
            Ok(String::new())
        };
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(ValueError::TooLong);
    }
    match Pattern::compile(pattern) {
        Ok(None) => Ok(value.to_owned()),
        Ok(Some(pattern)) if pattern.matches(value) => Ok(value.to_owned()),
        _ => Err(ValueError::Pattern),
    }
}

/// The fields every link may ask without a merchant defining them (the seed's
/// "Address", "E-mail", "Full name" and "Phone number"); their names are reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standard {
    /// The payer's first and last name.
    FullName,
    /// The payer's e-mail address.
    Email,
    /// The payer's phone number.
    Phone,
    /// The delivery address.
    Address,
}

impl Standard {
    /// Every standard field, in the page's order.
    pub const ALL: [Standard; 4] = [
        Standard::FullName,
        Standard::Email,
        Standard::Phone,
        Standard::Address,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Standard::FullName => "full_name",
            Standard::Email => "email",
            Standard::Phone => "phone",
            Standard::Address => "address",
        }
    }

    /// The rules of the field, with the label the page shows.
    pub fn spec(self, label: &str) -> FieldSpec {
        let pattern = match self {
            Standard::Email => r"[^@\s]+@[^@\s]+\.[^@\s]+",
            Standard::Phone => r"\+?[0-9][0-9 ().\-]{5,24}",
            Standard::FullName | Standard::Address => "",
        };
        FieldSpec {
            label: label.to_owned(),
            name: self.name().to_owned(),
            placeholder: String::new(),
            pattern: pattern.to_owned(),
            fixed: String::new(),
            required: true,
        }
    }

    /// The HTML input type and autocomplete hint.
    pub fn input(self) -> (&'static str, &'static str) {
        match self {
            Standard::FullName => ("text", "name"),
            Standard::Email => ("email", "email"),
            Standard::Phone => ("tel", "tel"),
            Standard::Address => ("text", "street-address"),
        }
    }
}

/// Whether `name` is taken by a standard field or the amount, so a merchant's own field
/// may not use it.
pub fn reserved_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "amount" || Standard::ALL.iter().any(|s| s.name() == lower)
}

/// What a link asks the payer: standard fields and the merchant's own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asked {
    /// Standard fields asked.
    pub standard: Vec<Standard>,
    /// The merchant's fields.
    pub custom: Vec<FieldSpec>,
}

/// What a link asks the payer to pay, in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmountRule {
    /// This amount.
    Fixed(i64),
    /// What the payer enters, within these bounds (inclusive).
    Entered {
        /// Smallest amount.
        min: i64,
        /// Largest amount.
        max: i64,
    },
}

/// Why an amount (a template's, or a payer's) is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkAmountError {
    /// Zero or negative.
    #[error("the amount must be more than zero")]
    NotPositive,
    /// The minimum is above the maximum.
    #[error("the minimum may not be above the maximum")]
    Inverted,
    /// Below the link's minimum.
    #[error("the amount is below the minimum")]
    BelowMin,
    /// Above the link's maximum.
    #[error("the amount is above the maximum")]
    AboveMax,
}

/// Why the amount a payer typed is refused: what the pre-payment page shows as it is
/// typed and the server decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TypedAmountError {
    /// Nothing typed.
    #[error("the amount is required")]
    Required,
    /// Not an amount in the link's currency, or not above zero.
    #[error("not an amount in this currency")]
    Invalid,
    /// Below the link's minimum.
    #[error("the amount is below the minimum")]
    BelowMin,
    /// Above the link's maximum.
    #[error("the amount is above the maximum")]
    AboveMax,
}

impl AmountRule {
    /// The amount to pay when the payer typed `text` (major units of `currency`): the
    /// fixed amount whatever was typed, or the typed one parsed and within the bounds.
    pub fn typed(self, text: &str, currency: Currency) -> Result<i64, TypedAmountError> {
        let entered = match self {
            AmountRule::Fixed(_) => None,
            AmountRule::Entered { .. } if text.trim().is_empty() => {
                return Err(TypedAmountError::Required)
            }
            AmountRule::Entered { .. } => Some(
                Money::parse_major(text.trim(), currency)
                    .map_err(|_| TypedAmountError::Invalid)?
                    .minor(),
            ),
        };
        self.amount(entered).map_err(|e| match e {
            LinkAmountError::BelowMin => TypedAmountError::BelowMin,
            LinkAmountError::AboveMax => TypedAmountError::AboveMax,
            LinkAmountError::NotPositive | LinkAmountError::Inverted => TypedAmountError::Invalid,
        })
    }

    /// Checks the template's own amounts.
    pub fn check(self) -> Result<(), LinkAmountError> {
        match self {
            AmountRule::Fixed(amount) if amount <= 0 => Err(LinkAmountError::NotPositive),
            AmountRule::Entered { min, .. } if min <= 0 => Err(LinkAmountError::NotPositive),
            AmountRule::Entered { min, max } if min > max => Err(LinkAmountError::Inverted),
            _ => Ok(()),
        }
    }

    /// The amount to pay: the fixed one, or `entered` within the bounds.
    pub fn amount(self, entered: Option<i64>) -> Result<i64, LinkAmountError> {
        match self {
            AmountRule::Fixed(amount) => Ok(amount),
            AmountRule::Entered { min, max } => {
                let amount = entered.ok_or(LinkAmountError::BelowMin)?;
                if amount <= 0 {
                    Err(LinkAmountError::NotPositive)
                } else if amount < min {
                    Err(LinkAmountError::BelowMin)
                } else if amount > max {
                    Err(LinkAmountError::AboveMax)
                } else {
                    Ok(amount)
                }
            }
        }
    }
}

/// A link's status as the merchant's list and the payer's page show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkStatus {
    /// Can be paid.
    Active,
    /// Past its end.
    Expired,
    /// Disabled by the merchant or cancelled through the API.
    Disabled,
    /// A single-use link that was paid.
    Paid,
}

impl LinkStatus {
    /// The status of a link: disabled wins, then paid (single use), then expired.
    pub fn of(
        disabled: bool,
        reusable: bool,
        paid: bool,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> LinkStatus {
        if disabled {
            LinkStatus::Disabled
        } else if paid && !reusable {
            LinkStatus::Paid
        } else if expires_at.is_some_and(|end| end <= now) {
            LinkStatus::Expired
        } else {
            LinkStatus::Active
        }
    }

    /// Whether a payer may pay through it.
    pub fn payable(self) -> bool {
        self == LinkStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn standard_fields_check_their_values_and_reserve_their_names() {
        let email = Standard::Email.spec("E-mail");
        assert!(
            check_field(&email).is_err(),
            "a reserved name is refused for custom fields"
        );
        assert_eq!(check_value(&email, " a@b.co "), Ok("a@b.co".into()));
        assert_eq!(check_value(&email, "a@b"), Err(ValueError::Pattern));
        assert_eq!(check_value(&email, ""), Err(ValueError::Required));
        let phone = Standard::Phone.spec("Phone");
        assert!(check_value(&phone, "+32 2 123 45 67").is_ok());
        assert_eq!(check_value(&phone, "call me"), Err(ValueError::Pattern));
        assert!(check_value(&Standard::Address.spec("Address"), "Rue de la Loi 16").is_ok());
        for name in ["amount", "Email", "full_name", "phone", "address"] {
            assert!(reserved_name(name), "{name}");
        }
        assert!(!reserved_name("order_number"));
    }

    fn field(pattern: &str) -> FieldSpec {
        FieldSpec {
            label: "Order number".into(),
            name: "order_number".into(),
            pattern: pattern.into(),
            required: true,
            ..Default::default()
        }
    }

    #[test]
    fn settings_are_checked_as_saved() {
        assert_eq!(check_field(&field("[0-9]{6}")), Ok(()));
        assert_eq!(check_field(&field("")), Ok(()));
        assert!(matches!(
            check_field(&field("[0-9")),
            Err(FieldError::Pattern(_))
        ));
        assert_eq!(
            check_field(&field(&"a".repeat(MAX_PATTERN_BYTES + 1))),
            Err(FieldError::PatternTooLong)
        );
        // Too large once compiled, though short to type.
        assert!(matches!(
            check_field(&field("(?:a{100}){100}")),
            Err(FieldError::Pattern(_))
        ));
        let named = |name: &str| FieldSpec {
            name: name.into(),
            ..field("")
        };
        assert_eq!(check_field(&named("Customer_ref")), Ok(()));
        for bad in ["", "order-no", "order no", "n1", "ordre_é"] {
            assert_eq!(check_field(&named(bad)), Err(FieldError::Name), "{bad}");
        }
        let unlabelled = FieldSpec {
            label: "  ".into(),
            ..field("")
        };
        assert_eq!(check_field(&unlabelled), Err(FieldError::Label));
        let fixed = |value: &str| FieldSpec {
            fixed: value.into(),
            ..field("[A-Z]{3}")
        };
        assert_eq!(check_field(&fixed("ABC")), Ok(()));
        assert_eq!(check_field(&fixed("abcd")), Err(FieldError::FixedMismatch));
    }

    #[test]
    fn a_template_has_few_fields_with_distinct_names() {
        let two = [field(""), field("")];
        assert_eq!(check_fields(&two), Err((1, FieldError::DuplicateName)));
        let upper = FieldSpec {
            name: "ORDER_NUMBER".into(),
            ..field("")
        };
        assert_eq!(
            check_fields(&[field(""), upper]),
            Err((1, FieldError::DuplicateName))
        );
        let many: Vec<FieldSpec> = (0..=MAX_FIELDS)
            .map(|i| FieldSpec {
                name: "f".repeat(i + 1),
                ..field("")
            })
            .collect();
        assert_eq!(check_fields(&many), Err((MAX_FIELDS, FieldError::TooMany)));
        assert_eq!(check_fields(&many[..MAX_FIELDS]), Ok(()));
    }

    #[test]
    fn a_payers_value_must_match_the_whole_pattern() {
        let f = field("[0-9]{6}");
        assert_eq!(check_value(&f, " 123456 "), Ok("123456".into()));
        assert_eq!(check_value(&f, "1234567"), Err(ValueError::Pattern));
        assert_eq!(check_value(&f, "x123456"), Err(ValueError::Pattern));
        assert_eq!(check_value(&f, ""), Err(ValueError::Required));
        let optional = FieldSpec {
            required: false,
            ..f.clone()
        };
        assert_eq!(check_value(&optional, "  "), Ok(String::new()));
        assert_eq!(check_value(&optional, "12"), Err(ValueError::Pattern));
        let alternatives = field("ab|cd");
        assert_eq!(check_value(&alternatives, "cd"), Ok("cd".into()));
        assert_eq!(check_value(&alternatives, "abcd"), Err(ValueError::Pattern));
        let fixed = FieldSpec {
            fixed: "PROMO".into(),
            ..field("")
        };
        assert_eq!(check_value(&fixed, "anything else"), Ok("PROMO".into()));
        assert_eq!(
            check_value(&field(""), &"x".repeat(MAX_TEXT_CHARS + 1)),
            Err(ValueError::TooLong)
        );
    }

    #[test]
    fn patterns_that_backtracking_engines_choke_on_stay_fast() {
        // Exponential for a backtracking engine; a pass over the value for this one.
        let f = field("(a+)+$");
        let value = format!("{}!", "a".repeat(MAX_TEXT_CHARS - 1));
        assert_eq!(check_value(&f, &value), Err(ValueError::Pattern));
        let f = field("(a|aa)*b");
        assert_eq!(
            check_value(&f, &"a".repeat(MAX_TEXT_CHARS)),
            Err(ValueError::Pattern)
        );
    }

    #[test]
    fn a_typed_amount_is_parsed_in_the_currency_then_held_to_the_bounds() {
        let eur = Currency::parse("EUR").unwrap();
        let rule = AmountRule::Entered {
            min: 500,
            max: 50_000,
        };
        assert_eq!(rule.typed(" 12.50 ", eur), Ok(1250));
        assert_eq!(rule.typed("", eur), Err(TypedAmountError::Required));
        assert_eq!(rule.typed("12.345", eur), Err(TypedAmountError::Invalid));
        assert_eq!(rule.typed("0", eur), Err(TypedAmountError::Invalid));
        assert_eq!(rule.typed("4.99", eur), Err(TypedAmountError::BelowMin));
        assert_eq!(rule.typed("500.01", eur), Err(TypedAmountError::AboveMax));
        // A fixed amount whatever is typed.
        assert_eq!(AmountRule::Fixed(999).typed("", eur), Ok(999));
    }

    #[test]
    fn amounts_are_fixed_or_within_the_bounds() {
        assert_eq!(AmountRule::Fixed(10_000).check(), Ok(()));
        assert_eq!(
            AmountRule::Fixed(0).check(),
            Err(LinkAmountError::NotPositive)
        );
        let range = AmountRule::Entered {
            min: 500,
            max: 2000,
        };
        assert_eq!(range.check(), Ok(()));
        assert_eq!(
            AmountRule::Entered { min: 900, max: 100 }.check(),
            Err(LinkAmountError::Inverted)
        );
        assert_eq!(range.amount(Some(500)), Ok(500));
        assert_eq!(range.amount(Some(2000)), Ok(2000));
        assert_eq!(range.amount(Some(499)), Err(LinkAmountError::BelowMin));
        assert_eq!(range.amount(Some(2001)), Err(LinkAmountError::AboveMax));
        assert_eq!(range.amount(None), Err(LinkAmountError::BelowMin));
        assert_eq!(AmountRule::Fixed(750).amount(Some(1)), Ok(750));
    }

    #[test]
    fn status_follows_disabled_paid_then_expiry() {
        let now = Utc::now();
        let past = Some(now - chrono::Duration::days(1));
        let future = Some(now + chrono::Duration::days(30));
        assert_eq!(
            LinkStatus::of(false, false, false, future, now),
            LinkStatus::Active
        );
        assert_eq!(
            LinkStatus::of(false, false, false, None, now),
            LinkStatus::Active
        );
        assert_eq!(
            LinkStatus::of(false, false, false, past, now),
            LinkStatus::Expired
        );
        assert_eq!(
            LinkStatus::of(false, false, true, future, now),
            LinkStatus::Paid
        );
        assert_eq!(
            LinkStatus::of(false, true, true, future, now),
            LinkStatus::Active
        );
        assert_eq!(
            LinkStatus::of(true, false, true, past, now),
            LinkStatus::Disabled
        );
        assert!(LinkStatus::Active.payable());
        assert!(!LinkStatus::Paid.payable());
    }

    proptest! {
        #[test]
        fn an_entered_amount_is_accepted_exactly_within_the_bounds(
            min in 1i64..1_000_000, span in 0i64..1_000_000, entered in -10i64..3_000_000,
        ) {
            let rule = AmountRule::Entered { min, max: min + span };
            let ok = rule.amount(Some(entered)).is_ok();
            prop_assert_eq!(ok, entered >= min && entered <= min + span);
        }

        #[test]
        fn a_literal_pattern_matches_exactly_its_text(text in "[a-z0-9]{1,30}", other in "[a-z0-9]{1,30}") {
            let f = field(&text);
            prop_assert_eq!(check_value(&f, &text), Ok(text.clone()));
            prop_assert_eq!(check_value(&f, &other).is_ok(), other == text);
        }

        #[test]
        fn any_typed_pattern_is_either_refused_or_safe_to_run(pattern in ".{0,40}", value in ".{0,200}") {
            // Whatever a merchant types: a field error when saved, or a pattern that
            // answers for any value.
            match check_field(&field(&pattern)) {
                Err(refusal) => prop_assert!(!refusal.to_string().is_empty()),
                Ok(()) => match check_value(&field(&pattern), &value) {
                    Ok(kept) => prop_assert_eq!(kept, value.trim()),
                    Err(e) => prop_assert!(!value.trim().is_empty() || e == ValueError::Required),
                },
            }
        }

        #[test]
        fn names_are_exactly_letters_and_underscores(name in "\\PC{0,45}") {
            let expected = !name.is_empty() && name.chars().count() <= MAX_NAME_CHARS
                && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
            prop_assert_eq!(valid_name(&name), expected);
        }
    }
}
