//! Operations → Payments → a payment (MB-32, MB-33): its facts, customer, activity and
//! cart, with the capture, cancel and refund dialogs (by amount or by cart line).

use super::api::{
    load_payment, CancelPayment, CaptureCart, CapturePayment, RefundLines, RefundPayment,
};
use super::{kind_text, label_text, PaymentDetail};
use crate::checkout::CartLineView;
use crate::components::loaded;
use crate::components::{error_text, problem_text};
use crate::error::{AppError, Problem};
use crate::i18n::{t, T};
use crate::url::encode;
use domain::cart::{cart_total, parse_refund_quantity, refund_total, LineError, Quantity};
use domain::money::{Currency, Money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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
fn check_amount(typed: &str, currency: &str, most: Option<&str>) -> Result<i64, Problem> {
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

/// The state of the operation dialogs, shared by the page's parts (every field is a
/// signal, so it is `Copy`).
#[derive(Clone, Copy)]
struct Operation {
    /// The payment as last answered by the server.
    current: RwSignal<PaymentDetail>,
    /// The dialog open, if any.
    dialog: RwSignal<Option<Dialog>>,
    /// The amount typed.
    amount: RwSignal<String>,
    /// "Final capture" ticked.
    is_final: RwSignal<bool>,
    /// The last operation succeeded.
    done: RwSignal<bool>,
    /// The server's answer to the last operation, when it failed.
    server_error: RwSignal<Option<AppError>>,
    /// By cart line rather than by amount.
    by_lines: RwSignal<bool>,
    /// Quantities typed per cart line.
    quantities: RwSignal<Vec<String>>,
    /// Unit prices typed per cart line (capture).
    prices: RwSignal<Vec<String>>,
}

impl Operation {
    fn new(initial: PaymentDetail) -> Self {
        Operation {
            current: RwSignal::new(initial),
            dialog: RwSignal::new(None),
            amount: RwSignal::new(String::new()),
            is_final: RwSignal::new(false),
            done: RwSignal::new(false),
            server_error: RwSignal::new(None),
            by_lines: RwSignal::new(false),
            quantities: RwSignal::new(Vec::new()),
            prices: RwSignal::new(Vec::new()),
        }
    }

    /// Takes an action's answer: the new payment closes the dialog, an error stays in it.
    fn take(self, result: Option<Result<PaymentDetail, AppError>>) {
        match result {
            Some(Ok(d)) => {
                self.current.set(d);
                self.dialog.set(None);
                self.server_error.set(None);
                self.done.set(true);
            }
            Some(Err(e)) => self.server_error.set(Some(e)),
            None => {}
        }
    }

    /// Opens a dialog with the most allowed as the amount and the cart as it stands.
    fn open(self, which: Dialog) {
        let detail = self.current.get_untracked();
        self.amount.set(match which {
            Dialog::Capture => detail.capturable.clone().unwrap_or_default(),
            Dialog::Refund => detail.refundable.clone().unwrap_or_default(),
            Dialog::Cancel => String::new(),
        });
        self.is_final.set(false);
        self.by_lines.set(false);
        self.quantities.set(match which {
            Dialog::Capture => detail.cart.iter().map(|l| l.quantity.clone()).collect(),
            _ => vec![String::new(); detail.cart.len()],
        });
        self.prices.set(
            detail
                .cart
                .iter()
                .map(|l| l.unit_price_major.clone())
                .collect(),
        );
        self.server_error.set(None);
        self.done.set(false);
        self.dialog.set(Some(which));
    }

    /// The most the open dialog allows (major units).
    fn most(self) -> Option<String> {
        let detail = self.current.get();
        match self.dialog.get() {
            Some(Dialog::Capture) => detail.capturable,
            Some(Dialog::Refund) => detail.refundable,
            _ => None,
        }
    }

    fn currency_code(self) -> String {
        self.current.with(|c| c.currency.clone())
    }

    fn currency(self) -> Option<Currency> {
        self.current.with(|c| Currency::parse(&c.currency))
    }

    /// The amount the lines come to, by the domain's cart math; a line's problem by index.
    fn lines_total(self) -> Result<i64, (usize, LineError)> {
        let cart = self.current.with(|c| c.cart.clone());
        let qs = self.quantities.get();
        if self.dialog.get() == Some(Dialog::Capture) {
            let ps = self.prices.get();
            let cur = self.currency().ok_or((0, LineError::Price))?;
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
    }

    /// The problem of cart line `i`, as typed or as the server answered.
    fn line_problem(self, i: usize) -> Option<String> {
        let local = match self.lines_total() {
            Err((j, LineError::MoreThanRemaining)) if j == i => Some(Problem::ExceedsLimit),
            Err((j, LineError::Quantity(_) | LineError::Price)) if j == i => {
                Some(Problem::InvalidAmount)
            }
            _ => None,
        };
        local.map(|p| problem_text(&p)).or_else(|| {
            self.server_error.get().and_then(|e| {
                e.problem_for(&format!("qty-{i}"))
                    .or_else(|| e.problem_for(&format!("price-{i}")))
                    .map(problem_text)
            })
        })
    }

    /// The amount typed, or the one the lines come to.
    fn typed_amount(self) -> String {
        if self.by_lines.get() {
            match (self.lines_total(), self.currency()) {
                (Ok(minor), Some(c)) => Money::new(minor, c)
                    .map(Money::format_major)
                    .unwrap_or_default(),
                _ => String::new(),
            }
        } else {
            self.amount.get()
        }
    }

    /// The operation's amount in minor units, or what is wrong with it, as typed.
    fn live(self) -> Result<i64, Problem> {
        if self.by_lines.get() {
            if let Err((_, e)) = self.lines_total() {
                return Err(match e {
                    LineError::MoreThanRemaining => Problem::ExceedsLimit,
                    LineError::Nothing => Problem::Required,
                    _ => Problem::InvalidAmount,
                });
            }
        }
        check_amount(
            &self.typed_amount(),
            &self.currency_code(),
            self.most().as_deref(),
        )
    }

    fn amount_problem(self) -> Option<String> {
        self.live().err().map(|p| problem_text(&p)).or_else(|| {
            self.server_error
                .get()
                .and_then(|e| e.problem_for("amount").map(problem_text))
        })
    }

    /// "At most …" under the amount.
    fn most_text(self) -> Option<String> {
        self.most()
            .map(|m| t(T::AtMost).replace("{amount}", &format!("{m} {}", self.currency_code())))
    }

    /// Sends the open dialog's operation.
    fn submit(self, actions: Actions) {
        let id = self.current.with_untracked(|c| c.id.clone());
        let by_lines = self.by_lines.get_untracked();
        match self.dialog.get_untracked() {
            Some(Dialog::Capture) if by_lines => {
                actions.capture_cart.dispatch(CaptureCart {
                    id,
                    prices: self.prices.get_untracked(),
                    quantities: self.quantities.get_untracked(),
                });
            }
            Some(Dialog::Refund) if by_lines => {
                actions.refund_lines.dispatch(RefundLines {
                    id,
                    quantities: self.quantities.get_untracked(),
                });
            }
            Some(Dialog::Capture) => {
                actions.capture.dispatch(CapturePayment {
                    id,
                    amount: self.amount.get_untracked(),
                    is_final: self.is_final.get_untracked().then(|| "on".to_owned()),
                });
            }
            Some(Dialog::Refund) => {
                actions.refund.dispatch(RefundPayment {
                    id,
                    amount: self.amount.get_untracked(),
                });
            }
            Some(Dialog::Cancel) => {
                actions.cancel.dispatch(CancelPayment { id });
            }
            None => {}
        }
    }

    /// The confirm button's text, with the amount.
    fn confirm_label(self) -> String {
        let amount = format!("{} {}", self.typed_amount(), self.currency_code());
        match self.dialog.get() {
            Some(Dialog::Capture) => t(T::ConfirmCapture).replace("{amount}", &amount),
            Some(Dialog::Refund) => t(T::ConfirmRefund).replace("{amount}", &amount),
            _ => t(T::ConfirmCancel).to_owned(),
        }
    }

    /// The payment has a cart whose lines can be operated on.
    fn has_cart(self) -> bool {
        self.current
            .with(|c| c.cart.iter().any(|l| l.state.is_some()))
    }
}

impl Actions {
    fn new() -> Self {
        Actions {
            capture: ServerAction::<CapturePayment>::new(),
            capture_cart: ServerAction::<CaptureCart>::new(),
            cancel: ServerAction::<CancelPayment>::new(),
            refund: ServerAction::<RefundPayment>::new(),
            refund_lines: ServerAction::<RefundLines>::new(),
        }
    }

    /// Whether an operation is on its way.
    fn pending(self) -> bool {
        self.capture.pending().get()
            || self.cancel.pending().get()
            || self.refund.pending().get()
            || self.capture_cart.pending().get()
            || self.refund_lines.pending().get()
    }
}

fn detail_view(initial: PaymentDetail, actions: Actions) -> AnyView {
    let op = Operation::new(initial);
    Effect::new(move |_| op.take(actions.capture.value().get()));
    Effect::new(move |_| op.take(actions.cancel.value().get()));
    Effect::new(move |_| op.take(actions.refund.value().get()));
    Effect::new(move |_| op.take(actions.capture_cart.value().get()));
    Effect::new(move |_| op.take(actions.refund_lines.value().get()));
    let current = op.current;
    let d = move || current.get();
    let tab = RwSignal::new(0usize);
    let tabs = [T::TabOperation, T::TabCustomer, T::TabActivity, T::TabCart];
    let panel = move |i: usize| {
        move || match i {
            0 => overview_tab(d()).into_any(),
            1 => customer_tab(d()).into_any(),
            2 => activity_tab(d()).into_any(),
            _ => cart_tab(d()).into_any(),
        }
    };
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
        {move || op.done.get().then(|| view! { <p class="alert alert-success" role="status">{t(T::OperationDone)}</p> })}
        <div class="actions" data-testid="operations">
            {move || (d().may_operate && d().capturable.is_some()).then(|| view! {
                <button type="button" class="button primary" on:click=move |_| op.open(Dialog::Capture)>{t(T::CaptureButton)}</button>
            })}
            {move || (d().may_operate && d().cancellable).then(|| view! {
                <button type="button" class="button danger" on:click=move |_| op.open(Dialog::Cancel)>{t(T::CancelPaymentButton)}</button>
            })}
            {move || (d().may_refund && d().refundable.is_some()).then(|| view! {
                <button type="button" class="button" on:click=move |_| op.open(Dialog::Refund)>{t(T::RefundButton)}</button>
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
        {(0..tabs.len()).map(|i| view! {
            <section class={if i < 2 { "card" } else { "card table-wrap" }} role="tabpanel"
                id=format!("panel-{i}") aria-labelledby=format!("tab-{i}") hidden=move || tab.get() != i>
                {panel(i)}
            </section>
        }).collect_view()}
        {move || op.dialog.get().map(|which| operation_dialog(op, actions, which))}
    }
    .into_any()
}

/// The Operation tab: the payment's facts and a card-present receipt.
fn overview_tab(d: PaymentDetail) -> impl IntoView {
    let receipt = d.receipt.clone();
    let through = d.paid_through.clone().map(|(label, href)| {
        view! {
            <dl class="facts">
                <dt>{t(T::PaidThroughLabel)}</dt>
                <dd><a href=href data-testid="paid-through">{label}</a></dd>
            </dl>
        }
    });
    let fraud = d.fraud.clone().map(|(result, rule)| {
        let (class, verdict) = if result == "denied" {
            ("alert alert-error", T::FraudDeniedPayment)
        } else {
            ("alert alert-warning", T::FraudChallengedPayment)
        };
        view! {
            <div class=class data-testid="fraud-screening" data-result=result>
                <strong>{t(T::FraudScreeningLabel)} ": "</strong> {t(verdict)} " " {rule}
            </div>
        }
    });
    view! {
        {fraud}
        {through}
        {facts(vec![
            (T::ReferenceLabel, d.reference), (T::PaymentIdLabel, d.id), (T::MethodLabel, d.method),
            (T::ChannelLabel, d.channel), (T::AmountLabel, d.amount), (T::AuthorisedLabel, d.authorised),
            (T::ReceivedLabel, d.captured), (T::RefundedLabel, d.refunded), (T::CreatedLabel, d.created),
            (T::AuthorisationCodeLabel, d.authorisation_code), (T::EciLabel, eci_text(&d.eci)),
            (T::SessionIdLabel, d.session_id), (T::TerminalIdLabel, d.terminal_id),
        ])}
        {(!receipt.is_empty()).then(|| view! {
            <h3>{t(T::PosReceipt)}</h3>
            <pre class="receipt" data-testid="receipt">{receipt}</pre>
        })}
    }
}

/// The Customer tab: card and payer.
fn customer_tab(d: PaymentDetail) -> impl IntoView {
    let entered = (!d.payer_fields.is_empty()).then(|| {
        let rows = d.payer_fields.clone();
        view! {
            <h3>{t(T::PayerEntriesTitle)}</h3>
            <dl class="facts" data-testid="payer-fields">
                {rows.into_iter().map(|(k, v)| view! { <dt class="mono">{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
        }
    });
    (customer_facts(d), entered)
}

fn customer_facts(d: PaymentDetail) -> impl IntoView {
    facts(vec![
        (T::CardLabel, d.masked_card),
        (T::ExpiryLabel, d.expiry),
        (T::CardHolderLabel, d.holder),
        (T::MethodLabel, d.method),
        (T::EmailLabel, d.email),
        (T::IpLabel, d.ip),
    ])
}

/// The Activity tab: every operation, oldest first.
fn activity_tab(d: PaymentDetail) -> impl IntoView {
    view! {
        <table class="table" data-testid="activity">
            <thead><tr>
                <th scope="col">{t(T::CreatedLabel)}</th><th scope="col">{t(T::KindLabel)}</th>
                <th scope="col">{t(T::ResultLabel)}</th><th scope="col" class="num">{t(T::AmountLabel)}</th>
                <th scope="col">{t(T::ByLabel)}</th>
            </tr></thead>
            <tbody>
                {d.activity.into_iter().map(|a| view! {
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
    }
}

/// The Cart tab: the lines with what was refunded of each.
fn cart_tab(d: PaymentDetail) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr>
                <th scope="col" class="num">"#"</th><th scope="col">{t(T::ItemLabel)}</th><th scope="col">{t(T::ArticleLabel)}</th>
                <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                <th scope="col" class="num">{t(T::PriceLabel)}</th><th scope="col" class="num">{t(T::AmountLabel)}</th>
                <th scope="col" class="num">{t(T::RefundedQtyLabel)}</th>
            </tr></thead>
            <tbody>
                {d.cart.into_iter().enumerate().map(|(i, l)| {
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
    }
}

/// The capture, refund or cancel dialog.
fn operation_dialog(op: Operation, actions: Actions, which: Dialog) -> impl IntoView {
    let page_error = move || op.server_error.get().and_then(|e| error_text(&e));
    let by_lines = op.by_lines;
    let title = match which {
        Dialog::Capture => T::KindCapture,
        Dialog::Refund => T::KindRefund,
        Dialog::Cancel => T::KindCancel,
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="op-title">
                <h2 id="op-title">{t(title)}</h2>
                <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    op.submit(actions);
                }>
                    {(which == Dialog::Cancel).then(|| view! { <p>{t(T::ConfirmCancelText)}</p> })}
                    {(which != Dialog::Cancel && op.has_cart()).then(|| view! {
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
                    {(which != Dialog::Cancel).then(|| lines_form(op, which))}
                    {(which != Dialog::Cancel).then(|| amount_field(op, which))}
                    {(which == Dialog::Capture).then(|| view! {
                        <label class="checkbox" hidden=move || by_lines.get()>
                            <input type="checkbox" prop:checked=move || op.is_final.get() on:change:target=move |ev| op.is_final.set(ev.target().checked())/>
                            <span>{t(T::FinalCapture)}</span>
                        </label>
                    })}
                    <p class="alert alert-error" role="alert" hidden=move || page_error().is_none()>{page_error}</p>
                    <div class="actions">
                        <button type="submit" class="button primary"
                            disabled=move || actions.pending() || (which != Dialog::Cancel && op.live().is_err())>{move || op.confirm_label()}</button>
                        <button type="button" class="button" on:click=move |_| op.dialog.set(None)>{t(T::Cancel)}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}

/// The amount of a capture or refund by amount.
fn amount_field(op: Operation, which: Dialog) -> impl IntoView {
    let amount = op.amount;
    view! {
        <div class="field" hidden=move || op.by_lines.get() class:field-invalid=move || op.amount_problem().is_some()>
            <label for="op-amount">{t(if which == Dialog::Capture { T::CaptureAmount } else { T::RefundAmount })}</label>
            <input id="op-amount" type="text" inputmode="decimal" autocomplete="off"
                aria-describedby="op-amount-error op-amount-most"
                aria-invalid=move || op.amount_problem().is_some().to_string()
                prop:value=move || amount.get()
                on:input:target=move |ev| amount.set(ev.target().value())/>
            <p class="muted" id="op-amount-most">{move || op.most_text()}</p>
            <p class="field-error" id="op-amount-error">{move || op.amount_problem()}</p>
        </div>
    }
}

/// A capture or refund by cart line: prices (capture) and quantities per line, with the
/// total they come to.
fn lines_form(op: Operation, which: Dialog) -> impl IntoView {
    view! {
        <div hidden=move || !op.by_lines.get() class="table-wrap">
            <table class="table lines" data-testid="op-lines">
                <thead><tr>
                    <th scope="col">{t(T::ItemLabel)}</th>
                    {(which == Dialog::Refund).then(|| view! { <th scope="col" class="num">{t(T::RemainingQty)}</th> })}
                    {(which == Dialog::Capture).then(|| view! { <th scope="col">{t(T::PriceLabel)}</th> })}
                    <th scope="col">{t(T::QuantityLabel)}</th>
                    <th scope="col" class="num">{t(T::AmountLabel)}</th>
                </tr></thead>
                <tbody>
                    {move || op.current.with(|c| c.cart.clone()).into_iter().enumerate()
                        .map(|(i, l)| line_row(op, which, i, l)).collect_view()}
                </tbody>
            </table>
            <p data-testid="lines-total"><strong>{t(T::TotalLabel)}": "{move || op.typed_amount()}" "{move || op.currency_code()}</strong></p>
            <p class="muted">{move || op.most_text()}</p>
            <p class="field-error" id="op-lines-error">{move || op.by_lines.get().then(|| op.live().err().map(|p| problem_text(&p))).flatten()}</p>
        </div>
    }
}

/// One cart line of [`lines_form`].
fn line_row(op: Operation, which: Dialog, i: usize, l: CartLineView) -> impl IntoView {
    let (prices, quantities) = (op.prices, op.quantities);
    let remaining = l
        .state
        .map(|s| domain::cart::format_thousandths(s.remaining()))
        .unwrap_or_default();
    let state = l.state;
    let line_amount = move || {
        let cur = op.currency()?;
        let q = quantities.with(|q| q.get(i).cloned().unwrap_or_default());
        let minor = if which == Dialog::Capture {
            let p = prices.with(|p| p.get(i).cloned().unwrap_or_default());
            domain::cart::line_amount(
                Money::parse_major(&p, cur).ok()?.minor(),
                Quantity::parse(&q).ok()?,
            )
        } else {
            state?.refund_amount(parse_refund_quantity(&q).ok()?).ok()?
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
                    aria-invalid=move || op.line_problem(i).is_some().to_string()
                    prop:value=move || quantities.with(|q| q.get(i).cloned().unwrap_or_default())
                    on:input:target=move |ev| quantities.update(|q| if let Some(v) = q.get_mut(i) { *v = ev.target().value() })/>
                <p class="field-error">{move || op.line_problem(i)}</p>
            </td>
            <td class="num" data-testid=format!("line-amount-{i}")>{line_amount}</td>
        </tr>
    }
}

/// `/operations/payments/{id}`.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let payment = Resource::new(id, load_payment);
    let actions = Actions::new();
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PaymentInformation))/>
        <p><a href="/operations/payments">"← "{t(T::PaymentsTitle)}</a></p>
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(payment).await {
                    Ok(detail) => detail_view(detail, actions),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
