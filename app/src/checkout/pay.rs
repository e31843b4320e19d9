//! Hosted pages for payers (HP-2..4): the payment page, the 3-D Secure challenge page,
//! the final page, and the hosted tokenization page. No session: the id in the URL is the
//! secret.
//!
//! Rendered on the server only, as forms posting to the server functions of `api.rs`
//! (they work without script); the payer's script checks the card fields as typed with
//! the domain rules, shows the brand and ticks the countdown (`script.rs`, crate `payer`).

use crate::checkout::api::{
    load_checkout, load_tokenization, CheckoutChallenge, PayCheckout, TokenizeCard,
};
use crate::checkout::script::{post_to, posted_error};
use crate::checkout::{CheckoutState, CheckoutView, ReceiptView, TokenizationView};
use crate::components::{error_text, problem_text, refusal_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn param(name: &'static str) -> String {
    use_params_map().with_untracked(|p| p.get(name).unwrap_or_default())
}

/// `/pay/{centre}/{id}` with the page language kept.
fn checkout_path(centre: &str, id: &str) -> String {
    format!("/pay/{centre}/{id}?lang={}", use_lang().code())
}

fn challenge_path(centre: &str, id: &str) -> String {
    format!("/pay/{centre}/3ds/{id}?lang={}", use_lang().code())
}

fn countdown_text(seconds: i64) -> String {
    domain::timezone::countdown(t(T::SessionEndsIn), seconds)
}

/// A card input with the server's verdict on what was posted; the payer's script
/// replaces it with its own as the payer types.
fn card_field(
    label: T,
    name: &'static str,
    autocomplete: &'static str,
    error: Option<&AppError>,
) -> impl IntoView + use<> {
    let id = format!("pay-{name}");
    let error_id = format!("{id}-error");
    let message = error.and_then(|e| e.problem_for(name).map(problem_text));
    let invalid = message.is_some();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" inputmode="numeric" autocomplete=autocomplete
                aria-invalid=invalid.to_string() aria-describedby=error_id.clone()/>
            <p class="field-error" id=error_id>{message}</p>
        </div>
    }
}

fn holder_field() -> impl IntoView {
    view! {
        <div class="field">
            <label for="pay-holder">{t(T::CardHolderLabel)}</label>
            <input id="pay-holder" name="holder" type="text" autocomplete="cc-name"/>
        </div>
    }
}

fn alert(text: Option<String>) -> impl IntoView {
    text.map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })
}

fn receipt_view(view: &CheckoutView, receipt: &ReceiptView) -> impl IntoView + use<> {
    let rows = [
        (T::MerchantLabel, view.merchant.clone()),
        (T::WebSiteLabel, view.web_site.clone()),
        (T::PaymentIdLabel, receipt.payment_id.clone()),
        (
            T::AuthorisationCodeLabel,
            receipt.authorisation_code.clone(),
        ),
        (T::TerminalIdLabel, receipt.terminal_id.clone()),
        (T::RrnLabel, receipt.rrn.clone()),
        (T::AmountLabel, view.amount.clone()),
        (T::DescriptionLabel, receipt.description.clone()),
        (
            T::CardLabel,
            format!("{} ({})", receipt.masked_card, receipt.expiry),
        ),
    ];
    view! {
        <dl class="receipt" data-testid="receipt">
            {rows
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(label, value)| view! { <dt>{t(label)}</dt><dd>{value}</dd> })
                .collect_view()}
        </dl>
    }
}

/// "Return to merchant"; with `follow`, the payer's script goes there at once (no
/// final page), and so does the browser without script after a moment.
fn return_link(view: &CheckoutView, follow: bool) -> impl IntoView + use<> {
    view.return_to.clone().map(|href| {
        let refresh = follow.then(|| format!("2; url={href}"));
        view! {
            {refresh.map(|content| view! { <meta http-equiv="refresh" content=content/> })}
            <p><a class="button primary" href=href rel="external" data-follow=follow.then_some("")>
                {t(T::ReturnToMerchant)}
            </a></p>
        }
    })
}

