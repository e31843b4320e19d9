//! `/configuration/payment-methods` (MB-11, Admins): every method with its state and the
//! currencies and countries it serves; a switch per method and an edit form whose lists
//! are checked as typed with the domain's parsers and decided again on the server.

use super::api::{get_methods, SaveMethod};
use super::{MethodForm, MethodRow};
use crate::components::loaded;
use crate::components::{last_error, problem_text, ErrorAlert};
use crate::configuration::{failure, title};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use domain::methods;
use leptos::prelude::*;

/// The page.
#[component]
pub fn PaymentMethodsPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_methods());
    view! {
        {title(T::MethodsTitle)}
        <h1>{t(T::MethodsTitle)}</h1>
        <p class="muted">{t(T::MethodsIntro)}</p>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(page).await {
                    Err(e) => failure(&e),
                    Ok(rows) => view! { <MethodsTable rows=rows/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the browser already knows is wrong with `name` (the domain's parsers).
fn live_problem(f: &MethodForm, name: &str) -> Option<Problem> {
    match name {
        "currencies" => methods::parse_currencies(&f.currencies)
            .is_err()
            .then_some(Problem::InvalidCurrency),
        "countries" => methods::parse_countries(&f.countries)
            .is_err()
            .then_some(Problem::InvalidCountry),
        _ => None,
    }
}

fn all_or(list: &str) -> String {
    if list.trim().is_empty() {
        t(T::MethodsAll).to_owned()
    } else {
        list.replace(',', ", ")
    }
}

#[component]
fn MethodsTable(rows: Vec<MethodRow>) -> impl IntoView {
    let rows = RwSignal::new(rows);
    let editing = RwSignal::new(None::<MethodForm>);
    let save = ServerAction::<SaveMethod>::new();
    let server = last_error(save.value());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            rows.update(|rs| {
                if let Some(r) = rs.iter_mut().find(|r| r.code == saved.code) {
                    *r = saved.clone();
                }
            });
            editing.set(None);
        }
    });
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        {move || saved().then(|| view! { <p class="alert alert-success" role="status">{t(T::MethodsSaved)}</p> })}
        {move || editing.get().is_none().then(|| view! { <ErrorAlert error=server/> })}
        <div class="table-wrap">
            <table class="table" data-testid="payment-methods">
                <thead><tr>
                    <th scope="col">{t(T::MethodsMethod)}</th>
                    <th scope="col">{t(T::MethodsProductId)}</th>
                    <th scope="col">{t(T::StatusLabel)}</th>
                    <th scope="col">{t(T::MethodsCurrencies)}</th>
                    <th scope="col">{t(T::MethodsCountries)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| (r.code, r.active, r.currencies.clone(), r.countries.clone()) let:row>
                        {
                            let toggle_form = MethodForm { active: !row.active, ..MethodForm::of(&row) };
                            let edit_form = MethodForm::of(&row);
                            let toggle_label = t(if row.active { T::MethodsDeactivate } else { T::MethodsActivate })
                                .replace("{method}", &row.name);
                            let edit_label = t(T::MethodsEditAria).replace("{method}", &row.name);
                            view! {
                                <tr data-method=row.code>
                                    <th scope="row">{row.name.clone()}</th>
                                    <td class="mono">{row.code}</td>
                                    <td>{if row.active {
                                        view! { <span class="status status-done">{t(T::MethodsActive)}</span> }
                                    } else {
                                        view! { <span class="status status-expired">{t(T::MethodsInactive)}</span> }
                                    }}</td>
                                    <td>{all_or(&row.currencies)}</td>
                                    <td>{all_or(&row.countries)}</td>
                                    <td class="actions">
                                        <button type="button" class="button" aria-label=toggle_label.clone()
                                            disabled=move || save.pending().get()
                                            on:click=move |_| { save.dispatch(SaveMethod { form: toggle_form.clone() }); }>
                                            {t(if row.active { T::MethodsDeactivateShort } else { T::MethodsActivateShort })}
                                        </button>
                                        " "
                                        <button type="button" class="button" aria-label=edit_label
                                            on:click=move |_| editing.set(Some(edit_form.clone()))>{t(T::Edit)}</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
        {move || editing.get().map(|f| view! { <MethodEditor start=f save=save server=server editing=editing rows=rows/> })}
        <super::wallets::WalletSwitches rows=rows save=save/>
    }
}

#[component]
fn MethodEditor(
    start: MethodForm,
    save: ServerAction<SaveMethod>,
    server: Signal<Option<AppError>>,
    editing: RwSignal<Option<MethodForm>>,
    rows: RwSignal<Vec<MethodRow>>,
) -> impl IntoView {
    let form = RwSignal::new(start.clone());
    let name = rows.with_untracked(|rs| {
        rs.iter()
            .find(|r| r.code == start.code)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    });
    let heading = t(T::MethodsEditTitle).replace("{method}", &name);
    let problem = move |field: &'static str| {
        form.with(|f| live_problem(f, field)).or_else(|| {
            server
                .get()
                .and_then(|e: AppError| e.problem_for(field).cloned())
        })
    };
    let list_field = move |label: T, hint: T, field: &'static str| {
        let id = format!("method-{field}");
        let error_id = format!("{id}-error");
        let hint_id = format!("{id}-hint");
        view! {
            <div class="field" class:field-invalid=move || problem(field).is_some()>
                <label for=id.clone()>{t(label)}</label>
                <input id=id name=field type="text" autocomplete="off"
                    aria-describedby=format!("{hint_id} {error_id}")
                    aria-invalid=move || problem(field).is_some().to_string()
                    prop:value=move || form.with(|f| if field == "currencies" { f.currencies.clone() } else { f.countries.clone() })
                    on:input:target=move |ev| form.update(|f| {
                        let v = ev.target().value();
                        if field == "currencies" { f.currencies = v } else { f.countries = v }
                    })/>
                <p class="muted" id=hint_id>{t(hint)}</p>
                <p class="field-error" id=error_id>{move || problem(field).map(|p| problem_text(&p))}</p>
            </div>
        }
    };
    view! {
        <form class="form card" aria-label=heading.clone() on:submit=move |ev| {
            ev.prevent_default();
            let f = form.get_untracked();
            if live_problem(&f, "currencies").is_none() && live_problem(&f, "countries").is_none() {
                save.dispatch(SaveMethod { form: f });
            }
        }>
            <h2>{heading.clone()}</h2>
            <ErrorAlert error=server/>
            <label class="checkbox">
                <input type="checkbox" name="active"
                    prop:checked=move || form.with(|f| f.active)
                    on:change:target=move |ev| form.update(|f| f.active = ev.target().checked())/>
                <span>{t(T::MethodsActiveLabel)}</span>
            </label>
            {list_field(T::MethodsCurrencies, T::MethodsCurrenciesHint, "currencies")}
            {list_field(T::MethodsCountries, T::MethodsCountriesHint, "countries")}
            <div class="form-actions">
                <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::MethodsSave).replace("{method}", &name)}</button>
                " "
                <button type="button" class="button" on:click=move |_| editing.set(None)>{t(T::Cancel)}</button>
            </div>
        </form>
    }
}
