//! The support portal's knowledge base and help (SP-2, SP-9): announcements on the home
//! page, "Search for information" with ranked, highlighted results, article pages, the
//! virtual service agent, and "Contact us".

use crate::components::loaded;
use crate::components::{error_text, field_problem, last_error, ErrorAlert};
use crate::i18n::{t, T};
use crate::support::knowledge::api::{
    load_announcements, load_article, search_articles, AskVirtualAgent, DismissAnnouncement,
};
use crate::support::knowledge::{ChatReply, Highlighted};
use crate::support::tickets::api::{load_support_areas, RaiseTicket};
use crate::support::tickets::NewTicketForm;
use crate::url::encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Text with its highlighted parts in `<mark>`.
pub fn highlighted(parts: Highlighted) -> impl IntoView {
    parts
        .into_iter()
        .map(|(text, marked)| {
            if marked {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}

/// The announcements the signed-in person has not dismissed.
#[component]
pub fn AnnouncementsBanner() -> impl IntoView {
    let dismiss = ServerAction::<DismissAnnouncement>::new();
    let list = Resource::new(
        move || dismiss.version().get(),
        |_| load_announcements(false),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                loaded(list).await.ok().map(|items| items.into_iter().map(|a| view! {
                    <section class="announcement" role="region" aria-label=t(T::AnnouncementLabel) data-testid="announcement">
                        <div>
                            <strong>{a.title}</strong>
                            <div class="rich-text" inner_html=a.html></div>
                        </div>
                        <ActionForm action=dismiss>
                            <input type="hidden" name="id" value=a.id.to_string()/>
                            <button type="submit" class="button">{t(T::Dismiss)}</button>
                        </ActionForm>
                    </section>
                }).collect_view())
            })}
        </Suspense>
    }
}

/// "Search for information": a plain form to the results page.
#[component]
pub fn KnowledgeSearchBox(#[prop(optional, into)] value: String) -> impl IntoView {
    view! {
        <form class="kb-search" method="get" action="/support/articles" role="search">
            <label for="kb-q">{t(T::KbSearchLabel)}</label>
            <div class="kb-search-row">
                <input id="kb-q" name="q" type="search" value=value placeholder=t(T::KbSearchPlaceholder) autocomplete="off"/>
                <button type="submit" class="button primary">{t(T::Search)}</button>
            </div>
        </form>
    }
}

