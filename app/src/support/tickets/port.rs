//! The support portal's requests backend: [`SupportTicketPort`], implemented by the
//! server.

use super::{
    AttachmentView, NewTicketForm, SupportAreaView, TicketDetail, TicketsPage, TicketsQuery,
};
use crate::error::AppError;
use crate::support::accounts::SupportActor;
use domain::ticket::{Priority, TicketAction, TicketKind};

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
    /// Moves the status (the reporter cancels, reopens or closes; agents start, put
    /// back, request information, resolve, close or cancel), if the viewer's role allows
    /// it from the current status. Answering an information request is a comment.
    async fn act(
        &self,
        actor: &SupportActor,
        reference: &str,
        action: TicketAction,
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
    /// Agents: adds a request type to an area (`kind` `None`: none or an unknown one was
    /// chosen, reported with the form's other problems).
    async fn add_request_type(
        &self,
        actor: &SupportActor,
        area: i64,
        name: String,
        kind: Option<TicketKind>,
        description: String,
    ) -> Result<Vec<SupportAreaView>, AppError>;
    /// Agents: sets the priority.
    async fn set_priority(
        &self,
        actor: &SupportActor,
        reference: &str,
        priority: Priority,
    ) -> Result<TicketDetail, AppError>;
}
