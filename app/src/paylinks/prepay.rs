//! The payer's pre-payment page (HP-1) at a link's address: what the link is for, its
//! amount (or the range the payer chooses in) and the fields it asks; "Continue to
//! payment" posts them and the server sends the payer on to the hosted checkout. Rendered
//! on the server only, a form that works without script; the payer's script (crate
//! `payer`) checks the amount and the fields as typed with the domain rules the server
//! applies again. No session: the id in the URL is the secret.

use crate::checkout::script::{post_to, posted_error};
use crate::components::{error_text, problem_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use crate::paylinks::api::{load_prepay, StartPrepay};
use crate::paylinks::{PayerField, PrepayState, PrepayView};
use domain::money::{Currency, Money};
use domain::Lang;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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

/// One field the link asks, with the server's verdict on what was posted; the payer's
/// script checks it as typed (`data-field`, `data-required`, `data-pattern`).
fn payer_input(field: PayerField, error: Option<&AppError>) -> impl IntoView + use<> {
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
    let message = error.and_then(|e| e.problem_for(&spec.name).map(problem_text));
    let invalid = message.is_some();
    let pattern = (!spec.pattern.is_empty()).then(|| spec.pattern.clone());
    view! {
        <div class="field" class:field-invalid=invalid class:prepay-fixed=fixed>
            <label for=id.clone()>{spec.label.clone()}{required_mark(required)}</label>
            <input
                id=id
                name=format!("fields[{}]", spec.name)
                type=kind
                autocomplete=autocomplete
                placeholder=placeholder
                readonly=fixed
                required=required
                value=spec.fixed.clone()
                data-field=""
                data-required=required.to_string()
                data-pattern=pattern
                aria-invalid=invalid.to_string()
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id>{message}</p>
        </div>
    }
}

/// The amount the payer enters, within the link's bounds (`data-min`, `data-max` in
/// minor units, for the payer's script).
fn amount_field(view: &PrepayView, error: Option<&AppError>) -> impl IntoView + use<> {
    let lang = use_lang();
    let currency = Currency::parse(&view.currency);
    let bounds = currency.and_then(|c| {
        let min = Money::parse_major(&view.min_amount, c).ok()?;
        let max = Money::parse_major(&view.max_amount, c).ok()?;
        Some((min, max))
    });
    let hint = bounds.map(|(min, max)| {
        t(T::PrepayAmountHint)
            .replace("{min}", &bare_amount(min, lang))
            .replace("{max}", &bare_amount(max, lang))
            .replace("{currency}", &view.currency)
    });
    let described = if hint.is_some() {
        "prepay-amount-hint prepay-amount-error"
    } else {
        "prepay-amount-error"
    };
    let message = error.and_then(|e| e.problem_for("amount").map(problem_text));
    let invalid = message.is_some();
    view! {
        <div class="field prepay-amount-field" class:field-invalid=invalid>
            <label for="prepay-amount">{t(T::AmountToPay)}{required_mark(true)}</label>
            <div class="prepay-amount-input">
                <input id="prepay-amount" name="amount" type="text" inputmode="decimal"
                    autocomplete="transaction-amount" required
                    data-currency=view.currency.clone()
                    data-min=bounds.map(|(min, _)| min.minor().to_string())
                    data-max=bounds.map(|(_, max)| max.minor().to_string())
                    aria-invalid=invalid.to_string()
                    aria-describedby=described/>
                <span class="prepay-currency" aria-hidden="true">{view.currency.clone()}</span>
            </div>
            {hint.map(|h| view! { <p class="prepay-hint muted" id="prepay-amount-hint" data-testid="amount-hint">{h}</p> })}
            <p class="field-error" id="prepay-amount-error">{message}</p>
        </div>
    }
}

/// The summary and the form of a link that can be paid, with what refused the last post.
fn open_page(view: PrepayView) -> AnyView {
    let error = posted_error::<StartPrepay>();
    let entered = view.amount.is_none();
    let mut shown: Vec<String> = view.fields.iter().map(|f| f.spec.name.clone()).collect();
    if entered {
        shown.push("amount".to_owned());
    }
    let any_required = entered
        || view
            .fields
            .iter()
            .any(|f| f.spec.required && f.spec.fixed.is_empty());
    let amount = entered.then(|| amount_field(&view, error.as_ref()));
    let inputs = view
        .fields
        .clone()
        .into_iter()
        .map(|field| payer_input(field, error.as_ref()))
        .collect_view();
    let alert = error
        .as_ref()
        .and_then(|e| page_error(e, &shown))
        .map(|text| view! { <p class="alert alert-error" role="alert" data-testid="prepay-alert">{text}</p> });
    // The button names the amount: the link's, or (by the script) the one entered.
    let label = match &view.amount {
        Some(a) => t(T::PrepayContinueAmount).replace("{amount}", a),
        None => t(T::PrepayContinue).to_owned(),
    };
    view! {
        {summary(&view)}
        <form class="card form pay-form prepay-form" method="post" action={post_to::<StartPrepay>()}
            novalidate data-prepay-form="" data-testid="prepay-form">
            <input type="hidden" name="id" value=view.id.clone()/>
            {any_required.then(|| view! { <p class="muted prepay-note">{t(T::PrepayRequiredNote)}</p> })}
            {amount}
            {inputs}
            {alert}
            <button type="submit" class="button primary pay-button" data-testid="prepay-continue"
                data-label=t(T::PrepayContinue) data-label-amount=t(T::PrepayContinueAmount)>
                {label}
            </button>
        </form>
    }
    .into_any()
}

/// `/link/{id}`: the pre-payment page of a payment link or an invoice (HP-1).
#[component]
pub fn PrepayPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PayTitle))/>
        <main class="pay-page prepay-page" id="main">
            <h1 class="pay-title">
                <span aria-hidden="true">"🔒 "</span>{t(T::PayTitle)}
            </h1>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {Suspend::new(async move {
                    match load_prepay(id).await {
                        Ok(view) if view.state == PrepayState::Open => open_page(view),
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

    #[test]
    fn the_hint_writes_amounts_as_the_language_does_without_the_currency() {
        let money = Money::parse_major("1234.5", Currency::parse("EUR").unwrap()).unwrap();
        assert_eq!(bare_amount(money, Lang::En), "1,234.50");
        assert_eq!(bare_amount(money, Lang::De), "1.234,50");
    }
}
