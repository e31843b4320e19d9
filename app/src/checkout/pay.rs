//! Hosted pages for payers (HP-2..4): the payment page with the card form checked as
//! typed by the domain rules in WebAssembly, the 3-D Secure challenge page, the final
//! page, and the hosted tokenization page. No session: the id in the URL is the secret.

use crate::checkout::api::{
    load_checkout, load_tokenization, CheckoutChallenge, PayCheckout, TokenizeCard,
};
use crate::checkout::{CheckoutState, CheckoutView, ReceiptView, TokenizationView};
use crate::components::{card_error_text, error_text, full_navigation, problem_text, refusal_text};
use crate::error::AppError;
use crate::i18n::{t, use_lang, T};
use chrono::Datelike;
use domain::card::check_cvc;
use domain::{CardError, CardNumber, Expiry};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn param(name: &'static str) -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

/// `/pay/{centre}/{id}` with the page language kept.
fn checkout_path(centre: &str, id: &str) -> String {
    format!("/pay/{centre}/{id}?lang={}", use_lang().code())
}

fn challenge_path(centre: &str, id: &str) -> String {
    format!("/pay/{centre}/3ds/{id}?lang={}", use_lang().code())
}

fn today() -> (i32, u32) {
    let now = chrono::Utc::now();
    (now.year(), now.month())
}

/// The live checks of the card form; `None` while a field is still being typed.
pub(crate) fn number_problem(raw: &str, touched: bool) -> Option<CardError> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    match CardNumber::parse(raw) {
        Ok(_) => None,
        Err(_) if raw.trim().is_empty() && !touched => None,
        Err(CardError::Length | CardError::Luhn) if !touched && digits < 16 => None,
        Err(e) => Some(e),
    }
}

pub(crate) fn expiry_problem(raw: &str, touched: bool) -> Option<CardError> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if !touched && digits < 4 {
        return None;
    }
    Expiry::parse(raw, today()).err()
}

pub(crate) fn cvc_problem(number: &str, cvc: &str, touched: bool) -> Option<CardError> {
    if !touched {
        return None;
    }
    let brand = CardNumber::parse(number).ok().map(|c| c.brand())?;
    check_cvc(cvc, brand).err()
}

fn countdown_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    t(T::SessionEndsIn).replace("{time}", &format!("{}:{:02}", seconds / 60, seconds % 60))
}

