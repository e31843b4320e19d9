//! Merchant accounts: environments, user roles and login identifiers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The environment a merchant account lives in (seed 000: "Identification (TEST)").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Environment {
    /// Test account: simulated acquirer and test cards only.
    Test,
    /// Live account.
    Production,
}

impl Environment {
    /// Stable code stored in the database and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Environment::Test => "TEST",
            Environment::Production => "PRODUCTION",
        }
    }

    /// Parses a stored code or a URL value (`test`, `prod`, `production`), any case.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().as_str() {
            "TEST" => Some(Environment::Test),
            "PROD" | "PRODUCTION" => Some(Environment::Production),
            _ => None,
        }
    }

    /// The environment a page's address or form names (`env`): one [`Self::parse`] reads,
    /// else the test one.
    pub fn named(value: Option<&str>) -> Self {
        value.and_then(Self::parse).unwrap_or(Environment::Test)
    }

    /// The other environment, for the "Access to test / production" link.
    pub fn other(self) -> Self {
        match self {
            Environment::Test => Environment::Production,
            Environment::Production => Environment::Test,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a back-office user may do (MB-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Everything, including users and keys.
    Admin,
    /// Day-to-day operations.
    Operator,
    /// Sees, never changes.
    ReadOnly,
}

impl Role {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Operator => "OPERATOR",
            Role::ReadOnly => "READ_ONLY",
        }
    }

    /// Parses a stored code (any case; `read-only` and `viewer` accepted for the CLI).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "ADMIN" => Some(Role::Admin),
            "OPERATOR" => Some(Role::Operator),
            "READ_ONLY" | "READONLY" | "VIEWER" => Some(Role::ReadOnly),
            _ => None,
        }
    }

    /// Whether a user with this role, and the "may refund" right or not, may ask for
    /// `what`: Admins may do everything, Operators everything but a refund without the
    /// right, Read-only users nothing. The one rule the payment page, the point of sale
    /// and the services that move money all ask.
    pub fn may_move_money(self, what: MoneyMove, may_refund: bool) -> bool {
        match (self, what) {
            (Role::ReadOnly, _) => false,
            (Role::Admin, _) => true,
            (Role::Operator, MoneyMove::Refund) => may_refund,
            (Role::Operator, _) => true,
        }
    }
}

/// An operation that moves money, as the back office and the card terminals ask it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MoneyMove {
    /// Capture an authorisation (or an edited cart).
    Capture,
    /// Cancel, or release what is left of an authorisation.
    Cancel,
    /// Give money back.
    Refund,
    /// Take a payment: a mail or telephone order, or a sale on a card terminal.
    Sale,
}

impl MoneyMove {
    /// Every kind of movement.
    pub const ALL: [MoneyMove; 4] = [
        MoneyMove::Capture,
        MoneyMove::Cancel,
        MoneyMove::Refund,
        MoneyMove::Sale,
    ];
}

/// Why a login identifier was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// Nothing but spaces.
    #[error("the identifier is empty")]
    Empty,
    /// Outside 2..=64 characters.
    #[error("the identifier must have 2 to 64 characters")]
    Length,
    /// Characters outside letters, digits and `. _ - @`.
    #[error("the identifier may contain only letters, digits and . _ - @")]
    Characters,
}

/// Normalises a PSPID or user login: trimmed and lower-cased, so `Demo` and `demo` are
/// one account. Logins are compared in this form everywhere.
pub fn normalize_login(raw: &str) -> Result<String, LoginError> {
    let value = raw.trim().to_lowercase();
    if value.is_empty() {
        return Err(LoginError::Empty);
    }
    let len = value.chars().count();
    if !(2..=64).contains(&len) {
        return Err(LoginError::Length);
    }
    if !value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(LoginError::Characters);
    }
    Ok(value)
}

/// Why an e-mail address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an e-mail address")]
pub struct InvalidEmail;

/// Checks the shape of an e-mail address (`local@domain.tld`, no spaces, at most 254
/// characters) and returns it trimmed, with the domain lower-cased.
pub fn parse_email(raw: &str) -> Result<String, InvalidEmail> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > 254 || value.chars().any(char::is_whitespace) {
        return Err(InvalidEmail);
    }
    let (local, domain) = value.rsplit_once('@').ok_or(InvalidEmail)?;
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(InvalidEmail);
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_addresses_are_checked_and_normalised() {
        assert_eq!(
            parse_email(" Ann.Lee@Example.COM ").unwrap(),
            "Ann.Lee@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann lee@example.com",
            "a@b@c.com",
            "ann@-x.com",
        ] {
            assert_eq!(parse_email(bad), Err(InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn login_is_trimmed_and_lower_cased() {
        assert_eq!(normalize_login("  Demo.Admin ").unwrap(), "demo.admin");
    }

    #[test]
    fn login_with_space_inside_is_rejected() {
        assert_eq!(normalize_login("de mo"), Err(LoginError::Characters));
        assert_eq!(normalize_login("   "), Err(LoginError::Empty));
        assert_eq!(normalize_login("a"), Err(LoginError::Length));
    }

    #[test]
    fn environment_and_role_codes_round_trip() {
        for env in [Environment::Test, Environment::Production] {
            assert_eq!(Environment::parse(env.code()), Some(env));
        }
        assert_eq!(Environment::parse("prod"), Some(Environment::Production));
        // A page's `env`: unknown or missing is the test environment.
        assert_eq!(Environment::named(Some("PROD")), Environment::Production);
        assert_eq!(Environment::named(Some("live")), Environment::Test);
        assert_eq!(Environment::named(None), Environment::Test);
        for role in [Role::Admin, Role::Operator, Role::ReadOnly] {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("viewer"), Some(Role::ReadOnly));
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop_oneof![
            Just(Role::Admin),
            Just(Role::Operator),
            Just(Role::ReadOnly)
        ]
    }

    fn any_move() -> impl Strategy<Value = MoneyMove> {
        proptest::sample::select(MoneyMove::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn read_only_never_moves_money_and_admins_always_may(what in any_move(), right in any::<bool>()) {
            prop_assert!(!Role::ReadOnly.may_move_money(what, right));
            prop_assert!(Role::Admin.may_move_money(what, right));
        }

        #[test]
        fn only_a_refund_needs_the_right(role in any_role(), what in any_move()) {
            let with = role.may_move_money(what, true);
            let without = role.may_move_money(what, false);
            // The right never takes anything away, and only matters for an operator's refund.
            prop_assert!(with || !without);
            prop_assert_eq!(with != without, role == Role::Operator && what == MoneyMove::Refund);
        }
    }
}
