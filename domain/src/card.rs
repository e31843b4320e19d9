//! Payment cards (HP-2, PE-3): number parsing with Luhn and brand, expiry, CVC, masking,
//! and the TEST environment's card table (HP-5).

use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A card scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Brand {
    /// Visa.
    Visa,
    /// Mastercard, including the 2-series.
    Mastercard,
    /// American Express.
    Amex,
    /// Maestro.
    Maestro,
    /// Discover.
    Discover,
    /// JCB.
    Jcb,
    /// Diners Club.
    Diners,
}

impl Brand {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::Amex => "American Express",
            Brand::Maestro => "Maestro",
            Brand::Discover => "Discover",
            Brand::Jcb => "JCB",
            Brand::Diners => "Diners Club",
        }
    }

    /// Card number lengths the scheme issues.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Visa => &[13, 16, 19],
            Brand::Mastercard => &[16],
            Brand::Amex => &[15],
            Brand::Maestro => &[12, 13, 14, 15, 16, 17, 18, 19],
            Brand::Discover | Brand::Jcb => &[16, 17, 18, 19],
            Brand::Diners => &[14, 15, 16, 17, 18, 19],
        }
    }

    /// Every scheme.
    pub const ALL: [Brand; 7] = [
        Brand::Visa,
        Brand::Mastercard,
        Brand::Amex,
        Brand::Maestro,
        Brand::Discover,
        Brand::Jcb,
        Brand::Diners,
    ];

    /// The Direct API's `paymentProductId`.
    pub fn payment_product_id(self) -> i32 {
        match self {
            Brand::Visa => 1,
            Brand::Amex => 2,
            Brand::Mastercard => 3,
            Brand::Maestro => 117,
            Brand::Jcb => 125,
            Brand::Discover => 128,
            Brand::Diners => 132,
        }
    }

    /// The scheme of a Direct `paymentProductId`.
    pub fn from_payment_product_id(id: i32) -> Option<Brand> {
        Brand::ALL
            .into_iter()
            .find(|b| b.payment_product_id() == id)
    }

    /// Digits of the security code.
    pub fn cvc_length(self) -> usize {
        match self {
            Brand::Amex => 4,
            _ => 3,
        }
    }

    /// The brand of a number from its leading digits (BIN ranges), as soon as they tell.
    pub fn detect(digits: &str) -> Option<Brand> {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        if digits.starts_with('4') {
            return Some(Brand::Visa);
        }
        if let Some(p2) = prefix(2) {
            if matches!(p2, 34 | 37) {
                return Some(Brand::Amex);
            }
            if (51..=55).contains(&p2) {
                return Some(Brand::Mastercard);
            }
            if matches!(p2, 36 | 38 | 39) {
                return Some(Brand::Diners);
            }
            if p2 == 65 {
                return Some(Brand::Discover);
            }
        }
        if let Some(p4) = prefix(4) {
            if (2221..=2720).contains(&p4) {
                return Some(Brand::Mastercard);
            }
            if p4 == 6011 {
                return Some(Brand::Discover);
            }
            if (3528..=3589).contains(&p4) {
                return Some(Brand::Jcb);
            }
        }
        if let Some(p3) = prefix(3) {
            if (644..=649).contains(&p3) {
                return Some(Brand::Discover);
            }
            if (300..=305).contains(&p3) {
                return Some(Brand::Diners);
            }
        }
        if let Some(p2) = prefix(2) {
            if p2 == 50 || (56..=69).contains(&p2) {
                return Some(Brand::Maestro);
            }
        }
        None
    }
}

/// Why a card field was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CardError {
    /// Characters other than digits, spaces and dashes.
    #[error("the card number may contain only digits")]
    NotDigits,
    /// No known scheme starts like this.
    #[error("unknown card brand")]
    UnknownBrand,
    /// Wrong length for the brand.
    #[error("wrong length for the card brand")]
    Length,
    /// Fails the Luhn check.
    #[error("the card number is mistyped")]
    Luhn,
    /// Expiry not `MM/YY`, `MMYY` or `MM/YYYY`.
    #[error("the expiry date must be MM/YY")]
    ExpiryFormat,
    /// Expiry in the past.
    #[error("the card has expired")]
    Expired,
    /// Security code of the wrong length.
    #[error("the security code has the wrong length")]
    Cvc,
    /// A brand the merchant does not accept (in this currency or country): MB-11.
    #[error("the merchant does not accept this card brand")]
    BrandNotAccepted,
}

