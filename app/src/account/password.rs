//! Password pages (MB-7): change, forgot, reset from an e-mailed link.
//!
//! The forgotten-password and reset pages come before a sign-in: like the login page they
//! are rendered on the server only and load no script (`crate::is_plain_path`); their
//! forms post as plain forms, answered by a redirect to the page saying it is done
//! (`sent`, `done` in the address) or back to the form with the error.

use crate::account::addresses::env_param;
use crate::account::api::{
    get_password_rules, ChangePassword, RequestPasswordReset, ResetPassword,
};
use crate::components::loaded;
use crate::components::{error_text, last_error, ErrorAlert, Field, PasswordChecklist};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use domain::Environment;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// New password + confirmation, with the policy under them: a live checklist on a page
/// that runs the back office's code, the plain list of rules on the reset page, which
/// loads none (a reset link's `token`).
#[component]
fn NewPasswordFields(token: Option<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    let (password, set_password) = signal(String::new());
    let live = token.is_none();
    let rules = Resource::new(move || token.clone(), get_password_rules);
    view! {
        <Field
            label=T::NewPassword
            name="new_password"
            kind="password"
            autocomplete="new-password"
            required=true
            error=error
            on_input=Callback::new(move |v| set_password.set(v))
        />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match loaded(rules).await {
                    Ok(rules) => view! { <PasswordChecklist password=live.then_some(password) rules=rules/> }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
        <Field
            label=T::ConfirmPassword
            name="confirm"
            kind="password"
            autocomplete="new-password"
            required=true
            error=error
        />
    }
}

/// `/profile/password`.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let query = use_query_map();
    let expired = move || query.read().get("expired").is_some();
    let action = ServerAction::<ChangePassword>::new();
    let last = last_error(action.value());
    // Too many changes in an hour has its own message; the rest as everywhere.
    let throttled = move || matches!(last.get(), Some(AppError::RateLimited));
    let error = Signal::derive(move || last.get().filter(|e| *e != AppError::RateLimited));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ChangePassword))/>
        <div class="narrow">
            <h1>{t(T::ChangePassword)}</h1>
            {move || (expired() && !done()).then(|| view! { <p class="alert alert-warning" role="alert">{t(T::PasswordExpiredNotice)}</p> })}
            {move || done().then(|| view! { <p class="alert alert-success" role="status">{t(T::PasswordChanged)}</p> })}
            {move || (expired() && done()).then(|| view! { <p><a class="button primary" href="/" rel="external">{t(T::MenuHome)}</a></p> })}
            <ErrorAlert error=error/>
            {move || throttled().then(|| view! { <p class="alert alert-error" role="alert">{t(T::PasswordChangeThrottled)}</p> })}
            <ActionForm action=action attr:class="form card">
                <Field label=T::CurrentPassword name="current" kind="password" autocomplete="current-password" required=true error=error/>
                <NewPasswordFields token=None error=error/>
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {t(T::ChangePassword)}
                </button>
            </ActionForm>
        </div>
    }
}

/// `/forgot-password?env=…`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    // As the login page names it: an unknown environment is the test one.
    let env = move || env_param(Environment::named(query.read().get("env").as_deref()));
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action.value());
    // Sent by a script's call, or by the plain form's post (its redirect says so).
    let sent =
        move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ForgotTitle))/>
        <div class="login-page">
            <header class="login-header">
                <span class="brand">"OpenPSP"</span>
                <LanguageMenu/>
            </header>
            <main class="login-card card" id="main">
                <h1>{t(T::ForgotTitle)}</h1>
                <p class="muted">{t(T::ForgotIntro)}</p>
                {move || sent().then(|| view! { <p class="alert alert-success" role="status">{t(T::ResetLinkSent)}</p> })}
                <ErrorAlert error=error/>
                <ActionForm action=action attr:class="form">
                    <input type="hidden" name="env" value=env/>
                    <Field label=T::Pspid name="pspid" required=true error=error autocomplete="organization"/>
                    <Field label=T::UserId name="user_id" error=error autocomplete="username"/>
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        {t(T::SendResetLink)}
                    </button>
                </ActionForm>
                <p class="login-links">
                    <a href=move || format!("/login?env={}", env())>{t(T::BackToLogin)}</a>
                </p>
            </main>
        </div>
    }
}

/// `/reset-password?token=…`, the page the e-mailed link opens.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = StoredValue::new(query.read_untracked().get("token").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action.value());
    // Changed by a script's call, or by the plain form's post ([`reset_done_page`]).
    let done =
        move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("done").is_some();
    let link_error = Signal::derive(move || {
        error
            .get()
            .filter(|e| e.problem_for("token").is_some())
            .map(|_| t(T::ErrInvalidLink))
    });
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ResetTitle))/>
        <div class="login-page">
            <header class="login-header">
                <span class="brand">"OpenPSP"</span>
                <LanguageMenu/>
            </header>
            <main class="login-card card" id="main">
                <h1>{t(T::ResetTitle)}</h1>
                {move || link_error.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
                <ErrorAlert error=error/>
                <Show
                    when=move || !done()
                    fallback=|| view! {
                        <p class="alert alert-success" role="status">{t(T::PasswordResetDone)}</p>
                        <p><a href="/login">{t(T::BackToLogin)}</a></p>
                    }
                >
                    <ActionForm action=action attr:class="form">
                        <input type="hidden" name="token" value=token.get_value()/>
                        <NewPasswordFields token=Some(token.get_value()) error=error/>
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>
                            {t(T::SetNewPassword)}
                        </button>
                    </ActionForm>
                </Show>
            </main>
        </div>
    }
}
