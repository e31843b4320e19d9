//! Operations → Virtual terminal (MB-34): a mail or telephone order paid with the card
//! the customer reads out. Card fields are checked as typed by the domain's card rules
//! (in WebAssembly) and again on the server; the acquirer's answer links to the payment.

use crate::aliases::{api::load_aliases, AliasFilter, AliasRow};
use crate::components::{error_text, problem_text};
use crate::components::{today, CardField};
use crate::error::AppError;
use crate::i18n::{t, T};
use crate::payments::api::PayMoto;
use crate::payments::MotoForm;
use domain::card::CardNumber;
use domain::card_entry::{cvc_problem, expiry_problem, number_problem};
use domain::money::{Currency, Money};
use leptos::prelude::*;
use leptos_meta::Title;

/// A plain text field bound to `value`, with the server's problem for `name`.
fn text_field(
    label: T,
    name: &'static str,
    value: RwSignal<String>,
    server: Signal<Option<AppError>>,
    hint: Option<T>,
) -> impl IntoView {
    let id = format!("moto-{name}");
    let problem = move || {
        server
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" autocomplete="off"
                aria-invalid=move || problem().is_some().to_string()
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())/>
            {hint.map(|h| view! { <p class="muted">{t(h)}</p> })}
            <p class="field-error">{problem}</p>
        </div>
    }
}

/// The alias field of "Pay with an alias", offering the merchant's newest aliases, with
/// the server's problem for it (an id that is none of the merchant's aliases, a stored
/// card that has expired).
fn alias_field(
    value: RwSignal<String>,
    touched: RwSignal<bool>,
    known: RwSignal<Vec<AliasRow>>,
    server: Signal<Option<AppError>>,
) -> impl IntoView {
    use crate::error::Problem;
    let problem = move || {
        if touched.get() && value.get().trim().is_empty() {
            return Some(problem_text(&Problem::Required));
        }
        server.get().and_then(|e| {
            e.problem_for("alias").map(|p| match p {
                Problem::OutOfRange => t(T::AliasErrUnknown).to_owned(),
                other => problem_text(other),
            })
        })
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for="moto-alias">{t(T::MotoAliasField)}</label>
            <input id="moto-alias" name="alias" type="text" autocomplete="off" list="moto-aliases"
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby="moto-alias-hint moto-alias-error"
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                on:blur=move |_| touched.set(true)/>
            <datalist id="moto-aliases">
                {move || known.get().into_iter().map(|a| {
                    let label = [a.masked_card.as_str(), a.expiry.as_str(), a.card_holder.as_str(), a.customer_id.as_str()]
                        .into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                    view! { <option value=a.id>{label}</option> }
                }).collect_view()}
            </datalist>
            <p class="muted" id="moto-alias-hint">{t(T::MotoAliasHint)}</p>
            <p class="field-error" id="moto-alias-error">{problem}</p>
        </div>
    }
}

