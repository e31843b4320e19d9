//! Operations → Payments: the filtered list whose state lives in the URL (MB-31), with
//! saved templates, filter settings and downloads.

use super::api::{list_payments, load_list_views, DeleteTemplate, SaveListSettings, SaveTemplate};
use super::{label_text, PaymentFilter};
use crate::components::loaded;
use crate::components::{error_text, filter_field, pager, problem_text};
use crate::error::AppError;
use crate::i18n::{t, T};
use domain::payment::Label;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list's URL for `filter`: what a bookmark keeps.
fn list_url(f: &PaymentFilter) -> String {
    format!("/operations/payments?{}", f.to_query())
}

/// The filter the URL carries.
fn filter_from_query() -> Memo<PaymentFilter> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| PaymentFilter::from_pairs(q)))
}

fn filter_text(key: &str) -> &'static str {
    t(match key {
        "dates" => T::DateKindLabel,
        "amount" => T::AmountLabel,
        "reference" => T::ReferenceLabel,
        "alias" => T::AliasLabel,
        "status" => T::StatusLabel,
        "last4" => T::Last4Label,
        "email" => T::EmailLabel,
        _ => T::PaymentIdLabel,
    })
}

fn column_text(key: &str) -> &'static str {
    t(column_label(key))
}

fn column_label(key: &str) -> T {
    match key {
        "created" => T::CreatedLabel,
        "id" => T::PaymentIdLabel,
        "reference" => T::ReferenceLabel,
        "amount" => T::AmountLabel,
        "status" => T::StatusLabel,
        "card" => T::CardLabel,
        "brand" => T::MethodLabel,
        "channel" => T::ChannelLabel,
        "email" => T::EmailLabel,
        "authorisation_code" => T::AuthorisationCodeLabel,
        _ => T::DateUpdated,
    }
}

/// `/operations/payments`.
#[component]
pub fn PaymentsListPage() -> impl IntoView {
    let filter = filter_from_query();
    let page = Resource::new(move || filter.get(), list_payments);
    let save_template = ServerAction::<SaveTemplate>::new();
    let delete_template = ServerAction::<DeleteTemplate>::new();
    let save_settings = ServerAction::<SaveListSettings>::new();
    let views = Resource::new(
        move || {
            (
                save_template.version().get(),
                delete_template.version().get(),
                save_settings.version().get(),
            )
        },
        |_| load_list_views(),
    );
    let tab = RwSignal::new(0usize);
    // Applying a template (a new query) shows the filter it set.
    Effect::new(move |_| {
        filter.track();
        tab.set(0);
    });
    let tabs = [T::FilterTitle, T::TemplatesTitle];
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PaymentsTitle))/>
        <h1>{t(T::PaymentsTitle)}</h1>
        <div class="tabs" role="tablist">
            {tabs.into_iter().enumerate().map(|(i, label)| view! {
                <button type="button" role="tab" class="tab" id=format!("list-tab-{i}")
                    aria-selected=move || (tab.get() == i).to_string()
                    on:click=move |_| tab.set(i)>{t(label)}</button>
            }).collect_view()}
        </div>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let f = filter.get_untracked();
                let views = views.await.unwrap_or_default();
                let result = loaded(page).await;
                let error = result.as_ref().err().cloned();
                let templates = templates_panel(views.templates.clone(), delete_template);
                let form = filter_form(f.clone(), error.clone(), &views.settings.filters);
                let tools = list_tools(f.clone(), views.settings.clone(), save_template, save_settings);
                let body = match result {
                    Err(AppError::Invalid(_)) => ().into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) => results(f, list, &views.settings.columns).into_any(),
                };
                view! {
                    <div role="tabpanel" aria-labelledby="list-tab-0" hidden=move || tab.get() != 0>
                        {form}
                        {tools}
                    </div>
                    <div role="tabpanel" aria-labelledby="list-tab-1" hidden=move || tab.get() != 1>
                        {templates}
                    </div>
                    {body}
                }.into_any()
            })}
        </Suspense>
    }
}

