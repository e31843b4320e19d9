//! Small building blocks shared by pages: labelled fields with their error, alerts, the
//! live password checklist, the language menu, and [`loaded`] for suspended views.

use crate::account::PasswordRules;
use crate::error::{AppError, Problem};
use crate::i18n::{t, use_lang, T};
use domain::{CardError, PasswordPolicy, PasswordRule};
use leptos::prelude::*;

/// Loads `path` as a new document, so the server renders it afresh (language, session).
pub fn full_navigation(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Reloads the current document.
pub fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Awaits a page's data inside a `Suspend`, then, on the server only, lets one turn pass
/// before the view after it is built: `match loaded(resource).await { … }`.
///
/// On the server, `<Suspense>` walks its children before it renders them (to register
/// the resources they read), and each walk calls the children's closure afresh and polls
/// the new `Suspend` once. Once the data are there, that poll would build the whole view
/// only to drop it, and the render builds it again: every suspended section of a page
/// was built two times per request. Pending for one turn after the data, the walk stops
/// here, and only the render builds the view. In the browser it is ready at once, so
/// hydration still finds the view synchronously.
///
/// For a `move || Suspend::new(…)` child only (a bare `Suspend` is polled once and kept,
/// so it is built once already). The walks no longer see the view after it, so that view
/// must read any further resource through its own `Suspend` or `<Suspense>`, never
/// synchronously (`.get()`, `<For each=…>`): the boundary would not wait for it.
pub async fn loaded<F: std::future::IntoFuture>(data: F) -> F::Output {
    let value = data.await;
    #[cfg(feature = "ssr")]
    {
        let mut turned = false;
        std::future::poll_fn(|cx| {
            if std::mem::replace(&mut turned, true) {
                return std::task::Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
    }
    value
}

/// The text of a field problem in the page's language.
pub fn problem_text(problem: &Problem) -> String {
    match problem {
        Problem::Required => t(T::ErrRequired).to_owned(),
        Problem::InvalidIdentifier => t(T::ErrInvalidCredentials).to_owned(),
        Problem::PasswordsDiffer => t(T::ErrPasswordsDiffer).to_owned(),
        Problem::WrongCurrentPassword => t(T::ErrWrongCurrentPassword).to_owned(),
        Problem::SamePassword => t(T::ErrSamePassword).to_owned(),
        Problem::Policy(_) => t(T::ErrPolicy).to_owned(),
        Problem::UnknownTimeZone => t(T::ErrUnknownTimeZone).to_owned(),
        Problem::InvalidEmail => t(T::ErrInvalidEmail).to_owned(),
        Problem::TooLong => t(T::ErrTooLong).to_owned(),
        Problem::ControlCharacter => t(T::ErrControlCharacter).to_owned(),
        Problem::InvalidLink => t(T::ErrInvalidLink).to_owned(),
        Problem::Card(e) => card_error_text(*e).to_owned(),
        Problem::InvalidUrl => t(T::ErrInvalidUrl).to_owned(),
        Problem::InvalidAmount => t(T::ErrInvalidAmount).to_owned(),
        Problem::ExceedsLimit => t(T::ErrExceedsLimit).to_owned(),
        Problem::InvalidDate => t(T::ErrInvalidDate).to_owned(),
        Problem::OutOfRange => t(T::ErrOutOfRange).to_owned(),
        Problem::TerminalNotConnected => t(T::ErrTerminalNotConnected).to_owned(),
        Problem::TerminalBusy => t(T::ErrTerminalBusy).to_owned(),
        Problem::TerminalTaken => t(T::ErrTerminalTaken).to_owned(),
        Problem::InvalidTerminalId => t(T::ErrTerminalId).to_owned(),
        Problem::InvalidCode => t(T::ErrInvalidCode).to_owned(),
        Problem::CodeExhausted => t(T::ErrCodeExhausted).to_owned(),
        Problem::ResendTooSoon => t(T::ErrResendTooSoon).to_owned(),
        Problem::UnknownPerson => t(T::ErrUnknownPerson).to_owned(),
        Problem::FileEmpty => t(T::ErrFileEmpty).to_owned(),
        Problem::FileTooLarge => t(T::ErrFileTooLarge).to_owned(),
        Problem::FileType => t(T::ErrFileType).to_owned(),
        Problem::FileDisguised => t(T::ErrFileDisguised).to_owned(),
        Problem::TooManyFiles => t(T::ErrTooManyFiles).to_owned(),
        Problem::StorageFull => t(T::ErrStorageFull).to_owned(),
        Problem::TooManyKeyDeletions => t(T::ErrTooManyKeyDeletions).to_owned(),
        Problem::SlugTaken => t(T::ErrSlugTaken).to_owned(),
        Problem::InvalidSlug => t(T::ErrInvalidSlug).to_owned(),
        Problem::PatternMismatch => t(T::ErrPatternMismatch).to_owned(),
        Problem::InvalidPattern => t(T::ErrInvalidPattern).to_owned(),
        Problem::InvalidFieldName => t(T::ErrInvalidFieldName).to_owned(),
        Problem::DuplicateName => t(T::ErrDuplicateName).to_owned(),
        Problem::BelowMinimum => t(T::ErrBelowMinimum).to_owned(),
        Problem::AboveMaximum => t(T::ErrAboveMaximum).to_owned(),
        Problem::CartTotalMismatch => t(T::ErrCartTotalMismatch).to_owned(),
        Problem::DateInPast => t(T::ErrDateInPast).to_owned(),
        Problem::WrongAuthenticatorCode => t(T::ErrWrongAuthenticatorCode).to_owned(),
        Problem::EmailNotConfirmed => t(T::ErrEmailNotConfirmed).to_owned(),
        Problem::TwoFactorRequired => t(T::ErrTwoFactorRequired).to_owned(),
        Problem::InvalidVatNumber => t(T::ErrInvalidVatNumber).to_owned(),
        Problem::InvalidPhone => t(T::ErrInvalidPhone).to_owned(),
        Problem::InvalidCurrency => t(T::ErrInvalidCurrency).to_owned(),
        Problem::CurrencyNotAccepted => t(T::ErrCurrencyNotAccepted).to_owned(),
        Problem::InvalidCountry => t(T::ErrInvalidCountry).to_owned(),
        Problem::NoLanguage => t(T::ErrNoLanguage).to_owned(),
        Problem::PasswordReused => t(T::ErrPasswordReused).to_owned(),
        Problem::LoginTaken => t(T::ErrLoginTaken).to_owned(),
        Problem::PspidTaken => t(T::ErrPspidTaken).to_owned(),
        Problem::InvalidLogin => t(T::ErrInvalidLogin).to_owned(),
        Problem::LastAdmin => t(T::ErrLastAdmin).to_owned(),
        Problem::OwnAccount => t(T::ErrOwnAccount).to_owned(),
        Problem::TwoStepNotAllowed => t(T::ErrTwoStepNotAllowed).to_owned(),
        Problem::FraudRule(e) => t(fraud_rule_text(*e)).to_owned(),
        Problem::BlockedByFraudRule => t(T::ErrBlockedByFraudRule).to_owned(),
        Problem::NotAColour => t(T::ErrNotAColour).to_owned(),
        Problem::TokenTooShort => t(T::ErrTokenTooShort).to_owned(),
        Problem::LowContrast(tenths) => {
            t(T::ErrLowContrast).replace("{ratio}", &format!("{}.{}", tenths / 10, tenths % 10))
        }
    }
}

/// Why a fraud rule's value is refused.
fn fraud_rule_text(error: domain::fraud::RuleError) -> T {
    use domain::fraud::RuleError;
    match error {
        RuleError::Amount => T::ErrFraudAmount,
        RuleError::Currency => T::ErrFraudCurrency,
        RuleError::Country => T::ErrFraudCountry,
        RuleError::BinRange => T::ErrFraudBinRange,
        RuleError::CardNumber => T::ErrFraudCardNumber,
        RuleError::Attempts => T::ErrFraudAttempts,
        RuleError::Window => T::ErrFraudWindow,
    }
}

/// What the payer reads for a card field the domain rules refuse.
pub fn card_error_text(error: domain::CardError) -> &'static str {
    use domain::CardError;
    t(match error {
        CardError::NotDigits => T::ErrCardDigits,
        CardError::UnknownBrand => T::ErrCardBrand,
        CardError::Length => T::ErrCardLength,
        CardError::Luhn => T::ErrCardLuhn,
        CardError::ExpiryFormat => T::ErrExpiryFormat,
        CardError::Expired => T::ErrExpired,
        CardError::Cvc => T::ErrCvc,
        CardError::BrandNotAccepted => T::ErrBrandNotAccepted,
    })
}

/// The meaning of an acquirer refusal code.
pub fn refusal_text(code: &str) -> &'static str {
    t(match code {
        "05" => T::Refusal05,
        "51" => T::Refusal51,
        "54" => T::Refusal54,
        "N7" => T::RefusalN7,
        "61" => T::Refusal61,
        "3D" => T::Refusal3D,
        _ => T::RefusalOther,
    })
}

/// The page-level text of an error (field problems are shown next to their field).
pub fn error_text(error: &AppError) -> Option<String> {
    match error {
        AppError::Invalid(_) => None,
        AppError::Unauthenticated => Some(t(T::ErrSessionExpired).to_owned()),
        AppError::Forbidden => Some(t(T::ErrForbidden).to_owned()),
        AppError::InvalidCredentials => Some(t(T::ErrInvalidCredentials).to_owned()),
        // A page's address can carry an error (a plain form's refused post) and anyone
        // can write one: its end is shown only when it is a time.
        AppError::Locked { until } if domain::timezone::is_time_text(until) => {
            Some(t(T::ErrLocked).replace("{until}", until))
        }
        AppError::RateLimited => Some(t(T::ErrRateLimited).to_owned()),
        AppError::NotFound => Some(t(T::NotFound).to_owned()),
        AppError::NotAllowedNow => Some(t(T::ErrNotAllowedNow).to_owned()),
        AppError::Unavailable => Some(t(T::ErrUnavailable).to_owned()),
        AppError::Internal | AppError::ServerFn(_) | AppError::Locked { .. } => {
            Some(t(T::ErrGeneric).to_owned())
        }
    }
}

/// The error of an action's last result, if it failed.
pub fn last_error<O, S>(value: S) -> Signal<Option<AppError>>
where
    O: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<O, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The message of the action's last error for the field `name`, if any.
pub fn field_problem(
    error: Signal<Option<AppError>>,
    name: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    }
}

/// A page-level alert for the error of an action, announced to screen readers.
#[component]
pub fn ErrorAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().and_then(|e| error_text(&e)).map(|text| {
            view! { <p class="alert alert-error" role="alert">{text}</p> }
        })
    }
}