/// A card input with its live check and the server's verdict.
#[component]
pub(crate) fn CardField(
    label: T,
    name: &'static str,
    autocomplete: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    value: RwSignal<String>,
    touched: RwSignal<bool>,
    live: Signal<Option<CardError>>,
    server: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("pay-{name}");
    let error_id = format!("{id}-error");
    let message = Signal::derive(move || {
        live.get()
            .map(|e| card_error_text(e).to_owned())
            .or_else(|| {
                server
                    .get()
                    .and_then(|e| e.problem_for(name).map(problem_text))
            })
    });
    let described = error_id.clone();
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type="text"
                inputmode=inputmode
                autocomplete=autocomplete
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

fn return_link(view: &CheckoutView) -> impl IntoView + use<> {
    view.return_to.clone().map(|href| {
        view! { <p><a class="button primary" href=href rel="external">{t(T::ReturnToMerchant)}</a></p> }
    })
}

/// The page once the payment has a result (or the session is over).
fn outcome_view(view: &CheckoutView) -> AnyView {
    match view.state {
        CheckoutState::Paid => view! {
            <section class="card pay-result" aria-labelledby="result-title">
                <h2 id="result-title" class="pay-ok">{t(T::PaidTitle)}</h2>
                {view.receipt.as_ref().map(|r| receipt_view(view, r))}
                {return_link(view)}
            </section>
        }
        .into_any(),
        CheckoutState::Pending => view! {
            <section class="card pay-result">
                <p role="status">{t(T::PendingMessage)}</p>
                {return_link(view)}
            </section>
        }
        .into_any(),
        CheckoutState::Refused => view! {
            <section class="card pay-result" aria-labelledby="result-title">
                <h2 id="result-title" class="pay-ko">{t(T::RefusedTitle)}</h2>
                <p role="alert">
                    {t(T::DeclinedMessage).replace("{reason}", refusal_text(view.declined_code.as_deref().unwrap_or("")))}
                </p>
                {return_link(view)}
            </section>
        }
        .into_any(),
        _ => view! {
            <section class="card pay-result">
                <p role="alert">{t(T::SessionExpired)}</p>
                {return_link(view)}
            </section>
        }
        .into_any(),
    }
}

/// Sends the payer on when the result is known and no final page is to be shown.
fn follow(view: &CheckoutView, centre: &str) {
    match view.state {
        CheckoutState::Challenge => full_navigation(&challenge_path(centre, &view.id)),
        CheckoutState::Paid | CheckoutState::Refused | CheckoutState::Pending
            if !view.show_result =>
        {
            if let Some(to) = &view.return_to {
                full_navigation(to);
            }
        }
        _ => {}
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

/// The card form of an open checkout.
#[component]
fn PayForm(view: CheckoutView, action: ServerAction<PayCheckout>) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvc = RwSignal::new(String::new());
    let holder = RwSignal::new(String::new());
    let save = RwSignal::new(false);
    let (n_touched, e_touched, c_touched) = (
        RwSignal::new(false),
        RwSignal::new(false),
        RwSignal::new(false),
    );
    let saved_choice = RwSignal::new(
        view.saved_cards
            .first()
            .map(|c| c.token.clone())
            .unwrap_or_else(|| "new".to_owned()),
    );
    let new_card = move || saved_choice.get() == "new";
    // A brand the merchant does not offer is refused as soon as the digits tell it (MB-11).
    let offered = view.brands.clone();
    let number_live = Signal::derive(move || {
        number_problem(&number.get(), n_touched.get())
            .or_else(|| domain::methods::check_offered(&number.get(), &offered).err())
    });
    let expiry_live = Signal::derive(move || expiry_problem(&expiry.get(), e_touched.get()));
    let cvc_live = Signal::derive(move || cvc_problem(&number.get(), &cvc.get(), c_touched.get()));
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    let brand = move || {
        CardNumber::parse(&number.get())
            .ok()
            .map(|c| c.brand().name())
    };
    let id = view.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if new_card() {
            n_touched.set(true);
            e_touched.set(true);
            c_touched.set(true);
            if number_live.get_untracked().is_some()
                || expiry_live.get_untracked().is_some()
                || cvc_live.get_untracked().is_some()
            {
                return;
            }
        }
        let saved = (!new_card()).then(|| saved_choice.get_untracked());
        action.dispatch(PayCheckout {
            id: id.clone(),
            number: Some(number.get_untracked()),
            expiry: Some(expiry.get_untracked()),
            cvc: Some(cvc.get_untracked()),
            holder: Some(holder.get_untracked()),
            save: save.get_untracked().then(|| "on".to_owned()),
            saved,
        });
    };
    let saved_cards = view.saved_cards.clone();
    let has_saved = !saved_cards.is_empty();
    let can_save = view.can_save;
    let pay_label = t(T::PayButton).replace("{amount}", &view.amount);
    view! {
        <form class="card form pay-form" on:submit=on_submit novalidate>
            {has_saved.then(|| view! {
                <fieldset class="saved-cards" hidden=!has_saved>
                    <legend>{t(T::SavedCardsTitle)}</legend>
                    {saved_cards.into_iter().map(|c| {
                        let token = c.token.clone();
                        let checked = token.clone();
                        view! {
                            <label class="radio">
                                <input type="radio" name="saved" value=token.clone()
                                    prop:checked=move || saved_choice.get() == checked
                                    on:change=move |_| saved_choice.set(token.clone())/>
                                <span>{format!("{} {} ({})", c.brand, c.masked, c.expiry)}</span>
                            </label>
                        }
                    }).collect_view()}
                    <label class="radio">
                        <input type="radio" name="saved" value="new"
                            prop:checked=move || saved_choice.get() == "new"
                            on:change=move |_| saved_choice.set("new".to_owned())/>
                        <span>{t(T::UseNewCard)}</span>
                    </label>
                </fieldset>
            })}
            <div class="new-card" hidden=move || !new_card()>
                <CardField label=T::CardNumberLabel name="number" autocomplete="cc-number" inputmode="numeric"
                    value=number touched=n_touched live=number_live server=server_error/>
                <p class="pay-brand muted" aria-live="polite">{move || brand()}</p>
                <div class="field-row">
                    <CardField label=T::ExpiryLabel name="expiry" autocomplete="cc-exp" inputmode="numeric"
                        value=expiry touched=e_touched live=expiry_live server=server_error/>
                    <CardField label=T::CvcLabel name="cvc" autocomplete="cc-csc" inputmode="numeric"
                        value=cvc touched=c_touched live=cvc_live server=server_error/>
                </div>
                <div class="field">
                    <label for="pay-holder">{t(T::CardHolderLabel)}</label>
                    <input id="pay-holder" name="holder" type="text" autocomplete="cc-name"
                        prop:value=move || holder.get()
                        on:input:target=move |ev| holder.set(ev.target().value())/>
                </div>
                <label class="checkbox" hidden=!can_save>
                    <input type="checkbox" name="save" prop:checked=move || save.get()
                        on:change:target=move |ev| save.set(ev.target().checked())/>
                    <span>{t(T::SaveMyCard)}</span>
                </label>
            </div>
            <button type="submit" class="button primary pay-button" disabled=move || action.pending().get()>
                {move || if action.pending().get() { t(T::Processing).to_owned() } else { pay_label.clone() }}
            </button>
        </form>
    }
}

/// The page of a checkout: the summary, then either the card form (kept alive across
/// attempts, so what the payer typed and the live checks survive a decline) or the result.
fn checkout_page(view: CheckoutView, action: ServerAction<PayCheckout>) -> AnyView {
    let current = RwSignal::new(view.clone());
    Effect::new(move |_| {
        if let Some(Ok(answer)) = action.value().get() {
            current.set(answer);
        }
    });
    let open = move || current.with(|v| v.state == CheckoutState::Open);
    let seconds = RwSignal::new(view.seconds_left);
    Effect::new(move |_| {
        let tick = move || {
            seconds.try_update(|s| *s = (*s - 1).max(0));
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
    let declined =
        move || {
            current.with(|v| {
                v.declined_code.clone().filter(|_| v.state == CheckoutState::Open).map(|code| {
                let left = v.attempts_left;
                view! {
                    <div class="alert alert-error" role="alert">
                        <p>{t(T::DeclinedMessage).replace("{reason}", refusal_text(&code))}</p>
                        <p>{t(T::AttemptsLeft).replace("{n}", &left.to_string())}</p>
                    </div>
                }
            })
            })
        };
    // What refused the request itself (not a field): too many requests, a checkout
    // another request is paying or that is closed, the acquirer not answering.
    let refused = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| match e {
                AppError::Invalid(_) => None,
                AppError::RateLimited => Some(t(T::PayTooManyRequests).to_owned()),
                AppError::NotAllowedNow => Some(t(T::PayNotNow).to_owned()),
                other => error_text(&other),
            })
            .map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })
    };
    let brands = view.brands.join(" · ");
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
    view! {
        {crate::template::page::theme_head(view.theme.as_ref())}
        {languages}
        {summary(&view)}
        {move || (!open()).then(|| outcome_view(&current.get()))}
        <div class="pay-open" hidden=move || !open()>
            <p class="pay-countdown" role="timer" data-testid="countdown">{move || countdown_text(seconds.get())}</p>
            {move || (seconds.get() == 0).then(|| view! { <p class="alert alert-error" role="alert">{t(T::SessionExpired)}</p> })}
            {declined}
            {refused}
            <p class="muted pay-brands">{t(T::AcceptedCards)}": "{brands}</p>
            {view.terms_url.clone().map(|url| view! {
                <p class="muted pay-terms">
                    <a href=url target="_blank" rel="noopener noreferrer">{t(T::GeneralConditionsLink)}</a>
                </p>
            })}
            <PayForm view=view.clone() action=action/>
            // iDEAL, Bancontact and the wallets, when the merchant offers them.
            <super::methods::OtherMethods id=view.id.clone() current=current/>
        </div>
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

/// `/pay/{centre}/{id}`: the payment page (HP-2) and the final page (HP-4).
#[component]
pub fn PayPage() -> impl IntoView {
    let id = param("id");
    let centre = param("centre");
    let page = Resource::new(id, load_checkout);
    let action = ServerAction::<PayCheckout>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = action.value().get() {
            follow(&view, &centre());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = page.get() {
            follow(&view, &centre());
        }
    });
    shell(view! {
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => checkout_page(view, action),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    })
}

/// `/pay/{centre}/3ds/{id}`: the 3-D Secure challenge (HP-3).
#[component]
pub fn ChallengePage() -> impl IntoView {
    let id = param("id");
    let centre = param("centre");
    let page = Resource::new(id, load_checkout);
    let action = ServerAction::<CheckoutChallenge>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = action.value().get() {
            match view.state {
                CheckoutState::Challenge => {}
                CheckoutState::Open => full_navigation(&checkout_path(&centre(), &view.id)),
                _ if !view.show_result => follow(&view, &centre()),
                _ => full_navigation(&checkout_path(&centre(), &view.id)),
            }
        }
    });
    let code = RwSignal::new(String::new());
    shell(view! {
        <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(view) if view.state != CheckoutState::Challenge => {
                        let href = checkout_path(&centre(), &view.id);
                        view! { <p><a href=href rel="external">{t(T::ReturnToMerchant)}</a></p> }.into_any()
                    }
                    Ok(view) => {
                        let id = view.id.clone();
                        let intro = t(T::ChallengeIntro)
                            .replace("{amount}", &view.amount)
                            .replace("{name}", &view.merchant);
                        let error = move || action.value().get().and_then(Result::err).and_then(|e| match e {
                            AppError::RateLimited => Some(t(T::PayTooManyRequests).to_owned()),
                            other => error_text(&other),
                        });
                        view! {
                            {crate::template::page::theme_head(view.theme.as_ref())}
                            <section class="card form pay-challenge" aria-labelledby="challenge-title">
                                <h2 id="challenge-title">{t(T::ChallengeTitle)}</h2>
                                <p>{intro}</p>
                                <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    action.dispatch(CheckoutChallenge { id: id.clone(), code: code.get_untracked() });
                                }>
                                    <div class="field">
                                        <label for="challenge-code">{t(T::ChallengeCode)}</label>
                                        <input id="challenge-code" name="code" type="text" inputmode="numeric"
                                            autocomplete="one-time-code" required
                                            prop:value=move || code.get()
                                            on:input:target=move |ev| code.set(ev.target().value())/>
                                    </div>
                                    <p class="alert alert-error" role="alert" hidden=move || error().is_none()>{error}</p>
                                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                        {t(T::ChallengeSubmit)}
                                    </button>
                                </form>
                                <p class="muted">{t(T::ChallengeHint)}</p>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    })
}

