//! The payer's pre-payment page (HP-1) at a link's address: what the link is for, its
//! amount (or the range the payer chooses in) and the fields it asks, checked as typed by
//! the domain rules in WebAssembly and again by the server; "Continue to payment" opens
//! the hosted checkout. No session: the id in the URL is the secret.

use crate::components::{error_text, problem_text};
use crate::error::{AppError, Problem};
use crate::i18n::{t, use_lang, T};
use crate::paylinks::api::{load_prepay, StartPrepay};
use crate::paylinks::{PayerField, PrepayForm, PrepayState, PrepayView};
use domain::money::{Currency, Money};
use domain::paylink::{check_value, AmountRule, FieldSpec, ValueError};
use domain::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The amount the payer typed, checked as the server will: the domain's parsing in the
/// link's currency, then the link's bounds (parsed the same way) through [`AmountRule`].
/// `Ok(None)` when the page cannot tell (an unknown currency: the server decides).
fn entered_amount(
    text: &str,
    currency: Option<Currency>,
    bounds: Option<(i64, i64)>,
) -> Result<Option<Money>, Problem> {
    if text.trim().is_empty() {
        return Err(Problem::Required);
    }
    let Some(currency) = currency else {
        return Ok(None);
    };
    let money = Money::parse_major(text, currency).map_err(|_| Problem::InvalidAmount)?;
    let checked = match bounds {
        Some((min, max)) => AmountRule::Entered { min, max }
            .amount(Some(money.minor()))
            .map_err(|e| match e {
                domain::paylink::LinkAmountError::BelowMin => Problem::BelowMinimum,
                domain::paylink::LinkAmountError::AboveMax => Problem::AboveMaximum,
                _ => Problem::InvalidAmount,
            }),
        None if money.minor() > 0 => Ok(money.minor()),
        None => Err(Problem::InvalidAmount),
    };
    checked.map(|_| Some(money))
}

/// The problem a field's value shows, in the words the server's errors use.
fn value_problem(error: ValueError) -> Problem {
    match error {
        ValueError::Required => Problem::Required,
        ValueError::TooLong => Problem::TooLong,
        ValueError::Pattern => Problem::PatternMismatch,
    }
}

/// An amount as `lang` writes it, without the currency code (the hint names it once).
fn bare_amount(money: Money, lang: Lang) -> String {
    let text = money.format_in(lang);
    match text.strip_suffix(money.currency().code()) {
        Some(number) => number.trim_end().to_owned(),
        None => text,
    }
}

/// What refused the request itself rather than a field shown on the page.
fn page_error(error: &AppError, shown: &[String]) -> Option<String> {
    match error {
        AppError::Invalid(errors) => errors
            .iter()
            .find(|e| !shown.contains(&e.field))
            .map(|e| problem_text(&e.problem)),
        AppError::RateLimited => Some(t(T::PayTooManyRequests).to_owned()),
        AppError::NotAllowedNow => Some(t(T::PrepayNotNow).to_owned()),
        other => error_text(other),
    }
}

/// Sends the browser to the hosted checkout.
fn go_to(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Puts the focus on the first input the checks refuse, once the page shows why.
fn focus_first_problem() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let first = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(".prepay-form [aria-invalid='true']")
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(input) = first {
            let _ = input.focus();
        }
    });
}

fn state_code(state: PrepayState) -> &'static str {
    match state {
        PrepayState::Open => "open",
        PrepayState::Expired => "expired",
        PrepayState::Disabled => "disabled",
        PrepayState::Paid => "paid",
    }
}

fn required_mark(shown: bool) -> impl IntoView {
    shown.then(|| view! { <span class="prepay-required" aria-hidden="true">" *"</span> })
}

/// A link that cannot be paid: who, what, and why; never a form.
fn closed_page(view: &PrepayView) -> AnyView {
    let message = match view.state {
        PrepayState::Expired => T::PrepayExpired,
        PrepayState::Paid => T::PrepayPaid,
        PrepayState::Disabled | PrepayState::Open => T::PrepayDisabled,
    };
    let code = state_code(view.state);
    view! {
        <section class=format!("card prepay-closed prepay-{code}") data-testid="prepay-closed"
            data-state=code aria-labelledby="prepay-title">
            <p class="pay-merchant">{view.merchant.clone()}</p>
            <h2 id="prepay-title" class="prepay-title">{view.title.clone()}</h2>
            <p class="prepay-closed-message" role="status">{t(message)}</p>
        </section>
    }
    .into_any()
}

