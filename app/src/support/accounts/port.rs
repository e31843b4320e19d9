//! The support portal's accounts as the UI sees them: the signed-in person
//! ([`SupportActor`]) and the sign-in in progress kept in the session, and the
//! [`SupportAccountPort`] the server implements.

use super::{SupportMe, SupportOrganizationView, SupportStep};
use crate::account::PasswordRules;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Session key under which the signed-in [`SupportActor`] is kept.
pub const SUPPORT_ACTOR_SESSION_KEY: &str = "support_actor";
/// Session key of a sign-in in progress ([`SupportPending`]).
pub const SUPPORT_PENDING_SESSION_KEY: &str = "support_pending";

/// A support person signed in to the portal (kept in the session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportActor {
    /// Support user id.
    pub user_id: i64,
    /// E-mail, for the audit log.
    pub email: String,
    /// Support staff.
    pub is_agent: bool,
    /// End of the session's absolute lifetime (Unix seconds), however active it is.
    #[serde(default)]
    pub until: i64,
}

/// What a mailed code proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodePurpose {
    /// First sign-in of an invited person.
    Activate,
    /// Second factor of a sign-in.
    Login,
}

/// A sign-in in progress, kept in the session between its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportPending {
    /// Who is signing in.
    pub user_id: i64,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The activation code was typed right: the person may now choose a password.
    pub verified: bool,
}

/// After the password step.
#[derive(Clone, Debug)]
pub enum SupportLogin {
    /// Signed in (this browser is trusted for a while).
    Done(SupportActor),
    /// A code was mailed: the second factor.
    Code(SupportPending),
}

/// After a code was typed right.
#[derive(Clone, Debug)]
pub enum SupportVerified {
    /// Activation proven: choose name and password next.
    Activation(SupportPending),
    /// Signed in; `device` is the cookie value that trusts this browser for 7 days.
    Login {
        /// Who.
        actor: SupportActor,
        /// Signed device token.
        device: String,
    },
}

/// The support portal's accounts (SP-1).
#[async_trait::async_trait]
pub trait SupportAccountPort: Send + Sync {
    /// First step: an invited person gets an activation code; anyone else is asked for
    /// a password (unknown addresses too: the page never tells who has an account).
    async fn begin(
        &self,
        email: String,
        ip: &str,
    ) -> Result<(SupportStep, Option<SupportPending>), AppError>;
    /// Checks the password (lockout as in the back office); a browser trusted within
    /// 7 days (`device`) skips the mailed code.
    async fn login(
        &self,
        email: String,
        password: String,
        device: Option<String>,
        ip: &str,
    ) -> Result<SupportLogin, AppError>;
    /// Checks a mailed code.
    async fn verify(
        &self,
        pending: &SupportPending,
        code: String,
        ip: &str,
    ) -> Result<SupportVerified, AppError>;
    /// Mails a new code (at most one a minute, and a few an hour per person and per
    /// client address `ip`).
    async fn resend(&self, pending: &SupportPending, ip: &str) -> Result<(), AppError>;
    /// The password policy for the person activating.
    async fn activation_rules(&self, pending: &SupportPending) -> Result<PasswordRules, AppError>;
    /// Sets name and password of a verified invitation; mails the login code next.
    async fn activate(
        &self,
        pending: &SupportPending,
        full_name: String,
        password: String,
        ip: &str,
    ) -> Result<SupportPending, AppError>;
    /// The signed-in person.
    async fn me(&self, actor: &SupportActor) -> Result<SupportMe, AppError>;
    /// Agents: the organizations and their people.
    async fn organizations(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportOrganizationView>, AppError>;
    /// Agents: invites a person into an organization (created if new), or a new agent
    /// (`organization` empty and `agent`).
    async fn invite(
        &self,
        actor: &SupportActor,
        email: String,
        organization: String,
        agent: bool,
    ) -> Result<Vec<SupportOrganizationView>, AppError>;
    /// Saves name and notification preference.
    async fn save_profile(
        &self,
        actor: &SupportActor,
        full_name: String,
        notify_email: bool,
    ) -> Result<SupportMe, AppError>;
}
