//! The backend as the UI sees it: every feature's port trait, which the `server` crate
//! implements, bundled as one context value. Nothing here names a table or a database.

use crate::account::AccountPort;
use crate::account::PasswordRules;
use crate::checkout::CheckoutPort;
use crate::configuration::ConfigPort;
use crate::error::AppError;
use crate::model::{
    AnnouncementView, ArticleForm, ArticleLink, ArticleSearch, ArticleView, AttachmentView,
    ChatReply, NewTicketForm, StatusPageView, SupportAreaView, SupportMe, SupportOrganizationView,
    SupportStep, TicketDetail, TicketsPage, TicketsQuery,
};
use crate::payments::OperationsPort;
use crate::terminals::TerminalPort;
use crate::webhooks::WebhooksPort;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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
    /// Webhooks.
    pub webhooks: Arc<dyn WebhooksPort>,
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
