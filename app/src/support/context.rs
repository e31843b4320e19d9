//! Request context of the support portal's server functions: the support person of the
//! session, the sign-in in progress, the trusted-device cookie.

use crate::context as ctx;
use crate::error::AppError;
use crate::support::accounts::{
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
    ctx::cookie(DEVICE_COOKIE)
}

/// Trusts this browser for 7 days.
pub fn set_device(token: &str) {
    let secure = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get("x-forwarded-proto").cloned())
        .is_some_and(|v| v == "https");
    ctx::set_cookie(&format!(
        "{DEVICE_COOKIE}={token}; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    ));
}
