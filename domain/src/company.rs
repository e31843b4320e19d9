//! The merchant's account page (MB-10): what its fields may hold — VAT numbers by
//! country, phone numbers, the general-conditions address, payment-page languages,
//! accepted currencies and the data retention — for the browser's instant check and
//! the server's decision alike.

use crate::money::Currency;
use crate::Lang;
use regex_lite::Regex;
use std::sync::OnceLock;

/// Fewest days transaction data may be kept.
pub const RETENTION_MIN_DAYS: i32 = 45;
/// Most days transaction data may be kept (about 18 months).
pub const RETENTION_MAX_DAYS: i32 = 540;
/// Days kept unless the merchant chooses otherwise.
pub const RETENTION_DEFAULT_DAYS: i32 = 540;

/// Whether `days` is a retention the merchant may choose.
pub fn retention_ok(days: i32) -> bool {
    (RETENTION_MIN_DAYS..=RETENTION_MAX_DAYS).contains(&days)
}

/// Countries a company may be registered in: the EU's, the EEA's and a few neighbours,
/// each with its VAT number's shape after the country prefix (VIES formats).
const VAT_FORMATS: &[(&str, &str)] = &[
    ("AT", r"U\d{8}"),
    ("BE", r"[01]\d{9}"),
    ("BG", r"\d{9,10}"),
    ("CH", r"E\d{9}(MWST|TVA|IVA)?"),
    ("CY", r"\d{8}[A-Z]"),
    ("CZ", r"\d{8,10}"),
    ("DE", r"\d{9}"),
    ("DK", r"\d{8}"),
    ("EE", r"\d{9}"),
    ("EL", r"\d{9}"),
    ("ES", r"[A-Z0-9]\d{7}[A-Z0-9]"),
    ("FI", r"\d{8}"),
    ("FR", r"[A-HJ-NP-Z0-9]{2}\d{9}"),
    ("GB", r"(\d{9}|\d{12}|GD\d{3}|HA\d{3})"),
    ("HR", r"\d{11}"),
    ("HU", r"\d{8}"),
    ("IE", r"(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])"),
    ("IT", r"\d{11}"),
    ("LT", r"(\d{9}|\d{12})"),
    ("LU", r"\d{8}"),
    ("LV", r"\d{11}"),
    ("MT", r"\d{8}"),
    ("NL", r"\d{9}B\d{2}"),
    ("NO", r"\d{9}(MVA)?"),
    ("PL", r"\d{10}"),
    ("PT", r"\d{9}"),
    ("RO", r"\d{2,10}"),
    ("SE", r"\d{10}01"),
    ("SI", r"\d{8}"),
    ("SK", r"\d{10}"),
];

/// The countries of [`VAT_FORMATS`] as ISO 3166-1 codes (Greece is `GR`, its VAT prefix
/// `EL`), in order.
pub fn countries() -> Vec<&'static str> {
    let mut all: Vec<&str> = VAT_FORMATS
        .iter()
        .map(|(c, _)| if *c == "EL" { "GR" } else { *c })
        .collect();
    all.sort_unstable();
    all
}

/// Why a VAT number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VatError {
    /// The company's country is not one we know VAT numbers of.
    UnknownCountry,
    /// Not the shape of that country's numbers.
    Format,
}

fn vat_pattern(prefix: &str) -> Option<&'static Regex> {
    static COMPILED: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            VAT_FORMATS
                .iter()
                .map(|(c, p)| (*c, Regex::new(&format!("^{p}$")).expect("VAT pattern")))
                .collect()
        })
        .iter()
        .find(|(c, _)| *c == prefix)
        .map(|(_, r)| r)
}

/// A VAT number of a company in `country` (ISO code), as typed — spaces, dots and dashes
/// ignored, the country prefix optional — in its stored form (`FR40303265045`).
pub fn vat_number(country: &str, typed: &str) -> Result<String, VatError> {
    let prefix = match country {
        "GR" => "EL",
        other => other,
    };
    let pattern = vat_pattern(prefix).ok_or(VatError::UnknownCountry)?;
    let kept: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    let body = kept.strip_prefix(prefix).unwrap_or(&kept);
    if pattern.is_match(body) {
        Ok(format!("{prefix}{body}"))
    } else {
        Err(VatError::Format)
    }
}

