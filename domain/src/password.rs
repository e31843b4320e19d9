//! The back-office password policy (MB-7, PCI DSS 4.0 §8.3.6).
//!
//! The same checks drive the live checklist in the browser and the server's decision.

use serde::{Deserialize, Serialize};

/// Special characters accepted by the policy, as listed in the back-office guide.
pub const SPECIAL_CHARACTERS: &str = "!\"#;:?\\*()+=/<>,.[]{}";

/// Shortest minimum length an account may configure (the seed's floor).
pub const MIN_CONFIGURABLE_LENGTH: usize = 8;
/// Default minimum length (PCI DSS 4.0 §8.3.6).
pub const DEFAULT_MIN_LENGTH: usize = 12;
/// Longest minimum length an account may configure.
pub const MAX_CONFIGURABLE_LENGTH: usize = 64;
/// Longest password accepted, to bound hashing work.
pub const MAX_LENGTH: usize = 128;
/// Days a password lives by default before it must be changed (PCI DSS 4.0 §8.3.9).
pub const DEFAULT_LIFETIME_DAYS: u32 = 90;
/// Shortest lifetime an account may configure, in days (`0` means "never expires").
pub const MIN_LIFETIME_DAYS: u32 = 30;
/// Longest lifetime an account may configure, in days.
pub const MAX_LIFETIME_DAYS: u32 = 365;
/// How many earlier passwords a new one must differ from (PCI DSS 4.0 §8.3.7), the
/// current one included.
pub const HISTORY_DEPTH: usize = 4;
/// Names shorter than this are not searched for inside passwords: a two-letter login
/// would otherwise forbid most passwords.
const MIN_NAME_LENGTH: usize = 3;

/// One rule of the policy, in the order the checklist shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PasswordRule {
    /// At least this many characters (and at most [`MAX_LENGTH`]).
    MinLength(usize),
    /// An upper-case letter.
    Uppercase,
    /// A lower-case letter.
    Lowercase,
    /// A digit.
    Digit,
    /// One of [`SPECIAL_CHARACTERS`].
    Special,
    /// Does not contain the store name (PSPID or company name), in any letter case.
    NoStoreName,
    /// Does not contain the login of any user of the merchant, in any letter case.
    NoLogin,
}

/// The merchant's configured policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: DEFAULT_MIN_LENGTH,
        }
    }
}

/// The names a password must not contain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordContext {
    /// PSPID and company names of the merchant.
    pub store_names: Vec<String>,
    /// Logins of every user of the merchant.
    pub logins: Vec<String>,
}

/// A rule and whether a candidate password satisfies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    /// The rule.
    pub rule: PasswordRule,
    /// Whether it holds.
    pub passed: bool,
}

impl PasswordPolicy {
    /// A policy with a minimum length, clamped to what an account may configure.
    pub fn with_min_length(min_length: usize) -> Self {
        PasswordPolicy {
            min_length: min_length.clamp(MIN_CONFIGURABLE_LENGTH, MAX_CONFIGURABLE_LENGTH),
        }
    }

    /// The configured minimum length.
    pub fn min_length(&self) -> usize {
        self.min_length
    }

    /// Every rule with its result, for the live checklist.
    pub fn check(&self, password: &str, ctx: &PasswordContext) -> Vec<RuleCheck> {
        let lower = password.to_lowercase();
        let len = password.chars().count();
        let contains_any = |names: &[String]| {
            names.iter().any(|name| {
                let name = name.trim().to_lowercase();
                name.chars().count() >= MIN_NAME_LENGTH && lower.contains(&name)
            })
        };
        [
            (
                PasswordRule::MinLength(self.min_length),
                len >= self.min_length && len <= MAX_LENGTH,
            ),
            (
                PasswordRule::Uppercase,
                password.chars().any(char::is_uppercase),
            ),
            (
                PasswordRule::Lowercase,
                password.chars().any(char::is_lowercase),
            ),
            (
                PasswordRule::Digit,
                password.chars().any(|c| c.is_ascii_digit()),
            ),
            (
                PasswordRule::Special,
                password.chars().any(|c| SPECIAL_CHARACTERS.contains(c)),
            ),
            (PasswordRule::NoStoreName, !contains_any(&ctx.store_names)),
            (PasswordRule::NoLogin, !contains_any(&ctx.logins)),
        ]
        .into_iter()
        .map(|(rule, passed)| RuleCheck { rule, passed })
        .collect()
    }

    /// The decision: `Ok` or the rules that fail.
    pub fn validate(&self, password: &str, ctx: &PasswordContext) -> Result<(), Vec<PasswordRule>> {
        let failed: Vec<PasswordRule> = self
            .check(password, ctx)
            .into_iter()
            .filter(|c| !c.passed)
            .map(|c| c.rule)
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed)
        }
    }
}

