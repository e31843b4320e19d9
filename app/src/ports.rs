//! The backend as the UI sees it: traits that the `server` crate implements and provides
//! as context. Nothing here names a table or a database.

use crate::model::{
    AnnouncementView, ApiKeyView, AppError, ArticleForm, ArticleLink, ArticleSearch, ArticleView,
    AttachmentView, ChatReply, CheckoutView, DashboardQuery, DashboardView, HistoryFilter,
    HistoryPage, HomeData, JobView, ListSettings, ListViews, Mail, Me, MotoForm, MotoResult,
    NewTicketForm, PasswordRules, PaymentDetail, PaymentFilter, PaymentSettings, PaymentsPage,
    PosPaymentView, StatusPageView, SupportAreaView, SupportMe, SupportOrganizationView,
    SupportStep, TerminalView, TicketDetail, TicketsPage, TicketsQuery, TokenizationView,
    WebhooksView,
};
use domain::{Environment, Lang, Role, ZonePreference};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Session key under which the signed-in [`Actor`] is kept.
pub const ACTOR_SESSION_KEY: &str = "actor";

/// Who is acting: kept in the session after login and checked by every service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// User id.
    pub user_id: i64,
    /// The user's merchant: every query is scoped to it.
    pub merchant_id: i64,
    /// Role at login time; services re-read the user for decisions.
    pub role: Role,
    /// Login, for the audit log.
    pub login: String,
}

/// A login attempt as typed.
#[derive(Clone, Debug)]
pub struct LoginAttempt {
    /// Environment of the login page.
    pub environment: Environment,
    /// PSPID; for "Login as user" it may be empty.
    pub pspid: String,
    /// UserID; empty for the PSPID form (the main user).
    pub user_login: String,
    /// The password as typed.
    pub password: String,
    /// Client address, for the rate limit and the audit log.
    pub ip: String,
}

/// A successful login.
#[derive(Clone, Debug)]
pub struct LoginSuccess {
    /// The session's actor.
    pub actor: Actor,
    /// The user's saved language.
    pub lang: Lang,
}

