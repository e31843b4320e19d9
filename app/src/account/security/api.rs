//! Server functions of the two-factor pages. The security page's functions work while
//! the PSPID still requires the user to set a factor up (and only they do then); the
//! sign-in's second step reads the pending sign-in the login kept in the session.

use super::{AuthenticatorSetup, LoginNext, SecurityOverview, VerifyPrompt};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::context as ctx;

/// The signed-in user's second factor and recovery codes.
#[server(endpoint = "security")]
pub async fn get_security() -> Result<SecurityOverview, AppError> {
    let actor = ctx::actor_in_setup().await?;
    ctx::ports()?.security.overview(&actor).await
}

/// Step one of the authenticator: the password again, then the secret and its QR code.
#[server(endpoint = "security_start_authenticator")]
pub async fn start_authenticator(password: String) -> Result<AuthenticatorSetup, AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .start_authenticator(&actor, password, &ip)
        .await
}

/// Step two of the authenticator: a code from the app; answers the recovery codes.
#[server(endpoint = "security_confirm_authenticator")]
pub async fn confirm_authenticator(code: String) -> Result<Vec<String>, AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    let codes = ctx::ports()?
        .security
        .confirm_authenticator(&actor, code, &ip)
        .await?;
    set_up(actor).await?;
    Ok(codes)
}

/// New recovery codes; the old ones stop working.
#[server(endpoint = "security_recovery_codes")]
pub async fn regenerate_recovery_codes(password: String) -> Result<Vec<String>, AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .regenerate_recovery_codes(&actor, password, &ip)
        .await
}

/// E-mails the link that confirms the recovery address.
#[server(endpoint = "security_send_confirmation")]
pub async fn send_email_confirmation() -> Result<(), AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .send_email_confirmation(&actor, &ip)
        .await
}

/// Follows the confirmation link (`/profile/confirm-email?token=`).
#[server(endpoint = "security_confirm_email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    let ip = ctx::client_ip().await;
    ctx::ports()?.security.confirm_email(&token, &ip).await
}

/// Step one of the e-mailed factor: the password again, then a code by e-mail.
#[server(endpoint = "security_start_email")]
pub async fn start_email_factor(password: String) -> Result<(), AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .start_email_factor(&actor, password, &ip)
        .await
}

/// Step two of the e-mailed factor: the code just sent.
#[server(endpoint = "security_confirm_email_factor")]
pub async fn confirm_email_factor(code: String) -> Result<(), AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .confirm_email_factor(&actor, code, &ip)
        .await?;
    set_up(actor).await
}

/// Turns the second factor off (the password again).
#[server(endpoint = "security_disable")]
pub async fn disable_second_factor(password: String) -> Result<(), AppError> {
    let actor = ctx::actor_in_setup().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?.security.disable(&actor, password, &ip).await
}

/// The sign-in's second step: which factor is asked; `Unauthenticated` when no
/// password was checked in this session, or too long ago.
#[server(endpoint = "sign_in_prompt")]
pub async fn get_sign_in_prompt() -> Result<VerifyPrompt, AppError> {
    let pending = pending().await?;
    Ok(VerifyPrompt {
        method: pending.method,
    })
}

/// Checks the second factor (`recovery` set: a recovery code) and signs the user in.
#[server(endpoint = "verify_sign_in")]
pub async fn verify_sign_in(code: String, recovery: Option<String>) -> Result<LoginNext, AppError> {
    let pending = pending().await?;
    let ip = ctx::client_ip().await;
    let ports = ctx::ports()?;
    let outcome = ports
        .security
        .verify_sign_in(&pending, code, recovery.is_some(), &ip)
        .await;
    if matches!(outcome, Err(AppError::Locked { .. })) {
        // Locked: the password must be typed again once the lock is over.
        let session = ctx::session().await?;
        let _ = session
            .remove::<super::PendingSignIn>(super::PENDING_SESSION_KEY)
            .await;
    }
    crate::account::api::start_session(outcome?).await
}

/// Sends a new e-mailed sign-in code.
#[server(endpoint = "resend_sign_in_code")]
pub async fn resend_sign_in_code() -> Result<(), AppError> {
    let pending = pending().await?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .security
        .resend_sign_in_code(&pending, &ip)
        .await
}

/// The sign-in waiting for its second factor in this session, if still in time.
#[cfg(feature = "ssr")]
async fn pending() -> Result<super::PendingSignIn, AppError> {
    let session = ctx::session().await?;
    match session
        .get::<super::PendingSignIn>(super::PENDING_SESSION_KEY)
        .await
    {
        Ok(Some(p)) if p.until > chrono::Utc::now().timestamp() => Ok(p),
        Ok(_) => Err(AppError::Unauthenticated),
        Err(_) => Err(AppError::Internal),
    }
}

/// Once a factor is set up, a session that was held to the security page is free.
#[cfg(feature = "ssr")]
async fn set_up(actor: crate::account::Actor) -> Result<(), AppError> {
    if !actor.setup_required {
        return Ok(());
    }
    let session = ctx::session().await?;
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(
            ctx::ACTOR_KEY,
            &crate::account::Actor {
                setup_required: false,
                ..actor
            },
        )
        .await
        .map_err(|_| AppError::Internal)
}
