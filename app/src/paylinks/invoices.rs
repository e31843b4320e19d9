//! Operations → Invoice to e-mail (MB-35): an invoice, with a cart if wanted, mailed to
//! the customer with a link to the payment page; and the list of invoices issued.
//!
//! The amount, prices and quantities are checked as typed by the domain crate (in
//! WebAssembly); the server decides again and its field problems show under the same
//! inputs. The cart and its CSV import are in `invoice_cart`. The list's search lives
//! in the URL (`?q=&status=`), so a bookmark keeps it.

use super::invoice_cart::{cart_section, Cart};
use crate::components::copy_text;
use crate::components::loaded;
use crate::components::{error_text, field_problem};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use crate::paylinks::api::{list_invoices, CancelInvoice, IssueInvoice};
use crate::paylinks::{InvoiceFilter, InvoiceForm, InvoiceRow, InvoiceStatus, IssuedInvoice};
use domain::money::{Currency, Money};
use domain::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A labelled input bound to `value`, with a hint and the problem under it: the one
/// found as typed first, else the server's for `name`.
#[component]
fn InvoiceField(
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    server: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<T>,
    #[prop(optional)] live: Option<Signal<Option<String>>>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] readonly: Option<Signal<bool>>,
) -> impl IntoView {
    let id = format!("invoice-{name}");
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let server_problem = field_problem(server, name);
    let problem = move || live.and_then(|l| l.get()).or_else(server_problem);
    let described = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    let readonly = move || readonly.is_some_and(|r| r.get());
    view! {
        <div class=format!("field invoice-field-{name}") class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type=kind autocomplete=autocomplete inputmode=inputmode
                readonly=readonly
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())/>
            {hint.map(|h| view! { <p class="muted field-hint" id=hint_id>{t(h)}</p> })}
            <p class="field-error" id=error_id>{problem}</p>
        </div>
    }
}

/// The problem of the amount as typed: empty only once the form was sent, else an
/// amount above zero in the currency.
fn amount_problem(text: &str, currency: &str, submitted: bool) -> Option<String> {
    if text.trim().is_empty() {
        return submitted.then(|| t(T::ErrRequired).to_owned());
    }
    let currency = Currency::parse(currency)?;
    match Money::parse_major(text, currency) {
        Ok(m) if m.minor() > 0 => None,
        _ => Some(t(T::ErrInvalidAmount).to_owned()),
    }
}

