//! The back office's and the support portal's pages as lazy routes, by section: in the
//! browser each section's code is a chunk of its own (`cargo leptos build --split`),
//! fetched when one of its pages is first shown, so the first page loads the shell and its
//! section only. On the server a lazy route renders like any other and names the chunks
//! its page needs, which the document asks the browser to preload.
//!
//! One split point per section, not per page: code the pages share is put in chunks by
//! the set of split points using it, and with a split point per page those sets made
//! hundreds of small files, a request each.
//!
//! The browser's bundle is built with `--split` everywhere (`scripts/run.sh`,
//! `scripts/test.sh`, the benches); a build without it is not tested.

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// `id` of the notice [`show_stopped_notice`] puts at the top of the page.
pub const STOPPED_NOTICE_ID: &str = "page-stopped";

#[cfg(feature = "hydrate")]
thread_local! {
    /// The address of the last link of this site the user followed ([`note_followed_links`]).
    static LAST_FOLLOWED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the address of every link of this site the user clicks, before the router takes
/// the click: when the page it opens cannot load its code, [`show_stopped_notice`] offers
/// that address, not the one still shown.
#[cfg(feature = "hydrate")]
pub fn note_followed_links() {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let note = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(
        |event: web_sys::Event| {
            let href = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten())
                .and_then(|a| a.get_attribute("href"))
                // A path of this site only.
                .filter(|h| h.starts_with('/') && !h.starts_with("//"));
            if let Some(href) = href {
                LAST_FOLLOWED.set(Some(href));
            }
        },
    );
    // Capture: noted before any handler of the page sees the click.
    let _ =
        doc.add_event_listener_with_callback_and_bool("click", note.as_ref().unchecked_ref(), true);
    note.forget();
}

/// Tells the user that the page stopped working and offers to load it again. The
/// browser's entry point calls it from its panic hook: a section's chunk that cannot be
/// fetched (the connection dropped while a page was first visited) panics in the
/// framework's loader, which is not fallible, and a panic stops the WebAssembly for good.
/// The notice is plain HTML, so it works without it: its link loads the address shown
/// (the page being visited) afresh, as do the page's other links. Shown once.
#[cfg(feature = "hydrate")]
pub fn show_stopped_notice() {
    use crate::i18n::T;
    use domain::Lang;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.get_element_by_id(STOPPED_NOTICE_ID).is_some() {
        return;
    }
    // The browser holds the page's language only; the language passed is not read.
    let lang = Lang::default();
    // The page being opened: the router changes the address only once its code is in.
    let here = LAST_FOLLOWED
        .with_borrow(Clone::clone)
        .or_else(|| doc.location().and_then(|l| l.href().ok()))
        .unwrap_or_default();
    let build = || -> Result<(), wasm_bindgen::JsValue> {
        let notice = doc.create_element("div")?;
        notice.set_id(STOPPED_NOTICE_ID);
        notice.set_class_name("alert alert-error page-stopped");
        notice.set_attribute("role", "alert")?;
        let text = doc.create_element("p")?;
        text.set_text_content(Some(T::PageStopped.text(lang)));
        let link = doc.create_element("a")?;
        link.set_attribute("href", &here)?;
        link.set_attribute("rel", "external")?;
        link.set_class_name("button");
        link.set_text_content(Some(T::ReloadPage.text(lang)));
        notice.append_child(&text)?;
        notice.append_child(&link)?;
        if let Some(body) = doc.body() {
            body.insert_before(&notice, body.first_child().as_ref())?;
        }
        Ok(())
    };
    let _ = build();
}

