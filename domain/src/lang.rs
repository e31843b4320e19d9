//! The six languages of the back office (MB-5).

use serde::{Deserialize, Serialize};

/// A user-interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
    /// Dutch.
    Nl,
    /// German.
    De,
    /// Spanish.
    Es,
    /// Italian.
    It,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 6] = [Lang::En, Lang::Fr, Lang::Nl, Lang::De, Lang::Es, Lang::It];

    /// ISO 639-1 code, as in `<html lang>` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Nl => "nl",
            Lang::De => "de",
            Lang::Es => "es",
            Lang::It => "it",
        }
    }

    /// The language's own name, as shown in the language drop-down.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Nl => "Nederlands",
            Lang::De => "Deutsch",
            Lang::Es => "Español",
            Lang::It => "Italiano",
        }
    }

    /// Position in [`Lang::ALL`], used to index translation tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Parses a code such as `fr`, `FR` or `fr-BE`.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut ranked: Vec<(u16, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                // Quality values have three decimals at most: compare them as integers.
                Some(((q.clamp(0.0, 1.0) * 1000.0) as u16, lang))
            })
            .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranked.first().map(|(_, l)| *l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_index_matches_order() {
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(lang.index(), i);
        }
        assert_eq!(Lang::parse("FR-be"), Some(Lang::Fr));
        assert_eq!(Lang::parse("pt"), None);
    }

    #[test]
    fn accept_language_prefers_highest_quality_supported() {
        assert_eq!(
            Lang::from_accept_language("pt-BR,pt;q=0.9,de;q=0.5,fr;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("ja"), None);
    }
}