/// Merchant, title, description, due date, cart and the fixed amount.
fn summary(view: &PrepayView) -> impl IntoView + use<> {
    let lines = view.lines.clone();
    let description = Some(view.description.clone()).filter(|d| !d.trim().is_empty());
    let due = Some(view.due.clone()).filter(|d| !d.is_empty());
    view! {
        {crate::template::page::theme_head(view.theme.as_ref())}
        <section class="card pay-summary prepay-summary" aria-labelledby="prepay-title" data-testid="prepay-summary">
            <p class="pay-merchant" data-testid="merchant">{view.merchant.clone()}</p>
            <h2 id="prepay-title" class="prepay-title">{view.title.clone()}</h2>
            {description.map(|d| view! { <p class="prepay-description">{d}</p> })}
            {due.map(|d| view! { <p class="prepay-due" data-testid="due">{t(T::PrepayDue).replace("{date}", &d)}</p> })}
            {(!lines.is_empty()).then(|| view! {
                <details class="pay-cart" open>
                    <summary>{t(T::CartTitle)}</summary>
                    <table class="table" data-testid="prepay-cart">
                        <thead><tr>
                            <th scope="col">{t(T::ItemLabel)}</th>
                            <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                            <th scope="col" class="num">{t(T::AmountLabel)}</th>
                        </tr></thead>
                        <tbody>
                            {lines.into_iter().map(|l| view! {
                                <tr>
                                    <td>{l.name}</td>
                                    <td class="num">{l.quantity}</td>
                                    <td class="num">{l.amount}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            })}
            {view.amount.clone().map(|amount| view! {
                <p class="muted prepay-amount-label">{t(T::AmountToPay)}</p>
                <p class="pay-amount" data-testid="amount">{amount}</p>
            })}
        </section>
    }
}

/// One field the link asks, with its live check and the server's verdict (the latter
/// while the value is still the one sent).
fn payer_input(
    field: PayerField,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
    error: Signal<Option<AppError>>,
    sent: RwSignal<PrepayForm>,
) -> impl IntoView {
    let PayerField {
        spec,
        input,
        autocomplete,
    } = field;
    let id = format!("prepay-{}", spec.name);
    let error_id = format!("{id}-error");
    let fixed = !spec.fixed.is_empty();
    let required = spec.required && !fixed;
    let kind = if input.is_empty() {
        "text".to_owned()
    } else {
        input
    };
    let autocomplete = (!autocomplete.is_empty()).then_some(autocomplete);
    let placeholder = (!spec.placeholder.is_empty()).then(|| spec.placeholder.clone());
    let label = spec.label.clone();
    let name = spec.name.clone();
    let message = Signal::derive(move || {
        let current = value.get();
        let live = touched
            .get()
            .then(|| check_value(&spec, &current).err())
            .flatten()
            .map(|e| problem_text(&value_problem(e)));
        live.or_else(|| {
            let unchanged = sent.with(|f| {
                f.values
                    .iter()
                    .any(|(n, v)| *n == spec.name && *v == current)
            });
            error
                .get()
                .filter(|_| unchanged)
                .and_then(|e| e.problem_for(&spec.name).map(problem_text))
        })
    });
    let initial = value.get_untracked();
    let described = error_id.clone();
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some() class:prepay-fixed=fixed>
            <label for=id.clone()>{label}{required_mark(required)}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                placeholder=placeholder
                readonly=fixed
                required=required
                value=initial
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:blur=move |_| touched.set(true)
            />
            <p class="field-error" id=error_id>{move || message.get()}</p>
        </div>
    }
}

/// The summary and the form of a link that can be paid. What the payer sent last (`sent`)
/// fills the form again when the page is reloaded after a refusal.
fn open_page(
    view: PrepayView,
    action: ServerAction<StartPrepay>,
    sent: RwSignal<PrepayForm>,
) -> AnyView {
    let lang = use_lang();
    let before = sent.get_untracked();
    let again = before != PrepayForm::default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));

    let entered = view.amount.is_none();
    let currency = Currency::parse(&view.currency);
    let bounds = currency.and_then(|c| {
        let min = Money::parse_major(&view.min_amount, c).ok()?;
        let max = Money::parse_major(&view.max_amount, c).ok()?;
        Some((min, max))
    });
    let minor_bounds = bounds.map(|(min, max)| (min.minor(), max.minor()));
    let amount = RwSignal::new(before.amount.clone());
    let amount_touched = RwSignal::new(again);
    let amount_check = move || entered_amount(&amount.get(), currency, minor_bounds);
    let amount_message = move || {
        let live = amount_touched
            .get()
            .then(|| amount_check().err())
            .flatten()
            .map(|p| problem_text(&p));
        live.or_else(|| {
            let unchanged = sent.with(|f| f.amount == amount.get());
            error
                .get()
                .filter(|_| unchanged)
                .and_then(|e| e.problem_for("amount").map(problem_text))
        })
    };
    let hint = bounds.map(|(min, max)| {
        t(T::PrepayAmountHint)
            .replace("{min}", &bare_amount(min, lang))
            .replace("{max}", &bare_amount(max, lang))
            .replace("{currency}", &view.currency)
    });
    let has_hint = hint.is_some();
    let described = if has_hint {
        "prepay-amount-hint prepay-amount-error"
    } else {
        "prepay-amount-error"
    };
    let initial_amount = before.amount.clone();
    let currency_code = view.currency.clone();
    let amount_field = entered.then(move || {
        view! {
            <div class="field prepay-amount-field" class:field-invalid=move || amount_message().is_some()>
                <label for="prepay-amount">{t(T::AmountToPay)}{required_mark(true)}</label>
                <div class="prepay-amount-input">
                    <input id="prepay-amount" name="amount" type="text" inputmode="decimal"
                        autocomplete="transaction-amount" required value=initial_amount
                        aria-invalid=move || amount_message().is_some().to_string()
                        aria-describedby=described
                        prop:value=move || amount.get()
                        on:input:target=move |ev| amount.set(ev.target().value())
                        on:blur=move |_| amount_touched.set(true)/>
                    <span class="prepay-currency" aria-hidden="true">{currency_code}</span>
                </div>
                {hint.map(|h| view! { <p class="prepay-hint muted" id="prepay-amount-hint" data-testid="amount-hint">{h}</p> })}
                <p class="field-error" id="prepay-amount-error">{amount_message}</p>
            </div>
        }
    });

    let mut shown: Vec<String> = view.fields.iter().map(|f| f.spec.name.clone()).collect();
    if entered {
        shown.push("amount".to_owned());
    }
    let any_required = entered
        || view
            .fields
            .iter()
            .any(|f| f.spec.required && f.spec.fixed.is_empty());
    let mut entries: Vec<(FieldSpec, RwSignal<String>, RwSignal<bool>)> = Vec::new();
    let inputs = view
        .fields
        .clone()
        .into_iter()
        .map(|field| {
            let initial = if field.spec.fixed.is_empty() {
                before
                    .values
                    .iter()
                    .find(|(n, _)| *n == field.spec.name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            } else {
                field.spec.fixed.clone()
            };
            let value = RwSignal::new(initial);
            let touched = RwSignal::new(again);
            entries.push((field.spec.clone(), value, touched));
            payer_input(field, value, touched, error, sent)
        })
        .collect_view();
    let entries = StoredValue::new(entries);

    let id = view.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        amount_touched.set(true);
        let mut valid =
            !entered || entered_amount(&amount.get_untracked(), currency, minor_bounds).is_ok();
        let values = entries.with_value(|list| {
            list.iter()
                .map(|(spec, value, touched)| {
                    touched.set(true);
                    let typed = value.get_untracked();
                    valid &= check_value(spec, &typed).is_ok();
                    (spec.name.clone(), typed)
                })
                .collect::<Vec<_>>()
        });
        if !valid {
            focus_first_problem();
            return;
        }
        let form = PrepayForm {
            amount: if entered {
                amount.get_untracked()
            } else {
                String::new()
            },
            values,
        };
        sent.set(form.clone());
        action.dispatch(StartPrepay {
            id: id.clone(),
            form,
        });
    };

    let alert = move || {
        error
            .get()
            .and_then(|e| page_error(&e, &shown))
            .map(|text| view! { <p class="alert alert-error" role="alert" data-testid="prepay-alert">{text}</p> })
    };
    let leaving = move || matches!(action.value().get(), Some(Ok(_)));
    let fixed_label = view
        .amount
        .clone()
        .map(|a| t(T::PrepayContinueAmount).replace("{amount}", &a));
    let button_label = move || {
        if action.pending().get() || leaving() {
            return t(T::Processing).to_owned();
        }
        if let Some(label) = &fixed_label {
            return label.clone();
        }
        match amount_check() {
            Ok(Some(money)) if entered => {
                t(T::PrepayContinueAmount).replace("{amount}", &money.format_in(lang))
            }
            _ => t(T::PrepayContinue).to_owned(),
        }
    };
    view! {
        {summary(&view)}
        <form class="card form pay-form prepay-form" novalidate on:submit=on_submit data-testid="prepay-form">
            {any_required.then(|| view! { <p class="muted prepay-note">{t(T::PrepayRequiredNote)}</p> })}
            {amount_field}
            {inputs}
            {alert}
            <button type="submit" class="button primary pay-button" data-testid="prepay-continue"
                disabled=move || action.pending().get() || leaving()>
                {button_label}
            </button>
        </form>
    }
    .into_any()
}

