//! `/configuration/account` (MB-10, Admins): the form, checked as typed with the domain's
//! rules (VAT number for the country, phone, address, retention) and decided again on
//! the server; the retention purge's next run and the last run's counts.

use super::api::{get_account, SaveAccount};
use super::{AccountForm, AccountPage, OPTIONS};
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert};
use crate::configuration::{failure, title};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use domain::company;
use domain::Lang;
use leptos::prelude::*;

/// The page.
#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_account());
    view! {
        {title(T::AccountTitle)}
        <h1>{t(T::AccountTitle)}</h1>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(page).await {
                    Err(e) => failure(&e),
                    Ok(p) => view! { <AccountFormView p=p/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

type Read = fn(&AccountForm) -> &String;
type Write = fn(&mut AccountForm) -> &mut String;

/// What the browser already knows is wrong with `name` (the domain's rules).
fn live_problem(f: &AccountForm, name: &str) -> Option<Problem> {
    let filled = |s: &str| !s.trim().is_empty();
    match name {
        "vat_number" if filled(&f.vat_number) => {
            match company::vat_number(&f.country, &f.vat_number) {
                Ok(_) => None,
                Err(_) => Some(Problem::InvalidVatNumber),
            }
        }
        "phone" if filled(&f.phone) => company::phone(&f.phone)
            .is_none()
            .then_some(Problem::InvalidPhone),
        "general_conditions_url" if filled(&f.general_conditions_url) => {
            company::web_address(&f.general_conditions_url)
                .is_none()
                .then_some(Problem::InvalidUrl)
        }
        "currencies" => company::currencies(&f.currencies)
            .is_none()
            .then_some(Problem::InvalidCurrency),
        "languages" => f.languages.is_empty().then_some(Problem::NoLanguage),
        "retention_days" => match f.retention_days.trim().parse::<i32>() {
            Ok(d) if company::retention_ok(d) => None,
            _ => Some(Problem::OutOfRange),
        },
        _ => None,
    }
}

#[component]
fn AccountFormView(p: AccountPage) -> impl IntoView {
    let form = RwSignal::new(p.form.clone());
    let save = ServerAction::<SaveAccount>::new();
    let server = last_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let problem = move |name: &'static str| {
        form.with(|f| live_problem(f, name)).or_else(|| {
            server
                .get()
                .and_then(|e: AppError| e.problem_for(name).cloned())
        })
    };
    let text = move |label: T, name: &'static str, read: Read, write: Write| {
        let id = format!("account-{name}");
        let error_id = format!("{id}-error");
        view! {
            <div class="field" class:field-invalid=move || problem(name).is_some()>
                <label for=id.clone()>{t(label)}</label>
                <input id=id name=name type="text" autocomplete="off" aria-describedby=error_id.clone()
                    aria-invalid=move || problem(name).is_some().to_string()
                    prop:value=move || form.with(|f| read(f).clone())
                    on:input:target=move |ev| form.update(|f| *write(f) = ev.target().value())/>
                <p class="field-error" id=error_id>{move || problem(name).map(|p| problem_text(&p))}</p>
            </div>
        }
    };
    let countries = p.countries.clone();
    let options = p.options.clone();
    let retention = p.retention.clone();
    view! {
        <dl class="profile card">
            <dt>{t(T::Pspid)}</dt><dd>{p.pspid.clone()}</dd>
            <dt>{t(T::Environment)}</dt><dd>{p.environment.clone()}</dd>
        </dl>
        {move || saved().then(|| view! { <p class="alert alert-success" role="status">{t(T::AccountSaved)}</p> })}
        <ErrorAlert error=server/>
        <form class="form card account-form" aria-label=t(T::AccountTitle) on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveAccount { form: form.get_untracked() });
        }>
            <h2>{t(T::AccountAdministrative)}</h2>
            {text(T::LegalName, "legal_name", |f| &f.legal_name, |f| &mut f.legal_name)}
            {text(T::CommercialName, "commercial_name", |f| &f.commercial_name, |f| &mut f.commercial_name)}
            {text(T::Phone, "phone", |f| &f.phone, |f| &mut f.phone)}
            {text(T::CompanyEmail, "email", |f| &f.email, |f| &mut f.email)}
            {text(T::AddressStreet, "address_street", |f| &f.address_street, |f| &mut f.address_street)}
            {text(T::AddressPostcode, "address_postcode", |f| &f.address_postcode, |f| &mut f.address_postcode)}
            {text(T::AddressCity, "address_city", |f| &f.address_city, |f| &mut f.address_city)}
            <div class="field" class:field-invalid=move || problem("country").is_some()>
                <label for="account-country">{t(T::Country)}</label>
                <select id="account-country" name="country"
                    on:change:target=move |ev| form.update(|f| f.country = ev.target().value())>
                    <option value="" selected=p.form.country.is_empty()>"—"</option>
                    {countries.into_iter().map(|c| {
                        let selected = c == p.form.country;
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error">{move || problem("country").map(|p| problem_text(&p))}</p>
            </div>
            {text(T::VatNumber, "vat_number", |f| &f.vat_number, |f| &mut f.vat_number)}

            <h2>{t(T::AccountInvoicing)}</h2>
            <div class="field">
                <label for="account-invoicing_method">{t(T::InvoicingMethod)}</label>
                <select id="account-invoicing_method" name="invoicing_method"
                    on:change:target=move |ev| form.update(|f| f.invoicing_method = ev.target().value())>
                    <option value="email" selected=p.form.invoicing_method == "email">{t(T::InvoicingByEmail)}</option>
                    <option value="post" selected=p.form.invoicing_method == "post">{t(T::InvoicingByPost)}</option>
                </select>
            </div>
            {text(T::InvoicingEmail, "invoicing_email", |f| &f.invoicing_email, |f| &mut f.invoicing_email)}
            {text(T::InvoicingAddress, "invoicing_address", |f| &f.invoicing_address, |f| &mut f.invoicing_address)}

            <h2>{t(T::AccountSubscription)}</h2>
            <p>{t(T::SubscriptionType)} ": " <strong data-testid="subscription">{p.subscription.clone()}</strong></p>
            <ul class="options">
                {OPTIONS.iter().map(|o| {
                    let on = options.iter().any(|x| x == o);
                    view! { <li data-option=*o>{*o} " — " {t(if on { T::OptionIncluded } else { T::OptionAvailable })}</li> }
                }).collect_view()}
            </ul>

            <h2>{t(T::AccountLanguagesUrl)}</h2>
            <fieldset class="field" class:field-invalid=move || problem("languages").is_some()>
                <legend>{t(T::PaymentPageLanguages)}</legend>
                {Lang::ALL.into_iter().map(|l| {
                    let code = l.code();
                    view! {
                        <label class="checkbox">
                            <input type="checkbox" name="languages" value=code
                                prop:checked=move || form.with(|f| f.languages.iter().any(|x| x == code))
                                on:change:target=move |ev| {
                                    let on = ev.target().checked();
                                    form.update(|f| {
                                        f.languages.retain(|x| x != code);
                                        if on { f.languages.push(code.to_owned()); }
                                    })
                                }/>
                            <span>{l.native_name()}</span>
                        </label>
                    }
                }).collect_view()}
                <p class="field-error">{move || problem("languages").map(|p| problem_text(&p))}</p>
            </fieldset>
            {text(T::GeneralConditionsUrl, "general_conditions_url", |f| &f.general_conditions_url, |f| &mut f.general_conditions_url)}

            <h2>{t(T::AccountCurrencies)}</h2>
            {text(T::AcceptedCurrencies, "currencies", |f| &f.currencies, |f| &mut f.currencies)}

            <h2>{t(T::DataRetention)}</h2>
            <p class="muted">{t(T::DataRetentionHint)}</p>
            {text(T::RetentionDays, "retention_days", |f| &f.retention_days, |f| &mut f.retention_days)}
            <dl class="profile" data-testid="retention-status">
                <dt>{t(T::RetentionCutoff)}</dt><dd>{retention.cutoff.clone()}</dd>
                <dt>{t(T::RetentionNextRun)}</dt><dd data-testid="retention-next">{retention.next_run.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>{t(T::RetentionLastRun)}</dt><dd data-testid="retention-last">{retention.last_run.clone().unwrap_or_else(|| t(T::RetentionNeverRun).to_owned())}</dd>
                <dt>{t(T::RetentionLastCounts)}</dt><dd data-testid="retention-counts">{retention.last_counts.clone()}</dd>
            </dl>
            <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::Save)}</button>
        </form>
    }
}
