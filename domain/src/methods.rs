//! Payment methods (MB-11): which methods a merchant offers, in which currencies and
//! countries, and the one rule that says whether a method serves a payment or a product
//! query. Methods are known by their Direct `paymentProductId` (the stored method code),
//! so the redirect methods and wallets join the same table later.
//!
//! A merchant that never changed a method gets its default: every card brand of
//! [`Brand::ALL`] active (what every account accepted before the setting), the co-badged
//! Bancontact card inactive (it needs a Belgian acquiring contract), all currencies and
//! all countries.

use crate::card::{Brand, CardError};
use crate::money::Currency;
use serde::{Deserialize, Serialize};

/// A payment method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// A card of one scheme.
    Card(Brand),
    /// The co-badged Bancontact card (Direct product 3012), paid as a card or through
    /// the bank's page (a redirect payment).
    BancontactCard,
    /// iDEAL (Direct product 809): the payer approves on the bank's page; euros only.
    Ideal,
    /// Google Pay (Direct product 320): a wallet returning a card.
    GooglePay,
    /// Apple Pay (Direct product 302): a wallet returning a card.
    ApplePay,
}

/// How a method is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A card typed or stored.
    Card,
    /// The payer is sent to the bank's page and comes back.
    Redirect,
    /// A wallet hands over a card.
    Wallet,
}

/// Direct's `paymentProductId` of the Bancontact card.
pub const BANCONTACT_CARD: i32 = 3012;
/// Direct's `paymentProductId` of iDEAL.
pub const IDEAL: i32 = 809;
/// Direct's `paymentProductId` of Google Pay.
pub const GOOGLE_PAY: i32 = 320;
/// Direct's `paymentProductId` of Apple Pay.
pub const APPLE_PAY: i32 = 302;

impl Method {
    /// Every method, in display order.
    pub const ALL: [Method; 11] = [
        Method::Card(Brand::Visa),
        Method::Card(Brand::Mastercard),
        Method::Card(Brand::Amex),
        Method::Card(Brand::Maestro),
        Method::BancontactCard,
        Method::Card(Brand::Discover),
        Method::Card(Brand::Jcb),
        Method::Card(Brand::Diners),
        Method::Ideal,
        Method::GooglePay,
        Method::ApplePay,
    ];

    /// The stored code: Direct's `paymentProductId`.
    pub fn code(self) -> i32 {
        match self {
            Method::Card(b) => b.payment_product_id(),
            Method::BancontactCard => BANCONTACT_CARD,
            Method::Ideal => IDEAL,
            Method::GooglePay => GOOGLE_PAY,
            Method::ApplePay => APPLE_PAY,
        }
    }

    /// How it is paid: Bancontact is listed with the cards (its card is typed like
    /// one) and also taken through the bank's page ([`Method::redirects`]).
    pub fn kind(self) -> Kind {
        match self {
            Method::Card(_) | Method::BancontactCard => Kind::Card,
            Method::Ideal => Kind::Redirect,
            Method::GooglePay | Method::ApplePay => Kind::Wallet,
        }
    }

    /// Whether the payer may pay it on the bank's page (a redirect payment).
    pub fn redirects(self) -> bool {
        matches!(self, Method::Ideal | Method::BancontactCard)
    }

    /// The one currency the method exists in, if it is bound to one (iDEAL: euros).
    pub fn only_currency(self) -> Option<&'static str> {
        match self {
            Method::Ideal => Some("EUR"),
            _ => None,
        }
    }

    /// The method of a code.
    pub fn from_code(code: i32) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Card(b) => b.name(),
            Method::BancontactCard => "Bancontact",
            Method::Ideal => "iDEAL",
            Method::GooglePay => "Google Pay",
            Method::ApplePay => "Apple Pay",
        }
    }

    /// The card scheme whose numbers this method takes, if it is one.
    pub fn brand(self) -> Option<Brand> {
        match self {
            Method::Card(b) => Some(b),
            _ => None,
        }
    }

    /// Whether a merchant that never changed it offers it: the card brands (what every
    /// account accepted before the setting); the Bancontact card, iDEAL and the wallets
    /// need a contract and are switched on by the merchant.
    pub fn active_by_default(self) -> bool {
        matches!(self, Method::Card(_))
    }

    /// The smallest amount (minor units) it takes: cards also verify at zero (a card
    /// kept for later), the Bancontact card does not.
    pub fn min_amount(self) -> i64 {
        match self {
            Method::Card(_) => 0,
            Method::BancontactCard | Method::Ideal => 1,
            Method::GooglePay | Method::ApplePay => 1,
        }
    }
}