impl CardError {
    /// Every card error, in a fixed order.
    pub const ALL: [CardError; 8] = [
        CardError::NotDigits,
        CardError::UnknownBrand,
        CardError::Length,
        CardError::Luhn,
        CardError::ExpiryFormat,
        CardError::Expired,
        CardError::Cvc,
        CardError::BrandNotAccepted,
    ];

    /// A short stable name (`luhn`, `expired` …): the key under which a page hands the
    /// error's text in its language to the browser's card checks.
    pub fn code(self) -> &'static str {
        match self {
            CardError::NotDigits => "digits",
            CardError::UnknownBrand => "brand",
            CardError::Length => "length",
            CardError::Luhn => "luhn",
            CardError::ExpiryFormat => "expiry-format",
            CardError::Expired => "expired",
            CardError::Cvc => "cvc",
            CardError::BrandNotAccepted => "brand-not-accepted",
        }
    }
}

/// Whether a string of digits passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// `text` with every card number in it masked to its first 6 and last 4 digits: any run
/// of 13 to 19 digits (alone or in groups split by single spaces or dashes, as receipts
/// print them) that passes the Luhn check. Other numbers (amounts, references, dates)
/// are left as they are. What a card terminal reports goes through this before it is
/// stored, shown or exported.
pub fn mask_card_numbers(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    // Groups of digits: (start, end) indices into `chars`, end exclusive.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((start, i));
        } else {
            i += 1;
        }
    }
    // Groups that follow each other across one space or dash form a candidate number.
    let joined =
        |a: (usize, usize), b: (usize, usize)| b.0 == a.1 + 1 && matches!(chars[a.1], ' ' | '-');
    let mut masked = vec![false; chars.len()];
    for first in 0..groups.len() {
        let mut digits = String::new();
        let mut last = first;
        loop {
            let (s, e) = groups[last];
            digits.extend(&chars[s..e]);
            if digits.len() > 19 {
                break;
            }
            if (13..=19).contains(&digits.len()) && luhn_valid(&digits) {
                // Mask all but the first 6 and last 4 digits of groups[first..=last].
                let n = digits.len();
                let positions = groups[first..=last].iter().flat_map(|g| g.0..g.1);
                for (k, idx) in positions.enumerate() {
                    if (6..n - 4).contains(&k) {
                        masked[idx] = true;
                    }
                }
            }
            if last + 1 >= groups.len() || !joined(groups[last], groups[last + 1]) {
                break;
            }
            last += 1;
        }
    }
    for (c, m) in chars.iter_mut().zip(masked) {
        if m {
            *c = '*';
        }
    }
    chars.into_iter().collect()
}

/// A checked card number. Its `Debug` and `Display` show the masked form only, and it
/// is not `Serialize`: the clear number cannot leak into a log or a response.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: Brand,
}

impl CardNumber {
    /// Parses what a payer typed: digits with optional spaces or dashes.
    pub fn parse(raw: &str) -> Result<CardNumber, CardError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(CardError::NotDigits);
        }
        let brand = Brand::detect(&digits).ok_or(CardError::UnknownBrand)?;
        if !brand.lengths().contains(&digits.len()) {
            return Err(CardError::Length);
        }
        if !luhn_valid(&digits) {
            return Err(CardError::Luhn);
        }
        Ok(CardNumber { digits, brand })
    }

    /// The scheme.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The clear digits, for encryption and the acquirer only.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }

    /// First six and last four, the rest as `*` (PE-3).
    pub fn masked(&self) -> String {
        mask(&self.digits)
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }
}

/// Masks a card number: at most the first six and the last four digits stay.
pub fn mask(digits: &str) -> String {
    let n = digits.chars().count();
    // Short numbers show fewer leading digits so that at least four stay hidden.
    let shown_head = n.saturating_sub(8).min(6);
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if i < shown_head || i + 4 >= n { c } else { '*' })
        .collect()
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// A card expiry month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// 1–12.
    pub month: u32,
    /// Four digits.
    pub year: i32,
}

impl Expiry {
    /// Parses `MM/YY`, `MMYY` (Direct's format) or `MM/YYYY`, and refuses months before
    /// `today` (year, month): a card is valid through the end of its expiry month.
    pub fn parse(raw: &str, today: (i32, u32)) -> Result<Expiry, CardError> {
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, '/' | ' ' | '-'))
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 4 | 6) {
            return Err(CardError::ExpiryFormat);
        }
        let month: u32 = digits[..2].parse().map_err(|_| CardError::ExpiryFormat)?;
        let year: i32 = digits[2..].parse().map_err(|_| CardError::ExpiryFormat)?;
        let year = if digits.len() == 4 { 2000 + year } else { year };
        if !(1..=12).contains(&month) {
            return Err(CardError::ExpiryFormat);
        }
        if (year, month) < today {
            return Err(CardError::Expired);
        }
        Ok(Expiry { month, year })
    }

    /// Direct's `MMYY`.
    pub fn mmyy(self) -> String {
        format!("{:02}{:02}", self.month, self.year % 100)
    }
}