/// Whether an Admin may set `min_length` as the account's minimum password length
/// ([`MIN_CONFIGURABLE_LENGTH`]..=[`MAX_CONFIGURABLE_LENGTH`]).
pub fn min_length_allowed(min_length: i64) -> bool {
    (MIN_CONFIGURABLE_LENGTH as i64..=MAX_CONFIGURABLE_LENGTH as i64).contains(&min_length)
}

/// Whether an Admin may set `days` as the password lifetime: `0` (never expires) or
/// [`MIN_LIFETIME_DAYS`]..=[`MAX_LIFETIME_DAYS`].
pub fn lifetime_allowed(days: i64) -> bool {
    days == 0 || (MIN_LIFETIME_DAYS as i64..=MAX_LIFETIME_DAYS as i64).contains(&days)
}

/// Whether a password set at `changed_at` has outlived `lifetime_days` at `now`: it
/// expires exactly `lifetime_days` days after it was set; `0` (or less) never expires.
pub fn password_expired(
    changed_at: chrono::DateTime<chrono::Utc>,
    lifetime_days: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    if lifetime_days <= 0 {
        return false;
    }
    now >= changed_at + chrono::Duration::days(i64::from(lifetime_days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use proptest::prelude::*;

    fn ctx() -> PasswordContext {
        PasswordContext {
            store_names: vec!["demo".into(), "Demo Shop SA".into()],
            logins: vec!["admin".into(), "operator".into(), "viewer".into()],
        }
    }

    fn failed(password: &str) -> Vec<PasswordRule> {
        PasswordPolicy::default()
            .validate(password, &ctx())
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn strong_password_passes_every_rule() {
        assert!(PasswordPolicy::default()
            .validate("Correct-Horse7!", &ctx())
            .is_ok());
    }

    #[test]
    fn each_rule_is_reported_alone() {
        assert_eq!(failed("Short7!a"), vec![PasswordRule::MinLength(12)]);
        assert_eq!(failed("lowercase7!xyz"), vec![PasswordRule::Uppercase]);
        assert_eq!(failed("UPPERCASE7!XYZ"), vec![PasswordRule::Lowercase]);
        assert_eq!(failed("NoDigitsHere!x"), vec![PasswordRule::Digit]);
        assert_eq!(failed("NoSpecial7xyzQ"), vec![PasswordRule::Special]);
        assert_eq!(failed("MyDemoShop7!xy"), vec![PasswordRule::NoStoreName]);
        assert_eq!(failed("Operator77!xyz"), vec![PasswordRule::NoLogin]);
    }

    #[test]
    fn names_are_matched_in_any_letter_case() {
        assert_eq!(failed("xxDEMOxx7!Abc"), vec![PasswordRule::NoStoreName]);
        assert_eq!(failed("xxDeMoxx7!Abc"), vec![PasswordRule::NoStoreName]);
        assert_eq!(failed("aaVIEWERaa7!B"), vec![PasswordRule::NoLogin]);
        assert_eq!(failed("aaViEwErAa7!B"), vec![PasswordRule::NoLogin]);
        assert_eq!(failed("Demo shop sa7!X"), vec![PasswordRule::NoStoreName]);
    }

    #[test]
    fn every_listed_special_character_counts() {
        for c in SPECIAL_CHARACTERS.chars() {
            let pw = format!("Abcdefghij7{c}");
            assert!(
                PasswordPolicy::default().validate(&pw, &ctx()).is_ok(),
                "{c} should count as special"
            );
        }
        assert_eq!(failed("Abcdefghij7_"), vec![PasswordRule::Special]);
    }

    #[test]
    fn minimum_length_is_configurable_down_to_eight_only() {
        assert_eq!(PasswordPolicy::with_min_length(4).min_length(), 8);
        assert_eq!(PasswordPolicy::with_min_length(10).min_length(), 10);
        let policy = PasswordPolicy::with_min_length(8);
        assert!(policy.validate("Abcdef7!", &ctx()).is_ok());
    }

    #[test]
    fn minimum_length_is_configurable_up_to_sixty_four() {
        assert_eq!(PasswordPolicy::with_min_length(64).min_length(), 64);
        assert_eq!(PasswordPolicy::with_min_length(200).min_length(), 64);
        assert!(min_length_allowed(8) && min_length_allowed(64));
        assert!(!min_length_allowed(7) && !min_length_allowed(65) && !min_length_allowed(-1));
    }

    #[test]
    fn lifetime_is_never_or_thirty_to_a_year() {
        assert!(lifetime_allowed(0));
        assert!(lifetime_allowed(30) && lifetime_allowed(90) && lifetime_allowed(365));
        assert!(!lifetime_allowed(29) && !lifetime_allowed(366) && !lifetime_allowed(-30));
        assert!(lifetime_allowed(i64::from(DEFAULT_LIFETIME_DAYS)));
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0)
            .single()
            .expect("a valid instant")
    }

    #[test]
    fn a_password_expires_exactly_at_the_end_of_its_lifetime() {
        let set = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let end = set + Duration::days(90);
        assert!(!password_expired(set, 90, end - Duration::seconds(1)));
        assert!(password_expired(set, 90, end));
        assert!(!password_expired(set, 0, set + Duration::days(10_000)));
    }

    #[test]
    fn overlong_password_is_refused() {
        let pw = format!("Aa7!{}", "x".repeat(MAX_LENGTH));
        assert_eq!(failed(&pw), vec![PasswordRule::MinLength(12)]);
    }

    #[test]
    fn very_short_names_are_not_searched() {
        let ctx = PasswordContext {
            store_names: vec![],
            logins: vec!["ab".into()],
        };
        assert!(PasswordPolicy::default()
            .validate("Abcdefghij7!", &ctx)
            .is_ok());
    }

    proptest! {
        #[test]
        fn validate_agrees_with_check(pw in "\\PC{0,40}") {
            let policy = PasswordPolicy::default();
            let checks = policy.check(&pw, &ctx());
            prop_assert_eq!(checks.len(), 7);
            let all_pass = checks.iter().all(|c| c.passed);
            prop_assert_eq!(policy.validate(&pw, &ctx()).is_ok(), all_pass);
        }

        #[test]
        fn login_inside_password_always_fails_whatever_its_case(
            prefix in "[A-Z]{2}[0-9]{2}",
            login in "[a-z]{3,10}",
            upper in proptest::collection::vec(any::<bool>(), 10),
        ) {
            let cased: String = login
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
                .collect();
            let pw = format!("{prefix}!{cased}xY9");
            let ctx = PasswordContext { store_names: vec![], logins: vec![login] };
            let failed = PasswordPolicy::default().validate(&pw, &ctx).err().unwrap_or_default();
            prop_assert!(failed.contains(&PasswordRule::NoLogin));
        }

        #[test]
        fn a_lifetime_of_zero_never_expires(
            set in 0i64..4_000_000_000, later in 0i64..4_000_000_000, zero_or_less in -400i32..=0
        ) {
            prop_assert!(!password_expired(at(set), zero_or_less, at(set + later)));
        }

        #[test]
        fn once_expired_a_password_stays_expired(
            set in 0i64..4_000_000_000,
            days in 1i32..=365,
            now in 0i64..100_000_000,
            more in 0i64..100_000_000,
        ) {
            let (set, now) = (at(set), at(set + now));
            if password_expired(set, days, now) {
                prop_assert!(password_expired(set, days, now + Duration::seconds(more)));
            }
        }

        #[test]
        fn expiry_is_exactly_the_lifetime_after_the_change(
            set in 0i64..4_000_000_000, days in 1i32..=365, now in -100_000_000i64..100_000_000
        ) {
            let expired = password_expired(at(set), days, at(set + now));
            prop_assert_eq!(expired, now >= i64::from(days) * 86_400);
        }

        #[test]
        fn a_longer_lifetime_never_expires_sooner(
            set in 0i64..4_000_000_000, a in 1i32..=365, b in 1i32..=365, now in 0i64..100_000_000
        ) {
            let (short, long) = (a.min(b), a.max(b));
            let now = at(set + now);
            if password_expired(at(set), long, now) {
                prop_assert!(password_expired(at(set), short, now));
            }
        }

        #[test]
        fn allowed_lifetimes_are_never_or_within_bounds(days in -1000i64..1000) {
            prop_assert_eq!(
                lifetime_allowed(days),
                days == 0 || (30..=365).contains(&days)
            );
        }

        #[test]
        fn adding_characters_never_breaks_a_character_class_rule(
            pw in "[A-Za-z0-9!#]{0,20}", extra in "[A-Za-z0-9!#]{0,5}"
        ) {
            let policy = PasswordPolicy::default();
            let empty = PasswordContext::default();
            let before = policy.check(&pw, &empty);
            let after = policy.check(&format!("{pw}{extra}"), &empty);
            for (b, a) in before.iter().zip(after.iter()).skip(1).take(4) {
                prop_assert!(!b.passed || a.passed);
            }
        }
    }
}
