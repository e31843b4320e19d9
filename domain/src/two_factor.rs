//! Second factors of the back office's sign-in (MB-2): what a typed code looks like, for
//! the browser's instant check and the server's decision alike.
//!
//! - An authenticator code: 6 digits (RFC 6238, SHA-1, 30-second steps), spaces allowed
//!   as apps show them (`123 456`).
//! - An e-mailed code: 4 digits.
//! - A recovery code: 8 characters of [`RECOVERY_ALPHABET`], shown as `xxxx-xxxx`; typed
//!   in any case, with or without the dash or spaces.

use serde::{Deserialize, Serialize};

/// The second factor a user signs in with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// An authenticator app (Google Authenticator and the like).
    Authenticator,
    /// A 4-digit code e-mailed to the user's confirmed address.
    Email,
}

impl Method {
    /// The stored code: `totp` or `email`.
    pub fn code(self) -> &'static str {
        match self {
            Method::Authenticator => "totp",
            Method::Email => "email",
        }
    }

    /// The method a stored code names; `None` for none (empty) or anything unknown.
    pub fn parse(code: &str) -> Option<Method> {
        match code {
            "totp" => Some(Method::Authenticator),
            "email" => Some(Method::Email),
            _ => None,
        }
    }

    /// Digits of this method's codes.
    pub fn digits(self) -> usize {
        match self {
            Method::Authenticator => TOTP_DIGITS,
            Method::Email => EMAIL_CODE_DIGITS,
        }
    }
}

/// Digits of an authenticator code.
pub const TOTP_DIGITS: usize = 6;
/// Digits of an e-mailed code.
pub const EMAIL_CODE_DIGITS: usize = 4;
/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (no 0/o, 1/l/i: read aloud or copied by hand safely).
pub const RECOVERY_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Characters of a recovery code, the dash not counted.
pub const RECOVERY_LENGTH: usize = 8;

/// The digits of a typed code of `digits` digits, spaces and dashes ignored; `None`
/// when it is anything else.
pub fn parse_code(typed: &str, digits: usize) -> Option<String> {
    let kept: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (kept.len() == digits && kept.bytes().all(|b| b.is_ascii_digit())).then_some(kept)
}

/// A typed recovery code in its stored form (lower case, no dash); `None` when it
/// cannot be one.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let kept: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (kept.len() == RECOVERY_LENGTH && kept.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then_some(kept)
}

/// A recovery code as shown to its owner: `xxxx-xxxx`.
pub fn display_recovery_code(code: &str) -> String {
    let (head, tail) = code.split_at(code.len().min(RECOVERY_LENGTH / 2));
    format!("{head}-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn authenticator_codes_are_six_digits_spaces_allowed() {
        assert_eq!(parse_code("123 456", 6).as_deref(), Some("123456"));
        assert_eq!(parse_code(" 123456 ", 6).as_deref(), Some("123456"));
        assert_eq!(parse_code("12345", 6), None);
        assert_eq!(parse_code("1234567", 6), None);
        assert_eq!(parse_code("12a456", 6), None);
        assert_eq!(
            parse_code("１２３４５６", 6),
            None,
            "full-width digits are refused"
        );
        assert_eq!(parse_code("4821", 4).as_deref(), Some("4821"));
    }

    #[test]
    fn recovery_codes_are_read_in_any_case_with_or_without_the_dash() {
        assert_eq!(
            normalize_recovery_code("K7Q2-M9XA").as_deref(),
            Some("k7q2m9xa")
        );
        assert_eq!(
            normalize_recovery_code(" k7q2 m9xa ").as_deref(),
            Some("k7q2m9xa")
        );
        assert_eq!(normalize_recovery_code("k7q2-m9x"), None);
        assert_eq!(normalize_recovery_code("k7q2-m9x0"), None, "0 is not used");
        assert_eq!(display_recovery_code("k7q2m9xa"), "k7q2-m9xa");
    }

    #[test]
    fn methods_round_trip_through_their_stored_code() {
        for m in [Method::Authenticator, Method::Email] {
            assert_eq!(Method::parse(m.code()), Some(m));
        }
        assert_eq!(Method::parse(""), None);
        assert_eq!(Method::Email.digits(), 4);
    }

    proptest! {
        #[test]
        fn a_shown_recovery_code_reads_back(code in "[23456789abcdefghjkmnpqrstuvwxyz]{8}") {
            let shown = display_recovery_code(&code);
            prop_assert_eq!(normalize_recovery_code(&shown), Some(code.clone()));
            prop_assert_eq!(normalize_recovery_code(&shown.to_uppercase()), Some(code));
        }

        #[test]
        fn parse_code_keeps_only_exactly_n_digits(typed in "\\PC{0,12}", n in 4usize..=6) {
            if let Some(digits) = parse_code(&typed, n) {
                prop_assert_eq!(digits.len(), n);
                prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            }
        }

        #[test]
        fn any_n_digits_are_a_code(code in "[0-9]{6}") {
            prop_assert_eq!(parse_code(&code, 6), Some(code));
        }
    }
}
