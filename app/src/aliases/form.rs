//! The Aliases page's dialogs that take input: a new alias by card entry and a new
//! expiry. Card fields are checked as typed by the domain's card rules (in WebAssembly)
//! and again on the server. The card number leaves the form's signal when the form is
//! sent: the request is sent from a task, not an action whose input would keep it.

use super::api::{create_alias, UpdateAliasExpiry};
use super::{AliasRow, NewAliasForm, MAX_CUSTOMER_ID, MAX_HOLDER};
use crate::components::{card_error_text, error_text, problem_text};
use crate::components::{today, CardField};
use crate::error::{AppError, FieldError, Problem};
use crate::i18n::{t, T};
use domain::card::CardNumber;
use domain::card_entry::{expiry_problem, number_problem};
use leptos::prelude::*;

/// A plain text field bound to `value`, with the server's problem for `name`.
fn text_field(
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<AppError>>,
    autocomplete: &'static str,
) -> impl IntoView {
    let id = format!("alias-{name}");
    let error_id = format!("{id}-error");
    let problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" autocomplete=autocomplete
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())/>
            <p class="field-error" id=error_id.clone()>{problem}</p>
        </div>
    }
}

/// The problems of the fields the domain does not check (holder, customer id).
fn plain_problems(holder: &str, customer: &str) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if holder.trim().is_empty() {
        problems.push(FieldError::new("holder", Problem::Required));
    } else if holder.trim().chars().count() > MAX_HOLDER {
        problems.push(FieldError::new("holder", Problem::TooLong));
    }
    if customer.trim().chars().count() > MAX_CUSTOMER_ID {
        problems.push(FieldError::new("customer_id", Problem::TooLong));
    }
    problems
}

/// The dialog that stores a card as a new alias; `done` receives the new alias.
#[component]
pub(super) fn CreateAliasDialog(open: RwSignal<bool>, done: Callback<AliasRow>) -> impl IntoView {
    let (number, expiry, holder, customer) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (n_touched, e_touched) = (RwSignal::new(false), RwSignal::new(false));
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let pending = RwSignal::new(false);
    let server = Signal::derive(move || error.get());
    let number_live = Signal::derive(move || number_problem(&number.get(), n_touched.get()));
    let expiry_live =
        Signal::derive(move || expiry_problem(&expiry.get(), e_touched.get(), today()));
    let brand = move || {
        CardNumber::parse(&number.get())
            .ok()
            .map(|c| c.brand().name())
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        n_touched.set(true);
        e_touched.set(true);
        let plain = plain_problems(&holder.get_untracked(), &customer.get_untracked());
        if number_live.get_untracked().is_some() || expiry_live.get_untracked().is_some() {
            error.set((!plain.is_empty()).then_some(AppError::Invalid(plain)));
            return;
        }
        if !plain.is_empty() {
            error.set(Some(AppError::Invalid(plain)));
            return;
        }
        // The number leaves the page's state now; the request carries it once.
        let form = NewAliasForm {
            number: number.get_untracked(),
            expiry: expiry.get_untracked(),
            holder: holder.get_untracked(),
            customer_id: customer.get_untracked(),
        };
        number.set(String::new());
        n_touched.set(false);
        error.set(None);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = create_alias(form).await;
            pending.set(false);
            match result {
                Ok(row) => {
                    open.set(false);
                    done.run(row);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="create-alias-title">
                <h2 id="create-alias-title">{t(T::AliasCreateTitle)}</h2>
                <p class="muted">{t(T::AliasCreateHint)}</p>
                {move || error.get().and_then(|e| error_text(&e)).map(|text| view! {
                    <p class="alert alert-error" role="alert">{text}</p>
                })}
                <form class="form" on:submit=on_submit novalidate>
                    <CardField label=T::CardNumberLabel name="number" autocomplete="off" inputmode="numeric"
                        value=number touched=n_touched live=number_live server=server/>
                    <p class="pay-brand muted" aria-live="polite">{brand}</p>
                    <CardField label=T::ExpiryLabel name="expiry" autocomplete="off" inputmode="numeric"
                        value=expiry touched=e_touched live=expiry_live server=server/>
                    {text_field(T::CardHolderLabel, "holder", holder, server, "off")}
                    {text_field(T::CustomerIdLabel, "customer_id", customer, server, "off")}
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || pending.get()>
                            {move || if pending.get() { t(T::Processing) } else { t(T::AliasCreate) }}
                        </button>
                        <button type="button" class="button" on:click=move |_| {
                            number.set(String::new());
                            open.set(false);
                        }>{t(T::Cancel)}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}

/// The dialog that gives `alias` a new expiry; `done` receives the changed alias.
#[component]
pub(super) fn ExpiryDialog(
    alias: AliasRow,
    editing: RwSignal<Option<AliasRow>>,
    done: Callback<AliasRow>,
) -> impl IntoView {
    let action = ServerAction::<UpdateAliasExpiry>::new();
    let expiry = RwSignal::new(alias.expiry.clone());
    let touched = RwSignal::new(false);
    let server = Signal::derive(move || action.value().get().and_then(Result::err));
    let live = move || expiry_problem(&expiry.get(), touched.get(), today());
    let message = move || {
        live().map(|e| card_error_text(e).to_owned()).or_else(|| {
            server
                .get()
                .and_then(|e| e.problem_for("expiry").map(problem_text))
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(row)) = action.value().get() {
            editing.set(None);
            done.run(row);
        }
    });
    let id = alias.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if live().is_some() {
            return;
        }
        action.dispatch(UpdateAliasExpiry {
            id: id.clone(),
            expiry: expiry.get_untracked(),
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="alias-expiry-title">
                <h2 id="alias-expiry-title">{t(T::AliasExpiryTitle).replace("{card}", &alias.masked_card)}</h2>
                <p class="muted mono">{alias.id.clone()}</p>
                {move || server.get().and_then(|e| error_text(&e)).map(|text| view! {
                    <p class="alert alert-error" role="alert">{text}</p>
                })}
                <form class="form" on:submit=on_submit novalidate>
                    <div class="field" class:field-invalid=move || message().is_some()>
                        <label for="alias-new-expiry">{t(T::ExpiryLabel)}</label>
                        <input id="alias-new-expiry" name="expiry" type="text" inputmode="numeric" autocomplete="off"
                            aria-invalid=move || message().is_some().to_string()
                            aria-describedby="alias-new-expiry-error"
                            prop:value=move || expiry.get()
                            on:input:target=move |ev| expiry.set(ev.target().value())
                            on:blur=move |_| touched.set(true)/>
                        <p class="field-error" id="alias-new-expiry-error">{message}</p>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::AliasExpirySave)}</button>
                        <button type="button" class="button" on:click=move |_| editing.set(None)>{t(T::Cancel)}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}