/// Checks a security code for `brand`; the code itself is never kept.
pub fn check_cvc(cvc: &str, brand: Brand) -> Result<(), CardError> {
    if cvc.len() == brand.cvc_length() && cvc.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CardError::Cvc)
    }
}

/// What the simulated acquirer answers for a TEST card (HP-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestOutcome {
    /// Approved without challenge, with this ECI.
    Approved {
        /// Electronic commerce indicator.
        eci: &'static str,
    },
    /// 3-D Secure challenge; this code passes it, then approved.
    Challenge {
        /// The code the payer must enter.
        code: &'static str,
    },
    /// Declined with an ISO 8583 refusal code.
    Declined {
        /// Refusal code, e.g. `05`.
        code: &'static str,
        /// Its meaning.
        reason: &'static str,
    },
    /// The acquirer does not answer: status uncertain (92), resolved later.
    Timeout,
    /// The request never reaches the acquirer (connection refused) on a payment's first
    /// attempt; later attempts are approved (the acquirer comes back). See
    /// [`test_outcome_on_attempt`].
    Unreachable,
}

/// A row of the test card table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TestCard {
    /// Number as printed on the test-cards page.
    pub number: &'static str,
    /// Scheme.
    pub brand: Brand,
    /// Outcome.
    pub outcome: TestOutcome,
}

/// The TEST environment's cards (HP-5). These are the schemes' public test numbers.
pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        number: "4111 1111 1111 1111",
        brand: Brand::Visa,
        outcome: TestOutcome::Approved { eci: "05" },
    },
    TestCard {
        number: "4000 0000 0000 1091",
        brand: Brand::Visa,
        outcome: TestOutcome::Challenge { code: "1234" },
    },
    TestCard {
        number: "5555 5555 5555 4444",
        brand: Brand::Mastercard,
        outcome: TestOutcome::Approved { eci: "02" },
    },
    TestCard {
        number: "5200 0000 0000 1096",
        brand: Brand::Mastercard,
        outcome: TestOutcome::Challenge { code: "1234" },
    },
    TestCard {
        number: "3782 822463 10005",
        brand: Brand::Amex,
        outcome: TestOutcome::Approved { eci: "05" },
    },
    TestCard {
        number: "4000 0000 0000 0002",
        brand: Brand::Visa,
        outcome: TestOutcome::Declined {
            code: "05",
            reason: "Do not honour",
        },
    },
    TestCard {
        number: "4000 0000 0000 9995",
        brand: Brand::Visa,
        outcome: TestOutcome::Declined {
            code: "51",
            reason: "Insufficient funds",
        },
    },
    TestCard {
        number: "4000 0000 0000 0069",
        brand: Brand::Visa,
        outcome: TestOutcome::Declined {
            code: "54",
            reason: "Expired card",
        },
    },
    TestCard {
        number: "4000 0000 0000 0127",
        brand: Brand::Visa,
        outcome: TestOutcome::Declined {
            code: "N7",
            reason: "CVV mismatch",
        },
    },
    TestCard {
        number: "4000 0000 0000 0119",
        brand: Brand::Visa,
        outcome: TestOutcome::Timeout,
    },
    TestCard {
        number: "4000 0000 0000 9102",
        brand: Brand::Visa,
        outcome: TestOutcome::Unreachable,
    },
];

/// The row of the test card table for `card`, if it is one.
pub fn test_card(card: &CardNumber) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|row| {
        row.number
            .chars()
            .filter(char::is_ascii_digit)
            .eq(card.expose_digits().chars())
    })
}

/// The 3-D Secure code that passes the challenge of `card`, when it asks for one.
pub fn challenge_code(card: &CardNumber) -> Option<&'static str> {
    match test_card(card)?.outcome {
        TestOutcome::Challenge { code } => Some(code),
        _ => None,
    }
}

/// The outcome for `card` and `amount` in the TEST environment: the table's row, else
/// approved below 1000.00 of the currency and declined 61 (exceeds limit) from there.
pub fn test_outcome(card: &CardNumber, amount: Money) -> TestOutcome {
    match test_card(card) {
        Some(row) => row.outcome,
        None if amount.minor() < 1000 * amount.currency().minor_per_major() => {
            TestOutcome::Approved { eci: "05" }
        }
        None => TestOutcome::Declined {
            code: "61",
            reason: "Exceeds withdrawal amount limit",
        },
    }
}

