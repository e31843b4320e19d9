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
pub mod methods;
pub mod not_found;
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
    #[cfg(feature = "ssr")]
    let payer = use_context::<http::request::Parts>().is_some_and(|p| is_payer_path(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let payer = false;
    let mut scripts = options.clone();
    if payer {
        scripts.output_name = PAYER_BUNDLE.into();
    }
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
                <HydrationScripts options=scripts root=assets/>
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

/// The file name (before `.js`/`.wasm`) of the payer's script.
pub const PAYER_BUNDLE: &str = "payer";

/// The page context both applications set up: meta tags, the page language, and (back
/// office, once hydrated) the `data-hydrated` mark that tells end-to-end tests (and
/// curious people) when the WebAssembly took over; on the payer's pages the payer's
/// script sets that mark.
fn provide_page_context() {
    provide_meta_context();
    provide_context(page_lang());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
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
                <Route path=path!("/login") view=account::login::LoginPage/>
                <Route path=path!("/login/verify") view=account::security::verify::VerifyPage/>
                <Route path=path!("/profile/confirm-email") view=account::security::page::ConfirmEmailPage/>
                <Route path=path!("/forgot-password") view=account::password::ForgotPasswordPage/>
                <Route path=path!("/reset-password") view=account::password::ResetPasswordPage/>
                <Route path=path!("/dev/mailbox") view=account::mailbox::MailboxPage/>
                <Route path=path!("/support/login") view=support::accounts::pages::SupportLoginPage/>
                <Route path=path!("/support/status") view=support::status::page::StatusPage/>
                <ParentRoute path=path!("/support") view=support::accounts::pages::SupportShell>
                    <Route path=path!("") view=support::accounts::pages::SupportHomePage/>
                    <Route path=path!("/profile") view=support::accounts::pages::SupportProfilePage/>
                    <Route path=path!("/requests") view=support::tickets::list::TicketsPage/>
                    <Route path=path!("/requests/new") view=support::tickets::new::NewTicketPage/>
                    <Route path=path!("/requests/:reference") view=support::tickets::detail::TicketPage/>
                    <Route path=path!("/articles") view=support::knowledge::pages::ArticlesPage/>
                    <Route path=path!("/articles/:slug") view=support::knowledge::pages::ArticlePage/>
                    <Route path=path!("/chat") view=support::knowledge::pages::ChatPage/>
                    <Route path=path!("/contact") view=support::knowledge::pages::ContactPage/>
                    <Route path=path!("/agent") view=support::agent::pages::AgentQueuePage/>
                    <Route path=path!("/agent/articles") view=support::agent::pages::AgentArticlesPage/>
                    <Route path=path!("/agent/articles/new") view=support::agent::pages::ArticleEditorPage/>
                    <Route path=path!("/agent/articles/:slug/edit") view=support::agent::pages::ArticleEditorPage/>
                    <Route path=path!("/agent/announcements") view=support::agent::pages::AgentAnnouncementsPage/>
                    <Route path=path!("/agent/people") view=support::agent::pages::AgentPeoplePage/>
                    <Route path=path!("/agent/catalogue") view=support::agent::pages::AgentCataloguePage/>
                    <Route path=path!("/agent/terminals") view=support::agent::terminals::AgentTerminalsPage/>
                </ParentRoute>
                <ParentRoute path=path!("") view=account::shell::BackOffice>
                    <Route path=path!("") view=account::home::HomePage/>
                    <Route path=path!("/profile") view=account::profile::ProfilePage/>
                    <Route path=path!("/profile/security") view=account::security::page::SecurityPage/>
                    <Route path=path!("/operations/dashboard") view=payments::dashboard::DashboardPage/>
                    <Route path=path!("/operations/moto") view=payments::moto::MotoPage/>
                    <Route path=path!("/operations/pos") view=terminals::pos::PosPage/>
                    <Route path=path!("/operations/invoice") view=paylinks::invoices::InvoicePage/>
                    <Route path=path!("/operations/invoices") view=paylinks::invoices::InvoicesPage/>
                    <Route path=path!("/operations/links") view=paylinks::links::LinksPage/>
                    <Route path=path!("/operations/links/new") view=paylinks::links::LinkEditPage/>
                    <Route path=path!("/operations/links/:id") view=paylinks::links::LinkEditPage/>
                    <Route path=path!("/operations/history") view=payments::history::HistoryPage/>
                    <Route path=path!("/operations/payments") view=payments::list::PaymentsListPage/>
                    <Route path=path!("/operations/payments/:id") view=payments::detail::PaymentPage/>
                    <Route path=path!("/configuration/account") view=company::page::AccountSettingsPage/>
                    <Route path=path!("/configuration/api-keys") view=configuration::api_keys::ApiKeysPage/>
                    <Route path=path!("/configuration/webhooks") view=webhooks::page::WebhooksPage/>
                    <Route path=path!("/configuration/payments") view=configuration::payment_settings::PaymentSettingsPage/>
                    <Route path=path!("/configuration/template") view=template::page::TemplatePage/>
                    <Route path=path!("/configuration/payment-methods") view=methods::page::PaymentMethodsPage/>
                    <Route path=path!("/configuration/jobs") view=configuration::jobs::JobsPage/>
                    <Route path=path!("/configuration/terminals") view=terminals::config::TerminalsPage/>
                    <Route path=path!("/configuration/users") view=users::page::UsersPage/>
                    <Route path=path!("/configuration/aliases") view=aliases::page::AliasesPage/>
                    <Route path=path!("/configuration/audit-log") view=audit::page::AuditLogPage/>
                    <Route path=path!("/configuration/production-account") view=production::page::ProductionAccountPage/>
                    <Route path=path!("/advanced/fraud") view=fraud::page::FraudPageView/>
                    <Route path=path!("/support-info/manuals") view=account::support_links::ManualsPage/>
                    <Route
                        path=path!("/profile/password")
                        view=account::password::ChangePasswordPage
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::is_payer_path;

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
}