/// `/support/articles?q=…`: ranked results with highlighted titles and passages.
#[component]
pub fn ArticlesPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|m| m.get("q")).unwrap_or_default());
    let results = Resource::new(move || q.get(), search_articles);
    view! {
        <Title text=format!("{} — OpenPSP", t(T::KbTitle))/>
        <h1>{t(T::KbTitle)}</h1>
        {move || view! { <KnowledgeSearchBox value=q.get()/> }}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let asked = q.get_untracked();
                match loaded(results).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(_) if asked.trim().is_empty() => ().into_any(),
                    Ok(found) => view! {
                        {found.corrected.map(|c| view! {
                            <p class="muted" data-testid="kb-corrected">{t(T::KbShowingResultsFor).replace("{query}", &c)}</p>
                        })}
                        {if found.hits.is_empty() {
                            view! {
                                <p class="empty">{t(T::KbNoResults)}</p>
                                <p><a href="/support/chat">{t(T::ChatTitle)}</a>" · "<a href="/support/requests/new?kind=request">{t(T::SupportSubmitRequest)}</a></p>
                            }.into_any()
                        } else {
                            view! {
                                <ol class="kb-results" data-testid="kb-results">
                                    {found.hits.into_iter().map(|h| view! {
                                        <li class="card">
                                            <a class="kb-title" href=format!("/support/articles/{}", h.slug)>{highlighted(h.title)}</a>
                                            {h.draft.then(|| view! { " "<span class="status">{t(T::KbDraft)}</span> })}
                                            {(!h.area.is_empty()).then(|| view! { <p class="muted">{h.area.clone()}</p> })}
                                            <p class="kb-snippet">{highlighted(h.snippet)}</p>
                                        </li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/support/articles/:slug`.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug")).unwrap_or_default();
    let article = Resource::new(slug, load_article);
    view! {
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(article).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(a) => {
                        let raise = a.request_type_id.map(|id| {
                            let kind = if a.kind == "incident" { "incident" } else { "request" };
                            (format!("/support/requests/new?kind={kind}&type={id}"), a.request_type.clone())
                        });
                        view! {
                            <Title text=format!("{} — OpenPSP", a.title.replace(['<', '>'], ""))/>
                            <p class="muted"><a href="/support/articles">{t(T::KbTitle)}</a>{(!a.area.is_empty()).then(|| format!(" · {}", a.area))}</p>
                            <h1 data-testid="article-title">{a.title.clone()}</h1>
                            {(!a.published).then(|| view! { <p class="status">{t(T::KbDraft)}</p> })}
                            {a.can_edit.then(|| view! {
                                <p><a class="button" href=format!("/support/agent/articles/{}/edit", a.slug)>{t(T::Edit)}</a></p>
                            })}
                            <p class="lead">{a.summary.clone()}</p>
                            <article class="card rich-text" data-testid="article-body" inner_html=a.html.clone()></article>
                            <p class="muted">{t(T::DateUpdated)}": "{a.updated.clone()}</p>
                            <section class="card">
                                <h2>{t(T::KbStillNeedHelp)}</h2>
                                <div class="actions">
                                    {raise.map(|(href, name)| view! { <a class="button primary" href=href>{name}</a> })}
                                    <a class="button" href="/support/chat">{t(T::ChatTitle)}</a>
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The new-ticket address pre-filled from a conversation with the virtual agent.
fn ticket_from_chat(first: &str, turns: &[(String, ChatReply)]) -> String {
    let kind_and_type = turns
        .iter()
        .rev()
        .find_map(|(_, r)| r.suggestion.as_ref())
        .map(|s| {
            let kind = if s.kind == "incident" {
                "incident"
            } else {
                "request"
            };
            format!("kind={kind}&type={}", s.request_type_id)
        })
        .unwrap_or_else(|| "kind=request".to_owned());
    let mut description = String::from("Asked the virtual service agent:\n\n");
    for (question, reply) in turns {
        description.push_str(&format!("- {}\n", question.replace('\n', " ")));
        for source in &reply.sources {
            description.push_str(&format!("  - read: {}\n", source.title));
        }
    }
    let summary: String = first.chars().take(200).collect();
    format!(
        "/support/requests/new?{kind_and_type}&summary={}&description={}",
        encode(&summary),
        encode(&description)
    )
}

/// `/support/chat`: the virtual service agent answers from the knowledge base, cites
/// its sources, suggests what to raise and offers a pre-filled ticket.
#[component]
pub fn ChatPage() -> impl IntoView {
    let ask = ServerAction::<AskVirtualAgent>::new();
    let error = last_error(ask.value());
    let message = RwSignal::new(String::new());
    let turns = RwSignal::new(Vec::<(String, ChatReply)>::new());
    let asked = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(reply)) = ask.value().get() {
            let question = asked.get_untracked();
            turns.update(|t| t.push((question, reply)));
            message.set(String::new());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = message.get_untracked();
        asked.set(text.clone());
        ask.dispatch(AskVirtualAgent { message: text });
    };
    let problem = field_problem(error, "message");
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ChatTitle))/>
        <div class="narrow">
            <h1>{t(T::ChatTitle)}</h1>
            <p class="muted">{t(T::ChatIntro)}</p>
            <ol class="chat" data-testid="chat" aria-live="polite">
                {move || turns.get().into_iter().map(|(question, reply)| view! {
                    <li class="chat-question">{question}</li>
                    <li class="chat-answer card" data-testid="chat-answer">
                        {if reply.found {
                            view! {
                                <p>{reply.summary.clone()}</p>
                                <p class="kb-snippet">{highlighted(reply.passage.clone())}</p>
                                <p class="muted">{t(T::ChatSources)}</p>
                                <ul data-testid="chat-sources">
                                    {reply.sources.iter().map(|s| view! {
                                        <li><a href=format!("/support/articles/{}", s.slug)>{s.title.clone()}</a></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        } else {
                            view! { <p>{t(T::ChatNothingFound)}</p> }.into_any()
                        }}
                        {reply.suggestion.map(|s| view! {
                            <p class="muted" data-testid="chat-suggestion">
                                {t(T::ChatSuggestion).replace("{type}", &s.request_type).replace("{area}", &s.area)}
                            </p>
                        })}
                    </li>
                }).collect_view()}
            </ol>
            {move || {
                let all = turns.get();
                all.first().map(|(first, _)| view! {
                    <p><a class="button" data-testid="chat-create-ticket" href=ticket_from_chat(first, &all)>{t(T::ChatCreateTicket)}</a></p>
                })
            }}
            <form class="form card" on:submit=on_submit novalidate>
                <ErrorAlert error=error/>
                <div class="field" class:field-invalid=move || problem().is_some()>
                    <label for="chat-message">{t(T::ChatAsk)}</label>
                    <textarea id="chat-message" name="message" rows="3" maxlength="2000"
                        prop:value=move || message.get()
                        on:input:target=move |ev| message.set(ev.target().value())></textarea>
                    <p class="field-error">{problem}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || ask.pending().get()>{t(T::ChatSend)}</button>
                </div>
            </form>
        </div>
    }
}

/// `/support/contact`: a message to the support team, kept as a service request of the
/// chosen product area so it is answered, tracked and never lost.
#[component]
pub fn ContactPage() -> impl IntoView {
    let areas = Resource::new(|| (), |_| load_support_areas());
    let raise = ServerAction::<RaiseTicket>::new();
    let error = last_error(raise.value());
    let area = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(reference)) = raise.value().get() {
            navigate(
                &format!("/support/requests/{reference}?raised=1"),
                Default::default(),
            );
        }
    });
    let problem = move |name: &'static str| field_problem(error, name);
    view! {
        <Title text=format!("{} — OpenPSP", t(T::ContactTitle))/>
        <div class="narrow">
            <h1>{t(T::ContactTitle)}</h1>
            <p class="muted">{t(T::ContactIntro)}</p>
            <ErrorAlert error=error/>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded(areas).await {
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(areas) => {
                            let stored = StoredValue::new(areas.clone());
                            if area.get_untracked().is_empty() {
                                if let Some(first) = areas.first() {
                                    area.set(first.id.to_string());
                                }
                            }
                            let on_submit = move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                // The area's first service request type takes the message.
                                let request_type = stored.with_value(|areas| {
                                    areas.iter()
                                        .find(|a| a.id.to_string() == area.get_untracked())
                                        .and_then(|a| a.request_types.iter().find(|t| t.kind == "request"))
                                        .map(|t| t.id.to_string())
                                        .unwrap_or_default()
                                });
                                raise.dispatch(RaiseTicket { form: NewTicketForm {
                                    request_type,
                                    summary: subject.get_untracked(),
                                    description: message.get_untracked(),
                                    ..Default::default()
                                }});
                            };
                            view! {
                                <form class="form card" on:submit=on_submit novalidate>
                                    <div class="field">
                                        <label for="contact-area">{t(T::ContactArea)}</label>
                                        <select id="contact-area" name="area" prop:value=move || area.get()
                                            on:change:target=move |ev| area.set(ev.target().value())>
                                            {areas.iter().map(|a| view! { <option value=a.id.to_string()>{a.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error">{problem("request_type")}</p>
                                    </div>
                                    <div class="field" class:field-invalid=move || problem("summary")().is_some()>
                                        <label for="contact-subject">{t(T::ContactSubject)}</label>
                                        <input id="contact-subject" name="summary" type="text" maxlength="200"
                                            prop:value=move || subject.get() on:input:target=move |ev| subject.set(ev.target().value())/>
                                        <p class="field-error">{problem("summary")}</p>
                                    </div>
                                    <div class="field" class:field-invalid=move || problem("description")().is_some()>
                                        <label for="contact-message">{t(T::ContactMessage)}</label>
                                        <textarea id="contact-message" name="description" rows="6"
                                            prop:value=move || message.get() on:input:target=move |ev| message.set(ev.target().value())></textarea>
                                        <p class="field-error">{problem("description")}</p>
                                    </div>
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || raise.pending().get()>{t(T::ContactSend)}</button>
                                    </div>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}
