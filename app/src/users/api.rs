//! Server functions of the Users page (Admins only; the port checks the role on a
//! fresh read of the user).

use super::{UserRow, UsersOverview};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::users::UsersPort>,
        String,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    let ip = crate::context::client_ip().await;
    Ok((actor, crate::context::ports()?.users, ip))
}

/// The users, the 2FA requirement and the password rules.
#[server(endpoint = "users/list")]
pub async fn load_users() -> Result<UsersOverview, AppError> {
    let (actor, port, _) = port().await?;
    port.overview(&actor).await
}

/// Creates a user, who receives a link to choose their password.
#[server(endpoint = "users/create")]
pub async fn create_user(
    login: String,
    full_name: String,
    email: String,
    role: String,
    may_refund: Option<String>,
    language: Option<String>,
) -> Result<UserRow, AppError> {
    let (actor, port, ip) = port().await?;
    let language = language
        .as_deref()
        .and_then(domain::Lang::parse)
        .unwrap_or_else(crate::context::request_lang);
    let new = super::NewUserForm {
        login,
        full_name,
        email,
        role,
        may_refund: may_refund.is_some(),
        language,
    };
    port.create(&actor, new, &ip).await
}

/// Changes a user's name, e-mail, role and refund right.
#[server(endpoint = "users/update")]
pub async fn update_user(
    id: i64,
    full_name: String,
    email: String,
    role: String,
    may_refund: Option<String>,
) -> Result<UserRow, AppError> {
    let (actor, port, ip) = port().await?;
    let edit = super::UserEdit {
        full_name,
        email,
        role,
        may_refund: may_refund.is_some(),
    };
    port.update(&actor, id, edit, &ip).await
}

#[cfg(feature = "ssr")]
async fn act(id: i64, action: super::UserAction) -> Result<UserRow, AppError> {
    let (actor, port, ip) = port().await?;
    port.act(&actor, id, action, &ip).await
}

/// Deactivates a user: their sessions end at once.
#[server(endpoint = "users/deactivate")]
pub async fn deactivate_user(id: i64) -> Result<UserRow, AppError> {
    act(id, super::UserAction::Deactivate).await
}

/// Lets a deactivated user sign in again.
#[server(endpoint = "users/reactivate")]
pub async fn reactivate_user(id: i64) -> Result<UserRow, AppError> {
    act(id, super::UserAction::Reactivate).await
}

/// Ends a lock after failed sign-ins.
#[server(endpoint = "users/unlock")]
pub async fn unlock_user(id: i64) -> Result<UserRow, AppError> {
    act(id, super::UserAction::Unlock).await
}

/// "Send new password": e-mails the user a link to choose one.
#[server(endpoint = "users/send_password")]
pub async fn send_user_password(id: i64) -> Result<UserRow, AppError> {
    act(id, super::UserAction::SendPassword).await
}

/// Clears a user's second factor and recovery codes, and tells them by e-mail.
#[server(endpoint = "users/reset_two_factor")]
pub async fn reset_user_two_factor(id: i64) -> Result<UserRow, AppError> {
    act(id, super::UserAction::ResetTwoFactor).await
}

/// Requires (or not) a second factor of every user of the PSPID.
#[server(endpoint = "users/require_two_factor")]
pub async fn require_two_factor(required: Option<String>) -> Result<(), AppError> {
    let (actor, port, ip) = port().await?;
    port.set_require_two_factor(&actor, required.is_some(), &ip)
        .await
}

/// Saves the password rules: minimum length and lifetime in days.
#[server(endpoint = "users/password_policy")]
pub async fn save_password_policy(
    min_length: String,
    lifetime_days: String,
) -> Result<(), AppError> {
    use crate::error::{FieldError, Problem};
    let (actor, port, ip) = port().await?;
    let mut problems = Vec::new();
    let mut number = |name: &str, raw: &str| -> i32 {
        raw.trim().parse().unwrap_or_else(|_| {
            problems.push(FieldError::new(name, Problem::OutOfRange));
            0
        })
    };
    let settings = super::PasswordSettings {
        min_length: number("min_length", &min_length),
        lifetime_days: number("lifetime_days", &lifetime_days),
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    port.save_password_settings(&actor, settings, &ip).await
}
