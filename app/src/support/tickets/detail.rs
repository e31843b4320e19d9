//! A request's page (SP-6): its activity, comments, attachments, sharing, participants,
//! the reporter's status actions, and the agents' tools (note, assignment, priority).

use super::editor::RichTextEditor;
use super::list::{kind_text, priority_text, sla_badge, status_text};
use crate::components::loaded;
use crate::components::{error_text, last_error, problem_text, ErrorAlert};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::support::tickets::api::{
    load_ticket, ActOnTicket, AddTicketParticipant, AssignTicket, CommentTicket, NoteTicket,
    SetTicketPriority, ShareTicket,
};
use crate::support::tickets::{checked_text, TicketDetail};
use crate::url::encode;
use domain::ticket::{TicketAction, MAX_TEXT_CHARS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
    // The domain's text rule, checked before sending: the same answer as the server's.
    let body_error = RwSignal::new(None::<AppError>);
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
                            let (label, class) = match TicketAction::parse(a) {
                                Some(TicketAction::Cancel) => (T::TicketCancel, "button danger"),
                                Some(TicketAction::Reopen) => (T::TicketReopen, "button"),
                                Some(TicketAction::StartWork) => (T::TicketStart, "button primary"),
                                Some(TicketAction::BackToBacklog) => (T::TicketToBacklog, "button"),
                                Some(TicketAction::RequestInformation) => (T::TicketRequestInformation, "button"),
                                Some(TicketAction::Resolve) => (T::TicketResolve, "button primary"),
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
                    let text = body.get_untracked();
                    if let Err(problem) = checked_text(&text) {
                        body_error.set(Some(AppError::field("body", problem)));
                        return;
                    }
                    body_error.set(None);
                    if internal.get_untracked() {
                        note.dispatch(NoteTicket { reference: r.clone(), body: text });
                    } else {
                        comment.dispatch(CommentTicket { reference: r.clone(), body: text });
                    }
                };
                let error = Signal::derive(move || {
                    body_error.get().or_else(|| if internal.get() { note_error.get() } else { comment_error.get() })
                });
                view! {
                    <form class="form card" on:submit=on_submit novalidate>
                        <ErrorAlert error=error/>
                        <RichTextEditor name="body" label=T::CommentLabel text=body people=people max_chars=MAX_TEXT_CHARS error=error/>
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
                match loaded(detail).await {
                    Ok(d) => view_detail(d).into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
