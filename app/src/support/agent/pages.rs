//! The agents' console (SP-8) under `/support/agent`: the queue with its filters, the
//! knowledge base's articles, announcements, organizations and invitations, and the
//! product areas with their request types. Every server function checks that the
//! signed-in person is an agent; these pages only arrange them.

use crate::components::loaded;
use crate::components::{error_text, field_problem, last_error, ErrorAlert};
use crate::i18n::{t, T};
use crate::support::agent::api::{
    load_support_organizations, AddSupportArea, AddSupportRequestType, InviteSupportPerson,
};
use crate::support::knowledge::api::{
    load_announcements, load_article, load_articles, SaveAnnouncement, SaveArticle,
};
use crate::support::knowledge::ArticleForm;
use crate::support::tickets::api::{list_tickets, load_support_areas};
use crate::support::tickets::editor::RichTextEditor;
use crate::support::tickets::list::tickets_table;
use crate::support::tickets::TicketsQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The console's tabs.
#[component]
pub(super) fn AgentNav(current: &'static str) -> impl IntoView {
    let tabs = [
        ("/support/agent", T::AgentQueue),
        ("/support/agent/articles", T::KbTitle),
        ("/support/agent/announcements", T::AnnouncementsTitle),
        ("/support/agent/people", T::AgentPeople),
        ("/support/agent/catalogue", T::SupportAreas),
        ("/support/agent/terminals", T::AgentTerminals),
        ("/support/status", T::StatusPageTitle),
    ];
    view! {
        <nav class="tabs" aria-label=t(T::AgentConsole)>
            {tabs.into_iter().map(|(href, label)| view! {
                <a class="tab" href=href aria-current=(href == current).then_some("page")>{t(label)}</a>
            }).collect_view()}
        </nav>
    }
}