/// A phone number as typed: an optional `+`, then 6 to 15 digits with spaces, dots,
/// dashes or parentheses between them. Answers it trimmed.
pub fn phone(typed: &str) -> Option<String> {
    let t = typed.trim();
    let rest = t.strip_prefix('+').unwrap_or(t);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let allowed = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')'));
    (allowed && (6..=15).contains(&digits) && t.len() <= 32).then(|| t.to_owned())
}

/// A web address the payment page may link to: `https://` (or `http://`) with a host,
/// no spaces or control characters, at most 2,000 characters.
pub fn web_address(typed: &str) -> Option<String> {
    let t = typed.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ok = !host.is_empty()
        && host.contains('.')
        && t.len() <= 2000
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    ok.then(|| t.to_owned())
}

/// The languages of a comma-separated list, in the catalogue's order; `None` when one is
/// unknown or none is given (the payment page needs at least one).
pub fn languages(list: &str) -> Option<Vec<Lang>> {
    let mut chosen = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        chosen.push(Lang::parse(code).filter(|l| l.code() == code.to_ascii_lowercase())?);
    }
    let ordered: Vec<Lang> = Lang::ALL
        .into_iter()
        .filter(|l| chosen.contains(l))
        .collect();
    (!ordered.is_empty()).then_some(ordered)
}

/// The currencies of a comma-separated list of ISO 4217 codes, without repeats; `None`
/// when one is unknown. An empty list accepts every currency.
pub fn currencies(list: &str) -> Option<Vec<Currency>> {
    let mut chosen: Vec<Currency> = Vec::new();
    for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let c = Currency::parse(&code.to_ascii_uppercase())?;
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    Some(chosen)
}

/// Whether the stored list `accepted` (comma-separated codes) accepts `currency`. An
/// empty list accepts every currency (an account from before the setting).
pub fn accepts(accepted: &str, currency: Currency) -> bool {
    accepted.trim().is_empty()
        || accepted
            .split(',')
            .any(|c| c.trim().eq_ignore_ascii_case(currency.code()))
}

/// The language the payment page shows: `wanted` when the merchant offers it, else the
/// merchant's first language (English if the list is empty or unreadable).
pub fn page_language(offered: &str, wanted: Lang) -> Lang {
    match languages(offered) {
        Some(list) if list.contains(&wanted) => wanted,
        Some(list) => list[0],
        None => wanted,
    }
}

