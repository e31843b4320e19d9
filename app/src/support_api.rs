//! Server functions of the support portal's sign-in and profile (SP-1). The session
//! holds the sign-in in progress between steps; nothing the browser sends decides who
//! it is.

use crate::account::PasswordRules;
use crate::error::AppError;
use crate::model::{SupportMe, SupportStep};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod sctx {
    //! The support person of the session, the sign-in in progress, the device cookie.

    use crate::context as ctx;
    use crate::error::AppError;
    use crate::ports::{
        SupportActor, SupportPending, SUPPORT_ACTOR_SESSION_KEY, SUPPORT_PENDING_SESSION_KEY,
    };
    use leptos::prelude::*;

    /// Cookie trusting this browser for the second factor.
    pub const DEVICE_COOKIE: &str = "openpsp_support_device";

    /// The signed-in support person, or `Unauthenticated`.
    pub async fn actor() -> Result<SupportActor, AppError> {
        let session = ctx::session().await?;
        match session.get::<SupportActor>(SUPPORT_ACTOR_SESSION_KEY).await {
            Ok(Some(actor)) => Ok(actor),
            Ok(None) => Err(AppError::Unauthenticated),
            Err(_) => Err(AppError::Internal),
        }
    }

    /// The sign-in in progress, or `Unauthenticated` (start again).
    pub async fn pending() -> Result<SupportPending, AppError> {
        let session = ctx::session().await?;
        match session
            .get::<SupportPending>(SUPPORT_PENDING_SESSION_KEY)
            .await
        {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(AppError::Unauthenticated),
            Err(_) => Err(AppError::Internal),
        }
    }

    /// Remembers the sign-in in progress.
    pub async fn set_pending(pending: &SupportPending) -> Result<(), AppError> {
        ctx::session()
            .await?
            .insert(SUPPORT_PENDING_SESSION_KEY, pending)
            .await
            .map_err(|_| AppError::Internal)
    }

    /// Signs `actor` in: a fresh session id, the pending step forgotten.
    pub async fn sign_in(actor: &SupportActor) -> Result<(), AppError> {
        let session = ctx::session().await?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        let _ = session
            .remove::<SupportPending>(SUPPORT_PENDING_SESSION_KEY)
            .await;
        session
            .insert(SUPPORT_ACTOR_SESSION_KEY, actor)
            .await
            .map_err(|_| AppError::Internal)
    }

    /// The trusted-device token this browser sent, if any.
    pub fn device() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == DEVICE_COOKIE)
            .map(|(_, value)| value.to_owned())
    }

    /// Trusts this browser for 7 days.
    pub fn set_device(token: &str) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            let secure = use_context::<http::request::Parts>()
                .and_then(|p| p.headers.get("x-forwarded-proto").cloned())
                .is_some_and(|v| v == "https");
            let cookie = format!(
                "{DEVICE_COOKIE}={token}; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax{}",
                if secure { "; Secure" } else { "" }
            );
            if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                res.append_header(http::header::SET_COOKIE, value);
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn port() -> Result<std::sync::Arc<dyn crate::ports::SupportAccountPort>, AppError> {
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
    use crate::ports::SupportLogin;
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
    use crate::ports::SupportVerified;
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
    let pending = sctx::pending().await?;
    port()?.resend(&pending).await
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
    use crate::ports::{SupportActor, SUPPORT_ACTOR_SESSION_KEY};
    let session = crate::context::session().await?;
    let _ = session
        .remove::<SupportActor>(SUPPORT_ACTOR_SESSION_KEY)
        .await;
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    Ok(())
}

/// The service status page (public; agents get edit controls).
#[server(endpoint = "support/status")]
pub async fn load_status_page() -> Result<crate::model::StatusPageView, AppError> {
    let viewer = sctx::actor().await.ok();
    crate::context::ports()?
        .support_status
        .page(viewer.as_ref())
        .await
}

/// Sets a component's status (agents).
#[server(endpoint = "support/status-component")]
pub async fn set_component_status(
    id: i64,
    status: String,
) -> Result<crate::model::StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    crate::context::ports()?
        .support_status
        .set_component(&actor, id, status)
        .await
}

/// Opens an incident or schedules maintenance (agents); `components` are ids, comma separated.
#[server(endpoint = "support/status-open")]
pub async fn open_status_incident(
    kind: String,
    title: String,
    body: String,
    components: Option<String>,
) -> Result<crate::model::StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    let components = components
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    crate::context::ports()?
        .support_status
        .open(&actor, kind, title, body, components)
        .await
}

/// Adds an update to an incident's timeline (agents).
#[server(endpoint = "support/status-update")]
pub async fn update_status_incident(
    id: i64,
    stage: String,
    body: String,
) -> Result<crate::model::StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    crate::context::ports()?
        .support_status
        .update(&actor, id, stage, body)
        .await
}
