//! The port behind the two-factor pages (MB-2).

use super::{AuthenticatorSetup, PendingSignIn, SecurityOverview};
use crate::account::{Actor, LoginSuccess};
use crate::error::AppError;

/// Second factors: setting them up, and the sign-in's second step.
#[async_trait::async_trait]
pub trait SecurityPort: Send + Sync {
    /// The signed-in user's second factor, recovery codes and address.
    async fn overview(&self, actor: &Actor) -> Result<SecurityOverview, AppError>;
    /// Checks the password again and draws a new authenticator secret, kept aside until
    /// a code confirms it.
    async fn start_authenticator(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<AuthenticatorSetup, AppError>;
    /// Turns the authenticator on when `code` is right for the secret being set up;
    /// answers ten new recovery codes, shown once.
    async fn confirm_authenticator(
        &self,
        actor: &Actor,
        code: String,
        ip: &str,
    ) -> Result<Vec<String>, AppError>;
    /// Checks the password again and replaces the recovery codes (the old ones are void).
    async fn regenerate_recovery_codes(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<Vec<String>, AppError>;
    /// E-mails a link confirming the user's recovery address.
    async fn send_email_confirmation(&self, actor: &Actor, ip: &str) -> Result<(), AppError>;
    /// Follows a confirmation link once.
    async fn confirm_email(&self, token: &str, ip: &str) -> Result<(), AppError>;
    /// Checks the password again and e-mails a 4-digit code to the confirmed address.
    async fn start_email_factor(
        &self,
        actor: &Actor,
        password: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Turns the e-mailed factor on when `code` is the one just sent.
    async fn confirm_email_factor(
        &self,
        actor: &Actor,
        code: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Checks the password again and turns the second factor off (refused while the
    /// PSPID requires one).
    async fn disable(&self, actor: &Actor, password: String, ip: &str) -> Result<(), AppError>;
    /// The sign-in's second step: a code of the user's factor, or one of their recovery
    /// codes. A wrong one counts toward the lockout like a wrong password.
    async fn verify_sign_in(
        &self,
        pending: &PendingSignIn,
        code: String,
        recovery: bool,
        ip: &str,
    ) -> Result<LoginSuccess, AppError>;
    /// Sends a new sign-in code to an e-mailed-factor user.
    async fn resend_sign_in_code(&self, pending: &PendingSignIn, ip: &str) -> Result<(), AppError>;
}