/// `/operations/invoice`: issue an invoice.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let lang = use_lang();
    let issue = ServerAction::<IssueInvoice>::new();
    let server = Signal::derive(move || issue.value().get().and_then(Result::err));
    let text = || RwSignal::new(String::new());
    let (reference, customer_name, email, customer_id) = (text(), text(), text(), text());
    let (due, payable_until, description, amount) = (text(), text(), text(), text());
    let language = RwSignal::new(lang.code().to_owned());
    let currency = RwSignal::new("EUR".to_owned());
    let (hold_back, remind) = (RwSignal::new(false), RwSignal::new(false));
    let submitted = RwSignal::new(false);
    // The form was not sent: some field has a problem found in the browser.
    let blocked = RwSignal::new(false);
    let cart = Cart::new(currency, submitted);
    let has_cart = Memo::new(move |_| !cart.is_empty());
    // With a cart, the amount is its total, as typed.
    let amount_text = Signal::derive(move || {
        if has_cart.get() {
            cart.total_text()
        } else {
            amount.get()
        }
    });
    let amount_live = Signal::derive(move || {
        if has_cart.get() {
            None
        } else {
            amount_problem(&amount.get(), &currency.get(), submitted.get())
        }
    });
    let amount_readonly = Signal::derive(move || has_cart.get());
    // The amount field shows the cart's total while there is a cart.
    Effect::new(move |_| {
        if has_cart.get() {
            amount.set(cart.total_text());
        }
    });
    // A new invoice starts from an empty form; the currency, language and boxes stay.
    Effect::new(move |_| {
        if let Some(Ok(_)) = issue.value().get() {
            for field in [reference, customer_name, email, customer_id] {
                field.set(String::new());
            }
            for field in [due, payable_until, description, amount] {
                field.set(String::new());
            }
            cart.clear();
            submitted.set(false);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if amount_live.get_untracked().is_some() || cart.has_problems() {
            blocked.set(true);
            return;
        }
        blocked.set(false);
        issue.dispatch(IssueInvoice {
            form: InvoiceForm {
                reference: reference.get_untracked(),
                customer_name: customer_name.get_untracked(),
                email: email.get_untracked(),
                language: language.get_untracked(),
                due: due.get_untracked(),
                payable_until: payable_until.get_untracked(),
                customer_id: customer_id.get_untracked(),
                description: description.get_untracked(),
                currency: currency.get_untracked(),
                amount: amount_text.get_untracked(),
                lines: cart.lines(),
                hold_back: hold_back.get_untracked(),
                remind: remind.get_untracked(),
            },
        });
    };
    let page_error = move || {
        if blocked.get() {
            return Some(t(T::LinkCheckFields).to_owned());
        }
        match issue.value().get() {
            Some(Err(AppError::Invalid(_))) => Some(t(T::LinkCheckFields).to_owned()),
            Some(Err(e)) => error_text(&e),
            _ => None,
        }
    };
    let language_problem = field_problem(server, "language");
    let currency_problem = field_problem(server, "currency");
    let button = move || {
        t(if issue.pending().get() {
            T::Processing
        } else if hold_back.get() {
            T::InvoiceIssue
        } else {
            T::InvoiceSend
        })
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::InvoiceTitle))/>
        <div class="page-head">
            <h1>{t(T::InvoiceTitle)}</h1>
            <a class="button" href="/operations/invoices">{t(T::InvoicesTitle)}</a>
        </div>
        <p class="muted">{t(T::InvoiceIntro)}</p>
        <form class="card form invoice-form" on:submit=on_submit novalidate data-testid="invoice-form">
            <fieldset>
                <legend>{t(T::InvoiceLegend)}</legend>
                <div class="invoice-grid">
                    <InvoiceField label=T::ReferenceLabel name="reference" value=reference server=server hint=T::ReferenceGenerated/>
                    <InvoiceField label=T::InvoiceCustomerName name="customer_name" value=customer_name server=server/>
                    <InvoiceField label=T::InvoiceEmail name="email" kind="email" value=email server=server/>
                    <div class="field" class:field-invalid=move || language_problem().is_some()>
                        <label for="invoice-language">{t(T::InvoiceLanguage)}</label>
                        <select id="invoice-language" name="language" aria-describedby="invoice-language-hint"
                            on:change:target=move |ev| language.set(ev.target().value())>
                            {Lang::ALL.map(|l| view! {
                                <option value=l.code() lang=l.code() selected=l == lang>{l.native_name()}</option>
                            }).collect_view()}
                        </select>
                        <p class="muted field-hint" id="invoice-language-hint">{t(T::InvoiceLanguageHint)}</p>
                        <p class="field-error">{language_problem}</p>
                    </div>
                    <InvoiceField label=T::InvoiceDue name="due" kind="datetime-local" value=due server=server hint=T::InvoiceDueHint/>
                    <InvoiceField label=T::InvoicePayableUntil name="payable_until" kind="datetime-local" value=payable_until server=server hint=T::InvoicePayableUntilHint/>
                    <InvoiceField label=T::CustomerIdLabel name="customer_id" value=customer_id server=server hint=T::InvoiceCustomerIdHint/>
                    <InvoiceField label=T::DescriptionLabel name="description" value=description server=server/>
                    <div class="field" class:field-invalid=move || currency_problem().is_some()>
                        <label for="invoice-currency">{t(T::CurrencyLabel)}</label>
                        <select id="invoice-currency" name="currency" on:change:target=move |ev| currency.set(ev.target().value())>
                            {Currency::all().map(|c| view! { <option value=c.code() selected=c.code() == "EUR">{c.code()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{currency_problem}</p>
                    </div>
                    <div class="invoice-amount">
                        <InvoiceField label=T::AmountLabel name="amount" value=amount server=server inputmode="decimal"
                            live=amount_live readonly=amount_readonly/>
                        <p class="muted field-hint" hidden=move || !has_cart.get()>{t(T::InvoiceAmountFromCart)}</p>
                    </div>
                </div>
            </fieldset>
            {cart_section(cart, server)}
            <fieldset class="invoice-sending">
                <legend>{t(T::InvoiceSendingLegend)}</legend>
                <label class="checkbox">
                    <input type="checkbox" name="hold_back" prop:checked=move || hold_back.get()
                        on:change:target=move |ev| hold_back.set(ev.target().checked())/>
                    <span>{t(T::InvoiceHoldBack)}</span>
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="remind" prop:checked=move || remind.get()
                        on:change:target=move |ev| remind.set(ev.target().checked())/>
                    <span>{t(T::InvoiceRemind)}</span>
                </label>
            </fieldset>
            <p class="alert alert-error" role="alert" hidden=move || page_error().is_none()>{page_error}</p>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || issue.pending().get()
                    data-testid="issue-invoice">{button}</button>
            </div>
        </form>
        {move || issue.value().get().and_then(Result::ok).map(issued_box)}
    }
}

/// "Invoice … is issued": the link (open, copy) and whether the e-mail went out.
fn issued_box(invoice: IssuedInvoice) -> impl IntoView {
    let url_input = NodeRef::<leptos::html::Input>::new();
    let copied = RwSignal::new(None::<bool>);
    let url = invoice.url.clone();
    let copy = move |_| {
        let done = copy_text(&url);
        if !done {
            if let Some(input) = url_input.get() {
                input.select();
            }
        }
        copied.set(Some(done));
    };
    let sent = t(if invoice.sent {
        T::InvoiceSent
    } else {
        T::InvoiceNotSent
    });
    view! {
        <section class="alert alert-success invoice-issued" role="status" data-testid="invoice-issued"
            data-sent=invoice.sent.to_string()>
            <p><strong>{t(T::InvoiceIssued).replace("{reference}", &invoice.reference)}</strong></p>
            <p>{sent}</p>
            <div class="field">
                <label for="invoice-url">{t(T::LinkAddress)}</label>
                <div class="invoice-url-row">
                    <input id="invoice-url" node_ref=url_input type="text" class="mono" readonly
                        value=invoice.url.clone() prop:value=invoice.url.clone() data-testid="invoice-url"
                        on:focus:target=move |ev| ev.target().select()/>
                    <button type="button" class="button" on:click=copy>{t(T::InvoiceCopyLink)}</button>
                </div>
            </div>
            <p class="muted invoice-copy-status">
                {move || copied.get().map(|ok| t(if ok { T::LinkCopied } else { T::LinkCopyManually }))}
            </p>
            <div class="actions">
                <a class="button primary" href=invoice.url.clone() target="_blank" rel="noopener noreferrer external"
                    data-testid="invoice-link">{t(T::InvoicePayLink)}</a>
                <a class="button" href="/operations/invoices">{t(T::InvoiceSeeAll)}</a>
            </div>
        </section>
    }
}

/// The statuses in the filter's order.
const STATUSES: [InvoiceStatus; 5] = [
    InvoiceStatus::Issued,
    InvoiceStatus::Paid,
    InvoiceStatus::Overdue,
    InvoiceStatus::Expired,
    InvoiceStatus::Cancelled,
];

fn status_text(status: InvoiceStatus) -> &'static str {
    t(match status {
        InvoiceStatus::Issued => T::InvoiceStatusIssued,
        InvoiceStatus::Paid => T::InvoiceStatusPaid,
        InvoiceStatus::Overdue => T::InvoiceStatusOverdue,
        InvoiceStatus::Expired => T::InvoiceStatusExpired,
        InvoiceStatus::Cancelled => T::InvoiceStatusCancelled,
    })
}

/// The status as a coloured pill with its text.
fn status_pill(status: InvoiceStatus) -> impl IntoView {
    let code = status.code();
    view! {
        <span class=format!("status invoice-status invoice-status-{code}") data-status=code>{status_text(status)}</span>
    }
}

/// `/operations/invoices`: the invoices issued.
#[component]
pub fn InvoicesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| InvoiceFilter {
            q: q.get("q").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        })
    });
    let cancel = ServerAction::<CancelInvoice>::new();
    let list = Resource::new(
        move || (filter.get(), cancel.version().get()),
        |(f, _)| list_invoices(f),
    );
    // The invoice whose cancelling waits for confirmation.
    let confirm = RwSignal::new(None::<InvoiceRow>);
    // What the copy buttons last did: the copied invoice's id, or its link to copy by hand.
    let copied = RwSignal::new(None::<Result<String, String>>);
    // The reference of the invoice just cancelled.
    let cancelled = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            if let Some(row) = confirm.get_untracked() {
                cancelled.set(Some(row.reference));
            }
            confirm.set(None);
        }
    });
    let f = filter.get_untracked();
    view! {
        <Title text=format!("{} — OpenPSP", t(T::InvoicesTitle))/>
        <div class="page-head">
            <h1>{t(T::InvoicesTitle)}</h1>
            <a class="button primary" href="/operations/invoice" data-testid="new-invoice">{t(T::InvoiceNew)}</a>
        </div>
        <p class="muted">{t(T::InvoicesIntro)}</p>
        <form class="card invoice-filter" method="get" action="/operations/invoices" role="search" aria-label=t(T::FilterTitle)>
            <div class="field invoice-filter-q">
                <label for="invoices-q">{t(T::InvoiceSearchLabel)}</label>
                <input id="invoices-q" name="q" type="search" value=f.q.clone()/>
            </div>
            <div class="field">
                <label for="invoices-status">{t(T::StatusLabel)}</label>
                <select id="invoices-status" name="status">
                    <option value="" selected=f.status.is_empty()>{t(T::LinkAllStatuses)}</option>
                    {STATUSES.into_iter().map(|s| view! {
                        <option value=s.code() selected=f.status == s.code()>{status_text(s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="submit" class="button">{t(T::Search)}</button>
                {(!f.q.is_empty() || !f.status.is_empty()).then(|| view! {
                    <a class="button ghost" href="/operations/invoices">{t(T::ClearFilter)}</a>
                })}
            </div>
        </form>
        <p class="invoice-list-status" role="status" aria-live="polite">
            {move || copied.get().map(|c| match c {
                Ok(_) => t(T::LinkCopied).to_owned(),
                Err(url) => format!("{} {url}", t(T::LinkCopyManually)),
            }).or_else(|| cancelled.get().map(|r| t(T::InvoiceCancelledNotice).replace("{reference}", &r)))}
        </p>
        <Transition fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                let filtered = filter.with_untracked(|f| !f.q.is_empty() || !f.status.is_empty());
                match loaded(list).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => empty_state(filtered).into_any(),
                    Ok(rows) => invoices_table(rows, confirm, copied).into_any(),
                }
            })}
        </Transition>
        {move || confirm.get().map(|row| cancel_dialog(row, cancel, confirm))}
    }
}