/// `/operations/moto`.
#[component]
pub fn MotoPage() -> impl IntoView {
    let action = ServerAction::<PayMoto>::new();
    let reference = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let currency = RwSignal::new("EUR".to_owned());
    let amount = RwSignal::new(String::new());
    let mode = RwSignal::new("SALE".to_owned());
    let customer = RwSignal::new(String::new());
    let (use_alias, alias, alias_touched) = (
        RwSignal::new(false),
        RwSignal::new(String::new()),
        RwSignal::new(false),
    );
    let known_aliases: RwSignal<Vec<AliasRow>> = RwSignal::new(Vec::new());
    let choose_alias = move |on: bool| {
        use_alias.set(on);
        if on && known_aliases.get_untracked().is_empty() {
            leptos::task::spawn_local(async move {
                if let Ok(page) = load_aliases(AliasFilter::default()).await {
                    known_aliases.set(page.rows);
                }
            });
        }
    };
    let (number, expiry, cvc, holder) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (n_touched, e_touched, c_touched, a_touched) = (
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
    );
    let number_live = Signal::derive(move || number_problem(&number.get(), n_touched.get()));
    let expiry_live =
        Signal::derive(move || expiry_problem(&expiry.get(), e_touched.get(), today()));
    let cvc_live = Signal::derive(move || cvc_problem(&number.get(), &cvc.get(), c_touched.get()));
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    let amount_problem = move || {
        let live = if a_touched.get() {
            let c = Currency::parse(&currency.get())?;
            match Money::parse_major(&amount.get(), c) {
                Ok(m) if m.minor() > 0 => None,
                _ => Some(problem_text(&crate::error::Problem::InvalidAmount)),
            }
        } else {
            None
        };
        live.or_else(|| {
            server_error
                .get()
                .and_then(|e| e.problem_for("amount").map(problem_text))
        })
    };
    let brand = move || {
        CardNumber::parse(&number.get())
            .ok()
            .map(|c| c.brand().name())
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        a_touched.set(true);
        let by_alias = use_alias.get_untracked();
        if by_alias {
            alias_touched.set(true);
            if alias.get_untracked().trim().is_empty() || amount_problem().is_some() {
                return;
            }
        } else {
            n_touched.set(true);
            e_touched.set(true);
            c_touched.set(true);
            if number_live.get_untracked().is_some()
                || expiry_live.get_untracked().is_some()
                || cvc_live.get_untracked().is_some()
                || amount_problem().is_some()
            {
                return;
            }
        }
        // With an alias no card travels: the stored one pays.
        let card = |value: RwSignal<String>| {
            if by_alias {
                String::new()
            } else {
                value.get_untracked()
            }
        };
        action.dispatch(PayMoto {
            form: MotoForm {
                reference: reference.get_untracked(),
                description: description.get_untracked(),
                currency: currency.get_untracked(),
                amount: amount.get_untracked(),
                mode: mode.get_untracked(),
                customer_id: customer.get_untracked(),
                number: card(number),
                expiry: card(expiry),
                holder: card(holder),
                cvc: card(cvc),
                alias: if by_alias {
                    alias.get_untracked().trim().to_owned()
                } else {
                    String::new()
                },
            },
        });
    };
    let result =
        move || match action.value().get() {
            Some(Ok(r)) => {
                let link = format!("/operations/payments/{}", r.payment_id);
                let text = if r.approved {
                    t(T::MotoApproved)
                        .replace("{amount}", &r.amount)
                        .replace("{code}", &r.authorisation_code)
                } else {
                    t(T::MotoDeclined).replace("{reason}", &r.refusal)
                };
                let class = if r.approved {
                    "alert alert-success"
                } else {
                    "alert alert-error"
                };
                Some(view! {
                <div class=class role="status" data-testid="moto-result">
                    <p>{text}</p>
                    <p>{t(T::ReferenceLabel)}": "<span class="mono">{r.reference}</span>" · "
                        <a href=link>{t(T::OpenPayment).replace("{id}", &r.payment_id)}</a></p>
                </div>
            }
            .into_any())
            }
            Some(Err(e)) if !matches!(e, AppError::Invalid(_)) => Some(
                view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
            ),
            _ => None,
        };
    let currency_problem = move || {
        server_error
            .get()
            .and_then(|e| e.problem_for("currency").map(problem_text))
    };
    view! {
        <Title text=format!("{} — OpenPSP", t(T::MotoTitle))/>
        <h1>{t(T::MotoTitle)}</h1>
        <p class="muted">{t(T::MotoIntro)}</p>
        {result}
        <form class="card form moto-form" on:submit=on_submit novalidate>
            <fieldset>
                <legend>{t(T::OrderLegend)}</legend>
                {text_field(T::ReferenceLabel, "reference", reference, server_error, Some(T::ReferenceGenerated))}
                {text_field(T::DescriptionLabel, "description", description, server_error, None)}
                <div class="field-row">
                    <div class="field" class:field-invalid=move || currency_problem().is_some()>
                        <label for="moto-currency">{t(T::CurrencyLabel)}</label>
                        <select id="moto-currency" name="currency" on:change:target=move |ev| currency.set(ev.target().value())>
                            {Currency::all().map(|c| view! { <option value=c.code() selected=c.code() == "EUR">{c.code()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{currency_problem}</p>
                    </div>
                    <div class="field" class:field-invalid=move || amount_problem().is_some()>
                        <label for="moto-amount">{t(T::AmountLabel)}</label>
                        <input id="moto-amount" name="amount" type="text" inputmode="decimal" autocomplete="off"
                            aria-invalid=move || amount_problem().is_some().to_string()
                            prop:value=move || amount.get()
                            on:input:target=move |ev| amount.set(ev.target().value())
                            on:blur=move |_| a_touched.set(true)/>
                        <p class="field-error">{amount_problem}</p>
                    </div>
                </div>
                <fieldset class="mode">
                    <legend>{t(T::AuthorisationType)}</legend>
                    <label class="checkbox">
                        <input type="radio" name="mode" value="SALE" prop:checked=move || mode.get() == "SALE" on:change=move |_| mode.set("SALE".to_owned())/>
                        <span>{t(T::ModeSale)}</span>
                    </label>
                    <label class="checkbox">
                        <input type="radio" name="mode" value="PRE_AUTHORIZATION" prop:checked=move || mode.get() == "PRE_AUTHORIZATION" on:change=move |_| mode.set("PRE_AUTHORIZATION".to_owned())/>
                        <span>{t(T::ModePreAuth)}</span>
                    </label>
                </fieldset>
                {text_field(T::CustomerIdLabel, "customer_id", customer, server_error, None)}
            </fieldset>
            <fieldset>
                <legend>{t(T::CardLegend)}</legend>
                <label class="checkbox">
                    <input type="checkbox" name="use_alias" prop:checked=move || use_alias.get()
                        on:change:target=move |ev| choose_alias(ev.target().checked())/>
                    <span>{t(T::MotoPayWithAlias)}</span>
                </label>
                {move || if use_alias.get() {
                    alias_field(alias, alias_touched, known_aliases, server_error).into_any()
                } else {
                    view! {
                        <CardField label=T::CardNumberLabel name="number" autocomplete="off" inputmode="numeric"
                            value=number touched=n_touched live=number_live server=server_error/>
                        <p class="pay-brand muted" aria-live="polite">{brand}</p>
                        <div class="field-row">
                            <CardField label=T::ExpiryLabel name="expiry" autocomplete="off" inputmode="numeric"
                                value=expiry touched=e_touched live=expiry_live server=server_error/>
                            <CardField label=T::CvcLabel name="cvc" autocomplete="off" inputmode="numeric"
                                value=cvc touched=c_touched live=cvc_live server=server_error/>
                        </div>
                        {text_field(T::CardHolderLabel, "holder", holder, server_error, None)}
                    }.into_any()
                }}
            </fieldset>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t(T::Processing) } else { t(T::MotoSubmit) }}
                </button>
            </div>
        </form>
    }
}