/// A section: one lazily loaded function rendering any of its pages, and one lazy route
/// per page calling it.
macro_rules! section {
    ($(#[$sdoc:meta])* $section:ident { $($(#[$doc:meta])* $name:ident => $page:path;)* }) => {
        $(#[$sdoc])*
        mod $section {
            use leptos::prelude::*;

            /// The section's pages.
            #[derive(Clone, Copy)]
            pub(super) enum Page {
                $($name,)*
            }

            /// Renders one of the section's pages: the section's split point.
            #[leptos::lazy($section)]
            pub(super) fn view(page: Page) -> AnyView {
                match page {
                    $(Page::$name => $page().into_any(),)*
                }
            }
        }

        $(
            $(#[$doc])*
            pub struct $name;

            impl LazyRoute for $name {
                fn data() -> Self {
                    $name
                }

                async fn view(_this: Self) -> AnyView {
                    $section::view($section::Page::$name).await
                }

                // Hydration fetches the section's chunk before it hydrates the page.
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $section::__preload_view().await;
                }
            }
        )*
    };
}

section! {
    /// The sign-in pages: the first page a merchant sees.
    sign_in {
        /// `/login`.
        Login => crate::account::login::LoginPage;
        /// `/login/verify`.
        LoginVerify => crate::account::security::verify::VerifyPage;
        /// `/profile/confirm-email`.
        ConfirmEmail => crate::account::security::page::ConfirmEmailPage;
        /// `/forgot-password`.
        ForgotPassword => crate::account::password::ForgotPasswordPage;
        /// `/reset-password`.
        ResetPassword => crate::account::password::ResetPasswordPage;
        /// `/dev/mailbox`.
        Mailbox => crate::account::mailbox::MailboxPage;
    }
}

section! {
    /// Home and the dashboard.
    home {
        /// `/`.
        Home => crate::account::home::HomePage;
        /// `/operations/dashboard`.
        Dashboard => crate::payments::dashboard::DashboardPage;
    }
}

section! {
    /// The user's own profile, security, password and the manuals.
    profile {
        /// `/profile`.
        Profile => crate::account::profile::ProfilePage;
        /// `/profile/security`.
        Security => crate::account::security::page::SecurityPage;
        /// `/profile/password`.
        ChangePassword => crate::account::password::ChangePasswordPage;
        /// `/support-info/manuals`.
        Manuals => crate::account::support_links::ManualsPage;
    }
}

section! {
    /// Operations: payments, history, MOTO, point of sale, links and invoices.
    operations {
        /// `/operations/moto`.
        Moto => crate::payments::moto::MotoPage;
        /// `/operations/pos`.
        Pos => crate::terminals::pos::PosPage;
        /// `/operations/invoice`.
        Invoice => crate::paylinks::invoices::InvoicePage;
        /// `/operations/invoices`.
        Invoices => crate::paylinks::invoices::InvoicesPage;
        /// `/operations/links`.
        Links => crate::paylinks::links::LinksPage;
        /// `/operations/links/new` and `/operations/links/:id`.
        LinkEdit => crate::paylinks::links::LinkEditPage;
        /// `/operations/history`.
        History => crate::payments::history::HistoryPage;
        /// `/operations/payments`.
        Payments => crate::payments::list::PaymentsListPage;
        /// `/operations/payments/:id`.
        Payment => crate::payments::detail::PaymentPage;
    }
}

section! {
    /// Configuration and Advanced.
    configuration {
        /// `/configuration/account`.
        AccountSettings => crate::company::page::AccountSettingsPage;
        /// `/configuration/api-keys`.
        ApiKeys => crate::configuration::api_keys::ApiKeysPage;
        /// `/configuration/webhooks`.
        Webhooks => crate::webhooks::page::WebhooksPage;
        /// `/configuration/payments`.
        PaymentSettings => crate::configuration::payment_settings::PaymentSettingsPage;
        /// `/configuration/template`.
        Template => crate::template::page::TemplatePage;
        /// `/configuration/payment-methods`.
        PaymentMethods => crate::methods::page::PaymentMethodsPage;
        /// `/configuration/jobs`.
        Jobs => crate::configuration::jobs::JobsPage;
        /// `/configuration/terminals`.
        Terminals => crate::terminals::config::TerminalsPage;
        /// `/configuration/users`.
        Users => crate::users::page::UsersPage;
        /// `/configuration/aliases`.
        Aliases => crate::aliases::page::AliasesPage;
        /// `/configuration/audit-log`.
        AuditLog => crate::audit::page::AuditLogPage;
        /// `/configuration/production-account`.
        ProductionAccount => crate::production::page::ProductionAccountPage;
        /// `/advanced/fraud`.
        Fraud => crate::fraud::page::FraudPageView;
    }
}

section! {
    /// The support portal for customers.
    support {
        /// `/support/login`.
        SupportLogin => crate::support::accounts::pages::SupportLoginPage;
        /// `/support/status`.
        SupportStatus => crate::support::status::page::StatusPage;
        /// `/support`.
        SupportHome => crate::support::accounts::pages::SupportHomePage;
        /// `/support/profile`.
        SupportProfile => crate::support::accounts::pages::SupportProfilePage;
        /// `/support/requests`.
        Tickets => crate::support::tickets::list::TicketsPage;
        /// `/support/requests/new`.
        NewTicket => crate::support::tickets::new::NewTicketPage;
        /// `/support/requests/:reference`.
        Ticket => crate::support::tickets::detail::TicketPage;
        /// `/support/articles`.
        Articles => crate::support::knowledge::pages::ArticlesPage;
        /// `/support/articles/:slug`.
        Article => crate::support::knowledge::pages::ArticlePage;
        /// `/support/chat`.
        Chat => crate::support::knowledge::pages::ChatPage;
        /// `/support/contact`.
        Contact => crate::support::knowledge::pages::ContactPage;
    }
}

section! {
    /// The support portal's agent pages.
    agent {
        /// `/support/agent`.
        AgentQueue => crate::support::agent::pages::AgentQueuePage;
        /// `/support/agent/articles`.
        AgentArticles => crate::support::agent::pages::AgentArticlesPage;
        /// `/support/agent/articles/new` and `/support/agent/articles/:slug/edit`.
        ArticleEditor => crate::support::agent::pages::ArticleEditorPage;
        /// `/support/agent/announcements`.
        AgentAnnouncements => crate::support::agent::pages::AgentAnnouncementsPage;
        /// `/support/agent/people`.
        AgentPeople => crate::support::agent::pages::AgentPeoplePage;
        /// `/support/agent/catalogue`.
        AgentCatalogue => crate::support::agent::pages::AgentCataloguePage;
        /// `/support/agent/terminals`.
        AgentTerminals => crate::support::agent::terminals::AgentTerminalsPage;
    }
}
