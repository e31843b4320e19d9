//! Server functions of the back office's accounts: login, logout, the signed-in user,
//! Home, passwords, profile, language, time zone, the development mailbox. Like every
//! server function, each checks the session itself and calls a port; none trusts what
//! the browser hid or showed.

use super::security::LoginNext;
#[cfg(feature = "ssr")]
use super::security::{PendingSignIn, PENDING_SESSION_KEY};
use super::{HomeData, Mail, Me, PasswordRules};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::context as ctx;

/// Logs in with either form (MB-1). On success the session id is rotated and the
/// user's language becomes the page language.
///
/// The login page works without script (it loads none): its plain form's post is sent
/// on to the next page, or back to the form with the error and what was typed but the
/// password ([`super::addresses::typed_cookie`]).
#[server(endpoint = "login")]
pub async fn login(
    mode: String,
    env: String,
    pspid: Option<String>,
    user_id: Option<String>,
    password: String,
) -> Result<LoginNext, AppError> {
    let typed = (pspid.clone(), user_id.clone());
    let result = sign_in(&mode, &env, pspid, user_id, password).await;
    if ctx::plain_form() {
        use super::addresses::{again, typed_cookie};
        // The identifiers typed go back in a short-lived cookie, not in the address (a
        // password typed in the wrong field stays out of the history); a sign-in clears it.
        ctx::set_cookie(&typed_cookie(result.is_err().then_some(typed)));
        let next = result.as_ref().map(|next| next.path()).unwrap_or_default();
        ctx::answer_plain_post::<Login, _>(&result, next, &again(&mode, &env));
    }
    result
}

/// The login checks behind [`login`].
#[cfg(feature = "ssr")]
async fn sign_in(
    mode: &str,
    env: &str,
    pspid: Option<String>,
    user_id: Option<String>,
    password: String,
) -> Result<LoginNext, AppError> {
    use super::LoginAttempt;
    use super::LoginMode;
    use crate::error::{FieldError, Problem};
    use domain::Environment;

    let mode = if mode == "user" {
        LoginMode::User
    } else {
        LoginMode::Pspid
    };
    let environment = Environment::named(Some(env));
    let pspid = pspid.unwrap_or_default();
    let user_login = user_id.unwrap_or_default();
    let mut missing = Vec::new();
    match mode {
        LoginMode::Pspid if pspid.trim().is_empty() => {
            missing.push(FieldError::new("pspid", Problem::Required))
        }
        LoginMode::User if user_login.trim().is_empty() => {
            missing.push(FieldError::new("user_id", Problem::Required))
        }
        _ => {}
    }
    if password.is_empty() {
        missing.push(FieldError::new("password", Problem::Required));
    }
    if !missing.is_empty() {
        return Err(AppError::Invalid(missing));
    }
    let user_login = if mode == LoginMode::Pspid {
        String::new()
    } else {
        user_login
    };
    let ports = ctx::ports()?;
    let ip = ctx::client_ip().await;
    let success = ports
        .account
        .login(LoginAttempt {
            environment,
            pspid,
            user_login,
            password,
            ip,
        })
        .await?;
    let session = ctx::session().await?;
    // A fresh id at every privilege change: a fixated id is worthless after login.
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    if let Some(method) = success.second_factor {
        // The password was right; the session is created only after the second factor.
        let _ = session.remove::<super::Actor>(ctx::ACTOR_KEY).await;
        let pending = PendingSignIn {
            user_id: success.actor.user_id,
            merchant_id: success.actor.merchant_id,
            method,
            epoch: success.actor.epoch,
            until: chrono::Utc::now().timestamp() + PENDING_SECONDS,
            lang: success.lang,
        };
        session
            .insert(PENDING_SESSION_KEY, &pending)
            .await
            .map_err(|_| AppError::Internal)?;
        return Ok(LoginNext::SecondFactor);
    }
    start_session(success).await
}

/// How long a right password waits for its second factor.
#[cfg(feature = "ssr")]
pub(crate) const PENDING_SECONDS: i64 = 300;

/// Signs the user in once every factor was checked: the actor goes into the session
/// (under a fresh id), and the language picked on the login page wins and becomes the
/// user's — otherwise the user's saved language applies from now on.
#[cfg(feature = "ssr")]
pub(crate) async fn start_session(success: super::LoginSuccess) -> Result<LoginNext, AppError> {
    let ports = ctx::ports()?;
    let session = ctx::session().await?;
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    let _ = session.remove::<PendingSignIn>(PENDING_SESSION_KEY).await;
    session
        .insert(ctx::ACTOR_KEY, &success.actor)
        .await
        .map_err(|_| AppError::Internal)?;
    match ctx::cookie_lang() {
        Some(chosen) if chosen != success.lang => {
            ports.account.set_language(&success.actor, chosen).await?;
        }
        Some(_) => {}
        None => ctx::set_lang_cookie(success.lang),
    }
    Ok(if success.actor.password_expired {
        LoginNext::ChangePassword
    } else if success.actor.setup_required {
        LoginNext::SetUpSecondFactor
    } else {
        LoginNext::Home
    })
}

/// Ends the session. Posted from a page that loads no script (Home, a plain form), it is
/// answered by a redirect to the login page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let result = end_session().await;
    if ctx::plain_form() {
        ctx::answer_plain_post::<Logout, _>(&result, "/login", "/");
    }
    result
}

#[cfg(feature = "ssr")]
async fn end_session() -> Result<(), AppError> {
    let session = ctx::session().await?;
    if let Ok(actor) = ctx::actor_in_setup().await {
        let ip = ctx::client_ip().await;
        ctx::ports()?.account.logout(&actor, &ip).await?;
    }
    session.flush().await.map_err(|_| AppError::Internal)
}