/// The language a payment page opens in when the merchant asked for none: the payer's
/// browser's most preferred language (`Accept-Language`) among the merchant's offered
/// ones, else the merchant's first language.
pub fn browser_page_language(offered: &str, accept_language: &str) -> Lang {
    let list = languages(offered).unwrap_or_else(|| Lang::ALL.to_vec());
    let mut ranked: Vec<(u16, usize, Lang)> = accept_language
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let lang = Lang::parse(pieces.next()?)?;
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let q = (q.clamp(0.0, 1.0) * 1000.0) as u16;
            (q > 0 && list.contains(&lang)).then_some((q, i, lang))
        })
        .collect();
    ranked.sort_by_key(|(q, i, _)| (std::cmp::Reverse(*q), *i));
    ranked.first().map(|(_, _, l)| *l).unwrap_or(list[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_browser_language_is_taken_among_the_offered_ones() {
        assert_eq!(
            browser_page_language("fr,nl", "de-DE,nl;q=0.8,fr;q=0.5"),
            Lang::Nl
        );
        assert_eq!(browser_page_language("fr,nl", "de-DE,en;q=0.9"), Lang::Fr);
        assert_eq!(browser_page_language("fr,nl", ""), Lang::Fr);
        assert_eq!(browser_page_language("fr,nl", "nl;q=0,fr;q=0.1"), Lang::Fr);
        assert_eq!(browser_page_language("", "it"), Lang::It);
    }

    proptest! {
        #[test]
        fn the_browser_page_language_is_always_offered(offered in proptest::sample::subsequence(vec!["en", "fr", "nl", "de", "es", "it"], 1..6), header in "[a-z,;=.0-9 -]{0,40}") {
            let list = offered.join(",");
            let lang = browser_page_language(&list, &header);
            prop_assert!(offered.contains(&lang.code()));
        }
    }

    #[test]
    fn vat_numbers_by_country() {
        assert_eq!(
            vat_number("FR", "40 303 265 045"),
            Ok("FR40303265045".into())
        );
        assert_eq!(
            vat_number("FR", "fr40303265045"),
            Ok("FR40303265045".into())
        );
        assert_eq!(
            vat_number("NL", "8040.97.120B01"),
            Ok("NL804097120B01".into())
        );
        assert_eq!(vat_number("DE", "DE123456789"), Ok("DE123456789".into()));
        assert_eq!(vat_number("GR", "094259216"), Ok("EL094259216".into()));
        assert_eq!(vat_number("BE", "0123.456.789"), Ok("BE0123456789".into()));
        assert_eq!(vat_number("DE", "12345678"), Err(VatError::Format));
        assert_eq!(vat_number("NL", "804097120"), Err(VatError::Format));
        assert_eq!(vat_number("US", "123"), Err(VatError::UnknownCountry));
        assert!(countries().contains(&"GR") && !countries().contains(&"EL"));
    }

    #[test]
    fn retention_between_45_and_540_days() {
        assert!(retention_ok(45) && retention_ok(540) && retention_ok(RETENTION_DEFAULT_DAYS));
        assert!(!retention_ok(44) && !retention_ok(541) && !retention_ok(0));
    }

    #[test]
    fn phones_addresses_languages_currencies() {
        assert_eq!(
            phone(" +33 1 23 45 67 89 ").as_deref(),
            Some("+33 1 23 45 67 89")
        );
        assert_eq!(phone("12345"), None);
        assert_eq!(phone("+33 1 23 45 67 89 ext"), None);
        assert!(web_address("https://shop.example/terms").is_some());
        assert!(web_address("javascript:alert(1)").is_none());
        assert!(web_address("https://").is_none());
        assert!(web_address("https://shop.example/a b").is_none());
        assert_eq!(languages("fr,en"), Some(vec![Lang::En, Lang::Fr]));
        assert_eq!(languages("en,xx"), None);
        assert_eq!(languages(""), None);
        assert_eq!(currencies("eur, USD,EUR").map(|v| v.len()), Some(2));
        assert_eq!(currencies("EUR,ZZZ1"), None);
        assert_eq!(currencies(" "), Some(vec![]), "empty: every currency");
        let eur = Currency::parse("EUR").unwrap();
        let usd = Currency::parse("USD").unwrap();
        assert!(accepts("EUR,GBP", eur) && !accepts("EUR,GBP", usd) && accepts("", usd));
        assert_eq!(page_language("fr,de", Lang::En), Lang::Fr);
        assert_eq!(page_language("fr,de", Lang::De), Lang::De);
    }

    proptest! {
        #[test]
        fn a_stored_vat_number_reads_back_the_same(digits in "[0-9]{9}") {
            let stored = vat_number("DE", &digits).unwrap();
            prop_assert_eq!(vat_number("DE", &stored), Ok(stored.clone()));
        }

        #[test]
        fn the_page_language_is_always_offered(wanted in 0usize..6, mask in 1u8..64) {
            let offered: Vec<&str> = Lang::ALL.iter().enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0).map(|(_, l)| l.code()).collect();
            let list = offered.join(",");
            let shown = page_language(&list, Lang::ALL[wanted]);
            prop_assert!(offered.contains(&shown.code()));
        }

        #[test]
        fn vat_checks_never_panic(country in "[A-Z]{2}", typed in "\\PC{0,30}") {
            let _ = vat_number(&country, &typed);
        }
    }
}
