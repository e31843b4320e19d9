//! Operations → Payment links (MB-36): the link templates, their form and QR code.
//!
//! The list's search lives in the URL (`?q=&status=`), so a bookmark keeps it; the form
//! is in [`link_form`].

use super::link_form::{link_fields, FormState};
use crate::components::copy_text;
use crate::components::error_text;
use crate::components::loaded;
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::paylinks::api::{list_links, load_link, new_link, DisableLink, SaveLink};
use crate::paylinks::{LinkDetail, LinkFilter, LinkRow};
use domain::paylink::LinkStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The statuses in the filter's order.
const STATUSES: [LinkStatus; 4] = [
    LinkStatus::Active,
    LinkStatus::Expired,
    LinkStatus::Disabled,
    LinkStatus::Paid,
];

/// The status's code (the filter's value and the pill's `data-status`).
fn status_code(status: LinkStatus) -> &'static str {
    match status {
        LinkStatus::Active => "active",
        LinkStatus::Expired => "expired",
        LinkStatus::Disabled => "disabled",
        LinkStatus::Paid => "paid",
    }
}

fn status_text(status: LinkStatus) -> &'static str {
    t(match status {
        LinkStatus::Active => T::LinkStatusActive,
        LinkStatus::Expired => T::LabelExpired,
        LinkStatus::Disabled => T::LinkStatusDisabled,
        LinkStatus::Paid => T::LinkStatusPaid,
    })
}

/// The status as a coloured pill with its text.
fn status_pill(status: LinkStatus) -> impl IntoView {
    let code = status_code(status);
    view! {
        <span class=format!("status link-status link-status-{code}") data-status=code>{status_text(status)}</span>
    }
}

/// `/operations/links`: the list.
#[component]
pub fn LinksPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| LinkFilter {
            q: q.get("q").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        })
    });
    let disable = ServerAction::<DisableLink>::new();
    let list = Resource::new(
        move || (filter.get(), disable.version().get()),
        |(f, _)| list_links(f),
    );
    let confirm = RwSignal::new(None::<(String, String)>);
    let copied = RwSignal::new(None::<Result<String, String>>);
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            confirm.set(None);
        }
    });
    let f = filter.get_untracked();
    let filtered = move || filter.with(|f| !f.q.is_empty() || !f.status.is_empty());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PaymentLinksTitle))/>
        <div class="page-head">
            <h1>{t(T::PaymentLinksTitle)}</h1>
            <a class="button primary" href="/operations/links/new" data-testid="add-link">{t(T::LinkAdd)}</a>
        </div>
        <p class="muted">{t(T::LinksIntro)}</p>
        <form class="card link-filter" method="get" action="/operations/links" role="search" aria-label=t(T::FilterTitle)>
            <div class="field link-filter-q">
                <label for="links-q">{t(T::LinkSearchLabel)}</label>
                <input id="links-q" name="q" type="search" value=f.q.clone()
                    prop:value=move || filter.with(|f| f.q.clone())/>
            </div>
            <div class="field">
                <label for="links-status">{t(T::StatusLabel)}</label>
                <select id="links-status" name="status" prop:value=move || filter.with(|f| f.status.clone())>
                    <option value="" selected=f.status.is_empty()>{t(T::LinkAllStatuses)}</option>
                    {STATUSES.into_iter().map(|s| view! {
                        <option value=status_code(s) selected=f.status == status_code(s)>{status_text(s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button">{t(T::Search)}</button>
                <a class="button ghost" href="/operations/links" hidden=move || !filtered()>{t(T::ClearFilter)}</a>
            </div>
        </form>
        <p class="link-copy-status" role="status" aria-live="polite">
            {move || copied.get().map(|c| match c {
                Ok(_) => t(T::LinkCopied).to_owned(),
                Err(url) => format!("{} {url}", t(T::LinkCopyManually)),
            })}
        </p>
        <Transition fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => empty_state(filtered()).into_any(),
                    Ok(rows) => links_table(rows, RowActions { confirm, copied, disable }).into_any(),
                }
            })}
        </Transition>
        {move || confirm.get().map(|(id, name)| disable_dialog(id, name, disable, confirm))}
    }
}

/// What an empty list says: what to do next.
fn empty_state(filtered: bool) -> impl IntoView {
    if filtered {
        view! { <p class="card empty" data-testid="links-empty">{t(T::LinksNoMatch)}</p> }
            .into_any()
    } else {
        view! {
            <div class="card link-empty" data-testid="links-empty">
                <p>{t(T::LinksEmpty)}</p>
                <a class="button primary" href="/operations/links/new">{t(T::LinkAdd)}</a>
            </div>
        }
        .into_any()
    }
}