/// The page once the payment has a result (or the session is over).
fn outcome_view(view: &CheckoutView, centre: &str) -> AnyView {
    // Without a final page the payer goes straight back to the merchant.
    let follow = !view.show_result;
    match view.state {
        CheckoutState::Challenge => {
            let href = challenge_path(centre, &view.id);
            view! {
                <section class="card pay-result">
                    <p><a class="button primary" href=href data-follow="">{t(T::ChallengeTitle)}</a></p>
                </section>
            }
            .into_any()
        }
        CheckoutState::Paid => view! {
            <section class="card pay-result" aria-labelledby="result-title">
                <h2 id="result-title" class="pay-ok">{t(T::PaidTitle)}</h2>
                {view.receipt.as_ref().map(|r| receipt_view(view, r))}
                {return_link(view, follow)}
            </section>
        }
        .into_any(),
        CheckoutState::Pending => view! {
            <section class="card pay-result">
                <p role="status">{t(T::PendingMessage)}</p>
                {return_link(view, follow)}
            </section>
        }
        .into_any(),
        CheckoutState::Refused => view! {
            <section class="card pay-result" aria-labelledby="result-title">
                <h2 id="result-title" class="pay-ko">{t(T::RefusedTitle)}</h2>
                <p role="alert">
                    {t(T::DeclinedMessage).replace("{reason}", refusal_text(view.declined_code.as_deref().unwrap_or("")))}
                </p>
                {return_link(view, follow)}
            </section>
        }
        .into_any(),
        _ => view! {
            <section class="card pay-result">
                <p role="alert">{t(T::SessionExpired)}</p>
                {return_link(view, false)}
            </section>
        }
        .into_any(),
    }
}

