//! OpenPSP user interface: the HTML shell and the routes. Each feature module holds its
//! pages, server functions, port trait and data.
//!
//! Compiled twice: with `ssr` into the server (rendering, server functions, ports) and
//! with `hydrate` into the browser bundle.

#![recursion_limit = "256"]

pub mod account;
pub mod aliases;
pub mod audit;
pub mod checkout;
pub mod company;
pub mod components;
pub mod configuration;
#[cfg(feature = "ssr")]
pub(crate) mod context;
pub mod error;
pub mod fraud;
pub mod i18n;
pub mod language;
pub mod methods;
pub mod not_found;
pub mod pages;
pub mod paylinks;
pub mod payments;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod production;
pub mod support;
pub mod template;
pub mod terminals;
pub mod url;
pub mod users;
pub mod webhooks;

use domain::Lang;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

/// Where the pages load the browser's code and style from: the path before `/pkg/…`
/// (`/static/{version}`, the version naming the build's content). The server provides it
/// to every render; without it the pages use `/pkg/…`.
#[derive(Clone, Debug, Default)]
pub struct AssetRoot(pub String);

/// The HTML document around the app. On the server it also picks the page language and
/// sets the Content-Security-Policy with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = {
        let lang = context::request_lang();
        provide_context(lang);
        set_content_security_policy();
        lang
    };
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::default();
    let assets = use_context::<AssetRoot>().unwrap_or_default().0;
    // A payer's page loads the payer's script (`payer.js`, `payer.wasm`, crate `payer`),
    // built beside the back office's bundle by `scripts/build-payer.sh`.
    // A page that loads no script at all (`plain`: plain forms only) is never a payer's.
    #[cfg(feature = "ssr")]
    let payer = use_context::<http::request::Parts>().is_some_and(|p| is_payer_path(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let payer = false;
    let plain = without_script();
    let mut scripts = options.clone();
    if payer {
        scripts.output_name = PAYER_BUNDLE.into();
    }
    // The back office's texts in the page's language, fetched before it hydrates
    // (`i18n::delivery`); the payer's pages carry theirs in the page.
    #[cfg(feature = "ssr")]
    let texts = (!payer && !plain).then(|| i18n::page_texts(lang).path.as_str());
    #[cfg(not(feature = "ssr"))]
    let texts: Option<&str> = None;
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=format!("{assets}/pkg/openpsp.css")/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                {texts.map(|href| {
                    // Built, not written in `view!`: its `as` attribute is a Rust keyword.
                    leptos::html::link()
                        .id(i18n::TEXTS_LINK_ID)
                        .rel("preload")
                        .r#as("fetch")
                        .crossorigin("anonymous")
                        .href(href)
                })}
                {(!plain).then(|| view! { <HydrationScripts options=scripts root=assets/> })}
                <MetaTags/>
            </head>
            <body>
                // `Either`, not `AnyView`: a type-erased view of these apps adds a marker
                // before them that the browser's side does not expect.
                {if payer { Either::Left(view! { <PayerApp/> }) } else { Either::Right(view! { <App/> }) }}
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The language the server rendered, read back from `<html lang>` in the browser.
fn page_lang() -> Lang {
    if let Some(lang) = use_context::<Lang>() {
        return lang;
    }
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|code| Lang::parse(&code))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Lang::default()
}

/// Whether `path` is one of the payer's pages (hosted payment, 3-D Secure, tokenization,
/// final and pre-payment pages, test cards). They are rendered by [`PayerApp`] and load
/// the payer's own small bundle, never the back office's code.
pub fn is_payer_path(path: &str) -> bool {
    // The router takes a trailing slash as the same page.
    path.trim_end_matches('/') == "/test-cards"
        || path.starts_with("/pay/")
        || path.starts_with("/link/")
}

/// Whether `path` is a back-office page rendered on the server only, loading no script:
/// the pages before a sign-in (login, forgotten password, the reset link an e-mail
/// opens), whose forms work as plain forms and which lead to a full page load anyway,
/// and Home (`/`), the first page once signed in. Home's links, drop-down menus, period
/// links and forms (language, time zone, logout) work as plain links and forms, so its
/// visitor fetches the back office's code only with the first other page opened, which
/// hydrates; from there on Home too is drawn in the browser (its own section of code).
pub fn is_plain_path(path: &str) -> bool {
    matches!(
        path.trim_end_matches('/'),
        "" | "/login" | "/forgot-password" | "/reset-password"
    )
}

/// Whether the page being drawn loads no script ([`is_plain_path`]): known while the
/// server renders it; a page the browser draws has its script.
pub fn without_script() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| is_plain_path(p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The file name (before `.js`/`.wasm`) of the payer's script.
pub const PAYER_BUNDLE: &str = "payer";

/// Marks the document hydrated (`<body data-hydrated="true">`), which tells end-to-end
/// tests (and curious people) that the WebAssembly took over: the browser's entry point
/// calls it once the shell and the lazily loaded page are both hydrated. On the payer's
/// pages the payer's script sets the same mark.
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// The page context both applications set up: meta tags and the page language.
fn provide_page_context() {
    provide_meta_context();
    provide_context(page_lang());
}

/// The payer's pages alone. They are rendered on the server only, in order (a page that
/// works without script), and enhanced by the payer's script (crate `payer`), which
/// reads its texts from [`checkout::script::PayerTexts`]; the back office's bundle does
/// not hold them.
#[component]
pub fn PayerApp() -> impl IntoView {
    provide_page_context();
    view! {
        <checkout::script::PayerTexts/>
        <Router>
            <Routes fallback=not_found::NotFound>
                <Route path=path!("/test-cards") view=checkout::test_cards::TestCardsPage ssr=SsrMode::InOrder/>
                <Route path=path!("/pay/:centre/:id") view=checkout::pay::PayPage ssr=SsrMode::InOrder/>
                <Route path=path!("/link/:id") view=paylinks::prepay::PrepayPage ssr=SsrMode::InOrder/>
                <Route path=path!("/pay/:centre/3ds/:id") view=checkout::pay::ChallengePage ssr=SsrMode::InOrder/>
                <Route path=path!("/pay/:centre/tokenize/:id") view=checkout::pay::TokenizePage ssr=SsrMode::InOrder/>
            </Routes>
        </Router>
    }
}

/// The back office and the support portal: every route but the payer's ([`PayerApp`]).
/// Their links to a payer's page are `rel="external"`: a full page load.
#[component]
pub fn App() -> impl IntoView {
    provide_page_context();
    view! {
        <Router>
            <Routes fallback=not_found::NotFound>
                <Route path=path!("/login") view=pages::Login ssr=SsrMode::InOrder/>
                <Route path=path!("/login/verify") view=pages::LoginVerify/>
                <Route path=path!("/profile/confirm-email") view=pages::ConfirmEmail/>
                <Route path=path!("/forgot-password") view=pages::ForgotPassword ssr=SsrMode::InOrder/>
                <Route path=path!("/reset-password") view=pages::ResetPassword ssr=SsrMode::InOrder/>
                <Route path=path!("/dev/mailbox") view=pages::Mailbox/>
                <Route path=path!("/support/login") view=pages::SupportLogin/>
                <Route path=path!("/support/status") view=pages::SupportStatus/>
                <ParentRoute path=path!("/support") view=support::accounts::pages::SupportShell>
                    <Route path=path!("") view=pages::SupportHome/>
                    <Route path=path!("/profile") view=pages::SupportProfile/>
                    <Route path=path!("/requests") view=pages::Tickets/>
                    <Route path=path!("/requests/new") view=pages::NewTicket/>
                    <Route path=path!("/requests/:reference") view=pages::Ticket/>
                    <Route path=path!("/articles") view=pages::Articles/>
                    <Route path=path!("/articles/:slug") view=pages::Article/>
                    <Route path=path!("/chat") view=pages::Chat/>
                    <Route path=path!("/contact") view=pages::Contact/>
                    <Route path=path!("/agent") view=pages::AgentQueue/>
                    <Route path=path!("/agent/articles") view=pages::AgentArticles/>
                    <Route path=path!("/agent/articles/new") view=pages::ArticleEditor/>
                    <Route path=path!("/agent/articles/:slug/edit") view=pages::ArticleEditor/>
                    <Route path=path!("/agent/announcements") view=pages::AgentAnnouncements/>
                    <Route path=path!("/agent/people") view=pages::AgentPeople/>
                    <Route path=path!("/agent/catalogue") view=pages::AgentCatalogue/>
                    <Route path=path!("/agent/terminals") view=pages::AgentTerminals/>
                </ParentRoute>
                <ParentRoute path=path!("") view=account::shell::BackOffice>
                    // Rendered whole before it is sent: it loads no script (`is_plain_path`).
                    <Route path=path!("") view=pages::Home ssr=SsrMode::InOrder/>
                    <Route path=path!("/profile") view=pages::Profile/>
                    <Route path=path!("/profile/security") view=pages::Security/>
                    <Route path=path!("/operations/dashboard") view=pages::Dashboard/>
                    <Route path=path!("/operations/moto") view=pages::Moto/>
                    <Route path=path!("/operations/pos") view=pages::Pos/>
                    <Route path=path!("/operations/invoice") view=pages::Invoice/>
                    <Route path=path!("/operations/invoices") view=pages::Invoices/>
                    <Route path=path!("/operations/links") view=pages::Links/>
                    <Route path=path!("/operations/links/new") view=pages::LinkEdit/>
                    <Route path=path!("/operations/links/:id") view=pages::LinkEdit/>
                    <Route path=path!("/operations/history") view=pages::History/>
                    <Route path=path!("/operations/payments") view=pages::Payments/>
                    <Route path=path!("/operations/payments/:id") view=pages::Payment/>
                    <Route path=path!("/configuration/account") view=pages::AccountSettings/>
                    <Route path=path!("/configuration/api-keys") view=pages::ApiKeys/>
                    <Route path=path!("/configuration/webhooks") view=pages::Webhooks/>
                    <Route path=path!("/configuration/payments") view=pages::PaymentSettings/>
                    <Route path=path!("/configuration/template") view=pages::Template/>
                    <Route path=path!("/configuration/payment-methods") view=pages::PaymentMethods/>
                    <Route path=path!("/configuration/jobs") view=pages::Jobs/>
                    <Route path=path!("/configuration/terminals") view=pages::Terminals/>
                    <Route path=path!("/configuration/users") view=pages::Users/>
                    <Route path=path!("/configuration/aliases") view=pages::Aliases/>
                    <Route path=path!("/configuration/audit-log") view=pages::AuditLog/>
                    <Route path=path!("/configuration/production-account") view=pages::ProductionAccount/>
                    <Route path=path!("/advanced/fraud") view=pages::Fraud/>
                    <Route path=path!("/support-info/manuals") view=pages::Manuals/>
                    <Route path=path!("/profile/password") view=pages::ChangePassword/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::{is_payer_path, is_plain_path};

    #[test]
    fn the_payers_pages_are_told_apart_by_path() {
        for path in [
            "/test-cards",
            "/test-cards/",
            "/pay/pay3/0123abcd",
            "/pay/pay3/3ds/0123abcd",
            "/pay/pay1/tokenize/0123abcd",
            "/link/0123abcd",
        ] {
            assert!(is_payer_path(path), "{path}");
        }
        for path in [
            "/",
            "/test-cardsx",
            "/payments",
            "/linked",
            "/operations/links/1",
            "/support",
        ] {
            assert!(!is_payer_path(path), "{path}");
        }
    }

    #[test]
    fn home_and_the_pages_before_a_sign_in_load_no_script() {
        for path in [
            "/",
            "",
            "/login",
            "/login/",
            "/forgot-password",
            "/reset-password",
        ] {
            assert!(is_plain_path(path), "{path}");
        }
        for path in [
            "/operations/payments",
            "/profile",
            "/login/verify",
            "/support",
            "/pay/pay3/0123abcd",
            "//x",
        ] {
            assert!(!is_plain_path(path), "{path}");
        }
    }
}
