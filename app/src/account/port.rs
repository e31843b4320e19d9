//! The back office's accounts as the UI sees them: who is acting ([`Actor`], kept in
//! the session) and the [`AccountPort`] the server implements.

use super::{HomeData, Mail, Me, PasswordRules};
use crate::error::AppError;
use domain::{Environment, Lang, Role, ZonePreference};
use serde::{Deserialize, Serialize};

/// Session key under which the signed-in [`Actor`] is kept.
pub const ACTOR_SESSION_KEY: &str = "actor";

/// Who is acting: kept in the session after login and checked by every service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// User id.
    pub user_id: i64,
    /// The user's merchant: every query is scoped to it.
    pub merchant_id: i64,
    /// Role at login time; services re-read the user for decisions.
    pub role: Role,
    /// Login, for the audit log.
    pub login: String,
    /// The user's session epoch when this session signed in: once the user's epoch has
    /// moved on (password changed or reset elsewhere), this session is over.
    #[serde(default)]
    pub epoch: i64,
    /// End of the session's absolute lifetime (Unix seconds), however active it is.
    #[serde(default)]
    pub until: i64,
    /// The PSPID requires a second factor this user has not set up: until they do, only
    /// the security page answers (MB-2).
    #[serde(default)]
    pub setup_required: bool,
    /// The password outlived the PSPID's password lifetime (MB-7): until it is changed,
    /// only the change-password page answers.
    #[serde(default)]
    pub password_expired: bool,
}

impl Actor {
    /// Whether the session is held to one page (an expired password, a second factor
    /// to set up) before anything else answers.
    pub fn held(&self) -> bool {
        self.setup_required || self.password_expired
    }
}

impl Actor {
    /// Whether the session's absolute lifetime has run out at `now` (Unix seconds).
    pub fn expired_at(&self, now: i64) -> bool {
        self.until <= now
    }
}

/// A login attempt as typed. Its `Debug` leaves the password out.
#[derive(Clone)]
pub struct LoginAttempt {
    /// Environment of the login page.
    pub environment: Environment,
    /// PSPID; for "Login as user" it may be empty.
    pub pspid: String,
    /// UserID; empty for the PSPID form (the main user).
    pub user_login: String,
    /// The password as typed.
    pub password: String,
    /// Client address, for the rate limit and the audit log.
    pub ip: String,
}

/// A successful login.
#[derive(Clone, Debug)]
pub struct LoginSuccess {
    /// The session's actor.
    pub actor: Actor,
    /// The user's saved language.
    pub lang: Lang,
    /// The second factor still to check before `actor` may be signed in.
    pub second_factor: Option<domain::two_factor::Method>,
}

/// Accounts, login, passwords and profile (MB-1, MB-4, MB-6, MB-7).
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync {
    /// Checks credentials, lockout and rate limit; audits the attempt.
    async fn login(&self, attempt: LoginAttempt) -> Result<LoginSuccess, AppError>;
    /// Audits a logout.
    async fn logout(&self, actor: &Actor, ip: &str) -> Result<(), AppError>;
    /// The signed-in user; `Unauthenticated` when the user is gone or deactivated.
    async fn me(&self, actor: &Actor) -> Result<Me, AppError>;
    /// Home page: set-up steps still to do and technical messages.
    async fn home(&self, actor: &Actor) -> Result<HomeData, AppError>;
    /// Policy and names for the actor's merchant.
    async fn password_rules(&self, actor: &Actor) -> Result<PasswordRules, AppError>;
    /// Changes the actor's password after checking the current one (at most a few times
    /// an hour); the user's other sessions end. Answers the user's new session epoch, so
    /// the session that made the change stays signed in.
    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        ip: &str,
    ) -> Result<i64, AppError>;
    /// E-mails a one-time reset link when the user exists and has an address; says
    /// nothing about whether it did.
    async fn request_password_reset(
        &self,
        environment: Environment,
        pspid: String,
        user_login: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Policy and names for the user a reset link belongs to.
    async fn reset_rules(&self, token: &str) -> Result<PasswordRules, AppError>;
    /// Uses a reset link once.
    async fn reset_password(&self, token: &str, new: String, ip: &str) -> Result<(), AppError>;
    /// Saves the user's full name and recovery e-mail address.
    async fn update_profile(
        &self,
        actor: &Actor,
        full_name: String,
        email: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Saves the user's language.
    async fn set_language(&self, actor: &Actor, lang: Lang) -> Result<(), AppError>;
    /// Saves the user's zone; `None` goes back to the PSPID's default.
    async fn set_time_zone(
        &self,
        actor: &Actor,
        zone: Option<ZonePreference>,
        ip: &str,
    ) -> Result<(), AppError>;
    /// The development mailbox; `NotFound` in production deployments.
    async fn mailbox(&self) -> Result<Vec<Mail>, AppError>;
}

impl std::fmt::Debug for LoginAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginAttempt")
            .field("environment", &self.environment)
            .field("pspid", &self.pspid)
            .field("user_login", &self.user_login)
            .field("password", &"<redacted>")
            .field("ip", &self.ip)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_leaves_the_password_out() {
        let attempt = super::LoginAttempt {
            environment: domain::Environment::Test,
            pspid: "shop".into(),
            user_login: "admin".into(),
            password: "Correct-Horse-9".into(),
            ip: "192.0.2.1".into(),
        };
        let shown = format!("{attempt:?}");
        assert!(!shown.contains("Correct-Horse-9"), "{shown}");
        assert!(shown.contains("admin"), "{shown}");
    }
}
