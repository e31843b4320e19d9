//! `/login/verify`: the sign-in's second step (MB-2). The password was right; the code of
//! the user's authenticator app, the e-mailed code or a recovery code finishes it.

use super::api::{get_sign_in_prompt, ResendSignInCode, VerifySignIn};
use crate::components::loaded;
use crate::components::{full_navigation, last_error, ErrorAlert, Field};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::language::LanguageMenu;
use domain::two_factor::Method;
use leptos::prelude::*;
use leptos_meta::Title;

/// The second step's page.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let prompt = Resource::new(|| (), |_| get_sign_in_prompt());
    let verify = ServerAction::<VerifySignIn>::new();
    let resend = ServerAction::<ResendSignInCode>::new();
    let error = last_error(verify.value());
    let resend_error = last_error(resend.value());
    let use_recovery = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(next)) = verify.value().get() {
            full_navigation(next.path());
        }
    });
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TwoStepTitle))/>
        <div class="login-page">
            <header class="login-header">
                <span class="brand">"OpenPSP"</span>
                <LanguageMenu/>
            </header>
            <main class="login-card card" id="main">
                <h1 class="login-title">{t(T::TwoStepTitle)}</h1>
                <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match loaded(prompt).await {
                            Err(AppError::Unauthenticated) => view! {
                                <p class="alert alert-error" role="alert">{t(T::TwoStepExpired)}</p>
                                <p><a class="button primary" href="/login">{t(T::LogIn)}</a></p>
                            }.into_any(),
                            Err(e) => view! { <ErrorAlert error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                            Ok(p) => {
                                let email = p.method == Method::Email;
                                view! {
                                    <ErrorAlert error=error/>
                                    {move || {
                                        if use_recovery.get() {
                                            view! {
                                                <p class="muted">{t(T::TwoStepRecoveryIntro)}</p>
                                                <ActionForm action=verify attr:class="form" attr:aria-label=t(T::RecoveryCode)>
                                                    <input type="hidden" name="recovery" value="1"/>
                                                    <Field label=T::RecoveryCode name="code" error=error autocomplete="off" required=true form="recovery"/>
                                                    <button type="submit" class="button primary" disabled=move || verify.pending().get()>{t(T::Verify)}</button>
                                                </ActionForm>
                                                <p class="login-switch">
                                                    <button type="button" class="link-button" on:click=move |_| use_recovery.set(false)>{t(T::TwoStepUseApp)}</button>
                                                </p>
                                            }.into_any()
                                        } else {
                                            view! {
                                                <p class="muted">{t(if email { T::TwoStepEmailIntro } else { T::TwoStepAppIntro })}</p>
                                                <ActionForm action=verify attr:class="form" attr:aria-label=t(T::TwoStepTitle)>
                                                    <Field label=T::VerificationCode name="code" error=error autocomplete="one-time-code" required=true form="code"/>
                                                    <button type="submit" class="button primary" disabled=move || verify.pending().get()>{t(T::Verify)}</button>
                                                </ActionForm>
                                                {if email {
                                                    view! {
                                                        <ErrorAlert error=resend_error/>
                                                        {move || matches!(resend.value().get(), Some(Ok(()))).then(|| view! {
                                                            <p class="alert alert-success" role="status">{t(T::TwoStepCodeSent)}</p>
                                                        })}
                                                        <ActionForm action=resend attr:class="inline-form">
                                                            <button type="submit" class="link-button" disabled=move || resend.pending().get()>{t(T::SendNewCode)}</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <p class="login-switch">
                                                            <button type="button" class="link-button" on:click=move |_| use_recovery.set(true)>{t(T::TwoStepUseRecovery)}</button>
                                                        </p>
                                                    }.into_any()
                                                }}
                                            }.into_any()
                                        }
                                    }}
                                    <p class="login-links"><a href="/login">{t(T::TwoStepCancel)}</a></p>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}