/// A merchant's setting of one method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodSetting {
    /// The method.
    pub method: Method,
    /// Offered and accepted.
    pub active: bool,
    /// Currencies it serves; empty serves every currency.
    pub currencies: Vec<Currency>,
    /// ISO 3166-1 alpha-2 countries it serves; empty serves every country.
    pub countries: Vec<String>,
}

impl MethodSetting {
    /// The setting of a merchant that never changed `method`.
    pub fn default_for(method: Method) -> MethodSetting {
        let (currencies, countries) = match method {
            // iDEAL is the Dutch banks' scheme, in euros.
            Method::Ideal => (
                Currency::parse("EUR").into_iter().collect(),
                vec!["NL".to_owned()],
            ),
            _ => (Vec::new(), Vec::new()),
        };
        MethodSetting {
            method,
            active: method.active_by_default(),
            currencies,
            countries,
        }
    }
}

/// What a payment or a product query asks of a method; `None` asks nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// The currency.
    pub currency: Option<Currency>,
    /// The country (ISO 3166-1 alpha-2, upper case).
    pub country: Option<String>,
    /// The amount in minor units.
    pub amount: Option<i64>,
}

/// Why a method does not serve a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    /// The merchant does not offer it.
    #[error("the merchant does not accept this payment method")]
    Inactive,
    /// Not in this currency.
    #[error("the merchant does not accept this payment method in this currency")]
    Currency,
    /// Not in this country.
    #[error("the merchant does not accept this payment method in this country")]
    Country,
    /// Not for this amount.
    #[error("this payment method does not take this amount")]
    Amount,
}

/// Whether `setting` serves `filter`: active, the currency and country in its lists
/// (an empty list serves all), the amount at least the method's minimum.
pub fn serves(setting: &MethodSetting, filter: &Filter) -> Result<(), Refusal> {
    if !setting.active {
        return Err(Refusal::Inactive);
    }
    if let Some(c) = filter.currency {
        if setting
            .method
            .only_currency()
            .is_some_and(|only| only != c.code())
        {
            return Err(Refusal::Currency);
        }
        if !setting.currencies.is_empty() && !setting.currencies.contains(&c) {
            return Err(Refusal::Currency);
        }
    }
    if let Some(country) = &filter.country {
        if !setting.countries.is_empty()
            && !setting
                .countries
                .iter()
                .any(|c| c.eq_ignore_ascii_case(country))
        {
            return Err(Refusal::Country);
        }
    }
    if let Some(amount) = filter.amount {
        if amount < setting.method.min_amount() {
            return Err(Refusal::Amount);
        }
    }
    Ok(())
}

/// A merchant's methods: every method once, in [`Method::ALL`]'s order, the stored
/// settings over the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Methods {
    settings: Vec<MethodSetting>,
}

impl Methods {
    /// The methods with `stored` over the defaults (a later setting of the same method
    /// wins).
    pub fn new(stored: impl IntoIterator<Item = MethodSetting>) -> Methods {
        let mut settings: Vec<MethodSetting> = Method::ALL
            .into_iter()
            .map(MethodSetting::default_for)
            .collect();
        for s in stored {
            if let Some(slot) = settings.iter_mut().find(|x| x.method == s.method) {
                *slot = s;
            }
        }
        Methods { settings }
    }

    /// Every method's setting, in display order.
    pub fn all(&self) -> &[MethodSetting] {
        &self.settings
    }

    /// One method's setting.
    pub fn setting(&self, method: Method) -> &MethodSetting {
        self.settings
            .iter()
            .find(|s| s.method == method)
            .expect("every method has a setting")
    }

    /// Whether `method` serves `filter`.
    pub fn check(&self, method: Method, filter: &Filter) -> Result<(), Refusal> {
        serves(self.setting(method), filter)
    }

    /// Whether a card of `brand` is accepted for `filter` (its scheme's method).
    pub fn check_card(&self, brand: Brand, filter: &Filter) -> Result<(), Refusal> {
        self.check(Method::Card(brand), filter)
    }

    /// The methods offered for `filter`, in display order.
    pub fn offered(&self, filter: &Filter) -> Vec<Method> {
        self.settings
            .iter()
            .filter(|s| serves(s, filter).is_ok())
            .map(|s| s.method)
            .collect()
    }
}

/// Whether a card number as typed belongs to one of the `offered` brands (by name, as a
/// payment page lists them): refused once its leading digits tell a brand that is not
/// offered; accepted while they tell none (the card checks speak then).
pub fn check_offered<S: AsRef<str>>(number: &str, offered: &[S]) -> Result<(), CardError> {
    let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    match Brand::detect(&digits) {
        Some(b) if !offered.iter().any(|n| n.as_ref() == b.name()) => {
            Err(CardError::BrandNotAccepted)
        }
        _ => Ok(()),
    }
}

