//! The back office's and the support portal's pages as lazily loaded views, by section: in the
//! browser each section's code is a chunk of its own (`cargo leptos build --split`),
//! fetched when one of its pages is first shown, so the first page loads the shell and its
//! section only. On the server a page renders like any other and names the chunks
//! its page needs, which the document asks the browser to preload.
//!
//! One split point per section, not per page: code the pages share is put in chunks by
//! the set of split points using it, and with a split point per page those sets made
//! hundreds of small files, a request each. A section is a few pages visited together:
//! Operations is four (payments, history, taking a payment, links and invoices), so the
//! payments list, often the first page with code, does not bring the other three
//! (measured with `bench/pages.sh`: 576 KiB gzipped instead of 820, in 110 files
//! instead of 45).
//!
//! The browser's bundle is built with `--split` everywhere (`scripts/run.sh`,
//! `scripts/test.sh`, the benches); a build without it is not tested.

use leptos::prelude::*;
use leptos_router::ChooseView;
use std::future::Future;
use std::pin::Pin;

/// `id` of the notice [`show_stopped_notice`] puts at the top of the page.
pub const STOPPED_NOTICE_ID: &str = "page-stopped";

#[cfg(feature = "hydrate")]
thread_local! {
    /// The page the user last opened by a link of this site ([`note_followed_links`]).
    static LAST_FOLLOWED: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Notes the page the user opens with each plain click on a link of this site, before
/// the router takes the click: when that page cannot load its code,
/// [`show_stopped_notice`] offers it, not the address still shown. Back and forward
/// change the address first, so they forget the note.
#[cfg(feature = "hydrate")]
pub fn note_followed_links() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let note = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        if let Some(page) = followed_page(&event) {
            LAST_FOLLOWED.set(Some(page));
        }
    });
    let forget = Closure::<dyn FnMut(web_sys::Event)>::new(|_| LAST_FOLLOWED.set(None));
    // Capture, on the window: noted before the router's own listener sees the click.
    let _ = window.add_event_listener_with_callback_and_bool(
        "click",
        note.as_ref().unchecked_ref(),
        true,
    );
    let _ = window.add_event_listener_with_callback("popstate", forget.as_ref().unchecked_ref());
    note.forget();
    forget.forget();
}

/// The path, query and fragment of the page a click opens in this tab through the
/// router: a plain left click on a link of this site's origin that is not a download,
/// another window's or `rel="external"`.
#[cfg(feature = "hydrate")]
fn followed_page(event: &web_sys::Event) -> Option<String> {
    use wasm_bindgen::JsCast;
    let mouse = event.dyn_ref::<web_sys::MouseEvent>()?;
    if mouse.button() != 0
        || mouse.ctrl_key()
        || mouse.meta_key()
        || mouse.shift_key()
        || mouse.alt_key()
    {
        return None;
    }
    let link = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .ok()?;
    let other_window = !matches!(link.target().as_str(), "" | "_self");
    let external = link.rel().split_ascii_whitespace().any(|r| r == "external");
    if link.has_attribute("download") || other_window || external {
        return None;
    }
    let here = web_sys::window()?.location().origin().ok()?;
    (link.origin() == here).then(|| format!("{}{}{}", link.pathname(), link.search(), link.hash()))
}

/// Tells the user that the page stopped working and offers to load it again. The
/// browser's entry point calls it from its panic hook: a section's chunk that cannot be
/// fetched (the connection dropped while a page was first visited) panics in the
/// framework's loader, which is not fallible, and a panic stops the WebAssembly for good.
/// The notice is plain HTML (`rel="external"`: the browser follows it, not the stopped
/// router): its link loads afresh the page being opened ([`note_followed_links`]), else
/// the address shown. Shown once.
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
        // Before the texts arrive (nothing is hydrated then) the link still says what it does.
        let label = Some(T::ReloadPage.text(lang)).filter(|t| !t.is_empty());
        link.set_text_content(Some(label.unwrap_or("\u{21bb}")));
        notice.append_child(&text)?;
        notice.append_child(&link)?;
        if let Some(body) = doc.body() {
            body.insert_before(&notice, body.first_child().as_ref())?;
        }
        Ok(())
    };
    let _ = build();
}

/// A page of the router: how to render it and how to fetch its section's code first.
///
/// Every route's view is this one type, not a type per page (`Lazy<Page>`): the router's
/// code for a route (matching, choosing, hydrating, rebuilding) is generic over the
/// view's type, and the main module, which every page loads, held one copy of it per
/// route.
#[derive(Clone, Copy)]
pub struct PageView {
    view: fn() -> Pin<Box<dyn Future<Output = AnyView>>>,
    preload: fn() -> Pin<Box<dyn Future<Output = ()>>>,
}

impl ChooseView for PageView {
    async fn choose(self) -> AnyView {
        (self.view)().await
    }

    // Hydration fetches the section's chunk before it hydrates the page.
    async fn preload(&self) {
        (self.preload)().await
    }
}

/// A section: one lazily loaded function rendering any of its pages, and one
/// [`PageView`] per page calling it.
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

            /// Fetches the section's code (in the browser; nothing to fetch on the server).
            pub(super) fn preload() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
                #[cfg(target_arch = "wasm32")]
                return Box::pin(__preload_view());
                #[cfg(not(target_arch = "wasm32"))]
                Box::pin(async {})
            }
        }

        $(
            $(#[$doc])*
            #[allow(non_upper_case_globals)]
            pub const $name: PageView = PageView {
                view: || Box::pin($section::view($section::Page::$name)),
                preload: $section::preload,
            };
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
    /// Payments: the list and a payment's page, the back office's most visited pages.
    payments {
        /// `/operations/payments`.
        Payments => crate::payments::list::PaymentsListPage;
        /// `/operations/payments/:id`.
        Payment => crate::payments::detail::PaymentPage;
    }
}

section! {
    /// The financial history.
    history {
        /// `/operations/history`.
        History => crate::payments::history::HistoryPage;
    }
}

section! {
    /// Taking a payment: by mail or telephone (MOTO) and at a point of sale.
    take {
        /// `/operations/moto`.
        Moto => crate::payments::moto::MotoPage;
        /// `/operations/pos`.
        Pos => crate::terminals::pos::PosPage;
    }
}

section! {
    /// Payment links and invoices.
    paylinks {
        /// `/operations/invoice`.
        Invoice => crate::paylinks::invoices::InvoicePage;
        /// `/operations/invoices`.
        Invoices => crate::paylinks::invoices::InvoicesPage;
        /// `/operations/links`.
        Links => crate::paylinks::links::LinksPage;
        /// `/operations/links/new` and `/operations/links/:id`.
        LinkEdit => crate::paylinks::links::LinkEditPage;
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
