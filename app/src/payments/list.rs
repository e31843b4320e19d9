//! Operations → Payments: the filtered list whose state lives in the URL (MB-31), and a
//! payment's information with capture, cancel and refund (MB-32, MB-33).

use crate::components::{error_text, problem_text};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::payments::api::{
    list_payments, load_list_views, load_payment, CancelPayment, CaptureCart, CapturePayment,
    DeleteTemplate, RefundLines, RefundPayment, SaveListSettings, SaveTemplate,
};
use crate::payments::{PaymentDetail, PaymentFilter};
use crate::url::encode;
use domain::cart::{cart_total, parse_refund_quantity, refund_total, LineError, Quantity};
use domain::money::{Currency, Money};
use domain::payment::Label;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The text of a status label code.
pub fn label_text(code: &str) -> &'static str {
    t(match Label::parse(code) {
        Some(Label::New) => T::LabelNew,
        Some(Label::Uncaptured) => T::LabelUncaptured,
        Some(Label::Succeeded) => T::LabelSucceeded,
        Some(Label::Declined) => T::LabelDeclined,
        Some(Label::Cancelled) => T::LabelCancelled,
        Some(Label::PartialRefund) => T::LabelPartialRefund,
        Some(Label::Refunded) => T::LabelRefunded,
        _ => T::LabelExpired,
    })
}

pub(crate) fn kind_text(kind: &str) -> &'static str {
    t(match kind {
        "authorise" => T::KindAuthorise,
        "capture" => T::KindCapture,
        "cancel" => T::KindCancel,
        "refund" => T::KindRefund,
        _ => T::KindExpire,
    })
}

/// The list's URL for `filter`: what a bookmark keeps.
fn list_url(f: &PaymentFilter) -> String {
    url_with("/operations/payments", f)
}

fn url_with(path: &str, f: &PaymentFilter) -> String {
    let mut parts: Vec<String> = [
        ("from", &f.from),
        ("to", &f.to),
        ("date_kind", &f.date_kind),
        ("min_amount", &f.min_amount),
        ("max_amount", &f.max_amount),
        ("reference", &f.reference),
        ("alias", &f.alias),
        ("last4", &f.last4),
        ("email", &f.email),
        ("payment_id", &f.payment_id),
        ("sort", &f.sort),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect();
    parts.extend(f.statuses.iter().map(|s| format!("status={}", encode(s))));
    if f.desc {
        parts.push("desc=1".to_owned());
    }
    if f.page > 1 {
        parts.push(format!("page={}", f.page));
    }
    format!("{path}?{}", parts.join("&"))
}

fn filter_from_query() -> Memo<PaymentFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            PaymentFilter {
                from: get("from"),
                to: get("to"),
                date_kind: get("date_kind"),
                min_amount: get("min_amount"),
                max_amount: get("max_amount"),
                reference: get("reference"),
                alias: get("alias"),
                statuses: q.get_all("status").unwrap_or_default(),
                last4: get("last4"),
                email: get("email"),
                payment_id: get("payment_id"),
                sort: get("sort"),
                desc: q.get("desc").is_some_and(|v| v == "1"),
                page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            }
        })
    })
}

fn text_input(
    label: T,
    name: &'static str,
    value: String,
    error: Option<AppError>,
) -> impl IntoView {
    let id = format!("flt-{name}");
    let problem = error.and_then(|e| e.problem_for(name).map(problem_text));
    let invalid = problem.is_some();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" value=value/>
            <p class="field-error">{problem}</p>
        </div>
    }
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