/// The currencies of a comma- or space-separated list, upper-cased, without repeats, in
/// the order typed; `Err` with the first unknown code.
pub fn parse_currencies(list: &str) -> Result<Vec<Currency>, String> {
    let mut out: Vec<Currency> = Vec::new();
    for code in list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let c = Currency::parse(code).ok_or_else(|| code.to_owned())?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// The countries of a comma- or space-separated list of ISO 3166-1 alpha-2 codes,
/// upper-cased, without repeats, sorted; `Err` with the first unknown code.
pub fn parse_countries(list: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for code in list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let upper = code.to_ascii_uppercase();
        if !crate::fraud::is_country(&upper) {
            return Err(code.to_owned());
        }
        if !out.contains(&upper) {
            out.push(upper);
        }
    }
    out.sort_unstable();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn defaults_keep_every_brand_and_leave_bancontact_off() {
        let m = Methods::new([]);
        let offered = m.offered(&Filter::default());
        for b in Brand::ALL {
            assert!(offered.contains(&Method::Card(b)), "{b:?}");
        }
        assert!(!offered.contains(&Method::BancontactCard));
        assert_eq!(
            m.check(Method::BancontactCard, &Filter::default()),
            Err(Refusal::Inactive)
        );
    }

    #[test]
    fn codes_are_direct_product_ids_and_round_trip() {
        assert_eq!(Method::Card(Brand::Visa).code(), 1);
        assert_eq!(Method::Card(Brand::Amex).code(), 2);
        assert_eq!(Method::Card(Brand::Mastercard).code(), 3);
        assert_eq!(Method::Card(Brand::Maestro).code(), 117);
        assert_eq!(Method::BancontactCard.code(), 3012);
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        assert_eq!(Method::from_code(999), None);
    }

    #[test]
    fn an_inactive_brand_is_refused_and_not_offered() {
        let m = Methods::new([MethodSetting {
            active: false,
            ..MethodSetting::default_for(Method::Card(Brand::Amex))
        }]);
        assert_eq!(
            m.check_card(Brand::Amex, &Filter::default()),
            Err(Refusal::Inactive)
        );
        assert!(!m
            .offered(&Filter::default())
            .contains(&Method::Card(Brand::Amex)));
        assert_eq!(m.check_card(Brand::Visa, &Filter::default()), Ok(()));
    }

    #[test]
    fn currencies_countries_and_amounts_narrow_a_method() {
        let m = Methods::new([
            MethodSetting {
                method: Method::Card(Brand::Visa),
                active: true,
                currencies: vec![eur()],
                countries: vec!["BE".into(), "NL".into()],
            },
            MethodSetting::default_for(Method::BancontactCard),
            MethodSetting {
                active: true,
                ..MethodSetting::default_for(Method::BancontactCard)
            },
        ]);
        let usd = Currency::parse("USD").unwrap();
        let visa = Brand::Visa;
        let f = |currency, country: Option<&str>, amount| Filter {
            currency,
            country: country.map(str::to_owned),
            amount,
        };
        assert_eq!(
            m.check_card(visa, &f(Some(eur()), Some("nl"), Some(1))),
            Ok(())
        );
        assert_eq!(
            m.check_card(visa, &f(Some(usd), None, None)),
            Err(Refusal::Currency)
        );
        assert_eq!(
            m.check_card(visa, &f(None, Some("DE"), None)),
            Err(Refusal::Country)
        );
        // The later setting of the same method wins: Bancontact is on.
        assert_eq!(
            m.check(Method::BancontactCard, &f(None, None, Some(1))),
            Ok(())
        );
        assert_eq!(
            m.check(Method::BancontactCard, &f(None, None, Some(0))),
            Err(Refusal::Amount)
        );
        assert_eq!(m.check_card(visa, &f(None, None, Some(0))), Ok(()));
    }

    #[test]
    fn ideal_and_wallets_start_off_and_ideal_is_euros_in_the_netherlands() {
        assert_eq!(Method::from_code(809), Some(Method::Ideal));
        assert_eq!(Method::from_code(320), Some(Method::GooglePay));
        assert_eq!(Method::from_code(302), Some(Method::ApplePay));
        let m = Methods::new([]);
        for method in [Method::Ideal, Method::GooglePay, Method::ApplePay] {
            assert!(!m.offered(&Filter::default()).contains(&method));
        }
        assert!(Method::Ideal.redirects() && Method::BancontactCard.redirects());
        assert!(!Method::Card(Brand::Visa).redirects());
        assert_eq!(Method::Ideal.kind(), Kind::Redirect);
        assert_eq!(Method::GooglePay.kind(), Kind::Wallet);
        let on = Methods::new([MethodSetting {
            active: true,
            ..MethodSetting::default_for(Method::Ideal)
        }]);
        let f = |c: &str, country: &str| Filter {
            currency: Currency::parse(c),
            country: Some(country.to_owned()),
            amount: Some(100),
        };
        assert_eq!(on.check(Method::Ideal, &f("EUR", "NL")), Ok(()));
        assert_eq!(
            on.check(Method::Ideal, &f("EUR", "DE")),
            Err(Refusal::Country)
        );
        // Even a merchant that lists every currency gets iDEAL in euros only.
        let everywhere = Methods::new([MethodSetting {
            method: Method::Ideal,
            active: true,
            currencies: Vec::new(),
            countries: Vec::new(),
        }]);
        assert_eq!(
            everywhere.check(Method::Ideal, &f("USD", "NL")),
            Err(Refusal::Currency)
        );
        assert_eq!(everywhere.check(Method::Ideal, &f("EUR", "BE")), Ok(()));
    }

    #[test]
    fn lists_are_parsed_checked_and_normalised() {
        assert_eq!(
            parse_currencies("eur, USD EUR").unwrap(),
            vec![eur(), Currency::parse("USD").unwrap()]
        );
        assert_eq!(parse_currencies("EUR,ZZZ"), Err("ZZZ".to_owned()));
        assert_eq!(parse_currencies(" ").unwrap(), vec![]);
        assert_eq!(
            parse_countries("nl, be BE").unwrap(),
            vec!["BE".to_owned(), "NL".to_owned()]
        );
        assert_eq!(parse_countries("NL,XX"), Err("XX".to_owned()));
    }

    #[test]
    fn a_typed_number_of_a_brand_not_offered_is_refused() {
        let offered = ["Visa", "Mastercard"];
        assert_eq!(check_offered("4111 1111 1111 1111", &offered), Ok(()));
        assert_eq!(
            check_offered("3782 822463 10005", &offered),
            Err(CardError::BrandNotAccepted)
        );
        assert_eq!(
            check_offered("37", &offered),
            Err(CardError::BrandNotAccepted)
        );
        assert_eq!(check_offered("", &offered), Ok(()));
        assert_eq!(check_offered("9", &offered), Ok(()));
    }

    fn method() -> impl Strategy<Value = Method> {
        proptest::sample::select(Method::ALL.to_vec())
    }

    fn setting() -> impl Strategy<Value = MethodSetting> {
        let currencies: Vec<Currency> = Currency::all().collect();
        (
            method(),
            any::<bool>(),
            proptest::sample::subsequence(currencies, 0..4),
            proptest::sample::subsequence(vec!["BE", "DE", "FR", "NL", "US"], 0..3),
        )
            .prop_map(|(method, active, currencies, countries)| MethodSetting {
                method,
                active,
                currencies,
                countries: countries.into_iter().map(str::to_owned).collect(),
            })
    }

    fn filter() -> impl Strategy<Value = Filter> {
        let currencies: Vec<Currency> = Currency::all().collect();
        (
            proptest::option::of(proptest::sample::select(currencies)),
            proptest::option::of(proptest::sample::select(vec!["BE", "DE", "FR", "NL", "US"])),
            proptest::option::of(0i64..1000),
        )
            .prop_map(|(currency, country, amount)| Filter {
                currency,
                country: country.map(str::to_owned),
                amount,
            })
    }

    proptest! {
        #[test]
        fn offered_is_exactly_what_check_accepts(stored in proptest::collection::vec(setting(), 0..12), f in filter()) {
            let m = Methods::new(stored);
            let offered = m.offered(&f);
            prop_assert_eq!(m.all().len(), Method::ALL.len());
            for method in Method::ALL {
                prop_assert_eq!(offered.contains(&method), m.check(method, &f).is_ok());
            }
        }

        #[test]
        fn every_brand_offered_refuses_no_number(number in "[0-9 ]{0,19}") {
            let all: Vec<&str> = Brand::ALL.iter().map(|b| b.name()).collect();
            prop_assert_eq!(check_offered(&number, &all), Ok(()));
            let none: [&str; 0] = [];
            let digits: String = number.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(check_offered(&number, &none).is_err(), Brand::detect(&digits).is_some());
        }

        #[test]
        fn an_inactive_method_serves_nothing(s in setting(), f in filter()) {
            let off = MethodSetting { active: false, ..s };
            prop_assert_eq!(serves(&off, &f), Err(Refusal::Inactive));
        }

        #[test]
        fn a_narrower_filter_never_offers_more(stored in proptest::collection::vec(setting(), 0..12), f in filter()) {
            let m = Methods::new(stored);
            let wide = m.offered(&Filter::default());
            let narrow = m.offered(&f);
            prop_assert!(narrow.iter().all(|x| wide.contains(x)));
        }
    }
}