/// Accounts, login, passwords and profile (MB-1, MB-4, MB-6, MB-7).
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync {
    /// Checks credentials, lockout and rate limit; audits the attempt.
    async fn login(&self, attempt: LoginAttempt) -> Result<LoginSuccess, AppError>;
    /// Audits a logout.
    async fn logout(&self, actor: &Actor, ip: &str) -> Result<(), AppError>;
    /// The signed-in user; `Unauthenticated` when the user is gone or deactivated.
    async fn me(&self, actor: &Actor) -> Result<Me, AppError>;
    /// Home page: set-up steps still to do and technical messages.
    async fn home(&self, actor: &Actor) -> Result<HomeData, AppError>;
    /// Policy and names for the actor's merchant.
    async fn password_rules(&self, actor: &Actor) -> Result<PasswordRules, AppError>;
    /// Changes the actor's password after checking the current one.
    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// E-mails a one-time reset link when the user exists and has an address; says
    /// nothing about whether it did.
    async fn request_password_reset(
        &self,
        environment: Environment,
        pspid: String,
        user_login: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Policy and names for the user a reset link belongs to.
    async fn reset_rules(&self, token: &str) -> Result<PasswordRules, AppError>;
    /// Uses a reset link once.
    async fn reset_password(&self, token: &str, new: String, ip: &str) -> Result<(), AppError>;
    /// Saves the user's full name and recovery e-mail address.
    async fn update_profile(
        &self,
        actor: &Actor,
        full_name: String,
        email: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Saves the user's language.
    async fn set_language(&self, actor: &Actor, lang: Lang) -> Result<(), AppError>;
    /// Saves the user's zone; `None` goes back to the PSPID's default.
    async fn set_time_zone(
        &self,
        actor: &Actor,
        zone: Option<ZonePreference>,
        ip: &str,
    ) -> Result<(), AppError>;
    /// The development mailbox; `NotFound` in production deployments.
    async fn mailbox(&self) -> Result<Vec<Mail>, AppError>;
}

/// Card data typed on a hosted page. The CVC is checked and dropped by the server.
#[derive(Clone, Debug, Default)]
pub struct TypedCard {
    /// Number as typed.
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Security code.
    pub cvc: String,
    /// Holder name.
    pub holder: String,
}

/// Hosted payment and tokenization pages (HP-2..4). The checkout id is the secret of
/// the page: no session is needed.
#[async_trait::async_trait]
pub trait CheckoutPort: Send + Sync {
    /// The payment page.
    async fn view(&self, id: &str) -> Result<CheckoutView, AppError>;
    /// Pays with a typed card (optionally saved) or a saved card.
    async fn pay(
        &self,
        id: &str,
        card: Option<TypedCard>,
        saved: Option<String>,
        save: bool,
        ip: &str,
    ) -> Result<CheckoutView, AppError>;
    /// Answers the 3-D Secure challenge.
    async fn challenge(&self, id: &str, code: &str) -> Result<CheckoutView, AppError>;
    /// The tokenization page.
    async fn tokenization(&self, id: &str) -> Result<TokenizationView, AppError>;
    /// Saves a card on the tokenization page.
    async fn tokenize(&self, id: &str, card: TypedCard) -> Result<TokenizationView, AppError>;
}

/// Configuration pages: API keys, webhooks, payment settings, jobs. Admins only.
#[async_trait::async_trait]
pub trait ConfigPort: Send + Sync {
    /// The merchant's API keys.
    async fn api_keys(&self, actor: &Actor) -> Result<Vec<ApiKeyView>, AppError>;
    /// Generates a key; the view carries the secret.
    async fn create_api_key(
        &self,
        actor: &Actor,
        name: String,
        ip: &str,
    ) -> Result<ApiKeyView, AppError>;
    /// Deletes a key after checking the user's password.
    async fn delete_api_key(
        &self,
        actor: &Actor,
        id: i64,
        password: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// The webhooks page.
    async fn webhooks(&self, actor: &Actor) -> Result<WebhooksView, AppError>;
    /// Turns webhooks on or off and picks the events; the secret of the signing key made
    /// when webhooks are first turned on (shown once).
    async fn save_webhooks(
        &self,
        actor: &Actor,
        enabled: bool,
        events: Vec<String>,
        ip: &str,
    ) -> Result<Option<String>, AppError>;
    /// Adds an endpoint.
    async fn add_endpoint(&self, actor: &Actor, url: String, ip: &str) -> Result<(), AppError>;
    /// Removes an endpoint.
    async fn remove_endpoint(&self, actor: &Actor, id: i64, ip: &str) -> Result<(), AppError>;
    /// Makes a new signing key; returns its secret (shown once).
    async fn rotate_webhook_key(&self, actor: &Actor, ip: &str) -> Result<String, AppError>;
    /// Sends a delivery again.
    async fn resend_delivery(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
    /// Payment settings.
    async fn payment_settings(&self, actor: &Actor) -> Result<PaymentSettings, AppError>;
    /// Saves payment settings.
    async fn save_payment_settings(
        &self,
        actor: &Actor,
        settings: PaymentSettings,
        ip: &str,
    ) -> Result<(), AppError>;
    /// The merchant's jobs in `state` (all when `None`).
    async fn jobs(&self, actor: &Actor, state: Option<String>) -> Result<Vec<JobView>, AppError>;
}

/// Back-office operations on payments (MB-31..33).
#[async_trait::async_trait]
pub trait OperationsPort: Send + Sync {
    /// The dashboard's figures (MB-30).
    async fn dashboard(
        &self,
        actor: &Actor,
        query: DashboardQuery,
    ) -> Result<DashboardView, AppError>;
    /// A page of the merchant's payments.
    async fn payments(
        &self,
        actor: &Actor,
        filter: PaymentFilter,
    ) -> Result<PaymentsPage, AppError>;
    /// One payment.
    async fn payment(&self, actor: &Actor, id: &str) -> Result<PaymentDetail, AppError>;
    /// Captures `amount` (major units as typed); `is_final` closes capturing.
    async fn capture(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        is_final: bool,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
    /// Cancels.
    async fn cancel(&self, actor: &Actor, id: &str, ip: &str) -> Result<PaymentDetail, AppError>;
    /// The user's list settings and the templates they see.
    async fn list_views(&self, actor: &Actor) -> Result<ListViews, AppError>;
    /// Saves the current filter (`query`, the list's URL query) as a template.
    async fn save_template(
        &self,
        actor: &Actor,
        name: String,
        query: String,
        shared: bool,
    ) -> Result<ListViews, AppError>;
    /// Deletes one of the user's templates.
    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<ListViews, AppError>;
    /// Saves which filters and columns the list shows.
    async fn save_list_settings(
        &self,
        actor: &Actor,
        settings: ListSettings,
    ) -> Result<ListViews, AppError>;
    /// A page of the financial history (MB-37).
    async fn history(&self, actor: &Actor, filter: HistoryFilter) -> Result<HistoryPage, AppError>;
    /// A mail or telephone order paid through the virtual terminal (MB-34).
    async fn moto(&self, actor: &Actor, form: MotoForm) -> Result<MotoResult, AppError>;
    /// Refunds cart lines: `quantities[i]` of line `i` (as typed; empty for none).
    async fn refund_lines(
        &self,
        actor: &Actor,
        id: &str,
        quantities: Vec<String>,
    ) -> Result<PaymentDetail, AppError>;
    /// Captures the cart as edited: a unit price (major units) and quantity per line.
    async fn capture_cart(
        &self,
        actor: &Actor,
        id: &str,
        prices: Vec<String>,
        quantities: Vec<String>,
    ) -> Result<PaymentDetail, AppError>;
    /// Refunds `amount` (major units as typed).
    async fn refund(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        ip: &str,
    ) -> Result<PaymentDetail, AppError>;
}

/// Card terminals and the point of sale (TG-2).
#[async_trait::async_trait]
pub trait TerminalPort: Send + Sync {
    /// The merchant's terminals and the new ones (Admins).
    async fn terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError>;
    /// Binds a terminal to the merchant (Admins).
    async fn bind(
        &self,
        actor: &Actor,
        terminal_id: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// Unbinds one of the merchant's terminals (Admins).
    async fn unbind(
        &self,
        actor: &Actor,
        terminal_id: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// The merchant's terminals for the point-of-sale page (Admins and Operators).
    async fn pos_terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError>;
    /// Sends `amount` (major units as typed) to a terminal.
    async fn pos_start(
        &self,
        actor: &Actor,
        terminal_id: String,
        currency: String,
        amount: String,
        reference: String,
    ) -> Result<PosPaymentView, AppError>;
    /// One of the merchant's point-of-sale payments.
    async fn pos_payment(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError>;
    /// Asks the terminal to stop a payment.
    async fn pos_cancel(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError>;
}

/// Session key under which the signed-in [`SupportActor`] is kept.
pub const SUPPORT_ACTOR_SESSION_KEY: &str = "support_actor";
/// Session key of a sign-in in progress ([`SupportPending`]).
pub const SUPPORT_PENDING_SESSION_KEY: &str = "support_pending";

/// A support person signed in to the portal (kept in the session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportActor {
    /// Support user id.
    pub user_id: i64,
    /// E-mail, for the audit log.
    pub email: String,
    /// Support staff.
    pub is_agent: bool,
}

/// What a mailed code proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodePurpose {
    /// First sign-in of an invited person.
    Activate,
    /// Second factor of a sign-in.
    Login,
}

/// A sign-in in progress, kept in the session between its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportPending {
    /// Who is signing in.
    pub user_id: i64,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The activation code was typed right: the person may now choose a password.
    pub verified: bool,
}

/// After the password step.
#[derive(Clone, Debug)]
pub enum SupportLogin {
    /// Signed in (this browser is trusted for a while).
    Done(SupportActor),
    /// A code was mailed: the second factor.
    Code(SupportPending),
}

/// After a code was typed right.
#[derive(Clone, Debug)]
pub enum SupportVerified {
    /// Activation proven: choose name and password next.
    Activation(SupportPending),
    /// Signed in; `device` is the cookie value that trusts this browser for 7 days.
    Login {
        /// Who.
        actor: SupportActor,
        /// Signed device token.
        device: String,
    },
}

/// The support portal's accounts (SP-1).
#[async_trait::async_trait]
pub trait SupportAccountPort: Send + Sync {
    /// First step: an invited person gets an activation code; anyone else is asked for
    /// a password (unknown addresses too: the page never tells who has an account).
    async fn begin(
        &self,
        email: String,
        ip: &str,
    ) -> Result<(SupportStep, Option<SupportPending>), AppError>;
    /// Checks the password (lockout as in the back office); a browser trusted within
    /// 7 days (`device`) skips the mailed code.
    async fn login(
        &self,
        email: String,
        password: String,
        device: Option<String>,
        ip: &str,
    ) -> Result<SupportLogin, AppError>;
    /// Checks a mailed code.
    async fn verify(
        &self,
        pending: &SupportPending,
        code: String,
        ip: &str,
    ) -> Result<SupportVerified, AppError>;
    /// Mails a new code (at most one a minute).
    async fn resend(&self, pending: &SupportPending) -> Result<(), AppError>;
    /// The password policy for the person activating.
    async fn activation_rules(&self, pending: &SupportPending) -> Result<PasswordRules, AppError>;
    /// Sets name and password of a verified invitation; mails the login code next.
    async fn activate(
        &self,
        pending: &SupportPending,
        full_name: String,
        password: String,
        ip: &str,
    ) -> Result<SupportPending, AppError>;
    /// The signed-in person.
    async fn me(&self, actor: &SupportActor) -> Result<SupportMe, AppError>;
    /// Agents: the organizations and their people.
    async fn organizations(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportOrganizationView>, AppError>;
    /// Agents: invites a person into an organization (created if new), or a new agent
    /// (`organization` empty and `agent`).
    async fn invite(
        &self,
        actor: &SupportActor,
        email: String,
        organization: String,
        agent: bool,
    ) -> Result<Vec<SupportOrganizationView>, AppError>;
    /// Saves name and notification preference.
    async fn save_profile(
        &self,
        actor: &SupportActor,
        full_name: String,
        notify_email: bool,
    ) -> Result<SupportMe, AppError>;
}

/// Support tickets (SP-4..SP-7, SP-11): every method checks who may see what.
#[async_trait::async_trait]
pub trait SupportTicketPort: Send + Sync {
    /// Product areas with their request types.
    async fn areas(&self, actor: &SupportActor) -> Result<Vec<SupportAreaView>, AppError>;
    /// Raises a ticket; its reference.
    async fn create(&self, actor: &SupportActor, form: NewTicketForm) -> Result<String, AppError>;
    /// A page of the tickets the actor may see.
    async fn list(
        &self,
        actor: &SupportActor,
        query: TicketsQuery,
    ) -> Result<TicketsPage, AppError>;
    /// One ticket.
    async fn detail(&self, actor: &SupportActor, reference: &str)
        -> Result<TicketDetail, AppError>;
    /// Adds a comment (Markdown).
    async fn comment(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError>;
    /// `cancel`, `reopen` or `close`.
    async fn act(
        &self,
        actor: &SupportActor,
        reference: &str,
        action: &str,
    ) -> Result<TicketDetail, AppError>;
    /// Shares with the reporter's organization, or stops sharing.
    async fn share(
        &self,
        actor: &SupportActor,
        reference: &str,
        shared: bool,
    ) -> Result<TicketDetail, AppError>;
    /// Adds a person of the reporter's organizations as participant.
    async fn add_participant(
        &self,
        actor: &SupportActor,
        reference: &str,
        email: String,
    ) -> Result<TicketDetail, AppError>;
    /// Attaches files (name, bytes) to a ticket the actor may see; all or none.
    async fn attach(
        &self,
        actor: &SupportActor,
        reference: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<usize, AppError>;
    /// An attachment and its bytes, if the actor may see its ticket.
    async fn attachment(
        &self,
        actor: &SupportActor,
        id: i64,
    ) -> Result<(AttachmentView, Vec<u8>), AppError>;
    /// Agents: an internal note, never shown to customers.
    async fn note(
        &self,
        actor: &SupportActor,
        reference: &str,
        body: String,
    ) -> Result<TicketDetail, AppError>;
    /// Agents: assigns to an agent (`None`: unassigned).
    async fn assign(
        &self,
        actor: &SupportActor,
        reference: &str,
        agent: Option<i64>,
    ) -> Result<TicketDetail, AppError>;
    /// Agents: adds a product area.
    async fn add_area(
        &self,
        actor: &SupportActor,
        name: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError>;
    /// Agents: adds a request type to an area.
    async fn add_request_type(
        &self,
        actor: &SupportActor,
        area: i64,
        name: String,
        kind: String,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError>;
    /// Agents: sets the priority.
    async fn set_priority(
        &self,
        actor: &SupportActor,
        reference: &str,
        priority: String,
    ) -> Result<TicketDetail, AppError>;
}

/// The knowledge base, announcements and the virtual service agent (SP-2, SP-8, SP-9).
#[async_trait::async_trait]
pub trait SupportKnowledgePort: Send + Sync {
    /// Ranked articles for a query (customers: published ones only).
    async fn search(&self, actor: &SupportActor, query: String) -> Result<ArticleSearch, AppError>;
    /// One article.
    async fn article(&self, actor: &SupportActor, slug: &str) -> Result<ArticleView, AppError>;
    /// Agents: every article.
    async fn articles(&self, actor: &SupportActor) -> Result<Vec<ArticleLink>, AppError>;
    /// Agents: creates or changes an article; its slug.
    async fn save_article(
        &self,
        actor: &SupportActor,
        form: ArticleForm,
    ) -> Result<String, AppError>;
    /// Active announcements the actor has not dismissed, or (agents, `all`) every one.
    async fn announcements(
        &self,
        actor: &SupportActor,
        all: bool,
    ) -> Result<Vec<AnnouncementView>, AppError>;
    /// Hides an announcement for the actor.
    async fn dismiss(&self, actor: &SupportActor, id: i64) -> Result<(), AppError>;
    /// Agents: creates (`id` 0) or changes an announcement.
    async fn save_announcement(
        &self,
        actor: &SupportActor,
        id: i64,
        title: String,
        body: String,
        active: bool,
    ) -> Result<Vec<AnnouncementView>, AppError>;
    /// The virtual service agent's answer to a question.
    async fn chat(&self, actor: &SupportActor, message: String) -> Result<ChatReply, AppError>;
}

/// The service status page (SP-3): anyone reads it, agents edit it.
#[async_trait::async_trait]
pub trait SupportStatusPort: Send + Sync {
    /// The page; `viewer` only decides whether edit controls are offered.
    async fn page(&self, viewer: Option<&SupportActor>) -> Result<StatusPageView, AppError>;
    /// Sets a component's status (agents).
    async fn set_component(
        &self,
        actor: &SupportActor,
        id: i64,
        status: String,
    ) -> Result<StatusPageView, AppError>;
    /// Opens an incident or schedules maintenance (agents).
    async fn open(
        &self,
        actor: &SupportActor,
        kind: String,
        title: String,
        body: String,
        components: Vec<i64>,
    ) -> Result<StatusPageView, AppError>;
    /// Adds an update to the timeline (agents); a final stage closes it.
    async fn update(
        &self,
        actor: &SupportActor,
        id: i64,
        stage: String,
        body: String,
    ) -> Result<StatusPageView, AppError>;
}

/// Every port, provided as one context value by the server.
#[derive(Clone)]
pub struct Ports {
    /// Accounts and login.
    pub account: Arc<dyn AccountPort>,
    /// Hosted pages.
    pub checkout: Arc<dyn CheckoutPort>,
    /// Configuration pages.
    pub config: Arc<dyn ConfigPort>,
    /// Payment operations.
    pub operations: Arc<dyn OperationsPort>,
    /// Card terminals and the point of sale.
    pub terminals: Arc<dyn TerminalPort>,
    /// The support portal's accounts.
    pub support_accounts: Arc<dyn SupportAccountPort>,
    /// Support tickets.
    pub support_tickets: Arc<dyn SupportTicketPort>,
    /// The service status page.
    pub support_status: Arc<dyn SupportStatusPort>,
    /// Knowledge base, announcements, virtual agent.
    pub support_knowledge: Arc<dyn SupportKnowledgePort>,
}