/// `/link/{id}`: the pre-payment page of a payment link or an invoice (HP-1).
#[component]
pub fn PrepayPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let page = Resource::new(id, load_prepay);
    let action = ServerAction::<StartPrepay>::new();
    let sent = RwSignal::new(PrepayForm::default());
    Effect::new(move |_| match action.value().get() {
        Some(Ok(url)) => go_to(&url),
        // Paid, disabled or expired meanwhile: show where the link stands now.
        Some(Err(AppError::NotAllowedNow)) => page.refetch(),
        _ => {}
    });
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PayTitle))/>
        <main class="pay-page prepay-page" id="main">
            <h1 class="pay-title">
                <span aria-hidden="true">"🔒 "</span>{t(T::PayTitle)}
            </h1>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(view) if view.state == PrepayState::Open => open_page(view, action, sent),
                        Ok(view) => closed_page(&view),
                        Err(e) => view! {
                            <p class="alert alert-error" role="alert" data-testid="prepay-error">{error_text(&e)}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Option<Currency> {
        Currency::parse("EUR")
    }

    #[test]
    fn an_entered_amount_is_checked_against_the_links_bounds() {
        let bounds = Some((500, 50_000));
        assert_eq!(
            entered_amount("12.50", eur(), bounds).map(|m| m.map(Money::minor)),
            Ok(Some(1250))
        );
        assert_eq!(
            entered_amount("5", eur(), bounds).map(|m| m.map(Money::minor)),
            Ok(Some(500))
        );
        assert_eq!(
            entered_amount("4.99", eur(), bounds),
            Err(Problem::BelowMinimum)
        );
        assert_eq!(
            entered_amount("500.01", eur(), bounds),
            Err(Problem::AboveMaximum)
        );
        assert_eq!(
            entered_amount("12.345", eur(), bounds),
            Err(Problem::InvalidAmount)
        );
        assert_eq!(
            entered_amount("abc", eur(), bounds),
            Err(Problem::InvalidAmount)
        );
        assert_eq!(entered_amount("  ", eur(), bounds), Err(Problem::Required));
        assert_eq!(
            entered_amount("0", eur(), None),
            Err(Problem::InvalidAmount)
        );
        assert_eq!(entered_amount("12", None, bounds), Ok(None));
    }

    #[test]
    fn the_hint_writes_amounts_as_the_language_does_without_the_currency() {
        let money = Money::parse_major("1234.5", Currency::parse("EUR").unwrap()).unwrap();
        assert_eq!(bare_amount(money, Lang::En), "1,234.50");
        assert_eq!(bare_amount(money, Lang::De), "1.234,50");
    }
}