/// What an empty list says: what to do next.
fn empty_state(filtered: bool) -> impl IntoView {
    if filtered {
        view! { <p class="card empty" data-testid="invoices-empty">{t(T::InvoicesNoMatch)}</p> }
            .into_any()
    } else {
        view! {
            <div class="card invoice-empty" data-testid="invoices-empty">
                <p><strong>{t(T::InvoicesEmpty)}</strong></p>
                <p class="muted">{t(T::InvoicesEmptyHow)}</p>
                <a class="button primary" href="/operations/invoice">{t(T::InvoiceNew)}</a>
            </div>
        }
        .into_any()
    }
}

fn invoices_table(
    rows: Vec<InvoiceRow>,
    confirm: RwSignal<Option<InvoiceRow>>,
    copied: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    view! {
        <div class="card table-wrap invoices-wrap">
            <table class="table invoices-table" data-testid="invoices">
                <thead><tr>
                    <th scope="col">{t(T::ReferenceLabel)}</th>
                    <th scope="col">{t(T::InvoiceCustomer)}</th>
                    <th scope="col">{t(T::InvoiceEmail)}</th>
                    <th scope="col" class="num">{t(T::AmountLabel)}</th>
                    <th scope="col">{t(T::InvoiceDueColumn)}</th>
                    <th scope="col">{t(T::StatusLabel)}</th>
                    <th scope="col">{t(T::InvoicePaymentColumn)}</th>
                    <th scope="col"><span class="sr-only">{t(T::ActionsLabel)}</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| invoice_row(r, confirm, copied)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn invoice_row(
    r: InvoiceRow,
    confirm: RwSignal<Option<InvoiceRow>>,
    copied: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let named = |action: T| format!("{} {}", t(action), r.reference);
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
    let copy_label = t(T::InvoiceCopyLink);
    let payment = match &r.payment_id {
        Some(id) => view! {
            <a class="mono" href=format!("/operations/payments/{id}")
                aria-label=t(T::OpenPayment).replace("{id}", id)>{id.clone()}</a>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let cancellable = matches!(r.status, InvoiceStatus::Issued | InvoiceStatus::Overdue);
    let cancel = cancellable.then(|| {
        let row = r.clone();
        view! {
            <button type="button" class="button danger" aria-label=named(T::Cancel)
                on:click=move |_| confirm.set(Some(row.clone()))>{t(T::Cancel)}</button>
        }
    });
    view! {
        <tr data-invoice-id=r.id.clone()>
            <td class="mono">{r.reference.clone()}</td>
            <td>{r.customer_name.clone()}</td>
            <td>{r.email.clone()}</td>
            <td class="num">{r.amount.clone()}</td>
            <td>{r.due.clone()}</td>
            <td>{status_pill(r.status)}</td>
            <td>{payment}</td>
            <td><div class="actions invoice-actions">
                <button type="button" class="button" aria-label=named(T::InvoiceCopyLink) on:click=copy>
                    {move || if is_copied() { format!("✓ {copy_label}") } else { copy_label.to_owned() }}
                </button>
                <a class="button" href=r.url.clone() target="_blank" rel="noopener noreferrer external"
                    aria-label=named(T::LinkOpen)>{t(T::LinkOpen)}</a>
                {cancel}
            </div></td>
        </tr>
    }
}

/// "Cancel this invoice?" with its amount and consequence.
fn cancel_dialog(
    row: InvoiceRow,
    cancel: ServerAction<CancelInvoice>,
    confirm: RwSignal<Option<InvoiceRow>>,
) -> impl IntoView {
    let error = move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| error_text(&e))
    };
    let keep = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = keep.get() {
            let _ = button.focus();
        }
    });
    let text = t(T::InvoiceCancelText)
        .replace("{reference}", &row.reference)
        .replace("{amount}", &row.amount)
        .replace("{name}", &row.customer_name);
    let id = row.id.clone();
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { confirm.set(None) }>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="cancel-invoice-title"
                aria-describedby="cancel-invoice-text" data-testid="cancel-invoice">
                <h2 id="cancel-invoice-title">{t(T::InvoiceCancelTitle)}</h2>
                <p id="cancel-invoice-text">{text}</p>
                <p class="alert alert-error" role="alert" hidden=move || error().is_none()>{error}</p>
                <div class="actions">
                    <button type="button" class="button danger" disabled=move || cancel.pending().get()
                        on:click=move |_| { cancel.dispatch(CancelInvoice { id: id.clone() }); }>{t(T::InvoiceCancelConfirm)}</button>
                    <button type="button" class="button" node_ref=keep on:click=move |_| confirm.set(None)>{t(T::InvoiceKeep)}</button>
                </div>
            </div>
        </div>
    }
}
