//! The support portal's requests (SP-4..SP-6): raise an incident or a request, the
//! requests list with its scopes and filters in the URL, and a request's page with its
//! activity, comments, sharing and the reporter's status actions.

use crate::components::{error_text, field_problem, last_error, problem_text, ErrorAlert};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::support::tickets::api::{
    list_tickets, load_support_areas, load_ticket, ActOnTicket, AddTicketParticipant, AssignTicket,
    CommentTicket, NoteTicket, RaiseTicket, SetTicketPriority, ShareTicket,
};
use crate::support::tickets::{
    NewTicketForm, SupportAreaView, TicketDetail, TicketsPage, TicketsQuery,
};
use crate::url::encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// A status code in words.
pub fn status_text(code: &str) -> &'static str {
    t(match code {
        "backlog" => T::TicketBacklog,
        "in_progress" => T::TicketInProgress,
        "waiting_for_reporter" => T::TicketWaiting,
        "resolved" => T::TicketResolved,
        "closed" => T::TicketClosed,
        _ => T::TicketCancelled,
    })
}

/// A priority code in words.
pub fn priority_text(code: &str) -> &'static str {
    t(match code {
        "highest" => T::PriorityHighest,
        "high" => T::PriorityHigh,
        "low" => T::PriorityLow,
        "lowest" => T::PriorityLowest,
        _ => T::PriorityMedium,
    })
}

/// A ticket kind in words.
pub fn kind_text(kind: &str) -> &'static str {
    t(if kind == "incident" {
        T::KindIncident
    } else {
        T::KindRequest
    })
}

const EMOJI: [&str; 8] = ["👍", "✅", "❌", "🙏", "🎉", "⚠️", "🔥", "👀"];