fn tokenization_body(view: TokenizationView, action: ServerAction<TokenizeCard>) -> AnyView {
    let current = RwSignal::new(view.clone());
    Effect::new(move |_| {
        if let Some(Ok(answer)) = action.value().get() {
            current.set(answer);
        }
    });
    let number = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let holder = RwSignal::new(String::new());
    let (n_touched, e_touched) = (RwSignal::new(false), RwSignal::new(false));
    let number_live = Signal::derive(move || number_problem(&number.get(), n_touched.get()));
    let expiry_live = Signal::derive(move || expiry_problem(&expiry.get(), e_touched.get()));
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    let usable = move || current.with(|v| v.saved.is_none() && v.open);
    let id = view.id.clone();
    view! {
        <p class="pay-merchant">{view.merchant.clone()}</p>
        {move || current.with(|v| match (&v.saved, v.open) {
            (Some(masked), _) => Some(view! { <p class="alert alert-success" role="status">{t(T::TokenizeSaved).replace("{masked}", masked)}</p> }.into_any()),
            (None, false) => Some(view! { <p class="alert alert-error" role="alert">{t(T::SessionExpired)}</p> }.into_any()),
            _ => None,
        })}
        <form class="card form pay-form" novalidate hidden=move || !usable() on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            n_touched.set(true);
            e_touched.set(true);
            if number_live.get_untracked().is_some() || expiry_live.get_untracked().is_some() {
                return;
            }
            action.dispatch(TokenizeCard {
                id: id.clone(),
                number: number.get_untracked(),
                expiry: expiry.get_untracked(),
                holder: Some(holder.get_untracked()),
            });
        }>
            <CardField label=T::CardNumberLabel name="number" autocomplete="cc-number" inputmode="numeric"
                value=number touched=n_touched live=number_live server=server_error/>
            <CardField label=T::ExpiryLabel name="expiry" autocomplete="cc-exp" inputmode="numeric"
                value=expiry touched=e_touched live=expiry_live server=server_error/>
            <div class="field">
                <label for="pay-holder">{t(T::CardHolderLabel)}</label>
                <input id="pay-holder" name="holder" type="text" autocomplete="cc-name"
                    prop:value=move || holder.get()
                    on:input:target=move |ev| holder.set(ev.target().value())/>
            </div>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>{t(T::TokenizeSave)}</button>
        </form>
    }
    .into_any()
}

/// `/pay/{centre}/tokenize/{id}`: the hosted tokenization page.
#[component]
pub fn TokenizePage() -> impl IntoView {
    let id = param("id");
    let page = Resource::new(id, load_tokenization);
    let action = ServerAction::<TokenizeCard>::new();
    view! {
        <Title text=format!("{} — OpenPSP", t(T::TokenizeTitle))/>
        <main class="pay-page" id="main">
            <h1 class="pay-title">{t(T::TokenizeTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(view) => tokenization_body(view, action),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