/// A labelled input with the server's message for it underneath.
#[component]
pub fn Field(
    /// Label text.
    label: T,
    /// Input name (also the form field the server reports problems on).
    name: &'static str,
    /// The last error of the form's action.
    error: Signal<Option<AppError>>,
    /// Input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Initial value.
    #[prop(optional, into)]
    value: String,
    /// Whether the field must be filled.
    #[prop(optional)]
    required: bool,
    /// Called with the value as the user types.
    #[prop(optional, into)]
    on_input: Option<Callback<String>>,
    /// Id prefix, to keep ids unique when two forms share a page.
    #[prop(default = "f")]
    form: &'static str,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let message = Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.problem_for(name).map(problem_text))
    });
    let described = error_id.clone();
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                on:input:target=move |ev| {
                    if let Some(cb) = on_input {
                        cb.run(ev.target().value());
                    }
                }
            />
            <p class="field-error" id=error_id>
                {move || message.get()}
            </p>
        </div>
    }
}

fn rule_text(rule: PasswordRule) -> String {
    match rule {
        PasswordRule::MinLength(n) => t(T::RuleMinLength).replace("{n}", &n.to_string()),
        PasswordRule::Uppercase => t(T::RuleUppercase).to_owned(),
        PasswordRule::Lowercase => t(T::RuleLowercase).to_owned(),
        PasswordRule::Digit => t(T::RuleDigit).to_owned(),
        PasswordRule::Special => t(T::RuleSpecial).to_owned(),
        PasswordRule::NoStoreName => t(T::RuleNoStoreName).to_owned(),
        PasswordRule::NoLogin => t(T::RuleNoLogin).to_owned(),
    }
}