/// A Markdown text area with its toolbar (style, bold, italic, lists, link, code, table,
/// @mention of `people`, emoji) and a live preview rendered by the domain's safe renderer.
#[component]
pub fn RichTextEditor(
    /// Field name (the server reports problems on it).
    name: &'static str,
    /// Label.
    label: T,
    /// The text.
    text: RwSignal<String>,
    /// People who may be mentioned.
    #[prop(optional)]
    people: Vec<String>,
    /// The last error of the form's action.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("editor-{name}");
    let area: NodeRef<leptos::html::Textarea> = NodeRef::new();
    // Wraps the selection in `before`/`after` (or inserts them at the caret), then puts
    // the caret back inside, as word processors do. Positions are UTF-16 units, as the
    // DOM counts them.
    let wrap = move |before: &str, after: &str| {
        let current: Vec<u16> = text.get_untracked().encode_utf16().collect();
        let element = area.get_untracked();
        let (start, end) = element
            .as_ref()
            .map(|el| {
                let s = el.selection_start().ok().flatten().unwrap_or(0) as usize;
                let e = el.selection_end().ok().flatten().unwrap_or(0) as usize;
                (s, e)
            })
            .unwrap_or((current.len(), current.len()));
        let start = start.min(current.len());
        let end = end.clamp(start, current.len());
        let before16: Vec<u16> = before.encode_utf16().collect();
        let after16: Vec<u16> = after.encode_utf16().collect();
        let mut next = current[..start].to_vec();
        next.extend(&before16);
        next.extend(&current[start..end]);
        next.extend(&after16);
        next.extend(&current[end..]);
        let next = String::from_utf16_lossy(&next);
        if let Some(el) = element {
            el.set_value(&next);
            let caret = (start + before16.len()) as u32;
            let _ = el.set_selection_range(caret, caret + (end - start) as u32);
            let _ = el.focus();
        }
        text.set(next);
    };
    let button = move |label: T, glyph: &'static str, before: &'static str, after: &'static str| {
        view! {
            <button type="button" class="button ghost editor-button" title=t(label) aria-label=t(label)
                on:click=move |_| wrap(before, after)>{glyph}</button>
        }
    };
    let problem = move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    let mention_people = people.clone();
    view! {
        <div class="field editor" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <div class="editor-toolbar" role="toolbar" aria-label=t(T::EditorToolbar) aria-controls=id.clone()>
                {button(T::EditorHeading, "H", "### ", "")}
                {button(T::EditorBold, "B", "**", "**")}
                {button(T::EditorItalic, "I", "_", "_")}
                {button(T::EditorList, "•", "\n- ", "")}
                {button(T::EditorNumbered, "1.", "\n1. ", "")}
                {button(T::EditorLink, "🔗", "[", "](https://)")}
                {button(T::EditorCode, "</>", "`", "`")}
                {button(T::EditorTable, "▦", "\n| Column | Column |\n|---|---|\n| ", " |  |\n")}
                {(!mention_people.is_empty()).then(|| view! {
                    <details class="menu editor-menu">
                        <summary aria-label=t(T::EditorMention)>"@"</summary>
                        <div class="menu-panel">
                            {mention_people.iter().map(|person| {
                                let mention = format!("@[{person}] ");
                                view! { <button type="button" class="menu-item" on:click=move |_| wrap(&mention, "")>{person.clone()}</button> }
                            }).collect_view()}
                        </div>
                    </details>
                })}
                <details class="menu editor-menu">
                    <summary aria-label=t(T::EditorEmoji)>"😊"</summary>
                    <div class="menu-panel emoji-panel">
                        {EMOJI.into_iter().map(|e| view! {
                            <button type="button" class="menu-item" on:click=move |_| wrap(e, "")>{e}</button>
                        }).collect_view()}
                    </div>
                </details>
            </div>
            <textarea id=id name=name rows="6" node_ref=area
                aria-invalid=move || problem().is_some().to_string()
                prop:value=move || text.get()
                on:input:target=move |ev| text.set(ev.target().value())></textarea>
            <p class="field-error">{problem}</p>
            {move || (!text.get().trim().is_empty()).then(|| view! {
                <div class="editor-preview" aria-label=t(T::EditorPreview)>
                    <p class="muted">{t(T::EditorPreview)}</p>
                    <div class="rich-text" inner_html=domain::markup::render(&text.get())></div>
                </div>
            })}
        </div>
    }
}

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
    let raise = ServerAction::<RaiseTicket>::new();
    let error = last_error(raise.value());
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
            raise.dispatch(RaiseTicket {
                form: NewTicketForm {
                    request_type: request_type.get_untracked(),
                    summary: summary.get_untracked(),
                    description: description.get_untracked(),
                    impact: impact.get_untracked(),
                    urgency: urgency.get_untracked(),
                    payment_id: payment.clone(),
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
                                    <RichTextEditor name="description" label=T::DescriptionLabel text=description error=error/>
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

fn query_from(q: &leptos_router::params::ParamsMap) -> TicketsQuery {
    TicketsQuery {
        scope: q.get("scope").unwrap_or_default(),
        status: q.get("status").unwrap_or_default(),
        request_type: q.get("type").unwrap_or_default(),
        search: q.get("q").unwrap_or_default(),
        sort: q.get("sort").unwrap_or_default(),
        dir: q.get("dir").unwrap_or_default(),
        page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        assignee: q.get("assignee").unwrap_or_default(),
        area: q.get("area").unwrap_or_default(),
        priority: q.get("priority").unwrap_or_default(),
        organization: q.get("organization").unwrap_or_default(),
    }
}

fn list_href(base: &str, q: &TicketsQuery) -> String {
    let parts: Vec<String> = [
        ("scope", q.scope.clone()),
        ("assignee", q.assignee.clone()),
        ("status", q.status.clone()),
        ("type", q.request_type.clone()),
        ("area", q.area.clone()),
        ("priority", q.priority.clone()),
        ("organization", q.organization.clone()),
        ("q", q.search.clone()),
        ("sort", q.sort.clone()),
        ("dir", q.dir.clone()),
        (
            "page",
            if q.page > 1 {
                q.page.to_string()
            } else {
                String::new()
            },
        ),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(&v)))
    .collect();
    if parts.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", parts.join("&"))
    }
}

/// A size in bytes, for people.
fn file_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{bytes} B")
    }
}

