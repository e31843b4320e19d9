//! Operations → Point of sale (TG-2): send an amount to one of the merchant's terminals,
//! follow the stages live (server-sent events), cancel while the terminal waits, read
//! the receipt and open the card-present payment it became.

use crate::components::loaded;
use crate::components::{error_text, last_error, problem_text};
use crate::i18n::{t, T};
use crate::terminals::api::{pos_terminals, CancelPosPayment, StartPosPayment};
use crate::terminals::{PosPaymentView, TerminalView};
use domain::money::{Currency, Money};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the page says of a result.
fn result_text(result: &str) -> (&'static str, &'static str) {
    match result {
        "APPROVED" => (t(T::PosResultApproved), "alert alert-success"),
        "DECLINED" => (t(T::PosResultDeclined), "alert alert-error"),
        "STOPPED" => (t(T::PosResultStopped), "alert alert-error"),
        "TECHNICAL_PROBLEM" => (t(T::PosResultTechnical), "alert alert-error"),
        _ => (t(T::PosResultError), "alert alert-error"),
    }
}

/// Follows payment `id` over server-sent events until it is finished.
#[cfg(feature = "hydrate")]
fn follow(id: i64, current: RwSignal<Option<PosPaymentView>>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(source) = web_sys::EventSource::new(&format!("/operations/pos/events/{id}")) else {
        return;
    };
    let closing = source.clone();
    let on_payment =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let Ok(view) = serde_json::from_str::<PosPaymentView>(&text) else {
                return;
            };
            // A late event of an earlier payment never replaces the one on screen.
            if current.get_untracked().is_some_and(|c| c.id != view.id) {
                closing.close();
                return;
            }
            if view.stage == "FINISHED" {
                closing.close();
            }
            current.set(Some(view));
        });
    let _ = source.add_event_listener_with_callback("payment", on_payment.as_ref().unchecked_ref());
    on_payment.forget();
}

#[cfg(not(feature = "hydrate"))]
fn follow(_id: i64, _current: RwSignal<Option<PosPaymentView>>) {}

fn terminal_option(terminal: &TerminalView) -> impl IntoView {
    let status = if terminal.connected {
        t(T::TerminalConnected)
    } else {
        t(T::TerminalDisconnected)
    };
    let label = if terminal.model.is_empty() {
        format!("{} · {status}", terminal.terminal_id)
    } else {
        format!("{} · {} · {status}", terminal.terminal_id, terminal.model)
    };
    view! { <option value=terminal.terminal_id.clone()>{label}</option> }
}

/// The running or finished payment.
fn payment_panel(
    p: PosPaymentView,
    cancel: ServerAction<CancelPosPayment>,
    current: RwSignal<Option<PosPaymentView>>,
) -> impl IntoView {
    let finished = p.stage == "FINISHED";
    let order = ["SENT", "WAITING_FOR_CARD", "WAITING_FOR_PIN", "FINISHED"];
    let at = order.iter().position(|s| *s == p.stage).unwrap_or(1);
    let steps = [
        T::PosStageSent,
        T::PosStageCard,
        T::PosStagePin,
        T::PosStageFinished,
    ]
    .into_iter()
    .enumerate()
    .map(|(i, label)| {
        let done = i < at || (finished && i == at);
        let here = i == at && !finished;
        view! {
            <li class:done=done aria-current=here.then_some("step")>{t(label)}</li>
        }
    })
    .collect_view();
    let result = p.result.as_deref().map(|r| {
        let (text, class) = result_text(r);
        let code = p
            .authorisation_code
            .as_ref()
            .map(|c| format!(" · {} {c}", t(T::AuthorisationCodeLabel)));
        view! { <p class=class role="status" data-testid="pos-result">{text}{code}</p> }
    });
    let link = p.payment_id.clone().map(|id| {
        let href = format!("/operations/payments/{id}");
        view! { <p><a href=href>{t(T::OpenPayment).replace("{id}", &id)}</a></p> }
    });
    let receipt = p.receipt.clone().map(|r| {
        view! {
            <h3>{t(T::PosReceipt)}</h3>
            <pre class="receipt" data-testid="pos-receipt">{r}</pre>
        }
    });
    let id = p.id;
    let cancel_button = (!finished).then(|| {
        if p.cancel_requested {
            view! { <p class="muted" role="status">{t(T::PosCancelRequested)}</p> }.into_any()
        } else {
            view! {
                <button type="button" class="button danger" disabled=move || cancel.pending().get()
                    on:click=move |_| { cancel.dispatch(CancelPosPayment { id }); }>
                    {t(T::PosCancel)}
                </button>
            }
            .into_any()
        }
    });
    let again = finished.then(|| {
        view! {
            <button type="button" class="button primary" on:click=move |_| current.set(None)>{t(T::PosAnother)}</button>
        }
    });
    view! {
        <section class="card" data-testid="pos-payment" aria-live="polite">
            <h2>{p.amount.clone()}</h2>
            <p class="muted">{t(T::PosTerminal)}" "<span class="mono">{p.terminal_id.clone()}</span>
                " · "{t(T::ReferenceLabel)}" "<span class="mono">{p.reference.clone()}</span></p>
            <ol class="pos-steps" data-testid="pos-stages">{steps}</ol>
            {result}
            {link}
            {receipt}
            <div class="actions">{cancel_button}{again}</div>
        </section>
    }
}

