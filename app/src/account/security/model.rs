//! What the two-factor pages exchange with the server (MB-2).

use domain::two_factor::Method;
use domain::Lang;
use serde::{Deserialize, Serialize};

/// Session key under which a sign-in waiting for its second factor is kept.
pub const PENDING_SESSION_KEY: &str = "pending_sign_in";

/// A sign-in whose password was right and whose second factor is still to come. Kept
/// in the session (never in the browser) for a few minutes; only a right code turns it
/// into an [`crate::account::Actor`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// User id.
    pub user_id: i64,
    /// The user's merchant.
    pub merchant_id: i64,
    /// The factor asked for.
    pub method: Method,
    /// The user's session epoch when the password was checked.
    pub epoch: i64,
    /// The moment (Unix seconds) after which the password must be typed again.
    pub until: i64,
    /// The user's saved language.
    pub lang: Lang,
}

/// What the login page does after a right password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginNext {
    /// Signed in: Home.
    Home,
    /// The second factor is asked on `/login/verify`.
    SecondFactor,
    /// Signed in, but the PSPID requires a second factor the user has not set up:
    /// `/profile/security` until they do.
    SetUpSecondFactor,
    /// Signed in, but the password expired: `/profile/password` until it is changed.
    ChangePassword,
}

impl LoginNext {
    /// The page to open next.
    pub fn path(self) -> &'static str {
        match self {
            LoginNext::Home => "/",
            LoginNext::SecondFactor => "/login/verify",
            LoginNext::SetUpSecondFactor => SECURITY_PATH,
            LoginNext::ChangePassword => EXPIRED_PASSWORD_PATH,
        }
    }
}

/// The security page's path.
pub const SECURITY_PATH: &str = "/profile/security";
/// Where an expired password is changed.
pub const EXPIRED_PASSWORD_PATH: &str = "/profile/password?expired=1";

/// The security page's state for the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityOverview {
    /// The factor in use, if any.
    pub method: Option<Method>,
    /// Unused recovery codes left (authenticator users).
    pub recovery_left: usize,
    /// The recovery e-mail address, or empty.
    pub email: String,
    /// Whether that address was confirmed by its owner.
    pub email_confirmed: bool,
    /// Whether the PSPID requires a second factor of every user.
    pub required: bool,
}

/// An authenticator being set up: what the user's app needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    /// The secret in base32, in groups of four for typing.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub uri: String,
    /// The QR code as an SVG document drawn on the server.
    pub qr_svg: String,
}

/// What the sign-in's second step shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyPrompt {
    /// The factor asked for.
    pub method: Method,
}