/// A service level's state as a badge.
pub fn sla_badge(state: &str) -> impl IntoView {
    let (class, label) = match state {
        "met" => ("status status-done", T::SlaMet),
        "breached" => ("status status-failed", T::SlaBreached),
        "at_risk" => ("status status-new", T::SlaAtRisk),
        "running" => ("status", T::SlaRunning),
        _ => return None,
    };
    Some(view! { <span class=class data-sla=state.to_owned()>{t(label)}</span> })
}

/// The requests list's table; `base` is the page it sorts and pages on. Agents' lists
/// also show the organization and the service level.
pub fn tickets_table(list: TicketsPage, q: TicketsQuery, base: &'static str) -> AnyView {
    if list.rows.is_empty() {
        return view! { <p class="empty">{t(T::NoTickets)}</p> }.into_any();
    }
    let header = |label: T, column: &'static str| {
        let current = q.sort == column || (q.sort.is_empty() && column == "updated");
        let dir = if current && q.dir != "asc" {
            "asc"
        } else {
            "desc"
        };
        let href = list_href(
            base,
            &TicketsQuery {
                sort: column.to_owned(),
                dir: dir.to_owned(),
                page: 1,
                ..q.clone()
            },
        );
        let sort = match (current, q.dir.as_str()) {
            (false, _) => "none",
            (true, "asc") => "ascending",
            _ => "descending",
        };
        view! { <th scope="col" aria-sort=sort><a href=href>{t(label)}</a></th> }
    };
    let plain = |label: T| view! { <th scope="col">{t(label)}</th> };
    let agent = list.for_agent;
    let page_of = t(T::PageOf)
        .replace("{page}", &list.page.to_string())
        .replace("{pages}", &list.pages.to_string());
    let prev = (list.page > 1).then(|| {
        view! { <a class="button" href=list_href(base, &TicketsQuery { page: list.page - 1, ..q.clone() })>{t(T::Previous)}</a> }
    });
    let next = (list.page < list.pages).then(|| {
        view! { <a class="button" href=list_href(base, &TicketsQuery { page: list.page + 1, ..q.clone() })>{t(T::Next)}</a> }
    });
    view! {
        <div class="card table-wrap">
            <table class="table" data-testid="requests">
                <thead><tr>
                    {plain(T::TicketType)}
                    {header(T::TicketReference, "reference")}
                    {header(T::TicketSummary, "summary")}
                    {header(T::StatusLabel, "status")}
                    {plain(T::TicketProject)}
                    {plain(T::TicketRequester)}
                    {header(T::CreatedLabel, "created")}
                    {header(T::DateUpdated, "updated")}
                    {plain(T::TicketAssignee)}
                    {header(T::TicketPriority, "priority")}
                    {agent.then(|| plain(T::OrganizationLabel))}
                    {agent.then(|| plain(T::SlaLabel))}
                </tr></thead>
                <tbody>
                    {list.rows.into_iter().map(|r| view! {
                        <tr>
                            <td>{kind_text(&r.kind)}</td>
                            <td class="mono"><a href=format!("/support/requests/{}", r.reference)>{r.reference.clone()}</a></td>
                            <td>{r.summary.clone()}</td>
                            <td><span class=format!("status ticket-{}", r.status)>{status_text(&r.status)}</span></td>
                            <td>{r.area.clone()}</td>
                            <td>{r.requester.clone()}</td>
                            <td>{r.created.clone()}</td>
                            <td>{r.updated.clone()}</td>
                            <td>{if r.assignee.is_empty() { t(T::TicketUnassigned).to_owned() } else { r.assignee.clone() }}</td>
                            <td>{priority_text(&r.priority)}</td>
                            {agent.then(|| view! { <td>{r.organization.clone()}</td> })}
                            {agent.then(|| view! { <td>{sla_badge(&r.sla)}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=page_of.clone()>{prev}<span>{page_of.clone()}</span>{next}</nav>
    }
    .into_any()
}

/// `/support/requests?scope=&status=&type=&q=&sort=&dir=&page=`.
#[component]
pub fn TicketsPage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| query.with(query_from));
    let list = Resource::new(move || current.get(), list_tickets);
    let option = |value: &'static str, label: T, selected: &str| {
        view! { <option value=value selected=selected == value>{t(label)}</option> }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportRequests))/>
        <div class="list-head">
            <h1>{t(T::SupportRequests)}</h1>
            <a class="button primary" href="/support/requests/new?kind=incident">{t(T::SupportRaiseIncident)}</a>
            <a class="button" href="/support/requests/new?kind=request">{t(T::SupportSubmitRequest)}</a>
        </div>
        {move || {
            let q = current.get();
            view! {
                <form class="form card filter-form" method="get" action="/support/requests">
                    <div class="filter-grid">
                        <div class="field">
                            <label for="requests-scope">{t(T::FilterTitle)}</label>
                            <select id="requests-scope" name="scope">
                                {option("", T::ScopeAll, &q.scope)}
                                {option("mine", T::ScopeMine, &q.scope)}
                                {option("participant", T::ScopeParticipant, &q.scope)}
                                {option("organization", T::ScopeOrganization, &q.scope)}
                            </select>
                        </div>
                        <div class="field">
                            <label for="requests-status">{t(T::StatusLabel)}</label>
                            <select id="requests-status" name="status">
                                {option("", T::FilterOpen, &q.status)}
                                {option("closed", T::FilterClosed, &q.status)}
                                {option("all", T::ScopeAll, &q.status)}
                                {option("only:backlog", T::TicketBacklog, &q.status)}
                                {option("only:in_progress", T::TicketInProgress, &q.status)}
                                {option("only:waiting_for_reporter", T::TicketWaiting, &q.status)}
                                {option("only:resolved", T::TicketResolved, &q.status)}
                                {option("only:closed", T::TicketClosed, &q.status)}
                                {option("only:cancelled", T::TicketCancelled, &q.status)}
                            </select>
                        </div>
                        <div class="field">
                            <label for="requests-type">{t(T::TicketRequestType)}</label>
                            <select id="requests-type" name="type">
                                <option value="">{t(T::TicketAnyType)}</option>
                                <Suspense fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        let chosen = current.get_untracked().request_type;
                                        list.await.map(|l| l.request_types.into_iter().map(|rt| {
                                            let id = rt.id.to_string();
                                            view! { <option value=id.clone() selected=id == chosen>{rt.name}</option> }
                                        }).collect_view()).ok()
                                    })}
                                </Suspense>
                            </select>
                        </div>
                        <div class="field">
                            <label for="requests-q">{t(T::SearchRequests)}</label>
                            <input id="requests-q" name="q" type="search" value=q.search.clone()/>
                        </div>
                    </div>
                    <input type="hidden" name="sort" value=q.sort.clone()/>
                    <input type="hidden" name="dir" value=q.dir.clone()/>
                    <div class="actions"><button type="submit" class="button primary">{t(T::Search)}</button></div>
                </form>
            }
        }}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => tickets_table(page, current.get_untracked(), "/support/requests"),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/requests/:reference`.
#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let reference = move || params.with(|p| p.get("reference")).unwrap_or_default();
    let raised = query.with_untracked(|q| q.get("raised").is_some());
    let comment = ServerAction::<CommentTicket>::new();
    let act = ServerAction::<ActOnTicket>::new();
    let share = ServerAction::<ShareTicket>::new();
    let participant = ServerAction::<AddTicketParticipant>::new();
    let note = ServerAction::<NoteTicket>::new();
    let assign = ServerAction::<AssignTicket>::new();
    let priority = ServerAction::<SetTicketPriority>::new();
    let detail = Resource::new(
        move || {
            (
                reference(),
                comment.version().get(),
                act.version().get(),
                share.version().get(),
                participant.version().get(),
                note.version().get(),
                assign.version().get(),
                priority.version().get(),
            )
        },
        |(r, ..)| load_ticket(r),
    );
    let attach_problem = StoredValue::new(query.with_untracked(|q| {
        q.get("attach_error")
            .and_then(|code| crate::error::Problem::from_upload_code(&code))
    }));
    let attached = StoredValue::new(
        query
            .with_untracked(|q| q.get("attached"))
            .unwrap_or_default(),
    );
    let note_error = last_error(note.value());
    let internal = RwSignal::new(false);
    let comment_error = last_error(comment.value());
    let act_error = last_error(act.value());
    let participant_error = last_error(participant.value());
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = comment.value().get() {
            body.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = note.value().get() {
            body.set(String::new());
        }
    });
    let view_detail = move |d: TicketDetail| {
        let reference = d.reference.clone();
        let mut people = vec![d.reporter.clone()];
        people.extend(d.participants.iter().cloned());
        if !d.assignee.is_empty() {
            people.push(d.assignee.clone());
        }
        people.dedup();
        let r1 = reference.clone();
        let r2 = reference.clone();
        let r3 = reference.clone();
        let r4 = reference.clone();
        let r5 = reference.clone();
        let r6 = reference.clone();
        let is_agent = d.for_agent;
        let can_attach = d.can_comment;
        let attach_problem = attach_problem.get_value();
        let attached = attached.get_value();
        view! {
            // The document title is written as raw text by the head renderer: angle
            // brackets of a typed summary never reach it.
            <Title text=format!("{} {} — OpenPSP", d.reference, d.summary.replace(['<', '>'], ""))/>
            <p class="muted mono">{d.reference.clone()}" · "{kind_text(&d.kind)}" · "{d.area.clone()}" · "{d.request_type.clone()}</p>
            <h1 data-testid="ticket-summary">{d.summary.clone()}</h1>
            <div class="pos-layout">
                <section class="card">
                    <div class="rich-text" data-testid="ticket-description" inner_html=d.description_html.clone()></div>
                </section>
                <section class="card">
                    <dl class="facts">
                        <dt>{t(T::StatusLabel)}</dt><dd><span class=format!("status ticket-{}", d.status) data-testid="ticket-status">{status_text(&d.status)}</span></dd>
                        <dt>{t(T::TicketPriority)}</dt><dd>{priority_text(&d.priority)}</dd>
                        <dt>{t(T::TicketRequester)}</dt><dd>{d.reporter.clone()}</dd>
                        <dt>{t(T::TicketAssignee)}</dt><dd>{if d.assignee.is_empty() { t(T::TicketUnassigned).to_owned() } else { d.assignee.clone() }}</dd>
                        <dt>{t(T::CreatedLabel)}</dt><dd>{d.created.clone()}</dd>
                        <dt>{t(T::DateUpdated)}</dt><dd>{d.updated.clone()}</dd>
                        <dt>{t(T::TicketParticipants)}</dt><dd data-testid="ticket-participants">{d.participants.join(", ")}</dd>
                        {(!d.payment_id.is_empty()).then(|| view! { <dt>{t(T::PaymentIdLabel)}</dt><dd class="mono">{d.payment_id.clone()}</dd> })}
                        {d.sla.clone().map(|sla| view! {
                            <dt>{t(T::SlaFirstResponse)}</dt><dd data-testid="sla-response">{sla.response_target.clone()}" "{sla_badge(&sla.response_state)}</dd>
                            <dt>{t(T::SlaResolution)}</dt><dd data-testid="sla-resolution">{sla.resolution_target.clone()}" "{sla_badge(&sla.resolution_state)}</dd>
                        })}
                    </dl>
                    <div class="actions">
                        {d.actions.iter().map(|a| {
                            let (label, class) = match a.as_str() {
                                "cancel" => (T::TicketCancel, "button danger"),
                                "reopen" => (T::TicketReopen, "button"),
                                "start" => (T::TicketStart, "button primary"),
                                "backlog" => (T::TicketToBacklog, "button"),
                                "request_information" => (T::TicketRequestInformation, "button"),
                                "resolve" => (T::TicketResolve, "button primary"),
                                _ => (T::TicketClose, "button"),
                            };
                            let (a, r) = (a.clone(), r1.clone());
                            view! {
                                <ActionForm action=act>
                                    <input type="hidden" name="reference" value=r/>
                                    <input type="hidden" name="action" value=a/>
                                    <button type="submit" class=class>{t(label)}</button>
                                </ActionForm>
                            }
                        }).collect_view()}
                    </div>
                    <ErrorAlert error=act_error/>
                    {(d.is_reporter && !d.organization.is_empty()).then(|| {
                        let (label, next) = if d.shared { (T::TicketUnshare, "false") } else { (T::TicketShare, "true") };
                        view! {
                            {d.shared.then(|| view! { <p class="muted">{t(T::TicketShared).replace("{organization}", &d.organization)}</p> })}
                            <ActionForm action=share>
                                <input type="hidden" name="reference" value=r2.clone()/>
                                <input type="hidden" name="shared" value=next/>
                                <button type="submit" class="button">{t(label).replace("{organization}", &d.organization)}</button>
                            </ActionForm>
                        }
                    })}
                    {d.is_reporter.then(|| view! {
                        <ActionForm action=participant attr:class="form inline-form">
                            <input type="hidden" name="reference" value=r3.clone()/>
                            <div class="field" class:field-invalid=move || participant_error.get().and_then(|e| e.problem_for("email").cloned()).is_some()>
                                <label for="participant-email">{t(T::TicketAddParticipant)}</label>
                                <input id="participant-email" name="email" type="email" autocomplete="off"/>
                                <p class="field-error">{move || participant_error.get().and_then(|e| e.problem_for("email").map(problem_text))}</p>
                            </div>
                            <button type="submit" class="button">{t(T::TicketAddParticipant)}</button>
                        </ActionForm>
                    })}
                    {is_agent.then(|| {
                        let current_assignee = d.assignee.clone();
                        let current_priority = d.priority.clone();
                        view! {
                            <ActionForm action=assign attr:class="form inline-form">
                                <input type="hidden" name="reference" value=r5.clone()/>
                                <div class="field">
                                    <label for="ticket-assignee">{t(T::TicketAssignee)}</label>
                                    <select id="ticket-assignee" name="agent">
                                        <option value="">{t(T::TicketUnassigned)}</option>
                                        {d.agents.iter().map(|(id, name)| view! {
                                            <option value=id.to_string() selected=*name == current_assignee>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="button">{t(T::TicketAssign)}</button>
                            </ActionForm>
                            <ActionForm action=priority attr:class="form inline-form">
                                <input type="hidden" name="reference" value=r6.clone()/>
                                <div class="field">
                                    <label for="ticket-priority">{t(T::TicketPriority)}</label>
                                    <select id="ticket-priority" name="priority">
                                        {domain::ticket::Priority::ALL.map(domain::ticket::Priority::code).into_iter().map(|p| view! {
                                            <option value=p selected=p == current_priority>{priority_text(p)}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="button">{t(T::Save)}</button>
                            </ActionForm>
                        }
                    })}
                </section>
            </div>
            {d.payment.clone().map(|p| view! {
                <section class="card" data-testid="ticket-payment">
                    <h2>{t(T::TicketPaymentSummary)}</h2>
                    <dl class="facts">
                        <dt>{t(T::PaymentIdLabel)}</dt><dd class="mono">{p.id}</dd>
                        <dt>"PSPID"</dt><dd class="mono">{p.merchant}</dd>
                        <dt>{t(T::AmountLabel)}</dt><dd>{p.amount}</dd>
                        <dt>{t(T::StatusLabel)}</dt><dd>{p.status}</dd>
                        <dt>{t(T::RefusalLabel)}</dt><dd>{if p.refusal.is_empty() { "—".to_owned() } else { p.refusal }}</dd>
                        <dt>{t(T::ChannelLabel)}</dt><dd>{p.channel}</dd>
                        <dt>{t(T::MethodLabel)}</dt><dd>{p.method}</dd>
                        <dt>{t(T::CreatedLabel)}</dt><dd>{p.created}</dd>
                    </dl>
                </section>
            })}
            <section class="card">
                <h2>{t(T::AttachmentsTitle)}</h2>
                {(!attached.is_empty()).then(|| view! {
                    <p class="alert alert-success" role="status">{t(T::AttachmentsAdded).replace("{n}", &attached)}</p>
                })}
                {if d.attachments.is_empty() {
                    view! { <p class="muted">{t(T::AttachmentsNone)}</p> }.into_any()
                } else {
                    view! {
                        <ul data-testid="ticket-attachments">
                            {d.attachments.iter().map(|a| view! {
                                <li>
                                    <a href=format!("/support/attachments/{}", a.id) download=a.name.clone()>{a.name.clone()}</a>
                                    <span class="muted">" · "{file_size(a.size)}" · "{a.uploader.clone()}" · "{a.date.clone()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {can_attach.then(|| view! {
                    <form class="form inline-form" method="post" enctype="multipart/form-data"
                        action=format!("/support/requests/{}/attachments", encode(&reference))>
                        <div class="field" class:field-invalid=attach_problem.is_some()>
                            <label for="ticket-file">{t(T::AttachmentsAdd)}</label>
                            <input id="ticket-file" name="file" type="file" multiple
                                aria-describedby="ticket-file-hint ticket-file-error"/>
                            <p class="muted" id="ticket-file-hint">{t(T::AttachmentsHint)}</p>
                            <p class="field-error" id="ticket-file-error">{attach_problem.as_ref().map(problem_text)}</p>
                        </div>
                        <button type="submit" class="button">{t(T::AttachmentsUpload)}</button>
                    </form>
                })}
            </section>
            <h2>{t(T::TicketActivity)}</h2>
            <ol class="activity" data-testid="ticket-activity">
                {d.history.into_iter().map(|e| {
                    let who = if e.author.is_empty() { t(T::TicketSystem).to_owned() } else { e.author.clone() };
                    match e.status {
                        Some(status) => view! {
                            <li class="activity-event"><strong>{who}</strong>" "{t(T::TicketStatusChanged).replace("{status}", status_text(&status))}<span class="muted">" · "{e.date}</span></li>
                        }.into_any(),
                        None => view! {
                            <li class="activity-comment card" class:by-agent=e.by_agent class:internal-note=e.internal>
                                <p><strong>{who}</strong>{e.by_agent.then(|| view! { " "<span class="status status-done">{t(T::SupportAgent)}</span> })}
                                    {e.internal.then(|| view! { " "<span class="status status-new" data-testid="internal-note">{t(T::TicketInternalNote)}</span> })}
                                    <span class="muted">" · "{e.date}</span></p>
                                <div class="rich-text" inner_html=e.html></div>
                            </li>
                        }.into_any(),
                    }
                }).collect_view()}
            </ol>
            {d.can_comment.then(|| {
                let r = r4.clone();
                let on_submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if internal.get_untracked() {
                        note.dispatch(NoteTicket { reference: r.clone(), body: body.get_untracked() });
                    } else {
                        comment.dispatch(CommentTicket { reference: r.clone(), body: body.get_untracked() });
                    }
                };
                let error = Signal::derive(move || {
                    if internal.get() { note_error.get() } else { comment_error.get() }
                });
                view! {
                    <form class="form card" on:submit=on_submit novalidate>
                        <ErrorAlert error=error/>
                        <RichTextEditor name="body" label=T::CommentLabel text=body people=people error=error/>
                        {is_agent.then(|| view! {
                            <label class="checkbox">
                                <input type="checkbox" name="internal" prop:checked=move || internal.get()
                                    on:change:target=move |ev| internal.set(ev.target().checked())/>
                                {t(T::TicketInternalNoteToggle)}
                            </label>
                        })}
                        <div class="actions">
                            <button type="submit" class="button primary" disabled=move || comment.pending().get() || note.pending().get()>
                                {move || t(if internal.get() { T::TicketAddNote } else { T::CommentSubmit })}
                            </button>
                        </div>
                    </form>
                }
            })}
        }
    };
    view! {
        {raised.then(|| view! {
            <p class="alert alert-success" role="status">{move || t(T::TicketRaised).replace("{reference}", &reference())}</p>
        })}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view_detail(d).into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
