//! Which country issued a card, from its BIN: the test card ranges of the simulated
//! acquirer (HP-5) and the main ranges whose country the scheme fixes. A real
//! deployment with a commercial BIN table plugs it in here.

/// BIN prefixes and the issuing country (ISO 3166-1 alpha-2), longest prefix wins.
///
/// The test ranges are given countries so that the country rule can be tried with the
/// test cards: 4111 11 (US), 4000 00 (NL), 5555 55 (GB), 5200 00 (DE), 3782 82 (US).
/// Bancontact cards (6703) are Belgian by scheme.
pub const BIN_COUNTRIES: &[(&str, &str)] = &[
    ("411111", "US"),
    ("400000", "NL"),
    ("555555", "GB"),
    ("520000", "DE"),
    ("378282", "US"),
    ("6703", "BE"),
];

/// The issuing country of the card whose number starts with `bin`, when known.
pub fn card_country(bin: &str) -> Option<&'static str> {
    BIN_COUNTRIES
        .iter()
        .filter(|(prefix, _)| bin.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, country)| *country)
}
