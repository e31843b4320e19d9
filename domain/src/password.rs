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
/// Longest password accepted, to bound hashing work.
pub const MAX_LENGTH: usize = 128;
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
    /// A policy with a minimum length, clamped to what the seed allows.
    pub fn with_min_length(min_length: usize) -> Self {
        PasswordPolicy {
            min_length: min_length.clamp(MIN_CONFIGURABLE_LENGTH, MAX_LENGTH),
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

#[cfg(test)]
mod tests {
    use super::*;
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