/// The signed-in user for the shell.
#[server(endpoint = "me")]
pub async fn get_me() -> Result<Me, AppError> {
    let actor = ctx::actor_in_setup().await?;
    ctx::ports()?.account.me(&actor).await
}

/// Home page data.
#[server(endpoint = "home")]
pub async fn get_home() -> Result<HomeData, AppError> {
    let actor = ctx::actor().await?;
    ctx::ports()?.account.home(&actor).await
}

/// Policy and names for the live checklist: of the signed-in user's merchant, or of the
/// user a reset link belongs to.
#[server(endpoint = "password_rules")]
pub async fn get_password_rules(token: Option<String>) -> Result<PasswordRules, AppError> {
    let ports = ctx::ports()?;
    match token {
        Some(token) => ports.account.reset_rules(&token).await,
        None => {
            let actor = ctx::actor_in_setup().await?;
            ports.account.password_rules(&actor).await
        }
    }
}

#[cfg(feature = "ssr")]
fn check_confirmation(new_password: &str, confirm: &str) -> Result<(), AppError> {
    use crate::error::Problem;
    if new_password.is_empty() {
        return Err(AppError::field("new_password", Problem::Required));
    }
    if new_password != confirm {
        return Err(AppError::field("confirm", Problem::PasswordsDiffer));
    }
    Ok(())
}

/// Changes the signed-in user's password (current + new + confirmation).
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    let actor = ctx::actor_in_setup().await?;
    check_confirmation(&new_password, &confirm)?;
    let ip = ctx::client_ip().await;
    let epoch = ctx::ports()?
        .account
        .change_password(&actor, current, new_password, &ip)
        .await?;
    // The user's other sessions are over; this one goes on under a fresh id.
    let session = ctx::session().await?;
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session
        .insert(
            ctx::ACTOR_KEY,
            &super::Actor {
                epoch,
                password_expired: false,
                ..actor
            },
        )
        .await
        .map_err(|_| AppError::Internal)
}

/// "Forgot password": e-mails a one-time link when the user exists. Posted from the
/// page (a plain form), answered by a redirect: to the page saying the link is on its
/// way, or back to the form with the error.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(
    env: String,
    pspid: String,
    user_id: Option<String>,
) -> Result<(), AppError> {
    use domain::Environment;
    let environment = Environment::named(Some(&env));
    let result = ask_password_reset(environment, pspid, user_id).await;
    if ctx::plain_form() {
        let page = super::addresses::forgot_page(environment);
        ctx::answer_plain_post::<RequestPasswordReset, _>(
            &result,
            &format!("{page}&sent=1"),
            &page,
        );
    }
    result
}

/// The checks and the request behind [`request_password_reset`].
#[cfg(feature = "ssr")]
async fn ask_password_reset(
    environment: domain::Environment,
    pspid: String,
    user_id: Option<String>,
) -> Result<(), AppError> {
    use crate::error::Problem;
    if pspid.trim().is_empty() {
        return Err(AppError::field("pspid", Problem::Required));
    }
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .account
        .request_password_reset(environment, pspid, user_id.unwrap_or_default(), &ip)
        .await
}

/// Sets a new password from a reset link. Posted from the page (a plain form), answered
/// by a redirect: to the page saying the password is changed, or back to the form (with
/// its link) and the error.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    let result = set_password_from_link(&token, new_password, confirm).await;
    if ctx::plain_form() {
        use super::addresses::{reset_done_page, reset_page};
        ctx::answer_plain_post::<ResetPassword, _>(&result, reset_done_page(), &reset_page(&token));
    }
    result
}

/// The checks and the change behind [`reset_password`].
#[cfg(feature = "ssr")]
async fn set_password_from_link(
    token: &str,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    check_confirmation(&new_password, &confirm)?;
    let ip = ctx::client_ip().await;
    ctx::ports()?
        .account
        .reset_password(token, new_password, &ip)
        .await
}

/// Saves the profile form (full name, recovery e-mail).
#[server(endpoint = "update_profile")]
pub async fn update_profile(full_name: String, email: String) -> Result<(), AppError> {
    let actor = ctx::actor().await?;
    ctx::ports()?
        .account
        .update_profile(&actor, full_name, email, &ctx::client_ip().await)
        .await
}

/// Saves the time-zone dialog; `reset` set means "Back to default". Posted from a page
/// that loads no script (Home, a plain form), it is answered by a redirect: to Home, or
/// back to Home with the dialog open and the error.
#[server(endpoint = "set_time_zone")]
pub async fn set_time_zone(
    zone: String,
    auto_dst: Option<String>,
    reset: Option<String>,
) -> Result<(), AppError> {
    let result = save_time_zone(zone, auto_dst, reset).await;
    if ctx::plain_form() {
        let again = format!("/?{}", super::addresses::TIME_ZONE_QUERY);
        ctx::answer_plain_post::<SetTimeZone, _>(&result, "/", &again);
    }
    result
}

#[cfg(feature = "ssr")]
async fn save_time_zone(
    zone: String,
    auto_dst: Option<String>,
    reset: Option<String>,
) -> Result<(), AppError> {
    use domain::ZonePreference;
    let actor = ctx::actor().await?;
    let preference = if reset.is_some() {
        None
    } else {
        Some(ZonePreference {
            zone,
            auto_dst: auto_dst.is_some(),
        })
    };
    ctx::ports()?
        .account
        .set_time_zone(&actor, preference, &ctx::client_ip().await)
        .await
}

/// The development mailbox (not in production deployments).
#[server(endpoint = "mailbox")]
pub async fn list_mailbox() -> Result<Vec<Mail>, AppError> {
    ctx::ports()?.account.mailbox().await
}
