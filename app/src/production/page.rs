//! `/configuration/production-account` (MB-18): an Admin of a TEST account chooses the
//! production PSPID (the TEST one is pre-filled; a different one is recommended) and the
//! production Admin's UserID and e-mail address (theirs by default), next to the lists of
//! what is copied and what must be configured again. Once created, the page shows the
//! new PSPID and UserID, where the set-password link went, both lists and the way to the
//! production sign-in; the TEST session goes on.

use super::api::{load_production_defaults, CreateProductionAccount};
use super::{AccountPart, ProductionCreated, ProductionDefaults, CONFIGURE_AGAIN, COPIED};
use crate::components::loaded;
use crate::components::{last_error, ErrorAlert, Field};
use crate::configuration::{failure, title};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;

/// The label of a part of an account's set-up.
fn part_text(part: AccountPart) -> &'static str {
    t(match part {
        AccountPart::CompanyDetails => T::ProdPartCompany,
        AccountPart::TimeZone => T::ProdPartTimeZone,
        AccountPart::PaymentPageLanguages => T::ProdPartLanguages,
        AccountPart::GeneralConditions => T::ProdPartConditions,
        AccountPart::Currencies => T::ProdPartCurrencies,
        AccountPart::DataRetention => T::ProdPartRetention,
        AccountPart::PaymentSettings => T::ProdPartPayments,
        AccountPart::SignInRules => T::ProdPartSignIn,
        AccountPart::ElectronicReporting => T::ProdPartReporting,
        AccountPart::WebhookEvents => T::ProdPartWebhookEvents,
        AccountPart::SubscriptionAndOptions => T::ProdPartSubscription,
        AccountPart::VatNumber => T::ProdPartVat,
        AccountPart::InvoicingMethod => T::ProdPartInvoicing,
        AccountPart::PaymentMethods => T::ProdPartPaymentMethods,
        AccountPart::ThreeDSecure => T::ProdPartThreeDSecure,
        AccountPart::Users => T::ProdPartUsers,
        AccountPart::ApiKeys => T::ProdPartApiKeys,
        AccountPart::WebhookEndpoints => T::ProdPartWebhookEndpoints,
        AccountPart::Terminals => T::ProdPartTerminals,
    })
}

/// One list of parts in its card, named by `heading`.
fn parts_card(id: &'static str, heading: T, hint: Option<T>, parts: Vec<AccountPart>) -> AnyView {
    view! {
        <section class="card narrow" aria-labelledby=id>
            <h2 id=id>{t(heading)}</h2>
            {hint.map(|hint| view! { <p class="muted">{t(hint)}</p> })}
            <ul data-testid=id>
                {parts.into_iter().map(|part| view! { <li>{part_text(part)}</li> }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// What is copied and what is not, side by side.
fn parts_lists(copied: Vec<AccountPart>, again: Vec<AccountPart>) -> AnyView {
    view! {
        <div class="config-grid">
            {parts_card("production-copied", T::ProdCopiedTitle, None, copied)}
            {parts_card("production-configure-again", T::ProdConfigureAgainTitle, Some(T::ProdConfigureAgainHint), again)}
        </div>
    }
    .into_any()
}

/// The form, with the TEST account's values pre-filled.
fn form_view(
    defaults: ProductionDefaults,
    action: ServerAction<CreateProductionAccount>,
    error: Signal<Option<AppError>>,
) -> AnyView {
    let hint = t(T::ProdPspidHint).replace("{pspid}", &defaults.test_pspid);
    view! {
        <section class="card narrow" aria-labelledby="production-form">
            <h2 id="production-form">{t(T::ProdFormTitle)}</h2>
            <ErrorAlert error=error/>
            <ActionForm action=action attr:class="form">
                <Field label=T::ProdPspidLabel name="pspid" error=error value=defaults.test_pspid.clone() required=true form="production"/>
                <p class="muted" id="production-pspid-hint">{hint}</p>
                <Field label=T::ProdAdminLogin name="login" error=error value=defaults.login.clone() required=true form="production"/>
                <Field label=T::ProdAdminEmail name="email" kind="email" error=error value=defaults.email.clone() required=true form="production"/>
                <p class="muted">{t(T::ProdAdminHint)}</p>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::ProdCreate)}</button>
                </div>
            </ActionForm>
        </section>
        {parts_lists(COPIED.to_vec(), CONFIGURE_AGAIN.to_vec())}
    }
    .into_any()
}

/// The production account just created.
fn created_view(created: ProductionCreated) -> AnyView {
    let ProductionCreated {
        pspid,
        login,
        email,
        copied,
        configure_again,
    } = created;
    view! {
        <section class="card" aria-labelledby="production-created" data-testid="production-created">
            <h2 id="production-created">{t(T::ProdCreatedTitle).replace("{pspid}", &pspid)}</h2>
            <p class="alert alert-success" role="status">{t(T::ProdLinkSent).replace("{email}", &email)}</p>
            <dl class="facts">
                <dt>{t(T::Pspid)}</dt><dd class="mono">{pspid.clone()}</dd>
                <dt>{t(T::UserId)}</dt><dd class="mono">{login}</dd>
            </dl>
            <p class="muted">{t(T::ProdSignInHint).replace("{pspid}", &pspid)}</p>
            <p><a class="button primary" href="/login?env=production" rel="external">{t(T::ProdSignInLink)}</a></p>
            <p class="muted">{t(T::ProdTestStays)}</p>
        </section>
        {parts_lists(copied, configure_again)}
    }
    .into_any()
}

/// `/configuration/production-account`.
#[component]
pub fn ProductionAccountPage() -> impl IntoView {
    let create = ServerAction::<CreateProductionAccount>::new();
    let error = last_error(create.value());
    // Changes once, on success: a refused try keeps the form and what was typed in it.
    let created = Memo::new(move |_| create.value().get().and_then(Result::ok));
    let defaults = Resource::new(|| (), |_| load_production_defaults());
    view! {
        {title(T::ProductionAccountTitle)}
        <h1>{t(T::ProductionAccountTitle)}</h1>
        <p class="muted">{t(T::ProdIntro)}</p>
        {move || created.get().map(created_view)}
        // The form stays mounted (hidden once done): its action still finishes its work
        // after the answer, and a form taken out of the page meanwhile would be gone.
        <div hidden=move || created.get().is_some()>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(defaults).await {
                        Err(e) => failure(&e),
                        Ok(d) => form_view(d, create, error),
                    }
                })}
            </Suspense>
        </div>
    }
}