fn summary(view: &CheckoutView) -> impl IntoView + use<> {
    let lines = view.lines.clone();
    view! {
        <section class="card pay-summary" aria-labelledby="summary-title">
            <p class="muted" id="summary-title">{t(T::AmountToPay)}</p>
            <p class="pay-amount" data-testid="amount">{view.amount.clone()}</p>
            <p class="pay-merchant">{view.merchant.clone()}</p>
            {(!lines.is_empty()).then(|| view! {
                <details class="pay-cart" open>
                    <summary>{t(T::CartTitle)}</summary>
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{t(T::ItemLabel)}</th>
                            <th scope="col" class="num">{t(T::QuantityLabel)}</th>
                            <th scope="col" class="num">{t(T::PriceLabel)}</th>
                            <th scope="col" class="num">{t(T::AmountLabel)}</th>
                        </tr></thead>
                        <tbody>
                            {lines.into_iter().map(|l| view! {
                                <tr>
                                    <td>{l.name}</td>
                                    <td class="num">{l.quantity}</td>
                                    <td class="num">{l.unit_price}</td>
                                    <td class="num">{l.amount}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            })}
        </section>
    }
}

/// The card form of an open checkout: a saved card (the first one chosen) or a new one.
fn pay_form(view: &CheckoutView, error: Option<&AppError>) -> impl IntoView + use<> {
    let saved_cards = view.saved_cards.clone();
    let has_saved = !saved_cards.is_empty();
    let pay_label = t(T::PayButton).replace("{amount}", &view.amount);
    view! {
        <form class="card form pay-form" method="post" action={post_to::<PayCheckout>()} novalidate
            data-card-form="" data-brands=view.brands.join(",")>
            <input type="hidden" name="id" value=view.id.clone()/>
            {has_saved.then(|| view! {
                <fieldset class="saved-cards">
                    <legend>{t(T::SavedCardsTitle)}</legend>
                    {saved_cards.into_iter().enumerate().map(|(i, c)| view! {
                        <label class="radio">
                            <input type="radio" name="saved" value=c.token checked=i == 0/>
                            <span>{format!("{} {} ({})", c.brand, c.masked, c.expiry)}</span>
                        </label>
                    }).collect_view()}
                    <label class="radio">
                        <input type="radio" name="saved" value="new"/>
                        <span>{t(T::UseNewCard)}</span>
                    </label>
                </fieldset>
            })}
            // Shown unless a saved card is chosen (style.css, without script too).
            <div class="new-card">
                {card_field(T::CardNumberLabel, "number", "cc-number", error)}
                <p class="pay-brand muted" aria-live="polite"></p>
                <div class="field-row">
                    {card_field(T::ExpiryLabel, "expiry", "cc-exp", error)}
                    {card_field(T::CvcLabel, "cvc", "cc-csc", error)}
                </div>
                {holder_field()}
                <label class="checkbox" hidden=!view.can_save>
                    <input type="checkbox" name="save" value="on"/>
                    <span>{t(T::SaveMyCard)}</span>
                </label>
            </div>
            <button type="submit" class="button primary pay-button">{pay_label}</button>
        </form>
    }
}

/// What refused the last post itself (not a field): too many requests, a checkout
/// another request is paying or that is closed, the acquirer not answering.
fn refusal(error: Option<&AppError>) -> Option<String> {
    error.and_then(|e| match e {
        AppError::Invalid(_) => None,
        AppError::RateLimited => Some(t(T::PayTooManyRequests).to_owned()),
        AppError::NotAllowedNow => Some(t(T::PayNotNow).to_owned()),
        other => error_text(other),
    })
}

/// The page of a checkout: the summary, then either the card form or the result.
fn checkout_page(view: CheckoutView, centre: &str) -> AnyView {
    let error = posted_error::<PayCheckout>();
    let open = view.state == CheckoutState::Open;
    // The merchant's languages, the current one marked; a link reloads the page at the
    // same address in that language (the language is chosen when the page is served).
    let current_lang = use_lang();
    let languages = (view.languages.len() > 1).then(|| {
        view! {
            <nav class="pay-languages" aria-label=t(T::Language)>
                {view.languages.iter().filter_map(|code| domain::Lang::parse(code)).map(|l| view! {
                    <a href=format!("?lang={}", l.code()) rel="external" hreflang=l.code() lang=l.code()
                        aria-current=(l == current_lang).then_some("true")>{l.native_name()}</a>
                }).collect_view()}
            </nav>
        }
    });
    let body = if open {
        let declined = view.declined_code.clone().map(|code| {
            view! {
                <div class="alert alert-error" role="alert">
                    <p>{t(T::DeclinedMessage).replace("{reason}", refusal_text(&code))}</p>
                    <p>{t(T::AttemptsLeft).replace("{n}", &view.attempts_left.to_string())}</p>
                </div>
            }
        });
        view! {
            <div class="pay-open">
                <p class="pay-countdown" role="timer" data-testid="countdown" data-countdown=""
                    data-seconds=view.seconds_left.to_string() data-template=t(T::SessionEndsIn)>
                    {countdown_text(view.seconds_left)}
                </p>
                <p class="alert alert-error" role="alert" data-expired="" hidden=view.seconds_left > 0>
                    {t(T::SessionExpired)}
                </p>
                {declined}
                {alert(refusal(error.as_ref()))}
                <p class="muted pay-brands">{t(T::AcceptedCards)}": "{view.brands.join(" · ")}</p>
                {view.terms_url.clone().map(|url| view! {
                    <p class="muted pay-terms">
                        <a href=url target="_blank" rel="noopener noreferrer">{t(T::GeneralConditionsLink)}</a>
                    </p>
                })}
                {pay_form(&view, error.as_ref())}
                // iDEAL, Bancontact and the wallets, when the merchant offers them.
                <super::methods::OtherMethods id=view.id.clone()/>
            </div>
        }
        .into_any()
    } else {
        outcome_view(&view, centre)
    };
    view! {
        {crate::template::page::theme_head(view.theme.as_ref())}
        {languages}
        {summary(&view)}
        {body}
    }
    .into_any()
}

fn shell(content: impl IntoView + 'static) -> impl IntoView {
    view! {
        <Title text=format!("{} — OpenPSP", t(T::PayTitle))/>
        <main class="pay-page" id="main">
            <h1 class="pay-title">
                <span aria-hidden="true">"🔒 "</span>{t(T::PayTitle)}
            </h1>
            {content}
            <p class="muted pay-footer"><a href="/test-cards">{t(T::TestCardsTitle)}</a></p>
        </main>
    }
}

fn load_error(error: &AppError) -> AnyView {
    view! { <p class="alert alert-error" role="alert">{error_text(error)}</p> }.into_any()
}

/// `/pay/{centre}/{id}`: the payment page (HP-2) and the final page (HP-4).
#[component]
pub fn PayPage() -> impl IntoView {
    let (id, centre) = (param("id"), param("centre"));
    shell(view! {
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {Suspend::new({
                let (id, centre) = (id.clone(), centre.clone());
                async move {
                    match load_checkout(id).await {
                        Ok(view) => checkout_page(view, &centre),
                        Err(e) => load_error(&e),
                    }
                }
            })}
        </Suspense>
    })
}

/// `/pay/{centre}/3ds/{id}`: the 3-D Secure challenge (HP-3).
#[component]
pub fn ChallengePage() -> impl IntoView {
    let (id, centre) = (param("id"), param("centre"));
    let body = async move {
        let view = match load_checkout(id).await {
            Ok(view) => view,
            Err(e) => return load_error(&e),
        };
        if view.state != CheckoutState::Challenge {
            let href = checkout_path(&centre, &view.id);
            return view! { <p><a href=href rel="external" data-follow="">{t(T::PayTitle)}</a></p> }
                .into_any();
        }
        let intro = t(T::ChallengeIntro)
            .replace("{amount}", &view.amount)
            .replace("{name}", &view.merchant);
        let error = posted_error::<CheckoutChallenge>().and_then(|e| match e {
            AppError::RateLimited => Some(t(T::PayTooManyRequests).to_owned()),
            other => error_text(&other),
        });
        view! {
            {crate::template::page::theme_head(view.theme.as_ref())}
            <section class="card form pay-challenge" aria-labelledby="challenge-title">
                <h2 id="challenge-title">{t(T::ChallengeTitle)}</h2>
                <p>{intro}</p>
                <form method="post" action={post_to::<CheckoutChallenge>()} data-once="">
                    <input type="hidden" name="id" value=view.id.clone()/>
                    <div class="field">
                        <label for="challenge-code">{t(T::ChallengeCode)}</label>
                        <input id="challenge-code" name="code" type="text" inputmode="numeric"
                            autocomplete="one-time-code" required/>
                    </div>
                    {alert(error)}
                    <button type="submit" class="button primary">{t(T::ChallengeSubmit)}</button>
                </form>
                <p class="muted">{t(T::ChallengeHint)}</p>
            </section>
        }
        .into_any()
    };
    shell(view! {
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>{Suspend::new(body)}</Suspense>
    })
}

fn tokenization_body(view: TokenizationView) -> AnyView {
    let error = posted_error::<TokenizeCard>();
    let state = match (&view.saved, view.open) {
        (Some(masked), _) => Some(view! { <p class="alert alert-success" role="status">{t(T::TokenizeSaved).replace("{masked}", masked)}</p> }.into_any()),
        (None, false) => Some(view! { <p class="alert alert-error" role="alert">{t(T::SessionExpired)}</p> }.into_any()),
        _ => None,
    };
    let usable = view.saved.is_none() && view.open;
    view! {
        <p class="pay-merchant">{view.merchant.clone()}</p>
        {state}
        {alert(refusal(error.as_ref()))}
        <form class="card form pay-form" method="post" action={post_to::<TokenizeCard>()} novalidate
            hidden=!usable data-card-form="">
            <input type="hidden" name="id" value=view.id.clone()/>
            {card_field(T::CardNumberLabel, "number", "cc-number", error.as_ref())}
            <p class="pay-brand muted" aria-live="polite"></p>
            {card_field(T::ExpiryLabel, "expiry", "cc-exp", error.as_ref())}
            {holder_field()}
            <button type="submit" class="button primary">{t(T::TokenizeSave)}</button>
        </form>
    }
    .into_any()
}

/// `/pay/{centre}/tokenize/{id}`: the hosted tokenization page.
#[component]
pub fn TokenizePage() -> impl IntoView {
    let id = param("id");
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TokenizeTitle))/>
        <main class="pay-page" id="main">
            <h1 class="pay-title">{t(T::TokenizeTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {Suspend::new(async move {
                    match load_tokenization(id).await {
                        Ok(view) => tokenization_body(view),
                        Err(e) => load_error(&e),
                    }
                })}
            </Suspense>
        </main>
    }
}