/// The list's URL query (without `?`) for `f`, as templates keep it.
fn query_of(f: &PaymentFilter) -> String {
    url_with("", f).trim_start_matches('?').to_owned()
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
                let result = page.await;
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
    let query = query_of(&PaymentFilter { page: 1, ..f });
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
                        {text_input(T::DateFrom, "from", f.from.clone(), error.clone())}
                        {text_input(T::DateTo, "to", f.to.clone(), error.clone())}
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
                        {text_input(T::MinAmount, "min_amount", f.min_amount.clone(), error.clone())}
                        {text_input(T::MaxAmount, "max_amount", f.max_amount.clone(), error.clone())}
                    }.into_any()
                } else {
                    view! { {hidden("min_amount", &f.min_amount)} {hidden("max_amount", &f.max_amount)} }.into_any()
                }}
                {if reference { text_input(T::ReferenceLabel, "reference", f.reference.clone(), error.clone()).into_any() } else { hidden("reference", &f.reference).into_any() }}
                {if alias { text_input(T::AliasLabel, "alias", f.alias.clone(), error.clone()).into_any() } else { hidden("alias", &f.alias).into_any() }}
                {if last4 { text_input(T::Last4Label, "last4", f.last4.clone(), error.clone()).into_any() } else { hidden("last4", &f.last4).into_any() }}
                {if email { text_input(T::EmailLabel, "email", f.email.clone(), error.clone()).into_any() } else { hidden("email", &f.email).into_any() }}
                {if payment_id { text_input(T::PaymentIdLabel, "payment_id", f.payment_id.clone(), error.clone()).into_any() } else { hidden("payment_id", &f.payment_id).into_any() }}
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
    let page_link = |page: u32, label: T, f: &PaymentFilter| {
        let mut target = f.clone();
        target.page = page;
        view! { <a class="button" href=list_url(&target)>{t(label)}</a> }
    };
    let (prev, next) = (
        (list.page > 1).then(|| page_link(list.page - 1, T::Previous, &f)),
        (list.page < list.pages).then(|| page_link(list.page + 1, T::Next, &f)),
    );
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
    let page_of = t(T::PageOf)
        .replace("{page}", &list.page.to_string())
        .replace("{pages}", &list.pages.to_string());
    // The merchant's default format (MB-20) first.
    let mut formats = crate::payments::EXPORT_FORMATS.to_vec();
    formats.sort_by_key(|f| *f != list.report_format);
    view! {
        <div class="list-head">
            <p class="muted" data-testid="count">{t(T::ResultsCount).replace("{n}", &list.total.to_string())}</p>
            {formats.into_iter().map(|ext| view! {
                <a class="button" class:primary=ext == list.report_format rel="external" download
                    href=url_with(&format!("/operations/payments/export/{ext}"), &export)>
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
        <nav class="pager" aria-label=page_of.clone()>
            {prev}
            <span>{page_of.clone()}</span>
            {next}
        </nav>
    }
    .into_any()
}

/// An ECI with its meaning (Visa and Mastercard values; 01 on mail and telephone orders
/// is the MOTO indicator).
fn eci_text(eci: &str) -> String {
    let meaning = match eci {
        "05" | "02" => Some(T::EciAuthenticated),
        "06" => Some(T::EciAttempted),
        "07" | "00" => Some(T::EciNotAuthenticated),
        "01" => Some(T::EciMoto),
        _ => None,
    };
    match meaning {
        Some(m) => format!("{eci} — {}", t(m)),
        None => eci.to_owned(),
    }
}

/// Which operation dialog is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Capture,
    Cancel,
    Refund,
}

fn facts(rows: Vec<(T, String)>) -> impl IntoView {
    view! {
        <dl class="facts">
            {rows.into_iter().map(|(k, v)| view! { <dt>{t(k)}</dt><dd>{v}</dd> }).collect_view()}
        </dl>
    }
}

/// The support portal's new-incident form, carrying the payment's id, status and last
/// refusal code (SP-10).
fn support_ticket_link(d: &PaymentDetail) -> String {
    let refusal = d
        .activity
        .iter()
        .rev()
        .find_map(|a| a.refusal.clone())
        .unwrap_or_default();
    format!(
        "/support/requests/new?kind=incident&payment={}&payment_status={}&refusal={}",
        encode(&d.id),
        encode(&d.status),
        encode(&refusal)
    )
}

/// The amount typed, checked against the most allowed: `Ok(minor)` or the problem.
fn check_amount(
    typed: &str,
    currency: &str,
    most: Option<&str>,
) -> Result<i64, crate::error::Problem> {
    use crate::error::Problem;
    let currency = Currency::parse(currency).ok_or(Problem::InvalidAmount)?;
    let amount = Money::parse_major(typed, currency).map_err(|_| Problem::InvalidAmount)?;
    let most = most
        .and_then(|m| Money::parse_major(m, currency).ok())
        .map(Money::minor)
        .unwrap_or(0);
    if amount.minor() <= 0 {
        Err(Problem::InvalidAmount)
    } else if amount.minor() > most {
        Err(Problem::ExceedsLimit)
    } else {
        Ok(amount.minor())
    }
}

/// The payment's operation actions.
#[derive(Clone, Copy)]
struct Actions {
    capture: ServerAction<CapturePayment>,
    capture_cart: ServerAction<CaptureCart>,
    cancel: ServerAction<CancelPayment>,
    refund: ServerAction<RefundPayment>,
    refund_lines: ServerAction<RefundLines>,
}

fn detail_view(initial: PaymentDetail, actions: Actions) -> AnyView {
    let Actions {
        capture,
        capture_cart,
        cancel,
        refund,
        refund_lines,
    } = actions;
    let current = RwSignal::new(initial);
    let dialog: RwSignal<Option<Dialog>> = RwSignal::new(None);
    let amount = RwSignal::new(String::new());
    let is_final = RwSignal::new(false);
    let done = RwSignal::new(false);
    let server_error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let take = move |result: Option<Result<PaymentDetail, AppError>>| match result {
        Some(Ok(d)) => {
            current.set(d);
            dialog.set(None);
            server_error.set(None);
            done.set(true);
        }
        Some(Err(e)) => server_error.set(Some(e)),
        None => {}
    };
    Effect::new(move |_| take(capture.value().get()));
    Effect::new(move |_| take(cancel.value().get()));
    Effect::new(move |_| take(refund.value().get()));
    Effect::new(move |_| take(capture_cart.value().get()));
    Effect::new(move |_| take(refund_lines.value().get()));
    // By cart line: the quantities (refund) or prices and quantities (capture) typed.
    let by_lines = RwSignal::new(false);
    let quantities: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let prices: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let tab = RwSignal::new(0usize);
    let tabs = [T::TabOperation, T::TabCustomer, T::TabActivity, T::TabCart];
    let d = move || current.get();
    let open = move |which: Dialog| {
        let detail = current.get_untracked();
        amount.set(match which {
            Dialog::Capture => detail.capturable.clone().unwrap_or_default(),
            Dialog::Refund => detail.refundable.clone().unwrap_or_default(),
            Dialog::Cancel => String::new(),
        });
        is_final.set(false);
        by_lines.set(false);
        quantities.set(match which {
            Dialog::Capture => detail.cart.iter().map(|l| l.quantity.clone()).collect(),
            _ => vec![String::new(); detail.cart.len()],
        });
        prices.set(
            detail
                .cart
                .iter()
                .map(|l| l.unit_price_major.clone())
                .collect(),
        );
        server_error.set(None);
        done.set(false);
        dialog.set(Some(which));
    };
    let most = move || {
        let detail = current.get();
        match dialog.get() {
            Some(Dialog::Capture) => detail.capturable,
            Some(Dialog::Refund) => detail.refundable,
            _ => None,
        }
    };
    let currency = move || current.with(|c| Currency::parse(&c.currency));
    // The amount the lines come to, by the domain's cart math; a line's problem by index.
    let lines_total = move || -> Result<i64, (usize, LineError)> {
        let cart = current.with(|c| c.cart.clone());
        let qs = quantities.get();
        if dialog.get() == Some(Dialog::Capture) {
            let ps = prices.get();
            let cur = currency().ok_or((0, LineError::Price))?;
            let mut lines = Vec::with_capacity(cart.len());
            for i in 0..cart.len() {
                let price = Money::parse_major(ps.get(i).map(String::as_str).unwrap_or(""), cur)
                    .map(Money::minor)
                    .ok()
                    .filter(|p| *p >= 0)
                    .ok_or((i, LineError::Price))?;
                let q = Quantity::parse(qs.get(i).map(String::as_str).unwrap_or(""))
                    .map_err(|e| (i, LineError::Quantity(e)))?;
                lines.push((price, q));
            }
            Ok(cart_total(&lines))
        } else {
            let states: Vec<_> = cart
                .iter()
                .map(|l| {
                    l.state.unwrap_or(domain::cart::LineState {
                        unit_price: 0,
                        quantity: 0,
                        refunded: 0,
                    })
                })
                .collect();
            let more = qs
                .iter()
                .enumerate()
                .map(|(i, q)| parse_refund_quantity(q).map_err(|e| (i, e)))
                .collect::<Result<Vec<_>, _>>()?;
            refund_total(&states, &more)
        }
    };
    let line_problem = move |i: usize| -> Option<String> {
        use crate::error::Problem;
        let local = match lines_total() {
            Err((j, LineError::MoreThanRemaining)) if j == i => Some(Problem::ExceedsLimit),
            Err((j, LineError::Quantity(_) | LineError::Price)) if j == i => {
                Some(Problem::InvalidAmount)
            }
            _ => None,
        };
        local.map(|p| problem_text(&p)).or_else(|| {
            server_error.get().and_then(|e| {
                e.problem_for(&format!("qty-{i}"))
                    .or_else(|| e.problem_for(&format!("price-{i}")))
                    .map(problem_text)
            })
        })
    };
    let typed_amount = move || {
        if by_lines.get() {
            match (lines_total(), currency()) {
                (Ok(minor), Some(c)) => Money::new(minor, c)
                    .map(Money::format_major)
                    .unwrap_or_default(),
                _ => String::new(),
            }
        } else {
            amount.get()
        }
    };
    let live = move || {
        if by_lines.get() {
            if let Err((_, e)) = lines_total() {
                return Err(match e {
                    LineError::MoreThanRemaining => crate::error::Problem::ExceedsLimit,
                    LineError::Nothing => crate::error::Problem::Required,
                    _ => crate::error::Problem::InvalidAmount,
                });
            }
        }
        check_amount(
            &typed_amount(),
            &current.with(|c| c.currency.clone()),
            most().as_deref(),
        )
    };
    let amount_problem = move || {
        live().err().map(|p| problem_text(&p)).or_else(|| {
            server_error
                .get()
                .and_then(|e| e.problem_for("amount").map(problem_text))
        })
    };
    let page_error = move || server_error.get().and_then(|e| error_text(&e));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = current.with_untracked(|c| c.id.clone());
        match dialog.get_untracked() {
            Some(Dialog::Capture) if by_lines.get_untracked() => {
                capture_cart.dispatch(CaptureCart {
                    id,
                    prices: prices.get_untracked(),
                    quantities: quantities.get_untracked(),
                });
            }
            Some(Dialog::Refund) if by_lines.get_untracked() => {
                refund_lines.dispatch(RefundLines {
                    id,
                    quantities: quantities.get_untracked(),
                });
            }
            Some(Dialog::Capture) => {
                capture.dispatch(CapturePayment {
                    id,
                    amount: amount.get_untracked(),
                    is_final: is_final.get_untracked().then(|| "on".to_owned()),
                });
            }
            Some(Dialog::Refund) => {
                refund.dispatch(RefundPayment {
                    id,
                    amount: amount.get_untracked(),
                });
            }
            Some(Dialog::Cancel) => {
                cancel.dispatch(CancelPayment { id });
            }
            None => {}
        }
    };
    let confirm_label = move || {
        let typed = typed_amount();
        let currency = current.with(|c| c.currency.clone());
        match dialog.get() {
            Some(Dialog::Capture) => {
                t(T::ConfirmCapture).replace("{amount}", &format!("{typed} {currency}"))
            }
            Some(Dialog::Refund) => {
                t(T::ConfirmRefund).replace("{amount}", &format!("{typed} {currency}"))
            }
            _ => t(T::ConfirmCancel).to_owned(),
        }
    };
    let pending = move || {
        capture.pending().get()
            || cancel.pending().get()
            || refund.pending().get()
            || capture_cart.pending().get()
            || refund_lines.pending().get()
    };
    let has_cart = move || current.with(|c| c.cart.iter().any(|l| l.state.is_some()));
    view! {
        <h1>{t(T::PaymentInformation)}" "<span class="mono">{move || d().id}</span></h1>
        <p>
            <span class=move || format!("status status-{}", d().status)>{move || label_text(&d().status)}</span>
            " "<strong data-testid="amount">{move || d().amount}</strong>
        </p>
        <p>
            <a class="button ghost" data-testid="open-support-ticket" rel="external" href=move || support_ticket_link(&d())>
                {t(T::OpenSupportTicket)}
            </a>
        </p>
        {move || done.get().then(|| view! { <p class="alert alert-success" role="status">{t(T::OperationDone)}</p> })}
        <div class="actions" data-testid="operations">
            {move || (d().may_operate && d().capturable.is_some()).then(|| view! {
                <button type="button" class="button primary" on:click=move |_| open(Dialog::Capture)>{t(T::CaptureButton)}</button>
            })}
            {move || (d().may_operate && d().cancellable).then(|| view! {
                <button type="button" class="button danger" on:click=move |_| open(Dialog::Cancel)>{t(T::CancelPaymentButton)}</button>
            })}
            {move || (d().may_refund && d().refundable.is_some()).then(|| view! {
                <button type="button" class="button" on:click=move |_| open(Dialog::Refund)>{t(T::RefundButton)}</button>
            })}
        </div>
        <div class="tabs" role="tablist">
            {tabs.into_iter().enumerate().map(|(i, label)| view! {
                <button type="button" role="tab" class="tab" id=format!("tab-{i}")
                    aria-selected=move || (tab.get() == i).to_string()
                    aria-controls=format!("panel-{i}")
                    on:click=move |_| tab.set(i)>{t(label)}</button>
            }).collect_view()}
        </div>
        <section class="card" role="tabpanel" id="panel-0" aria-labelledby="tab-0" hidden=move || tab.get() != 0>
            {move || { let d = d(); facts(vec![
                (T::ReferenceLabel, d.reference), (T::PaymentIdLabel, d.id), (T::MethodLabel, d.method),
                (T::ChannelLabel, d.channel), (T::AmountLabel, d.amount), (T::AuthorisedLabel, d.authorised),
                (T::ReceivedLabel, d.captured), (T::RefundedLabel, d.refunded), (T::CreatedLabel, d.created),
                (T::AuthorisationCodeLabel, d.authorisation_code), (T::EciLabel, eci_text(&d.eci)),
                (T::SessionIdLabel, d.session_id), (T::TerminalIdLabel, d.terminal_id),
            ]) }}
            {move || { let r = d().receipt; (!r.is_empty()).then(|| view! {
                <h3>{t(T::PosReceipt)}</h3>
                <pre class="receipt" data-testid="receipt">{r}</pre>
            }) }}
        </section>
        <section class="card" role="tabpanel" id="panel-1" aria-labelledby="tab-1" hidden=move || tab.get() != 1>
            {move || { let d = d(); facts(vec![
                (T::CardLabel, d.masked_card), (T::ExpiryLabel, d.expiry), (T::CardHolderLabel, d.holder),
                (T::MethodLabel, d.method), (T::EmailLabel, d.email), (T::IpLabel, d.ip),
            ]) }}
        </section>
        <section class="card table-wrap" role="tabpanel" id="panel-2" aria-labelledby="tab-2" hidden=move || tab.get() != 2>
            <table class="table" data-testid="activity">
                <thead><tr>
                    <th scope="col">{t(T::CreatedLabel)}</th><th scope="col">{t(T::KindLabel)}</th>
                    <th scope="col">{t(T::ResultLabel)}</th><th scope="col" class="num">{t(T::AmountLabel)}</th>
                    <th scope="col">{t(T::ByLabel)}</th>
                </tr></thead>
                <tbody>
                    {move || d().activity.into_iter().map(|a| view! {
                        <tr>
                            <td>{a.date}</td>
                            <td>{kind_text(&a.kind)}</td>
                            <td>{if a.succeeded { t(T::OpSucceeded).to_owned() } else { format!("{} {}", t(T::OpFailed), a.refusal.unwrap_or_default()) }}</td>
                            <td class="num">{a.amount}</td>
                            <td>{a.by}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card table-wrap" role="tabpanel" id="panel-3" aria-labelledby="tab-3" hidden=move || tab.get() != 3>
            <table class="table">
                <thead><tr>
                    <th scope="col" class="num">"#"</th><th scope="col">{t(T::ItemLabel)}</th><th scope="col">{t(T::ArticleLabel)}</th>
                    <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                    <th scope="col" class="num">{t(T::PriceLabel)}</th><th scope="col" class="num">{t(T::AmountLabel)}</th>
                    <th scope="col" class="num">{t(T::RefundedQtyLabel)}</th>
                </tr></thead>
                <tbody>
                    {move || d().cart.into_iter().enumerate().map(|(i, l)| {
                        let partly = l.state.is_some_and(|s| s.refunded > 0 && s.refunded < s.quantity);
                        let fully = l.state.is_some_and(|s| s.refunded > 0 && s.refunded >= s.quantity);
                        view! {
                            <tr>
                                <td class="num">{i + 1}</td><td>{l.name}</td><td class="mono">{l.code}</td><td class="num">{l.quantity}</td><td class="num">{l.unit_price}</td><td class="num">{l.amount}</td>
                                <td class="num">
                                    {l.refunded}
                                    {partly.then(|| view! { " " <span class="status status-partial_refund">{t(T::LabelPartialRefund)}</span> })}
                                    {fully.then(|| view! { " " <span class="status status-refunded">{t(T::LabelRefunded)}</span> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {move || dialog.get().map(|which| view! {
            <div class="modal-backdrop">
                <div class="modal" role="dialog" aria-modal="true" aria-labelledby="op-title">
                    <h2 id="op-title">{t(match which { Dialog::Capture => T::KindCapture, Dialog::Refund => T::KindRefund, Dialog::Cancel => T::KindCancel })}</h2>
                    <form class="form" on:submit=submit>
                        {(which == Dialog::Cancel).then(|| view! { <p>{t(T::ConfirmCancelText)}</p> })}
                        {(which != Dialog::Cancel && has_cart()).then(|| view! {
                            <fieldset class="mode">
                                <legend>{t(T::OperationMode)}</legend>
                                <label class="checkbox">
                                    <input type="radio" name="op-mode" prop:checked=move || !by_lines.get() on:change=move |_| by_lines.set(false)/>
                                    <span>{t(T::ByAmount)}</span>
                                </label>
                                <label class="checkbox">
                                    <input type="radio" name="op-mode" prop:checked=move || by_lines.get() on:change=move |_| by_lines.set(true)/>
                                    <span>{t(if which == Dialog::Capture { T::EditCart } else { T::ByCartLine })}</span>
                                </label>
                            </fieldset>
                        })}
                        {(which != Dialog::Cancel).then(|| view! {
                            <div hidden=move || !by_lines.get() class="table-wrap">
                                <table class="table lines" data-testid="op-lines">
                                    <thead><tr>
                                        <th scope="col">{t(T::ItemLabel)}</th>
                                        {(which == Dialog::Refund).then(|| view! { <th scope="col" class="num">{t(T::RemainingQty)}</th> })}
                                        {(which == Dialog::Capture).then(|| view! { <th scope="col">{t(T::PriceLabel)}</th> })}
                                        <th scope="col">{t(T::QuantityLabel)}</th>
                                        <th scope="col" class="num">{t(T::AmountLabel)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {move || current.with(|c| c.cart.clone()).into_iter().enumerate().map(|(i, l)| {
                                            let remaining = l.state.map(|s| domain::cart::format_thousandths(s.remaining())).unwrap_or_default();
                                            let line_amount = move || {
                                                let cur = currency()?;
                                                let q = quantities.with(|q| q.get(i).cloned().unwrap_or_default());
                                                let minor = if which == Dialog::Capture {
                                                    let p = prices.with(|p| p.get(i).cloned().unwrap_or_default());
                                                    domain::cart::line_amount(Money::parse_major(&p, cur).ok()?.minor(), Quantity::parse(&q).ok()?)
                                                } else {
                                                    l.state?.refund_amount(parse_refund_quantity(&q).ok()?).ok()?
                                                };
                                                Money::new(minor, cur).ok().map(Money::format_major)
                                            };
                                            let name = l.name.clone();
                                            view! {
                                                <tr>
                                                    <td>{l.name.clone()}</td>
                                                    {(which == Dialog::Refund).then(|| view! { <td class="num">{remaining.clone()}</td> })}
                                                    {(which == Dialog::Capture).then(|| view! {
                                                        <td>
                                                            <input type="text" inputmode="decimal" class="narrow" aria-label=format!("{} — {}", t(T::PriceLabel), name)
                                                                prop:value=move || prices.with(|p| p.get(i).cloned().unwrap_or_default())
                                                                on:input:target=move |ev| prices.update(|p| if let Some(v) = p.get_mut(i) { *v = ev.target().value() })/>
                                                        </td>
                                                    })}
                                                    <td>
                                                        <input type="text" inputmode="decimal" class="narrow" data-testid=format!("qty-{i}")
                                                            aria-label=format!("{} — {}", t(T::QuantityLabel), l.name)
                                                            aria-invalid=move || line_problem(i).is_some().to_string()
                                                            prop:value=move || quantities.with(|q| q.get(i).cloned().unwrap_or_default())
                                                            on:input:target=move |ev| quantities.update(|q| if let Some(v) = q.get_mut(i) { *v = ev.target().value() })/>
                                                        <p class="field-error">{move || line_problem(i)}</p>
                                                    </td>
                                                    <td class="num" data-testid=format!("line-amount-{i}")>{line_amount}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <p data-testid="lines-total"><strong>{t(T::TotalLabel)}": "{typed_amount}" "{move || current.with(|c| c.currency.clone())}</strong></p>
                                <p class="muted">{move || most().map(|m| t(T::AtMost).replace("{amount}", &format!("{m} {}", current.with(|c| c.currency.clone()))))}</p>
                                <p class="field-error" id="op-lines-error">{move || by_lines.get().then(|| live().err().map(|p| problem_text(&p))).flatten()}</p>
                            </div>
                        })}
                        {(which != Dialog::Cancel).then(|| view! {
                            <div class="field" hidden=move || by_lines.get() class:field-invalid=move || amount_problem().is_some()>
                                <label for="op-amount">{t(if which == Dialog::Capture { T::CaptureAmount } else { T::RefundAmount })}</label>
                                <input id="op-amount" type="text" inputmode="decimal" autocomplete="off"
                                    aria-describedby="op-amount-error op-amount-most"
                                    aria-invalid=move || amount_problem().is_some().to_string()
                                    prop:value=move || amount.get()
                                    on:input:target=move |ev| amount.set(ev.target().value())/>
                                <p class="muted" id="op-amount-most">{move || most().map(|m| t(T::AtMost).replace("{amount}", &format!("{m} {}", current.with(|c| c.currency.clone()))))}</p>
                                <p class="field-error" id="op-amount-error">{amount_problem}</p>
                            </div>
                        })}
                        {(which == Dialog::Capture).then(|| view! {
                            <label class="checkbox" hidden=move || by_lines.get()>
                                <input type="checkbox" prop:checked=move || is_final.get() on:change:target=move |ev| is_final.set(ev.target().checked())/>
                                <span>{t(T::FinalCapture)}</span>
                            </label>
                        })}
                        <p class="alert alert-error" role="alert" hidden=move || page_error().is_none()>{page_error}</p>
                        <div class="actions">
                            <button type="submit" class="button primary"
                                disabled=move || pending() || (which != Dialog::Cancel && live().is_err())>{confirm_label}</button>
                            <button type="button" class="button" on:click=move |_| dialog.set(None)>{t(T::Cancel)}</button>
                        </div>
                    </form>
                </div>
            </div>
        })}
    }
    .into_any()
}

/// `/operations/payments/{id}`.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let payment = Resource::new(id, load_payment);
    let actions = Actions {
        capture: ServerAction::<CapturePayment>::new(),
        capture_cart: ServerAction::<CaptureCart>::new(),
        cancel: ServerAction::<CancelPayment>::new(),
        refund: ServerAction::<RefundPayment>::new(),
        refund_lines: ServerAction::<RefundLines>::new(),
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PaymentInformation))/>
        <p><a href="/operations/payments">"← "{t(T::PaymentsTitle)}</a></p>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match payment.await {
                    Ok(detail) => detail_view(detail, actions),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