/// `/support/agent?assignee=&status=&area=&priority=&organization=&q=`: the queue.
#[component]
pub fn AgentQueuePage() -> impl IntoView {
    let query = use_query_map();
    let current = Memo::new(move |_| {
        query.with(|q| TicketsQuery {
            assignee: q.get("assignee").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            area: q.get("area").unwrap_or_default(),
            priority: q.get("priority").unwrap_or_default(),
            organization: q.get("organization").unwrap_or_default(),
            search: q.get("q").unwrap_or_default(),
            sort: q.get("sort").unwrap_or_default(),
            dir: q.get("dir").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            ..Default::default()
        })
    });
    let list = Resource::new(move || current.get(), list_tickets);
    let option = |value: String, label: String, selected: &str| {
        let is = selected == value;
        view! { <option value=value selected=is>{label}</option> }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::AgentQueue))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent"/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let q = current.get_untracked();
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(page) if !page.for_agent => {
                        // Customers get their own list, never the queue.
                        let _ = page;
                        view! { <p class="alert alert-error" role="alert">{t(T::ErrForbidden)}</p> }.into_any()
                    }
                    Ok(page) => view! {
                        <form class="form card filter-form" method="get" action="/support/agent">
                            <div class="filter-grid">
                                <div class="field">
                                    <label for="queue-assignee">{t(T::TicketAssignee)}</label>
                                    <select id="queue-assignee" name="assignee">
                                        {option(String::new(), t(T::ScopeAll).to_owned(), &q.assignee)}
                                        {option("unassigned".into(), t(T::TicketUnassigned).to_owned(), &q.assignee)}
                                        {option("mine".into(), t(T::AgentMine).to_owned(), &q.assignee)}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="queue-status">{t(T::StatusLabel)}</label>
                                    <select id="queue-status" name="status">
                                        {option(String::new(), t(T::FilterOpen).to_owned(), &q.status)}
                                        {option("closed".into(), t(T::FilterClosed).to_owned(), &q.status)}
                                        {option("all".into(), t(T::ScopeAll).to_owned(), &q.status)}
                                        {domain::ticket::TicketStatus::ALL.map(domain::ticket::TicketStatus::code).into_iter().map(|s| {
                                            option(format!("only:{s}"), crate::support::tickets::list::status_text(s).to_owned(), &q.status)
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="queue-area">{t(T::TicketProject)}</label>
                                    <select id="queue-area" name="area">
                                        {option(String::new(), t(T::ScopeAll).to_owned(), &q.area)}
                                        {page.areas.iter().map(|(id, name)| option(id.to_string(), name.clone(), &q.area)).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="queue-priority">{t(T::TicketPriority)}</label>
                                    <select id="queue-priority" name="priority">
                                        {option(String::new(), t(T::ScopeAll).to_owned(), &q.priority)}
                                        {domain::ticket::Priority::ALL.map(domain::ticket::Priority::code).into_iter().map(|p| {
                                            option(p.to_owned(), crate::support::tickets::list::priority_text(p).to_owned(), &q.priority)
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="queue-organization">{t(T::OrganizationLabel)}</label>
                                    <select id="queue-organization" name="organization">
                                        {option(String::new(), t(T::ScopeAll).to_owned(), &q.organization)}
                                        {page.organizations.iter().map(|(id, name)| option(id.to_string(), name.clone(), &q.organization)).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="queue-q">{t(T::SearchRequests)}</label>
                                    <input id="queue-q" name="q" type="search" value=q.search.clone()/>
                                </div>
                            </div>
                            <div class="actions"><button type="submit" class="button primary">{t(T::Search)}</button></div>
                        </form>
                        <p class="muted">{t(T::AgentQueueCount).replace("{n}", &page.total.to_string())}</p>
                        {tickets_table(page, q, "/support/agent")}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/agent/articles`: every article, drafts included.
#[component]
pub fn AgentArticlesPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| load_articles());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::KbTitle))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent/articles"/>
        <div class="list-head">
            <h2>{t(T::KbTitle)}</h2>
            <a class="button primary" href="/support/agent/articles/new">{t(T::KbNewArticle)}</a>
        </div>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="card" data-testid="agent-articles">
                            {items.into_iter().map(|a| view! {
                                <li>
                                    <a href=format!("/support/articles/{}", a.slug)>{a.title}</a>
                                    {(!a.published).then(|| view! { " "<span class="status">{t(T::KbDraft)}</span> })}
                                    " · "<a href=format!("/support/agent/articles/{}/edit", a.slug)>{t(T::Edit)}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/agent/articles/new` and `/support/agent/articles/:slug/edit`.
#[component]
pub fn ArticleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let original = params.with_untracked(|p| p.get("slug")).unwrap_or_default();
    let save = ServerAction::<SaveArticle>::new();
    let error = last_error(save.value());
    let slug = RwSignal::new(original.clone());
    let title = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let keywords = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let request_type = RwSignal::new(String::new());
    let published = RwSignal::new(true);
    let existing = {
        let original = original.clone();
        Resource::new(
            move || original.clone(),
            |s| async move {
                if s.is_empty() {
                    Ok(None)
                } else {
                    load_article(s).await.map(Some)
                }
            },
        )
    };
    let areas = Resource::new(|| (), |_| load_support_areas());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            navigate(&format!("/support/articles/{saved}"), Default::default());
        }
    });
    let on_submit = {
        let original = original.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.dispatch(SaveArticle {
                form: ArticleForm {
                    original_slug: original.clone(),
                    slug: slug.get_untracked(),
                    title: title.get_untracked(),
                    summary: summary.get_untracked(),
                    keywords: keywords.get_untracked(),
                    body: body.get_untracked(),
                    request_type: request_type.get_untracked(),
                    published: published.get_untracked().to_string(),
                },
            });
        }
    };
    let heading = if original.is_empty() {
        T::KbNewArticle
    } else {
        T::Edit
    };
    let slug_problem = field_problem(error, "slug");
    let title_problem = field_problem(error, "title");
    let summary_problem = field_problem(error, "summary");
    view! {
        <Title text=format!("{} — OpenPSP", t(heading))/>
        <h1>{t(heading)}</h1>
        <AgentNav current="/support/agent/articles"/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || {
                let on_submit = on_submit.clone();
                Suspend::new(async move {
                let found = existing.await;
                let areas = loaded(areas).await.unwrap_or_default();
                match found {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(found) => {
                        if let Some(a) = found {
                            if title.get_untracked().is_empty() {
                                title.set(a.title);
                                summary.set(a.summary);
                                keywords.set(a.keywords);
                                body.set(a.body);
                                request_type.set(a.request_type_id.map(|id| id.to_string()).unwrap_or_default());
                                published.set(a.published);
                            }
                        }
                        view! {
                            <form class="form card" on:submit=on_submit novalidate>
                                <ErrorAlert error=error/>
                                <div class="field" class:field-invalid=move || title_problem().is_some()>
                                    <label for="article-title">{t(T::KbArticleTitle)}</label>
                                    <input id="article-title" name="title" type="text" maxlength="200"
                                        prop:value=move || title.get() on:input:target=move |ev| title.set(ev.target().value())/>
                                    <p class="field-error">{title_problem}</p>
                                </div>
                                <div class="field" class:field-invalid=move || slug_problem().is_some()>
                                    <label for="article-slug">{t(T::KbArticleSlug)}</label>
                                    <input id="article-slug" name="slug" type="text" maxlength="120" class="mono"
                                        prop:value=move || slug.get() on:input:target=move |ev| slug.set(ev.target().value())/>
                                    <p class="field-error">{slug_problem}</p>
                                </div>
                                <div class="field" class:field-invalid=move || summary_problem().is_some()>
                                    <label for="article-summary">{t(T::KbArticleSummary)}</label>
                                    <input id="article-summary" name="summary" type="text" maxlength="500"
                                        prop:value=move || summary.get() on:input:target=move |ev| summary.set(ev.target().value())/>
                                    <p class="field-error">{summary_problem}</p>
                                </div>
                                <div class="field">
                                    <label for="article-keywords">{t(T::KbArticleKeywords)}</label>
                                    <input id="article-keywords" name="keywords" type="text"
                                        prop:value=move || keywords.get() on:input:target=move |ev| keywords.set(ev.target().value())/>
                                </div>
                                <div class="field">
                                    <label for="article-type">{t(T::TicketRequestType)}</label>
                                    <select id="article-type" name="request_type" prop:value=move || request_type.get()
                                        on:change:target=move |ev| request_type.set(ev.target().value())>
                                        <option value="">"—"</option>
                                        {areas.iter().map(|a| view! {
                                            <optgroup label=a.name.clone()>
                                                {a.request_types.iter().map(|rt| view! { <option value=rt.id.to_string()>{rt.name.clone()}</option> }).collect_view()}
                                            </optgroup>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <RichTextEditor name="body" label=T::KbArticleBody text=body error=error/>
                                <label class="checkbox">
                                    <input type="checkbox" name="published" prop:checked=move || published.get()
                                        on:change:target=move |ev| published.set(ev.target().checked())/>
                                    {t(T::KbPublished)}
                                </label>
                                <div class="actions">
                                    <button type="submit" class="button primary" disabled=move || save.pending().get()>{t(T::Save)}</button>
                                </div>
                            </form>
                        }.into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// `/support/agent/announcements`.
#[component]
pub fn AgentAnnouncementsPage() -> impl IntoView {
    let save = ServerAction::<SaveAnnouncement>::new();
    let error = last_error(save.value());
    let list = Resource::new(move || save.version().get(), |_| load_announcements(true));
    let title_problem = field_problem(error, "title");
    view! {
        <Title text=format!("{} — OpenPSP", t(T::AnnouncementsTitle))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent/announcements"/>
        <h2>{t(T::AnnouncementNew)}</h2>
        <ActionForm action=save attr:class="form card">
            <ErrorAlert error=error/>
            <input type="hidden" name="id" value="0"/>
            <div class="field" class:field-invalid=move || title_problem().is_some()>
                <label for="announcement-title">{t(T::KbArticleTitle)}</label>
                <input id="announcement-title" name="title" type="text" maxlength="200"/>
                <p class="field-error">{title_problem}</p>
            </div>
            <div class="field">
                <label for="announcement-body">{t(T::DescriptionLabel)}</label>
                <textarea id="announcement-body" name="body" rows="3"></textarea>
            </div>
            <label class="checkbox"><input type="checkbox" name="active" value="true" checked/>{t(T::AnnouncementActive)}</label>
            <div class="actions"><button type="submit" class="button primary">{t(T::Save)}</button></div>
        </ActionForm>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(items) => items.into_iter().map(|a| {
                        let next = if a.active { None } else { Some("true") };
                        view! {
                            <section class="card" data-testid="agent-announcement">
                                <p><strong>{a.title.clone()}</strong>" "
                                    <span class=if a.active { "status status-done" } else { "status" }>
                                        {t(if a.active { T::AnnouncementActive } else { T::AnnouncementHidden })}
                                    </span>
                                    <span class="muted">" · "{a.created.clone()}</span>
                                </p>
                                <div class="rich-text" inner_html=a.html.clone()></div>
                                <ActionForm action=save>
                                    <input type="hidden" name="id" value=a.id.to_string()/>
                                    <input type="hidden" name="title" value=a.title.clone()/>
                                    <input type="hidden" name="body" value=a.body.clone()/>
                                    {next.map(|v| view! { <input type="hidden" name="active" value=v/> })}
                                    <button type="submit" class="button">{t(if a.active { T::AnnouncementHide } else { T::AnnouncementShow })}</button>
                                </ActionForm>
                            </section>
                        }
                    }).collect_view().into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/agent/people`: organizations, their people, and invitations.
#[component]
pub fn AgentPeoplePage() -> impl IntoView {
    let invite = ServerAction::<InviteSupportPerson>::new();
    let error = last_error(invite.value());
    let list = Resource::new(
        move || invite.version().get(),
        |_| load_support_organizations(),
    );
    let email_problem = field_problem(error, "email");
    let org_problem = field_problem(error, "organization");
    let done = move || {
        matches!(invite.value().get(), Some(Ok(_))).then(
            || view! { <p class="alert alert-success" role="status">{t(T::AgentInvited)}</p> },
        )
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::AgentPeople))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent/people"/>
        <h2>{t(T::AgentInvite)}</h2>
        {done}
        <ActionForm action=invite attr:class="form card">
            <ErrorAlert error=error/>
            <div class="field-row">
                <div class="field" class:field-invalid=move || email_problem().is_some()>
                    <label for="invite-email">{t(T::SupportEmailLabel)}</label>
                    <input id="invite-email" name="email" type="email" autocomplete="off"/>
                    <p class="field-error">{email_problem}</p>
                </div>
                <div class="field" class:field-invalid=move || org_problem().is_some()>
                    <label for="invite-organization">{t(T::OrganizationLabel)}</label>
                    <input id="invite-organization" name="organization" type="text" list="known-organizations" autocomplete="off"/>
                    <p class="field-error">{org_problem}</p>
                </div>
            </div>
            <label class="checkbox"><input type="checkbox" name="agent" value="true"/>{t(T::AgentInviteAgent)}</label>
            <div class="actions"><button type="submit" class="button primary">{t(T::AgentInvite)}</button></div>
        </ActionForm>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(orgs) => view! {
                        <datalist id="known-organizations">
                            {orgs.iter().filter(|o| o.id != 0).map(|o| view! { <option value=o.name.clone()></option> }).collect_view()}
                        </datalist>
                        {orgs.into_iter().map(|o| {
                            let name = if o.id == 0 { t(T::AgentStaff).to_owned() } else { o.name.clone() };
                            view! {
                                <section class="card" data-testid="agent-organization">
                                    <h3>{name}</h3>
                                    <table class="table">
                                        <thead><tr>
                                            <th scope="col">{t(T::FullName)}</th>
                                            <th scope="col">{t(T::SupportEmailLabel)}</th>
                                            <th scope="col">{t(T::StatusLabel)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {o.members.into_iter().map(|m| view! {
                                                <tr>
                                                    <td>{m.name}</td>
                                                    <td class="mono">{m.email}</td>
                                                    <td>{t(if m.status == "active" { T::PersonActive } else { T::PersonInvited })}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            }
                        }).collect_view()}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/agent/catalogue`: product areas and their request types.
#[component]
pub fn AgentCataloguePage() -> impl IntoView {
    let add_area = ServerAction::<AddSupportArea>::new();
    let add_type = ServerAction::<AddSupportRequestType>::new();
    let area_error = last_error(add_area.value());
    let type_error = last_error(add_type.value());
    let list = Resource::new(
        move || (add_area.version().get(), add_type.version().get()),
        |_| load_support_areas(),
    );
    let area_name_problem = field_problem(area_error, "name");
    let type_name_problem = field_problem(type_error, "name");
    let type_area_problem = field_problem(type_error, "area");
    view! {
        <Title text=format!("{} — OpenPSP", t(T::SupportAreas))/>
        <h1>{t(T::AgentConsole)}</h1>
        <AgentNav current="/support/agent/catalogue"/>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(areas) => {
                        let options = areas.iter().map(|a| view! { <option value=a.id.to_string()>{a.name.clone()}</option> }).collect_view();
                        view! {
                            <div class="support-areas" data-testid="agent-areas">
                                {areas.into_iter().map(|a| view! {
                                    <section class="card">
                                        <h3>{a.name}</h3>
                                        <p class="muted">{a.description}</p>
                                        <ul>
                                            {a.request_types.into_iter().map(|rt| view! {
                                                <li>{rt.name}" · "<span class="muted">{crate::support::tickets::list::kind_text(&rt.kind)}</span></li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }).collect_view()}
                            </div>
                            <h2>{t(T::AgentAddRequestType)}</h2>
                            <ActionForm action=add_type attr:class="form card">
                                <ErrorAlert error=type_error/>
                                <div class="field-row">
                                    <div class="field" class:field-invalid=move || type_area_problem().is_some()>
                                        <label for="type-area">{t(T::TicketProject)}</label>
                                        <select id="type-area" name="area">{options}</select>
                                        <p class="field-error">{type_area_problem}</p>
                                    </div>
                                    <div class="field" class:field-invalid=move || type_name_problem().is_some()>
                                        <label for="type-name">{t(T::TicketRequestType)}</label>
                                        <input id="type-name" name="name" type="text" maxlength="80"/>
                                        <p class="field-error">{type_name_problem}</p>
                                    </div>
                                    <div class="field">
                                        <label for="type-kind">{t(T::TicketType)}</label>
                                        <select id="type-kind" name="kind">
                                            <option value="incident">{crate::support::tickets::list::kind_text("incident")}</option>
                                            <option value="request">{crate::support::tickets::list::kind_text("request")}</option>
                                        </select>
                                    </div>
                                </div>
                                <div class="field">
                                    <label for="type-description">{t(T::DescriptionLabel)}</label>
                                    <input id="type-description" name="description" type="text" maxlength="500"/>
                                </div>
                                <div class="actions"><button type="submit" class="button primary">{t(T::Save)}</button></div>
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
        <h2>{t(T::AgentAddArea)}</h2>
        <ActionForm action=add_area attr:class="form card">
            <ErrorAlert error=area_error/>
            <div class="field" class:field-invalid=move || area_name_problem().is_some()>
                <label for="area-name">{t(T::TicketProject)}</label>
                <input id="area-name" name="name" type="text" maxlength="80"/>
                <p class="field-error">{area_name_problem}</p>
            </div>
            <div class="field">
                <label for="area-description">{t(T::DescriptionLabel)}</label>
                <input id="area-description" name="description" type="text" maxlength="500"/>
            </div>
            <div class="actions"><button type="submit" class="button primary">{t(T::Save)}</button></div>
        </ActionForm>
    }
}