/// The outcome of a payment's attempt number `attempt` (0 for its first): as
/// [`test_outcome`], except that an unreachable card is unreachable only on the first
/// attempt and approved from the second on (the acquirer came back).
pub fn test_outcome_on_attempt(card: &CardNumber, amount: Money, attempt: u32) -> TestOutcome {
    match test_outcome(card, amount) {
        TestOutcome::Unreachable if attempt > 0 => TestOutcome::Approved { eci: "05" },
        outcome => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    #[test]
    fn every_card_error_has_its_own_code() {
        let mut codes: Vec<_> = CardError::ALL.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CardError::ALL.len());
    }

    #[test]
    fn card_numbers_in_text_are_masked_and_other_numbers_kept() {
        assert_eq!(mask_card_numbers("4111111111111111"), "411111******1111");
        assert_eq!(
            mask_card_numbers("CARD 4111 1111 1111 1111 EXP 12/30"),
            "CARD 4111 11** **** 1111 EXP 12/30"
        );
        assert_eq!(
            mask_card_numbers("5555-5555-5555-4444"),
            "5555-55**-****-4444"
        );
        // Already masked, amounts, a 12-digit reference and a non-Luhn run stay as they are.
        for kept in [
            "411111******1111",
            "12.50 EUR",
            "RRN 123456789012",
            "1234567890123456",
        ] {
            assert_eq!(mask_card_numbers(kept), kept);
        }
    }

    proptest! {
        #[test]
        fn a_reported_card_number_never_survives(
            before in "[ -~]{0,30}",
            after in "[ -~]{0,30}",
            body in proptest::collection::vec(0u32..10, 14),
            split in any::<bool>(),
        ) {
            // A Visa-like number of 16 digits with a valid check digit.
            let mut digits: String = std::iter::once('4')
                .chain(body.iter().map(|d| char::from_digit(*d, 10).unwrap()))
                .collect();
            let check = (0..10).find(|c| luhn_valid(&format!("{digits}{c}"))).unwrap();
            digits.push(char::from_digit(check, 10).unwrap());
            let printed = if split {
                digits.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ")
            } else {
                digits.clone()
            };
            let text = format!("{before} {printed} {after}");
            let out = mask_card_numbers(&text);
            let kept_digits: String = out.chars().filter(char::is_ascii_digit).collect();
            prop_assert!(!kept_digits.contains(&digits[6..12]) || before.contains(&digits[6..12]) || after.contains(&digits[6..12]));
            prop_assert!(!out.contains(&printed));
            prop_assert_eq!(out.chars().count(), text.chars().count());
        }
    }

    #[test]
    fn every_test_card_parses_with_its_brand() {
        for row in TEST_CARDS {
            let card =
                CardNumber::parse(row.number).unwrap_or_else(|e| panic!("{}: {e}", row.number));
            assert_eq!(card.brand(), row.brand, "{}", row.number);
        }
    }

    #[test]
    fn brands_come_from_bin_ranges() {
        assert_eq!(Brand::detect("4"), Some(Brand::Visa));
        assert_eq!(Brand::detect("2221"), Some(Brand::Mastercard));
        assert_eq!(Brand::detect("2720"), Some(Brand::Mastercard));
        assert_eq!(Brand::detect("2721"), None);
        assert_eq!(Brand::detect("34"), Some(Brand::Amex));
        assert_eq!(Brand::detect("6011"), Some(Brand::Discover));
        assert_eq!(Brand::detect("3530"), Some(Brand::Jcb));
        assert_eq!(Brand::detect("6759"), Some(Brand::Maestro));
        assert_eq!(Brand::detect("9"), None);
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(
            CardNumber::parse("4111 1111 1111 1112").unwrap_err(),
            CardError::Luhn
        );
        assert_eq!(
            CardNumber::parse("4111 1111 1111 11").unwrap_err(),
            CardError::Length
        );
        assert_eq!(
            CardNumber::parse("9111 1111 1111 1111").unwrap_err(),
            CardError::UnknownBrand
        );
        assert_eq!(
            CardNumber::parse("4111-1111-1111-111a").unwrap_err(),
            CardError::NotDigits
        );
        assert_eq!(
            CardNumber::parse("2223 0000 4841 0010").unwrap().brand(),
            Brand::Mastercard
        );
    }

    #[test]
    fn masking_keeps_six_and_four_at_most() {
        let card = CardNumber::parse("4111111111111111").unwrap();
        assert_eq!(card.masked(), "411111******1111");
        assert_eq!(format!("{card:?}"), "CardNumber(411111******1111)");
        assert_eq!(card.to_string(), "411111******1111");
        assert_eq!(
            CardNumber::parse("378282246310005").unwrap().masked(),
            "378282*****0005"
        );
        assert_eq!(mask("679999999999"), "6799****9999");
        assert_eq!(card.last4(), "1111");
    }

    #[test]
    fn expiry_is_checked_against_today() {
        let today = (2026, 11);
        assert_eq!(Expiry::parse("11/26", today).unwrap().mmyy(), "1126");
        assert_eq!(
            Expiry::parse("1230", today).unwrap(),
            Expiry {
                month: 12,
                year: 2030
            }
        );
        assert_eq!(Expiry::parse("01/2027", today).unwrap().year, 2027);
        assert_eq!(Expiry::parse("10/26", today), Err(CardError::Expired));
        assert_eq!(Expiry::parse("13/27", today), Err(CardError::ExpiryFormat));
        assert_eq!(Expiry::parse("1/27", today), Err(CardError::ExpiryFormat));
    }

    #[test]
    fn cvc_length_depends_on_brand() {
        assert!(check_cvc("123", Brand::Visa).is_ok());
        assert_eq!(check_cvc("1234", Brand::Visa), Err(CardError::Cvc));
        assert!(check_cvc("1234", Brand::Amex).is_ok());
        assert_eq!(check_cvc("12a", Brand::Mastercard), Err(CardError::Cvc));
    }

    #[test]
    fn test_table_and_amount_rule_decide_outcomes() {
        let eur = Currency::parse("EUR").unwrap();
        let small = Money::new(99_999, eur).unwrap();
        let large = Money::new(100_000, eur).unwrap();
        let challenge = CardNumber::parse("4000000000001091").unwrap();
        assert_eq!(
            test_outcome(&challenge, large),
            TestOutcome::Challenge { code: "1234" }
        );
        let declined = CardNumber::parse("4000000000009995").unwrap();
        assert!(matches!(
            test_outcome(&declined, small),
            TestOutcome::Declined { code: "51", .. }
        ));
        let other = CardNumber::parse("4242424242424242").unwrap();
        assert_eq!(
            test_outcome(&other, small),
            TestOutcome::Approved { eci: "05" }
        );
        assert!(matches!(
            test_outcome(&other, large),
            TestOutcome::Declined { code: "61", .. }
        ));
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            test_outcome(&other, Money::new(999, jpy).unwrap()),
            TestOutcome::Approved { eci: "05" }
        );
    }

    proptest! {
        #[test]
        fn appending_the_luhn_digit_always_validates(body in "4[0-9]{14}") {
            let check = (0..10).find(|d| luhn_valid(&format!("{body}{d}"))).unwrap();
            let number = format!("{body}{check}");
            prop_assert!(CardNumber::parse(&number).is_ok());
            // Changing one digit breaks the check.
            let mut chars: Vec<char> = number.chars().collect();
            let i = 5;
            chars[i] = if chars[i] == '9' { '0' } else { char::from(chars[i] as u8 + 1) };
            let changed: String = chars.into_iter().collect();
            prop_assert!(!luhn_valid(&changed));
        }

        #[test]
        fn masks_never_show_more_than_ten_digits(digits in "[0-9]{12,19}") {
            let masked = mask(&digits);
            prop_assert_eq!(masked.chars().count(), digits.chars().count());
            prop_assert!(masked.chars().filter(char::is_ascii_digit).count() <= 10);
            prop_assert!(masked.ends_with(&digits[digits.len() - 4..]));
        }
    }

    #[test]
    fn the_unreachable_card_comes_back_on_the_second_attempt() {
        let eur = Currency::parse("EUR").unwrap();
        let amount = Money::new(1_000, eur).unwrap();
        let card = CardNumber::parse("4000000000009102").unwrap();
        assert_eq!(test_outcome(&card, amount), TestOutcome::Unreachable);
        assert_eq!(
            test_outcome_on_attempt(&card, amount, 0),
            TestOutcome::Unreachable
        );
        for attempt in 1..5 {
            assert_eq!(
                test_outcome_on_attempt(&card, amount, attempt),
                TestOutcome::Approved { eci: "05" }
            );
        }
        // Every other card answers the same on every attempt.
        let declined = CardNumber::parse("4000000000009995").unwrap();
        assert_eq!(
            test_outcome_on_attempt(&declined, amount, 3),
            test_outcome(&declined, amount)
        );
    }
}