/// `/operations/pos`.
#[component]
pub fn PosPage() -> impl IntoView {
    let start = ServerAction::<StartPosPayment>::new();
    let cancel = ServerAction::<CancelPosPayment>::new();
    let terminals = Resource::new(|| (), |_| pos_terminals());
    let current: RwSignal<Option<PosPaymentView>> = RwSignal::new(None);
    let terminal = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let amount = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let start_error = last_error(start.value());
    let cancel_error = last_error(cancel.value());
    Effect::new(move |_| {
        if let Some(Ok(view)) = start.value().get() {
            let id = view.id;
            current.set(Some(view));
            amount.set(String::new());
            reference.set(String::new());
            touched.set(false);
            follow(id, current);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = cancel.value().get() {
            if current
                .get_untracked()
                .is_some_and(|c| c.id == view.id && c.stage != "FINISHED")
            {
                current.set(Some(view));
            }
        }
    });
    let problem = move |name: &'static str| {
        start_error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    let amount_problem = move || {
        let live = touched.get().then(|| {
            let c = Currency::parse(&currency.get())?;
            match Money::parse_major(&amount.get(), c) {
                Ok(m) if m.minor() > 0 => None,
                _ => Some(problem_text(&crate::error::Problem::InvalidAmount)),
            }
        });
        live.flatten().or_else(|| problem("amount"))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if amount_problem().is_some() {
            return;
        }
        start.dispatch(StartPosPayment {
            terminal: terminal.get_untracked(),
            currency: currency.get_untracked(),
            amount: amount.get_untracked(),
            reference: reference.get_untracked(),
        });
    };
    let general_error = move || {
        start_error
            .get()
            .or_else(|| cancel_error.get())
            .and_then(|e| error_text(&e))
            .map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })
    };
    let form = move |list: Vec<TerminalView>| {
        if terminal.get_untracked().is_empty() {
            if let Some(first) = list.iter().find(|t| t.connected).or(list.first()) {
                terminal.set(first.terminal_id.clone());
            }
        }
        view! {
            <form class="card form pos-form" on:submit=on_submit novalidate>
                <div class="field" class:field-invalid=move || problem("terminal").is_some()>
                    <label for="pos-terminal">{t(T::PosTerminal)}</label>
                    <select id="pos-terminal" name="terminal"
                        prop:value=move || terminal.get()
                        on:change:target=move |ev| terminal.set(ev.target().value())>
                        {list.iter().map(terminal_option).collect_view()}
                    </select>
                    <p class="field-error">{move || problem("terminal")}</p>
                </div>
                <div class="field-row">
                    <div class="field" class:field-invalid=move || problem("currency").is_some()>
                        <label for="pos-currency">{t(T::CurrencyLabel)}</label>
                        <select id="pos-currency" name="currency" on:change:target=move |ev| currency.set(ev.target().value())>
                            {Currency::all().map(|c| view! { <option value=c.code() selected=c.code() == "EUR">{c.code()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{move || problem("currency")}</p>
                    </div>
                    <div class="field" class:field-invalid=move || amount_problem().is_some()>
                        <label for="pos-amount">{t(T::AmountLabel)}</label>
                        <input id="pos-amount" name="amount" type="text" inputmode="decimal" autocomplete="off"
                            aria-invalid=move || amount_problem().is_some().to_string()
                            prop:value=move || amount.get()
                            on:input:target=move |ev| amount.set(ev.target().value())
                            on:blur=move |_| touched.set(true)/>
                        <p class="field-error">{amount_problem}</p>
                    </div>
                </div>
                <div class="field" class:field-invalid=move || problem("reference").is_some()>
                    <label for="pos-reference">{t(T::ReferenceLabel)}</label>
                    <input id="pos-reference" name="reference" type="text" autocomplete="off"
                        prop:value=move || reference.get()
                        on:input:target=move |ev| reference.set(ev.target().value())/>
                    <p class="muted">{t(T::ReferenceGenerated)}</p>
                    <p class="field-error">{move || problem("reference")}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary"
                        disabled=move || start.pending().get() || current.get().is_some_and(|c| c.stage != "FINISHED")>
                        {move || if start.pending().get() { t(T::Processing) } else { t(T::PosSend) }}
                    </button>
                </div>
            </form>
        }
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PosTitle))/>
        <h1>{t(T::PosTitle)}</h1>
        <p class="muted narrow">{t(T::PosIntro)}</p>
        {general_error}
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded(terminals).await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="alert" role="status">{t(T::PosNoTerminal)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="pos-layout">
                            {form(list)}
                            {move || current.get().map(|p| payment_panel(p, cancel, current))}
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