/// What a row's buttons act on.
#[derive(Clone, Copy)]
struct RowActions {
    /// The link whose disabling waits for confirmation: id and name.
    confirm: RwSignal<Option<(String, String)>>,
    /// What the copy buttons last did: the copied link's id, or its address to copy by hand.
    copied: RwSignal<Option<Result<String, String>>>,
    disable: ServerAction<DisableLink>,
}

fn links_table(rows: Vec<LinkRow>, ctx: RowActions) -> impl IntoView {
    view! {
        <div class="card table-wrap">
            <table class="table links-table" data-testid="links">
                <thead><tr>
                    <th scope="col">{t(T::LinkNameLabel)}</th>
                    <th scope="col">{t(T::LinkTitleLabel)}</th>
                    <th scope="col" class="num">{t(T::AmountLabel)}</th>
                    <th scope="col">{t(T::StatusLabel)}</th>
                    <th scope="col">{t(T::LinkUseLabel)}</th>
                    <th scope="col">{t(T::LinkEndsLabel)}</th>
                    <th scope="col" class="num">{t(T::LinkPaymentsLabel)}</th>
                    <th scope="col">{t(T::CreatedLabel)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| link_row(r, ctx)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn link_row(r: LinkRow, ctx: RowActions) -> impl IntoView {
    let RowActions {
        confirm,
        copied,
        disable,
    } = ctx;
    let edit = format!("/operations/links/{}", r.id);
    let ends = if r.ends.is_empty() {
        t(T::LinkIndefinite).to_owned()
    } else {
        r.ends.clone()
    };
    let named = |action: T| format!("{} {}", t(action), r.name);
    let (id, url) = (r.id.clone(), r.url.clone());
    let copy = move |_| {
        copied.set(Some(if copy_text(&url) {
            Ok(id.clone())
        } else {
            Err(url.clone())
        }))
    };
    let shown_id = r.id.clone();
    let is_copied = move || matches!(copied.get(), Some(Ok(ref c)) if *c == shown_id);
    let disable = (r.status == LinkStatus::Active).then(|| {
        let (id, name) = (r.id.clone(), r.name.clone());
        view! {
            <button type="button" class="button danger" aria-label=named(T::LinkDisable)
                on:click=move |_| {
                    disable.value().set(None);
                    confirm.set(Some((id.clone(), name.clone())));
                }>{t(T::LinkDisable)}</button>
        }
    });
    view! {
        <tr data-link-id=r.id.clone()>
            <td><a href=edit.clone()>{r.name.clone()}</a></td>
            <td>{r.title.clone()}</td>
            <td class="num">{r.amount.clone()}</td>
            <td>{status_pill(r.status)}</td>
            <td>{t(if r.reusable { T::LinkReusableShort } else { T::LinkSingleUse })}</td>
            <td>{ends}</td>
            <td class="num">{r.payments.to_string()}</td>
            <td>{r.created.clone()}</td>
            <td class="actions link-actions">
                <a class="button" href=r.url.clone() target="_blank" rel="noopener noreferrer external"
                    aria-label=named(T::LinkOpen)>{t(T::LinkOpen)}</a>
                <button type="button" class="button" aria-label=named(T::LinkCopy) on:click=copy>
                    {move || if is_copied() { format!("✓ {}", t(T::LinkCopy)) } else { t(T::LinkCopy).to_owned() }}
                </button>
                <a class="button" href=edit aria-label=named(T::Edit)>{t(T::Edit)}</a>
                {disable}
            </td>
        </tr>
    }
}

/// "Disable this payment link?" with its consequence.
fn disable_dialog(
    id: String,
    name: String,
    disable: ServerAction<DisableLink>,
    confirm: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let error = move || {
        disable
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| error_text(&e))
    };
    // Focus goes to the dialog, so the keyboard (Escape, Tab) works in it.
    let first = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = first.get() {
            let _ = button.focus();
        }
    });
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { confirm.set(None) }>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="disable-title" aria-describedby="disable-text">
                <h2 id="disable-title">{t(T::LinkDisableTitle)}</h2>
                <p id="disable-text">{t(T::LinkDisableText).replace("{name}", &name)}</p>
                <p class="alert alert-error" role="alert" hidden=move || error().is_none()>{error}</p>
                <div class="actions">
                    <button type="button" class="button danger" node_ref=first disabled=move || disable.pending().get()
                        on:click=move |_| { disable.dispatch(DisableLink { id: id.clone() }); }>{t(T::LinkDisableConfirm)}</button>
                    <button type="button" class="button" on:click=move |_| confirm.set(None)>{t(T::Cancel)}</button>
                </div>
            </div>
        </div>
    }
}