/// The password policy as a checklist that turns green as the user types `password`: the
/// domain crate's rules, running in the browser. Without `password` (a page that loads
/// no script, the reset page an e-mailed link opens) the rules are listed without marks,
/// since nothing would tick them; the server checks them when the form is sent.
#[component]
pub fn PasswordChecklist(
    password: Option<ReadSignal<String>>,
    rules: PasswordRules,
) -> impl IntoView {
    let policy = PasswordPolicy::with_min_length(rules.min_length);
    let context = rules.context;
    let lang = use_lang();
    let checks = move || policy.check(&password.map(|p| p.get()).unwrap_or_default(), &context);
    view! {
        <div class="checklist" aria-live=password.map(|_| "polite")>
            <p class="checklist-title">{T::PasswordRulesTitle.text(lang)}</p>
            <ul>
                {move || {
                    checks()
                        .into_iter()
                        .map(|check| {
                            let text = view! { <span class="rule-text">{rule_text(check.rule)}</span> };
                            if password.is_none() {
                                return view! { <li class="rule">{text}</li> }.into_any();
                            }
                            let status = if check.passed { T::RulePassed } else { T::RuleNotPassed };
                            view! {
                                <li
                                    class="rule"
                                    class:rule-ok=check.passed
                                    data-passed=check.passed.to_string()
                                >
                                    <span class="rule-icon" aria-hidden="true">
                                        {if check.passed { "✓" } else { "✗" }}
                                    </span>
                                    {text}
                                    <span class="sr-only">" — " {status.text(lang)}</span>
                                </li>
                            }
                            .into_any()
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// A globe, for the language menu.
#[component]
pub fn GlobeIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2">
            <circle cx="12" cy="12" r="9"/>
            <path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>
        </svg>
    }
}

/// A head and shoulders, for the user-profile menu.
#[component]
pub fn PersonIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2">
            <circle cx="12" cy="8" r="4"/>
            <path d="M4 21a8 8 0 0 1 16 0"/>
        </svg>
    }
}

/// A text field of a list's filter form (a GET form), with the server's problem for it
/// underneath; its id is `{form}-{name}`. `inputmode` is the phone keyboard's kind
/// (`text`, `numeric`).
pub fn filter_field(
    form: &str,
    label: T,
    name: &'static str,
    value: String,
    error: Option<&AppError>,
    inputmode: &'static str,
) -> impl IntoView {
    let id = format!("{form}-{name}");
    let problem = error.and_then(|e| e.problem_for(name).map(problem_text));
    let invalid = problem.is_some();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type="text" value=value inputmode=inputmode
                aria-invalid=invalid.to_string()/>
            <p class="field-error">{problem}</p>
        </div>
    }
}

/// A list's pager: "Previous" and "Next" as links to the pages before and after `page`
/// (when there are such pages), around "Page n of m". `href` gives a page's address.
pub fn pager(page: u32, pages: u32, href: impl Fn(u32) -> String) -> impl IntoView {
    let link = |to: u32, label: T| view! { <a class="button" href=href(to)>{t(label)}</a> };
    let prev = (page > 1).then(|| link(page - 1, T::Previous));
    let next = (page < pages).then(|| link(page + 1, T::Next));
    let page_of = t(T::PageOf)
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string());
    let label = page_of.clone();
    view! { <nav class="pager" aria-label=label>{prev}<span>{page_of}</span>{next}</nav> }
}

