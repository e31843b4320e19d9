//! Server functions of the support portal's sign-in and profile (SP-1). The session
//! holds the sign-in in progress between steps; nothing the browser sends decides who
//! it is.

use super::{SupportMe, SupportStep};
use crate::account::PasswordRules;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::support::context as sctx;

#[cfg(feature = "ssr")]
fn port() -> Result<std::sync::Arc<dyn super::SupportAccountPort>, AppError> {
    Ok(crate::context::ports()?.support_accounts)
}

/// First step: the e-mail address.
#[server(endpoint = "support/begin")]
pub async fn support_begin(email: String) -> Result<SupportStep, AppError> {
    let ip = crate::context::client_ip().await;
    let (step, pending) = port()?.begin(email, &ip).await?;
    if let Some(p) = pending {
        sctx::set_pending(&p).await?;
    }
    Ok(step)
}

/// The password step.
#[server(endpoint = "support/login")]
pub async fn support_login(email: String, password: String) -> Result<SupportStep, AppError> {
    use super::SupportLogin;
    let ip = crate::context::client_ip().await;
    match port()?.login(email, password, sctx::device(), &ip).await? {
        SupportLogin::Done(actor) => {
            sctx::sign_in(&actor).await?;
            Ok(SupportStep::Done)
        }
        SupportLogin::Code(p) => {
            sctx::set_pending(&p).await?;
            Ok(SupportStep::LoginCode)
        }
    }
}

/// A mailed code (activation or second factor).
#[server(endpoint = "support/verify")]
pub async fn support_verify(code: String) -> Result<SupportStep, AppError> {
    use super::SupportVerified;
    let ip = crate::context::client_ip().await;
    let pending = sctx::pending().await?;
    match port()?.verify(&pending, code, &ip).await? {
        SupportVerified::Activation(p) => {
            sctx::set_pending(&p).await?;
            Ok(SupportStep::SetPassword)
        }
        SupportVerified::Login { actor, device } => {
            sctx::sign_in(&actor).await?;
            sctx::set_device(&device);
            Ok(SupportStep::Done)
        }
    }
}

/// Mails a new code for the step in progress.
#[server(endpoint = "support/resend")]
pub async fn support_resend() -> Result<(), AppError> {
    let ip = crate::context::client_ip().await;
    let pending = sctx::pending().await?;
    port()?.resend(&pending, &ip).await
}

/// The password policy of the person activating.
#[server(endpoint = "support/activation-rules")]
pub async fn support_activation_rules() -> Result<PasswordRules, AppError> {
    let pending = sctx::pending().await?;
    port()?.activation_rules(&pending).await
}

/// Name and password of an invited person whose code was verified.
#[server(endpoint = "support/activate")]
pub async fn support_activate(
    full_name: String,
    password: String,
) -> Result<SupportStep, AppError> {
    let ip = crate::context::client_ip().await;
    let pending = sctx::pending().await?;
    let next = port()?.activate(&pending, full_name, password, &ip).await?;
    sctx::set_pending(&next).await?;
    Ok(SupportStep::LoginCode)
}

/// The signed-in support person.
#[server(endpoint = "support/me")]
pub async fn load_support_me() -> Result<SupportMe, AppError> {
    let actor = sctx::actor().await?;
    port()?.me(&actor).await
}

/// Saves the profile; `notify` is a checkbox.
#[server(endpoint = "support/profile")]
pub async fn save_support_profile(
    full_name: String,
    notify: Option<String>,
) -> Result<SupportMe, AppError> {
    let actor = sctx::actor().await?;
    port()?
        .save_profile(&actor, full_name, notify.is_some())
        .await
}

/// Ends the support session (a back-office sign-in in the same browser stays).
#[server(endpoint = "support/logout")]
pub async fn support_logout() -> Result<(), AppError> {
    use super::{SupportActor, SUPPORT_ACTOR_SESSION_KEY};
    let session = crate::context::session().await?;
    let _ = session
        .remove::<SupportActor>(SUPPORT_ACTOR_SESSION_KEY)
        .await;
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    Ok(())
}
