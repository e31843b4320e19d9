//! Money in minor units with ISO 4217 exponents (PE-2). No floating point anywhere.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency the platform accepts; serialised as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

/// Currencies with their minor-unit exponents and numeric codes (ISO 4217).
const CURRENCIES: &[(&str, u8, u16)] = &[
    ("AED", 2, 784),
    ("AUD", 2, 36),
    ("BGN", 2, 975),
    ("BHD", 3, 48),
    ("BRL", 2, 986),
    ("CAD", 2, 124),
    ("CHF", 2, 756),
    ("CLP", 0, 152),
    ("CNY", 2, 156),
    ("CZK", 2, 203),
    ("DKK", 2, 208),
    ("EUR", 2, 978),
    ("GBP", 2, 826),
    ("HKD", 2, 344),
    ("HUF", 2, 348),
    ("IDR", 2, 360),
    ("ILS", 2, 376),
    ("INR", 2, 356),
    ("ISK", 0, 352),
    ("JOD", 3, 400),
    ("JPY", 0, 392),
    ("KRW", 0, 410),
    ("KWD", 3, 414),
    ("MAD", 2, 504),
    ("MXN", 2, 484),
    ("MYR", 2, 458),
    ("NOK", 2, 578),
    ("NZD", 2, 554),
    ("OMR", 3, 512),
    ("PHP", 2, 608),
    ("PLN", 2, 985),
    ("QAR", 2, 634),
    ("RON", 2, 946),
    ("SAR", 2, 682),
    ("SEK", 2, 752),
    ("SGD", 2, 702),
    ("THB", 2, 764),
    ("TND", 3, 788),
    ("TRY", 2, 949),
    ("TWD", 2, 901),
    ("UAH", 2, 980),
    ("USD", 2, 840),
    ("VND", 0, 704),
    ("XAF", 0, 950),
    ("XOF", 0, 952),
    ("ZAR", 2, 710),
];

impl Currency {
    /// The currency with this code (any case), if the platform knows it.
    pub fn parse(code: &str) -> Option<Currency> {
        let code = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(code, exponent, _)| Currency {
                code,
                exponent: *exponent,
            })
    }

    /// Every known currency, by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(|(code, exponent, _)| Currency {
            code,
            exponent: *exponent,
        })
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The ISO 4217 numeric code (EUR 978), as card terminals send it.
    pub fn numeric(self) -> u16 {
        CURRENCIES
            .iter()
            .find(|(c, _, _)| *c == self.code)
            .map_or(0, |(_, _, n)| *n)
    }

    /// The currency with this ISO 4217 numeric code.
    pub fn from_numeric(numeric: u16) -> Option<Currency> {
        CURRENCIES
            .iter()
            .find(|(_, _, n)| *n == numeric)
            .map(|(code, exponent, _)| Currency {
                code,
                exponent: *exponent,
            })
    }

    /// Digits after the decimal point (EUR 2, JPY 0, KWD 3).
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Minor units in one major unit (100 for EUR).
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(u32::from(self.exponent))
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown currency {code}")))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Why an amount was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a decimal number.
    #[error("not an amount")]
    Malformed,
    /// More decimals than the currency has.
    #[error("too many decimals for the currency")]
    TooPrecise,
    /// Below zero.
    #[error("negative amount")]
    Negative,
    /// Beyond what the platform handles.
    #[error("amount too large")]
    TooLarge,
    /// Two currencies in one operation.
    #[error("currencies differ")]
    CurrencyMismatch,
}

/// The largest amount in minor units the platform handles (Direct's 12 digits).
pub const MAX_MINOR: i64 = 999_999_999_999;

/// An amount in minor units of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` units of `currency`; refuses negatives and amounts over [`MAX_MINOR`].
    pub fn new(minor: i64, currency: Currency) -> Result<Money, AmountError> {
        if minor < 0 {
            return Err(AmountError::Negative);
        }
        if minor > MAX_MINOR {
            return Err(AmountError::TooLarge);
        }
        Ok(Money { minor, currency })
    }

    /// Zero of `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parses a decimal such as `12.34` (or `12,34`) in major units.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, AmountError> {
        let text = text.trim().replace(',', ".");
        if text.starts_with('-') {
            return Err(AmountError::Negative);
        }
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text.as_str(), ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
        {
            return Err(AmountError::Malformed);
        }
        let exponent = usize::from(currency.exponent());
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent {
            return Err(AmountError::TooPrecise);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| AmountError::TooLarge)?
        };
        let mut padded = significant.to_owned();
        while padded.len() < exponent {
            padded.push('0');
        }
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| AmountError::Malformed)?
        };
        let minor = whole
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(fraction))
            .ok_or(AmountError::TooLarge)?;
        Money::new(minor, currency)
    }

    /// Minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Sum, or an error on another currency or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, AmountError> {
        if self.currency != other.currency {
            return Err(AmountError::CurrencyMismatch);
        }
        Money::new(self.minor + other.minor, self.currency)
    }

    /// Difference, or an error on another currency or a negative result.
    pub fn checked_sub(self, other: Money) -> Result<Money, AmountError> {
        if self.currency != other.currency {
            return Err(AmountError::CurrencyMismatch);
        }
        Money::new(self.minor - other.minor, self.currency)
    }

    /// The amount in major units with the currency's decimals, e.g. `12.34`.
    pub fn format_major(self) -> String {
        let exponent = usize::from(self.currency.exponent());
        if exponent == 0 {
            return self.minor.to_string();
        }
        let per = self.currency.minor_per_major();
        format!(
            "{}.{:0width$}",
            self.minor / per,
            self.minor % per,
            width = exponent
        )
    }
}

