//! `/profile/security` (MB-2): the user's second factor — an authenticator app with its
//! recovery codes, or a code e-mailed to a confirmed address — and
//! `/profile/confirm-email`, where the confirmation link lands.

use super::api::{
    get_security, ConfirmAuthenticator, ConfirmEmail, ConfirmEmailFactor, DisableSecondFactor,
    RegenerateRecoveryCodes, SendEmailConfirmation, StartAuthenticator, StartEmailFactor,
};
use super::SecurityOverview;
use crate::components::loaded;
use crate::components::{error_text, last_error, reload, ErrorAlert, Field};
use crate::i18n::{t, T};
use domain::two_factor::Method;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The security page.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_security());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SecurityTitle))/>
        <div class="narrow">
            <h1>{t(T::SecurityTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(overview).await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(o) => view! { <Security o=o/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn method_text(method: Option<Method>) -> &'static str {
    t(match method {
        None => T::TwoFactorOff,
        Some(Method::Authenticator) => T::TwoFactorAuthenticator,
        Some(Method::Email) => T::TwoFactorEmail,
    })
}

#[component]
fn Security(o: SecurityOverview) -> impl IntoView {
    let status = view! {
        <dl class="profile card" data-testid="two-factor-state">
            <dt>{t(T::TwoFactorTitle)}</dt>
            <dd data-method=o.method.map(Method::code).unwrap_or("off")>{method_text(o.method)}</dd>
            {(o.method == Some(Method::Authenticator)).then(|| view! {
                <dt>{t(T::RecoveryCodesLeft)}</dt><dd data-testid="recovery-left">{o.recovery_left}</dd>
            })}
        </dl>
    };
    let required = (o.required && o.method.is_none())
        .then(|| view! { <p class="alert alert-warning" role="alert">{t(T::TwoFactorRequiredNotice)}</p> });
    let body = match o.method {
        None => view! {
            <AuthenticatorSetupCard/>
            <EmailSetupCard email=o.email.clone() confirmed=o.email_confirmed/>
        }
        .into_any(),
        Some(Method::Authenticator) => view! {
            <RecoveryCodesCard/>
            {(!o.required).then(|| view! { <DisableCard/> })}
        }
        .into_any(),
        Some(Method::Email) => view! {
            {(!o.required).then(|| view! { <DisableCard/> })}
        }
        .into_any(),
    };
    view! { {required} {status} {body} }
}

/// Ten recovery codes, shown once, with a download.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = codes.join("\n") + "\n";
    let href = format!(
        "data:text/plain;charset=utf-8,{}",
        crate::url::encode(&text)
    );
    view! {
        <div class="card recovery-codes" data-testid="recovery-codes">
            <h3>{t(T::RecoveryCodesTitle)}</h3>
            <p class="muted">{t(T::RecoveryCodesHint)}</p>
            <ul class="code-list">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <p>
                <a class="button" download="openpsp-recovery-codes.txt" href=href>{t(T::DownloadRecoveryCodes)}</a>
                " "
                <button type="button" class="button primary" on:click=|_| reload()>{t(T::Done)}</button>
            </p>
        </div>
    }
}

#[component]
fn AuthenticatorSetupCard() -> impl IntoView {
    let start = ServerAction::<StartAuthenticator>::new();
    let confirm = ServerAction::<ConfirmAuthenticator>::new();
    let start_error = last_error(start.value());
    let confirm_error = last_error(confirm.value());
    view! {
        <section class="card" aria-labelledby="totp-title">
            <h2 id="totp-title">{t(T::TwoFactorAuthenticator)}</h2>
            {move || match (start.value().get(), confirm.value().get()) {
                (_, Some(Ok(codes))) => view! {
                    <p class="alert alert-success" role="status">{t(T::TwoFactorEnabled)}</p>
                    <RecoveryCodes codes=codes/>
                }.into_any(),
                (Some(Ok(setup)), _) => view! {
                    <p>{t(T::AuthenticatorScan)}</p>
                    <div class="link-qr" data-testid="totp-qr" role="img" aria-label=t(T::AuthenticatorQrLabel) inner_html=setup.qr_svg></div>
                    <p>{t(T::AuthenticatorSecret)} " " <code data-testid="totp-secret">{setup.secret}</code></p>
                    <ErrorAlert error=confirm_error/>
                    <ActionForm action=confirm attr:class="form" attr:aria-label=t(T::AuthenticatorConfirm)>
                        <Field label=T::AuthenticatorCode name="code" error=confirm_error autocomplete="one-time-code" required=true form="totp"/>
                        <button type="submit" class="button primary" disabled=move || confirm.pending().get()>{t(T::AuthenticatorConfirm)}</button>
                    </ActionForm>
                }.into_any(),
                _ => view! {
                    <p class="muted">{t(T::AuthenticatorIntro)}</p>
                    <ErrorAlert error=start_error/>
                    <ActionForm action=start attr:class="form" attr:aria-label=t(T::EnableAuthenticator)>
                        <Field label=T::PasswordAgain name="password" kind="password" error=start_error autocomplete="current-password" required=true form="totp-start"/>
                        <button type="submit" class="button primary" disabled=move || start.pending().get()>{t(T::EnableAuthenticator)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn EmailSetupCard(email: String, confirmed: bool) -> impl IntoView {
    let send_link = ServerAction::<SendEmailConfirmation>::new();
    let start = ServerAction::<StartEmailFactor>::new();
    let confirm = ServerAction::<ConfirmEmailFactor>::new();
    let link_error = last_error(send_link.value());
    let start_error = last_error(start.value());
    let confirm_error = last_error(confirm.value());
    let body = if email.is_empty() {
        view! { <p class="muted">{t(T::EmailFactorNeedsAddress)} " " <a href="/profile">{t(T::ProfileTitle)}</a></p> }.into_any()
    } else if !confirmed {
        view! {
            <p class="muted">{t(T::EmailFactorNeedsConfirmation).replace("{email}", &email)}</p>
            <ErrorAlert error=link_error/>
            {move || matches!(send_link.value().get(), Some(Ok(()))).then(|| view! {
                <p class="alert alert-success" role="status">{t(T::ConfirmationLinkSent)}</p>
            })}
            <ActionForm action=send_link attr:class="inline-form">
                <button type="submit" class="button" disabled=move || send_link.pending().get()>{t(T::SendConfirmationLink)}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            {move || match (start.value().get(), confirm.value().get()) {
                (_, Some(Ok(()))) => view! {
                    <p class="alert alert-success" role="status">{t(T::TwoFactorEnabled)}</p>
                    <button type="button" class="button primary" on:click=|_| reload()>{t(T::Done)}</button>
                }.into_any(),
                (Some(Ok(())), _) => view! {
                    <p>{t(T::TwoStepEmailIntro)}</p>
                    <ErrorAlert error=confirm_error/>
                    <ActionForm action=confirm attr:class="form" attr:aria-label=t(T::EnableEmailFactor)>
                        <Field label=T::VerificationCode name="code" error=confirm_error autocomplete="one-time-code" required=true form="email-code"/>
                        <button type="submit" class="button primary" disabled=move || confirm.pending().get()>{t(T::Verify)}</button>
                    </ActionForm>
                }.into_any(),
                _ => view! {
                    <ErrorAlert error=start_error/>
                    <ActionForm action=start attr:class="form" attr:aria-label=t(T::EnableEmailFactor)>
                        <Field label=T::PasswordAgain name="password" kind="password" error=start_error autocomplete="current-password" required=true form="email-start"/>
                        <button type="submit" class="button" disabled=move || start.pending().get()>{t(T::EnableEmailFactor)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="email-factor-title">
            <h2 id="email-factor-title">{t(T::TwoFactorEmail)}</h2>
            {body}
        </section>
    }
}

#[component]
fn RecoveryCodesCard() -> impl IntoView {
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let error = last_error(regenerate.value());
    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">{t(T::RecoveryCodesTitle)}</h2>
            {move || match regenerate.value().get() {
                Some(Ok(codes)) => view! { <RecoveryCodes codes=codes/> }.into_any(),
                _ => view! {
                    <p class="muted">{t(T::RegenerateRecoveryHint)}</p>
                    <ErrorAlert error=error/>
                    <ActionForm action=regenerate attr:class="form" attr:aria-label=t(T::RegenerateRecoveryCodes)>
                        <Field label=T::PasswordAgain name="password" kind="password" error=error autocomplete="current-password" required=true form="recovery"/>
                        <button type="submit" class="button" disabled=move || regenerate.pending().get()>{t(T::RegenerateRecoveryCodes)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn DisableCard() -> impl IntoView {
    let disable = ServerAction::<DisableSecondFactor>::new();
    let error = last_error(disable.value());
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            reload();
        }
    });
    view! {
        <section class="card" aria-labelledby="disable-title">
            <h2 id="disable-title">{t(T::DisableTwoFactor)}</h2>
            <ErrorAlert error=error/>
            <ActionForm action=disable attr:class="form" attr:aria-label=t(T::DisableTwoFactor)>
                <Field label=T::PasswordAgain name="password" kind="password" error=error autocomplete="current-password" required=true form="disable"/>
                <button type="submit" class="button danger" disabled=move || disable.pending().get()>{t(T::DisableTwoFactor)}</button>
            </ActionForm>
        </section>
    }
}

/// `/profile/confirm-email?token=`: the link of the confirmation mail. A button, not the
/// page load, confirms: a mail scanner opening the link changes nothing.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let error = last_error(confirm.value());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ConfirmEmailTitle))/>
        <div class="login-page">
            <main class="login-card card" id="main">
                <h1 class="login-title">{t(T::ConfirmEmailTitle)}</h1>
                <ErrorAlert error=error/>
                {move || if matches!(confirm.value().get(), Some(Ok(()))) {
                    view! {
                        <p class="alert alert-success" role="status">{t(T::EmailConfirmed)}</p>
                        <p><a class="button primary" href="/profile/security">{t(T::SecurityTitle)}</a></p>
                    }.into_any()
                } else {
                    view! {
                        <ActionForm action=confirm attr:class="form">
                            <input type="hidden" name="token" value=token/>
                            <button type="submit" class="button primary" disabled=move || confirm.pending().get()>{t(T::ConfirmMyAddress)}</button>
                        </ActionForm>
                    }.into_any()
                }}
            </main>
        </div>
    }
}
