//! The back office's and the support portal's pages as lazy routes: in the browser each
//! page's code is a chunk of its own (`cargo leptos build --split`), fetched when the page
//! is first shown, so the first page loads the shell and that page only. On the server a
//! lazy route renders like any other and names the chunks the page needs, which the
//! document asks the browser to preload.
//!
//! Every build of the browser's bundle must be split: an unsplit bundle has no loader
//! for the chunks and fails when a page is shown.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// One lazy route per page: `Name => path::to::PageComponent`.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $name:ident => $page:path;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                $name
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
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
    /// `/`.
    Home => crate::account::home::HomePage;
    /// `/profile`.
    Profile => crate::account::profile::ProfilePage;
    /// `/profile/security`.
    Security => crate::account::security::page::SecurityPage;
    /// `/profile/password`.
    ChangePassword => crate::account::password::ChangePasswordPage;
    /// `/operations/dashboard`.
    Dashboard => crate::payments::dashboard::DashboardPage;
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
    /// `/support-info/manuals`.
    Manuals => crate::account::support_links::ManualsPage;
}