impl Money {
    /// The amount as people of `lang` write it, with the currency code: `1,234.56 EUR`
    /// in English, `1 234,56 EUR` in French, `1.234,56 EUR` in Dutch, German, Spanish
    /// and Italian.
    pub fn format_in(self, lang: crate::Lang) -> String {
        let (group, decimal) = match lang {
            crate::Lang::En => (',', '.'),
            crate::Lang::Fr => ('\u{202f}', ','),
            _ => ('.', ','),
        };
        let plain = self.format_major();
        let (sign, plain) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest.to_owned()),
            None => ("", plain),
        };
        let (whole, fraction) = match plain.split_once('.') {
            Some((w, f)) => (w.to_owned(), Some(f.to_owned())),
            None => (plain, None),
        };
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        match fraction {
            Some(f) => format!("{sign}{grouped}{decimal}{f} {}", self.currency),
            None => format!("{sign}{grouped} {}", self.currency),
        }
    }
}

/// `minor` units of `currency` as people of `lang` write them, like
/// [`Money::format_in`], with a minus sign below zero (a net amount, more refunded than
/// captured); empty above [`MAX_MINOR`].
pub fn format_minor_in(minor: i64, currency: Currency, lang: crate::Lang) -> String {
    let formatted = Money::new(minor.saturating_abs(), currency)
        .map(|m| m.format_in(lang))
        .unwrap_or_default();
    if minor < 0 && !formatted.is_empty() {
        format!("-{formatted}")
    } else {
        formatted
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format_major(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_written_the_way_each_language_writes_them() {
        let eur = Currency::parse("EUR").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        let m = Money::new(123_456_789, eur).unwrap();
        assert_eq!(m.format_in(crate::Lang::En), "1,234,567.89 EUR");
        assert_eq!(
            m.format_in(crate::Lang::Fr),
            "1\u{202f}234\u{202f}567,89 EUR"
        );
        assert_eq!(m.format_in(crate::Lang::De), "1.234.567,89 EUR");
        assert_eq!(
            Money::new(4_999, eur).unwrap().format_in(crate::Lang::En),
            "49.99 EUR"
        );
        assert_eq!(
            Money::new(5, eur).unwrap().format_in(crate::Lang::It),
            "0,05 EUR"
        );
        assert_eq!(
            Money::new(1_000, jpy).unwrap().format_in(crate::Lang::En),
            "1,000 JPY"
        );
        assert_eq!(
            Money::new(1_500, kwd).unwrap().format_in(crate::Lang::Nl),
            "1,500 KWD"
        );
    }

    #[test]
    fn a_signed_amount_keeps_its_minus_sign() {
        assert_eq!(
            format_minor_in(-123_456, eur(), crate::Lang::En),
            "-1,234.56 EUR"
        );
        assert_eq!(format_minor_in(5, eur(), crate::Lang::En), "0.05 EUR");
        assert_eq!(format_minor_in(0, eur(), crate::Lang::De), "0,00 EUR");
    }

    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }

    #[test]
    fn exponents_follow_iso_4217() {
        assert_eq!(Currency::parse("EUR").unwrap().exponent(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent(), 3);
        assert!(Currency::parse("XXX").is_none());
        let codes: Vec<_> = Currency::all().map(|c| c.code()).collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }

    #[test]
    fn major_amounts_parse_without_floats() {
        assert_eq!(Money::parse_major("12.34", eur()).unwrap().minor(), 1234);
        assert_eq!(Money::parse_major("12,3", eur()).unwrap().minor(), 1230);
        assert_eq!(Money::parse_major("0.10", eur()).unwrap().minor(), 10);
        assert_eq!(
            Money::parse_major("1000", Currency::parse("JPY").unwrap())
                .unwrap()
                .minor(),
            1000
        );
        assert_eq!(
            Money::parse_major("1.234", Currency::parse("KWD").unwrap())
                .unwrap()
                .minor(),
            1234
        );
        assert_eq!(
            Money::parse_major("1.239", eur()),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            Money::parse_major("1.5", Currency::parse("JPY").unwrap()),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(Money::parse_major("-1", eur()), Err(AmountError::Negative));
        assert_eq!(
            Money::parse_major("1e3", eur()),
            Err(AmountError::Malformed)
        );
        assert_eq!(Money::parse_major("", eur()), Err(AmountError::Malformed));
        assert_eq!(
            Money::parse_major("99999999999999", eur()),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_negatives() {
        let a = Money::new(500, eur()).unwrap();
        let b = Money::new(700, eur()).unwrap();
        assert_eq!(a.checked_add(b).unwrap().minor(), 1200);
        assert_eq!(a.checked_sub(b), Err(AmountError::Negative));
        let usd = Money::new(1, Currency::parse("USD").unwrap()).unwrap();
        assert_eq!(a.checked_add(usd), Err(AmountError::CurrencyMismatch));
    }

    #[test]
    fn formatting_uses_the_exponent() {
        assert_eq!(Money::new(1234, eur()).unwrap().to_string(), "12.34 EUR");
        assert_eq!(Money::new(5, eur()).unwrap().format_major(), "0.05");
        assert_eq!(
            Money::new(1500, Currency::parse("JPY").unwrap())
                .unwrap()
                .to_string(),
            "1500 JPY"
        );
        assert_eq!(
            Money::new(1005, Currency::parse("KWD").unwrap())
                .unwrap()
                .format_major(),
            "1.005"
        );
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(minor in 0i64..=MAX_MINOR, idx in 0usize..46) {
            let currency = Currency::all().nth(idx % CURRENCIES.len()).unwrap();
            let money = Money::new(minor, currency).unwrap();
            prop_assert_eq!(Money::parse_major(&money.format_major(), currency).unwrap(), money);
        }
    }
}
