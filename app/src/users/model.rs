//! What the Users page exchanges with the server.

use domain::{Lang, Role};
use serde::{Deserialize, Serialize};

/// The second factor a user signs in with (MB-2), as the list shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactor {
    /// Password only.
    Off,
    /// An authenticator app (TOTP).
    Authenticator,
    /// A code e-mailed at each sign-in.
    Email,
}

impl SecondFactor {
    /// The factor of a stored `users.two_factor` value: `""`, `totp` or `email`.
    pub fn from_code(code: &str) -> Self {
        match code {
            "totp" => SecondFactor::Authenticator,
            "email" => SecondFactor::Email,
            _ => SecondFactor::Off,
        }
    }
}

/// One user of the merchant, as the list shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// UserID.
    pub login: String,
    /// Full name, or empty.
    pub full_name: String,
    /// E-mail address, or empty.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The "may refund" right (always on for Admins).
    pub may_refund: bool,
    /// The second factor.
    pub second_factor: SecondFactor,
    /// Last sign-in in the viewing user's zone; `None` before the first.
    pub last_login: Option<String>,
    /// Active, or deactivated.
    pub active: bool,
    /// End of the lock after failed sign-ins, in the viewing user's zone, while locked.
    pub locked_until: Option<String>,
    /// This is the viewing Admin.
    pub is_you: bool,
    /// "PSPID + password" signs in as this user.
    pub primary: bool,
}

/// The PSPID's password rules an Admin sets (MB-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordSettings {
    /// Minimum length, 8–64.
    pub min_length: i32,
    /// Days a password lives; 0 for never, else 30–365.
    pub lifetime_days: i32,
}

/// Everything the Users page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersOverview {
    /// The merchant's users, by login.
    pub users: Vec<UserRow>,
    /// Every user must sign in with a second factor.
    pub require_two_factor: bool,
    /// The password rules.
    pub password: PasswordSettings,
    /// The viewing user's zone with its offset, for the last sign-in column.
    pub zone_label: String,
}

/// A user an Admin creates: they choose their password from a mailed link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserForm {
    /// UserID, checked by `domain::normalize_login`.
    pub login: String,
    /// Full name (required).
    pub full_name: String,
    /// E-mail address the link goes to (required).
    pub email: String,
    /// Role code or name (`domain::Role::parse`).
    pub role: String,
    /// The "may refund" right.
    pub may_refund: bool,
    /// Language of the user's mails and pages.
    pub language: Lang,
}

/// What an Admin may change of a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    /// Full name (required).
    pub full_name: String,
    /// E-mail address (required).
    pub email: String,
    /// Role code or name (`domain::Role::parse`).
    pub role: String,
    /// The "may refund" right.
    pub may_refund: bool,
}

/// An action on one user from the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserAction {
    /// Signs them out everywhere and refuses their sign-ins.
    Deactivate,
    /// Lets them sign in again.
    Reactivate,
    /// Ends a lock after failed sign-ins.
    Unlock,
    /// E-mails a link to choose a new password.
    SendPassword,
    /// Clears their second factor and recovery codes, and tells them.
    ResetTwoFactor,
}
