//! Raise an incident or a request (SP-4), with attachments uploaded after it is created.

use super::editor::RichTextEditor;
use super::list::kind_text;
use crate::components::loaded;
use crate::components::{error_text, field_problem, last_error, ErrorAlert};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use crate::support::accounts::api::load_support_me;
use crate::support::tickets::api::{load_support_areas, RaiseTicket};
use crate::support::tickets::{checked_text, NewTicketForm, SupportAreaView};
use crate::url::encode;
use domain::ticket::MAX_TEXT_CHARS;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

/// `/support/requests/new?kind=incident|request&type=…`.
#[component]
pub fn NewTicketPage() -> impl IntoView {
    let query = use_query_map();
    let kind = query
        .with_untracked(|q| q.get("kind"))
        .unwrap_or_else(|| "request".to_owned());
    let chosen = query.with_untracked(|q| q.get("type")).unwrap_or_default();
    let payment = query
        .with_untracked(|q| q.get("payment"))
        .unwrap_or_default();
    // A ticket raised from a payment starts with what the agent needs to know of it.
    let prefill = if payment.is_empty() {
        String::new()
    } else {
        let status = query
            .with_untracked(|q| q.get("payment_status"))
            .unwrap_or_default();
        let refusal = query
            .with_untracked(|q| q.get("refusal"))
            .unwrap_or_default();
        format!(
            "Payment `{payment}`\n- Status: {status}\n- Refusal: {}\n\n",
            if refusal.is_empty() { "—" } else { &refusal }
        )
    };
    let areas = Resource::new(|| (), |_| load_support_areas());
    // A person of several organizations chooses which one the ticket goes to.
    let me = Resource::new(|| (), |_| load_support_me());
    let organization = RwSignal::new(String::new());
    let raise = ServerAction::<RaiseTicket>::new();
    // The domain's length rule, checked before sending: the same answer as the server's.
    let description_error = RwSignal::new(None::<AppError>);
    let raised = last_error(raise.value());
    let error = Signal::derive(move || description_error.get().or_else(|| raised.get()));
    let request_type = RwSignal::new(chosen);
    // The virtual agent's "Create a ticket" carries a summary and a description.
    let summary = RwSignal::new(
        query
            .with_untracked(|q| q.get("summary"))
            .unwrap_or_default(),
    );
    let carried = query
        .with_untracked(|q| q.get("description"))
        .unwrap_or_default();
    let description = RwSignal::new(format!("{prefill}{carried}"));
    let impact = RwSignal::new(String::new());
    let urgency = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(reference)) = raise.value().get() {
            // Chosen files go with the upload form once the ticket exists; its answer
            // is the ticket's page.
            if !upload_files(&reference) {
                navigate(
                    &format!("/support/requests/{reference}?raised=1"),
                    Default::default(),
                );
            }
        }
    });
    let heading = if kind == "incident" {
        T::SupportRaiseIncident
    } else {
        T::SupportSubmitRequest
    };
    let on_submit = {
        let payment = payment.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            // Too long is refused here; a missing description the server reports with the
            // form's other problems.
            if let Err(problem @ Problem::TooLong) = checked_text(&description.get_untracked()) {
                description_error.set(Some(AppError::field("description", problem)));
                return;
            }
            description_error.set(None);
            raise.dispatch(RaiseTicket {
                form: NewTicketForm {
                    request_type: request_type.get_untracked(),
                    summary: summary.get_untracked(),
                    description: description.get_untracked(),
                    impact: impact.get_untracked(),
                    urgency: urgency.get_untracked(),
                    payment_id: payment.clone(),
                    organization: organization.get_untracked(),
                },
            });
        }
    };
    let is_incident = move |areas: &[SupportAreaView]| {
        let id = request_type.get();
        areas
            .iter()
            .flat_map(|a| a.request_types.iter())
            .any(|t| t.id.to_string() == id && t.kind == "incident")
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(heading))/>
        <div class="narrow">
            <h1>{t(heading)}</h1>
            <ErrorAlert error=error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || {
                    let kind = kind.clone();
                    let on_submit = on_submit.clone();
                    let payment = payment.clone();
                    Suspend::new(async move {
                    let memberships = loaded(me).await.map(|m| m.memberships).unwrap_or_default();
                    if memberships.len() > 1 && organization.get_untracked().is_empty() {
                        organization.set(memberships[0].0.to_string());
                    }
                    match areas.await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(areas) => {
                            if request_type.get_untracked().is_empty() {
                                if let Some(first) = areas.iter().flat_map(|a| a.request_types.iter()).find(|t| t.kind == kind) {
                                    request_type.set(first.id.to_string());
                                }
                            }
                            let stored = StoredValue::new(areas.clone());
                            let type_problem = field_problem(error, "request_type");
                            let summary_problem = field_problem(error, "summary");
                            let impact_problem = field_problem(error, "impact");
                            let urgency_problem = field_problem(error, "urgency");
                            let organization_problem = field_problem(error, "organization");
                            view! {
                                <form class="form card" on:submit=on_submit novalidate>
                                    {(!payment.is_empty()).then(|| view! {
                                        <p class="muted">{t(T::PaymentIdLabel)}": "<span class="mono">{payment.clone()}</span></p>
                                    })}
                                    <div class="field" class:field-invalid=move || type_problem().is_some()>
                                        <label for="ticket-type">{t(T::TicketRequestType)}</label>
                                        <select id="ticket-type" name="request_type" prop:value=move || request_type.get()
                                            on:change:target=move |ev| request_type.set(ev.target().value())>
                                            {areas.iter().map(|a| view! {
                                                <optgroup label=a.name.clone()>
                                                    {a.request_types.iter().map(|rt| view! {
                                                        <option value=rt.id.to_string()>{format!("{} — {}", rt.name, kind_text(&rt.kind))}</option>
                                                    }).collect_view()}
                                                </optgroup>
                                            }).collect_view()}
                                        </select>
                                        <p class="field-error">{type_problem}</p>
                                    </div>
                                    {(memberships.len() > 1).then(|| view! {
                                        <div class="field" class:field-invalid=move || organization_problem().is_some()>
                                            <label for="ticket-organization">{t(T::OrganizationLabel)}</label>
                                            <select id="ticket-organization" name="organization" prop:value=move || organization.get()
                                                on:change:target=move |ev| organization.set(ev.target().value())>
                                                {memberships.iter().map(|(id, name)| view! {
                                                    <option value=id.to_string()>{name.clone()}</option>
                                                }).collect_view()}
                                            </select>
                                            <p class="field-error">{organization_problem}</p>
                                        </div>
                                    })}
                                    <div class="field" class:field-invalid=move || summary_problem().is_some()>
                                        <label for="ticket-summary">{t(T::TicketSummary)}</label>
                                        <input id="ticket-summary" name="summary" type="text" maxlength="200" autocomplete="off"
                                            prop:value=move || summary.get()
                                            on:input:target=move |ev| summary.set(ev.target().value())/>
                                        <p class="field-error">{summary_problem}</p>
                                    </div>
                                    {move || stored.with_value(|a| is_incident(a)).then(|| view! {
                                        <div class="field-row">
                                            <div class="field" class:field-invalid=move || impact_problem().is_some()>
                                                <label for="ticket-impact">{t(T::ImpactLabel)}</label>
                                                <select id="ticket-impact" name="impact" on:change:target=move |ev| impact.set(ev.target().value())>
                                                    <option value="">"—"</option>
                                                    <option value="extensive">{t(T::ImpactExtensive)}</option>
                                                    <option value="significant">{t(T::ImpactSignificant)}</option>
                                                    <option value="moderate">{t(T::ImpactModerate)}</option>
                                                    <option value="minor">{t(T::ImpactMinor)}</option>
                                                </select>
                                                <p class="field-error">{impact_problem}</p>
                                            </div>
                                            <div class="field" class:field-invalid=move || urgency_problem().is_some()>
                                                <label for="ticket-urgency">{t(T::UrgencyLabel)}</label>
                                                <select id="ticket-urgency" name="urgency" on:change:target=move |ev| urgency.set(ev.target().value())>
                                                    <option value="">"—"</option>
                                                    <option value="critical">{t(T::UrgencyCritical)}</option>
                                                    <option value="high">{t(T::UrgencyHigh)}</option>
                                                    <option value="medium">{t(T::UrgencyMedium)}</option>
                                                    <option value="low">{t(T::UrgencyLow)}</option>
                                                </select>
                                                <p class="field-error">{urgency_problem}</p>
                                            </div>
                                        </div>
                                    })}
                                    <RichTextEditor name="description" label=T::DescriptionLabel text=description max_chars=MAX_TEXT_CHARS error=error/>
                                    {view! {
                                        <div class="field">
                                            <label for="ticket-files-input">{t(T::AttachmentsAdd)}</label>
                                            <input id="ticket-files-input" name="file" type="file" multiple form="ticket-files"
                                                aria-describedby="ticket-files-hint"/>
                                            <p class="muted" id="ticket-files-hint">{t(T::AttachmentsHint)}</p>
                                        </div>
                                    }.into_any()}
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || raise.pending().get()>{t(T::TicketSend)}</button>
                                    </div>
                                </form>
                                // The files' own form (forms cannot nest): its action is set once
                                // the ticket has a reference.
                                <form id="ticket-files" method="post" enctype="multipart/form-data" hidden>
                                    <input type="hidden" name="raised" value="1"/>
                                </form>
                            }.into_any()
                        }
                    }
                })}}
            </Suspense>
        </div>
    }
}

/// Submits the new-ticket page's chosen files to the ticket `reference`; `false` when
/// none was chosen.
fn upload_files(reference: &str) -> bool {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let chosen = document
        .get_element_by_id("ticket-files-input")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .is_some_and(|files| files.length() > 0);
    let form = document
        .get_element_by_id("ticket-files")
        .and_then(|e| e.dyn_into::<web_sys::HtmlFormElement>().ok());
    match form {
        Some(form) if chosen => {
            form.set_action(&format!(
                "/support/requests/{}/attachments",
                encode(reference)
            ));
            form.submit().is_ok()
        }
        _ => false,
    }
}
