//! What the back office's account pages exchange with the server: the signed-in user,
//! the Home page's data, the password policy, the development mailbox.

use domain::{Environment, Lang, PasswordContext, Role, ZonePreference};
use serde::{Deserialize, Serialize};

/// Which login form was used (seed 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginMode {
    /// "PSPID + Password": the merchant's main user.
    Pspid,
    /// "Login as user": UserID, optional PSPID, password.
    User,
}

/// The signed-in user as the shell shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// The user's login (UserID).
    pub login: String,
    /// Full name, or empty.
    pub full_name: String,
    /// Recovery e-mail address, or empty.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The merchant's PSPID.
    pub pspid: String,
    /// The merchant's commercial or legal name, or the PSPID.
    pub merchant_name: String,
    /// TEST or PRODUCTION.
    pub environment: Environment,
    /// The previous login, formatted in the user's zone; `None` on the first one.
    pub last_login: Option<String>,
    /// The user's zone preference.
    pub zone: ZonePreference,
    /// The zone with its current offset, e.g. `Europe/Paris (UTC+01:00)`.
    pub zone_label: String,
    /// The PSPID's default zone ("Back to default").
    pub default_zone: String,
    /// The user's language.
    pub lang: Lang,
}

/// A set-up step on the Home page (MB-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupStep {
    /// Legal name and e-mail of the merchant are missing.
    CompanyDetails,
    /// The user has no recovery e-mail.
    RecoveryEmail,
    /// The user still has the password they were given.
    ChangePassword,
    /// Only one user exists.
    MoreUsers,
}

/// A technical message or news item for the Home page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechMessage {
    /// `info`, `maintenance` or `warning`.
    pub severity: String,
    /// Headline.
    pub title: String,
    /// Text.
    pub body: String,
    /// Publication time in the user's zone.
    pub published: String,
}

/// Everything the Home page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    /// Steps still to do, computed from the account's state.
    pub steps_to_do: Vec<SetupStep>,
    /// Current technical messages, newest first.
    pub messages: Vec<TechMessage>,
}

/// The password policy and names for the live checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    /// Minimum length of the merchant's policy.
    pub min_length: usize,
    /// Store names and logins the password must not contain.
    pub context: PasswordContext,
}

/// One mail of the development mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body (links and codes included).
    pub body: String,
    /// When it was written, UTC.
    pub created: String,
}
