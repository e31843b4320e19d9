//! `/configuration/aliases` (MB-13): the merchant's aliases newest first — alias, masked
//! card, brand, expiry, customer id, card holder, created and last used in the viewer's
//! zone — searched by customer id or the card's last four digits in the URL, a page at a
//! time. Admins and Operators store a new card, change an expiry or delete an alias after
//! confirmation; Read-only users see the list.

use super::api::{load_aliases, DeleteAlias};
use super::form::{CreateAliasDialog, ExpiryDialog};
use super::{AliasFilter, AliasPage, AliasRow};
use crate::components::loaded;
use crate::components::{error_text, filter_field, pager};
use crate::configuration::{failure, title};
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The search form above the list, with the server's problems next to its fields.
fn search_form(f: &AliasFilter, error: Option<&AppError>) -> impl IntoView {
    let field = |label: T, name: &'static str, value: String, inputmode: &'static str| {
        filter_field("aliases", label, name, value, error, inputmode)
    };
    view! {
        <form class="card filter-form" method="get" action="/configuration/aliases" aria-label=t(T::FilterTitle)>
            <div class="filter-grid">
                {field(T::CustomerIdLabel, "customer", f.customer.clone(), "text")}
                {field(T::Last4Label, "last4", f.last4.clone(), "numeric")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary">{t(T::Search)}</button>
                <a class="button" href="/configuration/aliases">{t(T::ClearFilter)}</a>
            </div>
        </form>
    }
}

/// What may be done to one alias from its row.
#[derive(Clone, Copy)]
struct RowActions {
    may_edit: bool,
    editing: RwSignal<Option<AliasRow>>,
    deleting: RwSignal<Option<AliasRow>>,
}

/// The list's table and pager.
fn aliases_table(list: AliasPage, f: AliasFilter, actions: RowActions) -> AnyView {
    let zone = list.zone.clone();
    let pages = pager(list.page, list.pages, |page| {
        format!(
            "/configuration/aliases?{}",
            AliasFilter { page, ..f.clone() }.to_query()
        )
    });
    let dated = |label: T| format!("{} ({zone})", t(label));
    view! {
        <p class="muted" data-testid="count">{t(T::AliasesCount).replace("{n}", &list.total.to_string())}</p>
        <div class="card table-wrap">
            <table class="table" data-testid="aliases">
                <thead><tr>
                    <th scope="col">{t(T::AliasIdLabel)}</th>
                    <th scope="col">{t(T::CardNumberLabel)}</th>
                    <th scope="col">{t(T::BrandLabel)}</th>
                    <th scope="col">{t(T::AliasExpiryColumn)}</th>
                    <th scope="col">{t(T::CustomerIdLabel)}</th>
                    <th scope="col">{t(T::CardHolderLabel)}</th>
                    <th scope="col" title=zone.clone()>{dated(T::CreatedLabel)}</th>
                    <th scope="col" title=zone.clone()>{dated(T::LastUsedLabel)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {list.rows.into_iter().map(|row| {
                        let payments = format!(
                            "/operations/payments?alias={}",
                            crate::url::encode(&row.id)
                        );
                        let (for_edit, for_delete) = (row.clone(), row.clone());
                        let edit_aria = t(T::AliasExpiryAria).replace("{card}", &row.masked_card);
                        let delete_aria = t(T::AliasDeleteAria).replace("{card}", &row.masked_card);
                        let buttons = actions.may_edit.then(|| view! {
                            <button type="button" class="button" aria-label=edit_aria
                                on:click=move |_| actions.editing.set(Some(for_edit.clone()))>{t(T::AliasChangeExpiry)}</button>
                            " "
                            <button type="button" class="button danger" aria-label=delete_aria
                                on:click=move |_| actions.deleting.set(Some(for_delete.clone()))>{t(T::Delete)}</button>
                        });
                        view! {
                            <tr>
                                <td class="mono">{row.id.clone()}</td>
                                <td class="mono nowrap">{row.masked_card.clone()}</td>
                                <td>{row.brand.clone()}</td>
                                <td class="mono">{row.expiry.clone()}</td>
                                <td>{row.customer_id.clone()}</td>
                                <td>{row.card_holder.clone()}</td>
                                <td class="nowrap">{row.created.clone()}</td>
                                <td class="nowrap">{row.last_used.clone().unwrap_or_else(|| t(T::Never).to_owned())}</td>
                                <td class="nowrap">
                                    <a class="button" href=payments>{t(T::AliasPayments)}</a>
                                    " "
                                    {buttons}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pages}
    }
    .into_any()
}

/// The confirmation before an alias is deleted, with what follows from it.
#[component]
fn DeleteDialog(
    alias: AliasRow,
    action: ServerAction<DeleteAlias>,
    deleting: RwSignal<Option<AliasRow>>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let text = t(T::AliasDeleteText)
        .replace("{id}", &alias.id)
        .replace("{card}", &alias.masked_card);
    let id = alias.id.clone();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="alias-delete-title" aria-describedby="alias-delete-text">
                <h2 id="alias-delete-title">{t(T::AliasDeleteTitle)}</h2>
                <p id="alias-delete-text">{text}</p>
                {move || error.get().and_then(|e| error_text(&e)).map(|text| view! {
                    <p class="alert alert-error" role="alert">{text}</p>
                })}
                <div class="actions">
                    <button type="button" class="button danger" disabled=move || action.pending().get()
                        on:click=move |_| { action.dispatch(DeleteAlias { id: id.clone() }); }>{t(T::AliasDeleteConfirm)}</button>
                    <button type="button" class="button" on:click=move |_| deleting.set(None)>{t(T::Cancel)}</button>
                </div>
            </div>
        </div>
    }
}

/// `/configuration/aliases`.
#[component]
pub fn AliasesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| AliasFilter::from_pairs(q)));
    let version = RwSignal::new(0u32);
    let creating = RwSignal::new(false);
    let editing: RwSignal<Option<AliasRow>> = RwSignal::new(None);
    let deleting: RwSignal<Option<AliasRow>> = RwSignal::new(None);
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let delete = ServerAction::<DeleteAlias>::new();
    let list = Resource::new(
        move || (filter.get(), version.get(), delete.version().get()),
        |(f, _, _)| load_aliases(f),
    );
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            if let Some(gone) = deleting.get_untracked() {
                notice.set(Some(t(T::AliasDeleted).replace("{id}", &gone.id)));
            }
            deleting.set(None);
        }
    });
    // A confirmation opens without the last one's error.
    Effect::new(move |_| {
        if deleting.get().is_some() {
            delete.value().set(None);
        }
    });
    let created = Callback::new(move |row: AliasRow| {
        notice.set(Some(
            t(T::AliasCreated)
                .replace("{id}", &row.id)
                .replace("{card}", &row.masked_card),
        ));
        version.update(|v| *v += 1);
    });
    let changed = Callback::new(move |row: AliasRow| {
        notice.set(Some(
            t(T::AliasExpirySaved)
                .replace("{id}", &row.id)
                .replace("{expiry}", &row.expiry),
        ));
        version.update(|v| *v += 1);
    });
    view! {
        {title(T::AliasesTitle)}
        <h1>{t(T::AliasesTitle)}</h1>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let f = filter.get_untracked();
                let result = loaded(list).await;
                let may_edit = result.as_ref().map(|l| l.may_edit).unwrap_or(false);
                let head = view! {
                    <div class="list-head">
                        <p class="muted narrow">
                            {t(T::AliasesIntro)}
                            {(!may_edit).then(|| view! { " " {t(T::AliasesReadOnly)} })}
                        </p>
                        {may_edit.then(|| view! {
                            <button type="button" class="button primary" on:click=move |_| {
                                notice.set(None);
                                creating.set(true);
                            }>{t(T::AliasNew)}</button>
                        })}
                    </div>
                };
                let form = search_form(&f, result.as_ref().err());
                let searched = !f.customer.is_empty() || !f.last4.is_empty();
                let body = match result {
                    Err(AppError::Invalid(_)) => ().into_any(),
                    Err(e) => failure(&e),
                    Ok(l) if l.rows.is_empty() => view! {
                        <p class="empty">{t(if searched { T::AliasesNoMatch } else { T::AliasesEmpty })}</p>
                    }.into_any(),
                    Ok(l) => aliases_table(l, f, RowActions { may_edit, editing, deleting }),
                };
                view! { {head} {form} {body} }.into_any()
            })}
        </Suspense>
        {move || creating.get().then(|| view! { <CreateAliasDialog open=creating done=created/> })}
        {move || editing.get().map(|alias| view! { <ExpiryDialog alias=alias editing=editing done=changed/> })}
        {move || deleting.get().map(|alias| view! { <DeleteDialog alias=alias action=delete deleting=deleting/> })}
    }
}
