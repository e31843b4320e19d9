//! The PSPID's sign-in rules on the Users page: every user must have a second factor
//! (MB-2), and the password policy (MB-7): minimum length, lifetime, history.

use super::api::{RequireTwoFactor, SavePasswordPolicy};
use super::UsersOverview;
use crate::components::{last_error, ErrorAlert, Field};
use crate::i18n::{t, T};
use leptos::prelude::*;

/// "Saved." once `done` holds.
fn saved(done: impl Fn() -> bool + Send + Sync + 'static) -> impl IntoView {
    move || done().then(|| view! { <p class="alert alert-success" role="status">{t(T::Saved)}</p> })
}

/// The two forms under the list of users.
#[component]
pub(super) fn SignInRules(overview: UsersOverview) -> impl IntoView {
    let require = ServerAction::<RequireTwoFactor>::new();
    let policy = ServerAction::<SavePasswordPolicy>::new();
    let require_error = last_error(require.value());
    let policy_error = last_error(policy.value());
    let password = overview.password;
    view! {
        <div class="config-grid">
            <section class="card narrow" aria-labelledby="sign-in-security">
                <h2 id="sign-in-security">{t(T::SignInSecurityTitle)}</h2>
                {saved(move || matches!(require.value().get(), Some(Ok(()))))}
                <ErrorAlert error=require_error/>
                <ActionForm action=require attr:class="form">
                    <div class="field checkbox">
                        <input type="checkbox" id="require-two-factor" name="required" value="on"
                            checked=overview.require_two_factor aria-describedby="require-two-factor-hint"/>
                        <label for="require-two-factor">{t(T::RequireTwoFactorLabel)}</label>
                        <p class="muted" id="require-two-factor-hint">{t(T::RequireTwoFactorHint)}</p>
                    </div>
                    <button type="submit" class="button primary" disabled=move || require.pending().get()>{t(T::Save)}</button>
                </ActionForm>
            </section>
            <section class="card narrow" aria-labelledby="password-policy">
                <h2 id="password-policy">{t(T::PasswordPolicyTitle)}</h2>
                {saved(move || matches!(policy.value().get(), Some(Ok(()))))}
                <ErrorAlert error=policy_error/>
                <ActionForm action=policy attr:class="form">
                    <Field label=T::PasswordMinLengthLabel name="min_length" kind="number"
                        value=password.min_length.to_string() error=policy_error required=true form="policy"/>
                    <Field label=T::PasswordLifetimeLabel name="lifetime_days" kind="number"
                        value=password.lifetime_days.to_string() error=policy_error required=true form="policy"/>
                    <p class="muted">{t(T::PasswordHistoryRule)}</p>
                    <button type="submit" class="button primary" disabled=move || policy.pending().get()>{t(T::Save)}</button>
                </ActionForm>
            </section>
        </div>
    }
}