/// Puts `text` on the clipboard; `false` when the browser does not allow it here (no
/// secure context), so the page offers the text to copy by hand.
pub fn copy_text(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let clipboard = window.navigator().clipboard();
        if clipboard.is_undefined() {
            return false;
        }
        let _ = clipboard.write_text(text);
        true
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}

/// Today as `(year, month)`, for the card expiry checks.
pub fn today() -> (i32, u32) {
    use chrono::Datelike;
    let now = chrono::Utc::now();
    (now.year(), now.month())
}

/// A card input with its live check and the server's verdict.
#[component]
pub fn CardField(
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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::loaded;
    use leptos::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Renders a `<Suspense>` over a resource that takes a moment, as a page does, and
    /// counts how often the view after the data is built.
    async fn builds(wait_a_turn: bool) -> (usize, String) {
        use futures_util::StreamExt;
        _ = any_spawner::Executor::init_tokio();
        let owner = Owner::new();
        owner.set();
        let built = Arc::new(AtomicUsize::new(0));
        let data = Resource::new(
            || (),
            |_| async {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                41
            },
        );
        let counter = Arc::clone(&built);
        let page = view! {
            <Suspense fallback=|| "…">
                {move || {
                    let counter = Arc::clone(&counter);
                    Suspend::new(async move {
                        let n = if wait_a_turn { loaded(data).await } else { data.await };
                        counter.fetch_add(1, Ordering::SeqCst);
                        view! { <p>{n + 1}</p> }
                    })
                }}
            </Suspense>
        };
        let html: String = page.to_html_stream_out_of_order().collect().await;
        (built.load(Ordering::SeqCst), html)
    }

    #[tokio::test]
    async fn a_suspended_view_is_built_once_per_render() {
        let (count, html) = builds(true).await;
        assert!(html.contains("<p>42</p>"), "{html}");
        assert_eq!(count, 1, "{html}");
    }

    #[tokio::test]
    async fn without_it_the_suspense_walk_builds_the_view_a_second_time() {
        // What `loaded` is for: if Leptos stops building twice, this fails and `loaded`
        // can go.
        let (count, html) = builds(false).await;
        assert!(html.contains("<p>42</p>"), "{html}");
        assert_eq!(count, 2, "{html}");
    }
}
