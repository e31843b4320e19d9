//! On the payment settings page: SMS notifications to the customer and the OpenID token
//! (MB-15), a form of their own. The token is shown masked (first and last three
//! characters) once saved; a generated one is shown whole once.

use super::api::{load_customer_settings, SaveCustomerSettings};
use super::CustomerSettings;
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

fn customer_form(
    s: CustomerSettings,
    action: ServerAction<SaveCustomerSettings>,
    error: Signal<Option<AppError>>,
) -> AnyView {
    let token_problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for("openid_token").map(problem_text))
    };
    let hint = s.openid_hint.clone();
    let has_token = !hint.is_empty();
    view! {
        <ActionForm action=action attr:class="form card narrow" attr:id="customer-settings">
            <h2>{t(T::CustomerSettingsTitle)}</h2>
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" name="sms_enabled" checked=s.sms_enabled aria-describedby="sms-hint"/>
                    <span>{t(T::SmsLabel)}</span>
                </label>
                <p class="muted" id="sms-hint">{t(T::SmsHint)}</p>
            </div>
            <div class="field" class:field-invalid=move || token_problem().is_some()>
                <label for="customer-openid_token">{t(T::OpenIdLabel)}</label>
                <p class="mono" data-testid="openid-hint">
                    {if has_token { hint } else { t(T::OpenIdNone).to_owned() }}
                </p>
                <input id="customer-openid_token" name="openid_token" type="password" autocomplete="off"
                    aria-describedby="openid-hint-text customer-openid_token-error"/>
                <p class="muted" id="openid-hint-text">{t(T::OpenIdHint)}</p>
                <p class="field-error" id="customer-openid_token-error">{token_problem}</p>
                <label class="checkbox">
                    <input type="checkbox" name="generate" value="on"/>
                    <span>{t(T::OpenIdGenerate)}</span>
                </label>
                {has_token.then(|| view! {
                    <label class="checkbox">
                        <input type="checkbox" name="remove_openid" value="on"/>
                        <span>{t(T::OpenIdRemove)}</span>
                    </label>
                })}
            </div>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::SaveCustomerSettings)}</button>
        </ActionForm>
    }
    .into_any()
}

/// The SMS and OpenID section of the payment settings page.
#[component]
pub fn CustomerSettingsSection() -> impl IntoView {
    let action = ServerAction::<SaveCustomerSettings>::new();
    let settings = Resource::new(move || action.version().get(), |_| load_customer_settings());
    let error = last_error(action.value());
    let saved = move || match action.value().get() {
        Some(Ok(answer)) => Some(view! {
            <div class="alert alert-success" role="status">
                <p>{t(T::Saved)}</p>
                {answer.generated.map(|token| view! {
                    <p>{t(T::OpenIdGenerated)}</p>
                    <p class="mono" data-testid="openid-generated">{token}</p>
                })}
            </div>
        }),
        _ => None,
    };
    view! {
        <section aria-labelledby="customer-settings-title">
            <span id="customer-settings-title" hidden>{t(T::CustomerSettingsTitle)}</span>
            {saved}
            <ErrorAlert error=error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(settings).await {
                        Err(e) => crate::configuration::failure(&e),
                        Ok(s) => customer_form(s, action, error),
                    }
                })}
            </Suspense>
        </section>
    }
}
