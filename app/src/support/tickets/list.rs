//! The support portal's requests list (SP-5) with its scopes, filters and sorting in the
//! URL, and the words of ticket statuses, priorities and kinds shared by the portal.

use crate::components::loaded;
use crate::components::{error_text, pager};
use crate::i18n::{t, T};
use crate::support::tickets::api::list_tickets;
use crate::support::tickets::{TicketsPage, TicketsQuery};
use crate::url::encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
    let pages = pager(list.page, list.pages, |page| {
        list_href(base, &TicketsQuery { page, ..q.clone() })
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
        {pages}
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
                                        loaded(list).await.map(|l| l.request_types.into_iter().map(|rt| {
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
                match loaded(list).await {
                    Ok(page) => tickets_table(page, current.get_untracked(), "/support/requests"),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