/// `/operations/links/new` and `/operations/links/:id`: the form.
#[component]
pub fn LinkEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .filter(|id| id != "new")
            .unwrap_or_default()
    });
    let link = Resource::new(
        move || id.get(),
        |id| async move {
            if id.is_empty() {
                new_link().await.map(|form| (form, None))
            } else {
                load_link(id).await.map(|d| (d.form.clone(), Some(d)))
            }
        },
    );
    let state = FormState::new();
    let detail = RwSignal::new(None::<LinkDetail>);
    // The link the form shows, so a reload of the same link keeps what is typed.
    let shown = RwSignal::new(None::<String>);
    let save = ServerAction::<SaveLink>::new();
    let server = Signal::derive(move || save.value().get().and_then(Result::err));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if id.get_untracked().is_empty() {
                navigate(
                    &format!("/operations/links/{}", saved.form.id),
                    Default::default(),
                );
            } else {
                detail.set(Some(saved));
            }
        }
    });
    let is_new = move || id.get().is_empty();
    let heading = move || {
        if is_new() {
            t(T::LinkNewTitle).to_owned()
        } else {
            detail
                .with(|d| d.as_ref().map(|d| d.form.name.clone()))
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| t(T::PaymentLinksTitle).to_owned())
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(mut form) = state.submit() {
            form.id = id.get_untracked();
            save.dispatch(SaveLink { form });
        }
    };
    let page_error = move || match save.value().get() {
        Some(Err(AppError::Invalid(_))) => Some(t(T::LinkCheckFields).to_owned()),
        Some(Err(e)) => error_text(&e),
        _ => None,
    };
    let saved = move || !is_new() && matches!(save.value().get(), Some(Ok(_)));
    view! {
        <Title text=move || format!("{} — OpenPSP", heading())/>
        <p class="link-back"><a href="/operations/links">{t(T::LinkBack)}</a></p>
        <h1>{heading}</h1>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(link).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok((form, found)) => {
                        let current = id.get_untracked();
                        if shown.get_untracked().as_ref() != Some(&current) {
                            state.load(form);
                            detail.set(found);
                            shown.set(Some(current));
                        }
                        view! {
                            <div class="link-edit" class:link-edit-new=is_new>
                                <form class="card form link-form" on:submit=on_submit novalidate data-testid="link-form">
                                    <p class="alert alert-error" role="alert" hidden=move || page_error().is_none()>{page_error}</p>
                                    <p class="alert alert-success" role="status" hidden=move || !saved()>{t(T::LinkSaved)}</p>
                                    {link_fields(state, server)}
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || save.pending().get()>
                                            {move || if save.pending().get() {
                                                t(T::Processing)
                                            } else if is_new() {
                                                t(T::LinkCreate)
                                            } else {
                                                t(T::LinkSaveChanges)
                                            }}
                                        </button>
                                        <a class="button" href="/operations/links">{t(T::Cancel)}</a>
                                    </div>
                                </form>
                                {move || detail.get().map(share_panel)}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The saved link's address (copy, open), status and QR code.
fn share_panel(d: LinkDetail) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let url = d.url.clone();
    let copy = move |_| copied.set(Some(copy_text(&url)));
    view! {
        <aside class="card link-share" aria-labelledby="link-share-title" data-testid="link-share">
            <div class="link-share-head">
                <h2 id="link-share-title">{t(T::LinkShareTitle)}</h2>
                {status_pill(d.status)}
            </div>
            <div class="field">
                <label for="link-url">{t(T::LinkAddress)}</label>
                <input id="link-url" type="text" class="mono" readonly value=d.url.clone()
                    prop:value=d.url.clone() data-testid="link-url"
                    on:focus:target=move |ev| ev.target().select()/>
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=copy>{t(T::LinkCopy)}</button>
                <a class="button" href=d.url.clone() target="_blank" rel="noopener noreferrer external">{t(T::LinkOpen)}</a>
            </div>
            <p class="muted" role="status" aria-live="polite">
                {move || copied.get().map(|ok| t(if ok { T::LinkCopied } else { T::LinkCopyManually }))}
            </p>
            // The SVG is drawn by our own server from the link's address: trusted markup.
            <div class="link-qr" data-testid="link-qr" role="img" aria-label=t(T::LinkQrLabel) inner_html=d.qr_svg></div>
            <p class="muted">{t(T::LinkQrHint)}</p>
        </aside>
    }
}