fn templates_panel(
    templates: Vec<crate::payments::TemplateView>,
    delete: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    if templates.is_empty() {
        return view! { <p class="card empty">{t(T::NoTemplates)}</p> }.into_any();
    }
    view! {
        <div class="card table-wrap">
            <table class="table" data-testid="templates">
                <thead><tr>
                    <th scope="col">{t(T::TemplateName)}</th>
                    <th scope="col">{t(T::OwnerLabel)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {templates.into_iter().map(|tpl| {
                        let id = tpl.id;
                        let name = tpl.name.clone();
                        view! {
                            <tr>
                                <td>{tpl.name.clone()}{tpl.shared.then(|| view! { " " <span class="status">{t(T::SharedLabel)}</span> })}</td>
                                <td>{tpl.owner.clone()}</td>
                                <td class="actions">
                                    <a class="button" href=format!("/operations/payments?{}", tpl.query) aria-label=format!("{} {}", t(T::ApplyTemplate), name)>{t(T::ApplyTemplate)}</a>
                                    {tpl.mine.then(|| view! {
                                        <button type="button" class="button danger" aria-label=format!("{} {}", t(T::Delete), name)
                                            on:click=move |_| { delete.dispatch(DeleteTemplate { id }); }>{t(T::Delete)}</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "Save as a template" and "Filter settings" under the filter.
fn list_tools(
    f: PaymentFilter,
    settings: crate::payments::ListSettings,
    save_template: ServerAction<SaveTemplate>,
    save_settings: ServerAction<SaveListSettings>,
) -> impl IntoView {
    use crate::payments::{ListSettings, LIST_COLUMNS, LIST_FILTERS};
    let name = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let query = PaymentFilter { page: 1, ..f }.to_query();
    let name_problem = move || {
        save_template
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| {
                e.problem_for("name")
                    .map(problem_text)
                    .or_else(|| error_text(&e))
            })
    };
    let saved = move || matches!(save_template.value().get(), Some(Ok(_)));
    let filters = RwSignal::new(settings.filters.clone());
    let columns = RwSignal::new(settings.columns.clone());
    let toggle = |list: RwSignal<Vec<String>>, key: &'static str, on: bool| {
        list.update(|l| {
            l.retain(|k| k != key);
            if on {
                l.push(key.to_owned());
            }
        })
    };
    let settings_problem = move || {
        save_settings
            .value()
            .get()
            .and_then(Result::err)
            .map(|_| t(T::ErrChooseOne).to_owned())
    };
    view! {
        <div class="list-tools">
            <details class="card" data-testid="save-template">
                <summary>{t(T::SaveAsTemplate)}</summary>
                <form class="form inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save_template.dispatch(SaveTemplate {
                        name: name.get_untracked(),
                        query: query.clone(),
                        shared: shared.get_untracked().then(|| "on".to_owned()),
                    });
                }>
                    <div class="field" class:field-invalid=move || name_problem().is_some()>
                        <label for="tpl-name">{t(T::TemplateName)}</label>
                        <input id="tpl-name" type="text" maxlength="80"
                            prop:value=move || name.get()
                            on:input:target=move |ev| name.set(ev.target().value())/>
                        <p class="field-error">{name_problem}</p>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" prop:checked=move || shared.get()
                            on:change:target=move |ev| shared.set(ev.target().checked())/>
                        <span>{t(T::ShareTemplate)}</span>
                    </label>
                    <button type="submit" class="button primary">{t(T::Save)}</button>
                    <p class="muted" role="status">{move || saved().then(|| t(T::TemplateSaved))}</p>
                </form>
            </details>
            <details class="card" data-testid="filter-settings">
                <summary>{t(T::FilterSettings)}</summary>
                <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    save_settings.dispatch(SaveListSettings {
                        settings: ListSettings { filters: filters.get_untracked(), columns: columns.get_untracked() },
                    });
                }>
                    <fieldset class="choices">
                        <legend>{t(T::FiltersShown)}</legend>
                        {LIST_FILTERS.into_iter().map(|key| view! {
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=move || filters.with(|l| l.iter().any(|k| k == key))
                                    on:change:target=move |ev| toggle(filters, key, ev.target().checked())/>
                                <span>{filter_text(key)}</span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <fieldset class="choices">
                        <legend>{t(T::ColumnsShown)}</legend>
                        {LIST_COLUMNS.into_iter().map(|key| view! {
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=move || columns.with(|l| l.iter().any(|k| k == key))
                                    on:change:target=move |ev| toggle(columns, key, ev.target().checked())/>
                                <span>{column_text(key)}</span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <p class="field-error">{settings_problem}</p>
                    <button type="submit" class="button primary">{t(T::Save)}</button>
                </form>
            </details>
        </div>
    }
}

fn filter_form(f: PaymentFilter, error: Option<AppError>, shown: &[String]) -> impl IntoView {
    let show = |key: &str| shown.iter().any(|s| s == key);
    let text_input = |label: T, name: &'static str, value: String| {
        filter_field("flt", label, name, value, error.as_ref(), "text")
    };
    let hidden = |name: &'static str, value: &String| {
        (!value.is_empty()).then(|| view! { <input type="hidden" name=name value=value.clone()/> })
    };
    let (dates, amount, reference, alias, status, last4, email, payment_id) = (
        show("dates"),
        show("amount"),
        show("reference"),
        show("alias"),
        show("status"),
        show("last4"),
        show("email"),
        show("payment_id"),
    );
    view! {
        <form class="card filter-form" method="get" action="/operations/payments" aria-label=t(T::FilterTitle)>
            <div class="filter-grid">
                {if dates {
                    view! {
                        {text_input(T::DateFrom, "from", f.from.clone())}
                        {text_input(T::DateTo, "to", f.to.clone())}
                        <div class="field">
                            <label for="flt-date_kind">{t(T::DateKindLabel)}</label>
                            <select id="flt-date_kind" name="date_kind">
                                <option value="created" selected=f.date_kind != "updated">{t(T::CreatedLabel)}</option>
                                <option value="updated" selected=f.date_kind == "updated">{t(T::DateUpdated)}</option>
                                <option value="captured" selected=f.date_kind == "captured">{t(T::DateCaptured)}</option>
                            </select>
                        </div>
                    }.into_any()
                } else {
                    view! { {hidden("from", &f.from)} {hidden("to", &f.to)} {hidden("date_kind", &f.date_kind)} }.into_any()
                }}
                {if amount {
                    view! {
                        {text_input(T::MinAmount, "min_amount", f.min_amount.clone())}
                        {text_input(T::MaxAmount, "max_amount", f.max_amount.clone())}
                    }.into_any()
                } else {
                    view! { {hidden("min_amount", &f.min_amount)} {hidden("max_amount", &f.max_amount)} }.into_any()
                }}
                {if reference { text_input(T::ReferenceLabel, "reference", f.reference.clone()).into_any() } else { hidden("reference", &f.reference).into_any() }}
                {if alias { text_input(T::AliasLabel, "alias", f.alias.clone()).into_any() } else { hidden("alias", &f.alias).into_any() }}
                {if last4 { text_input(T::Last4Label, "last4", f.last4.clone()).into_any() } else { hidden("last4", &f.last4).into_any() }}
                {if email { text_input(T::EmailLabel, "email", f.email.clone()).into_any() } else { hidden("email", &f.email).into_any() }}
                {if payment_id { text_input(T::PaymentIdLabel, "payment_id", f.payment_id.clone()).into_any() } else { hidden("payment_id", &f.payment_id).into_any() }}
            </div>
            {if status {
                view! {
                    <fieldset class="statuses">
                        <legend>{t(T::StatusLabel)}</legend>
                        {Label::ALL.into_iter().map(|l| view! {
                            <label class="checkbox">
                                <input type="checkbox" name="status" value=l.code() checked=f.statuses.iter().any(|s| s == l.code())/>
                                <span>{label_text(l.code())}</span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                }.into_any()
            } else {
                f.statuses.iter().map(|s| view! { <input type="hidden" name="status" value=s.clone()/> }).collect_view().into_any()
            }}
            {if status {
                view! {
                    <div class="field">
                        <label for="flt-fraud">{t(T::FraudScreeningLabel)}</label>
                        <select id="flt-fraud" name="fraud">
                            <option value="" selected=f.fraud.is_empty()>"—"</option>
                            <option value="denied" selected=f.fraud == "denied">{t(T::FraudBlockedFilter)}</option>
                            <option value="challenged" selected=f.fraud == "challenged">{t(T::FraudReviewFilter)}</option>
                        </select>
                    </div>
                }.into_any()
            } else {
                hidden("fraud", &f.fraud).into_any()
            }}
            <input type="hidden" name="sort" value=f.sort.clone()/>
            <div class="actions">
                <button type="submit" class="button primary">{t(T::Search)}</button>
                <a class="button" href="/operations/payments">{t(T::ClearFilter)}</a>
            </div>
        </form>
    }
}

fn results(
    f: PaymentFilter,
    list: crate::payments::PaymentsPage,
    columns: &[String],
) -> impl IntoView {
    let sorting = f.clone();
    let export = PaymentFilter {
        page: 1,
        ..f.clone()
    };
    let sort_link = move |column: &str, label: T| {
        let f = &sorting;
        let mut next = f.clone();
        let current = next.sort == column || (next.sort.is_empty() && column == "created");
        next.desc = if current {
            !f.desc
        } else {
            column == "created"
        };
        next.sort = column.to_owned();
        next.page = 1;
        let arrow = if current {
            if f.desc {
                " ▼"
            } else {
                " ▲"
            }
        } else {
            ""
        };
        let sorted = if current {
            if f.desc {
                "descending"
            } else {
                "ascending"
            }
        } else {
            "none"
        };
        view! {
            <th scope="col" aria-sort=sorted>
                <a href=list_url(&next)>{t(label)}{arrow}</a>
            </th>
        }
        .into_any()
    };
    let pages = pager(list.page, list.pages, |page| {
        list_url(&PaymentFilter { page, ..f.clone() })
    });
    if list.rows.is_empty() {
        return view! { <p class="empty">{t(T::NoPayments)}</p> }.into_any();
    }
    let columns: Vec<String> = columns.to_vec();
    let head = columns
        .iter()
        .map(|c| match c.as_str() {
            "created" | "reference" | "amount" | "updated" => sort_link(c, column_label(c)),
            other => view! { <th scope="col">{column_text(other)}</th> }.into_any(),
        })
        .collect_view();
    let zone = list.zone.clone();
    let rows = list
        .rows
        .into_iter()
        .map(|r| {
            let cells = columns
                .iter()
                .map(|c| match c.as_str() {
                    "created" => view! { <td title=zone.clone()>{r.created.clone()}</td> }.into_any(),
                    "updated" => view! { <td title=zone.clone()>{r.updated.clone()}</td> }.into_any(),
                    "id" => view! { <td class="mono"><a href=format!("/operations/payments/{}", r.id)>{r.id.clone()}</a></td> }.into_any(),
                    "reference" => view! { <td>{r.reference.clone()}</td> }.into_any(),
                    "amount" => view! { <td class="num">{r.amount.clone()}</td> }.into_any(),
                    "status" => view! { <td><span class=format!("status status-{}", r.status)>{label_text(&r.status)}</span></td> }.into_any(),
                    "card" => view! { <td class="mono">{r.card.clone()}</td> }.into_any(),
                    "brand" => view! { <td>{r.brand.clone()}</td> }.into_any(),
                    "channel" => view! { <td>{r.channel.clone()}</td> }.into_any(),
                    "email" => view! { <td>{r.email.clone()}</td> }.into_any(),
                    _ => view! { <td class="mono">{r.authorisation_code.clone()}</td> }.into_any(),
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    // The merchant's default format (MB-20) first.
    let mut formats = crate::payments::EXPORT_FORMATS.to_vec();
    formats.sort_by_key(|f| *f != list.report_format);
    view! {
        <div class="list-head">
            <p class="muted" data-testid="count">{t(T::ResultsCount).replace("{n}", &list.total.to_string())}</p>
            {formats.into_iter().map(|ext| view! {
                <a class="button" class:primary=ext == list.report_format rel="external" download
                    href=format!("/operations/payments/export/{ext}?{}", export.to_query())>
                    {t(T::ExportAs).replace("{format}", &ext.to_uppercase())}
                </a>
            }).collect_view()}
        </div>
        <div class="card table-wrap">
            <table class="table" data-testid="payments">
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pages}
    }
    .into_any()
}
