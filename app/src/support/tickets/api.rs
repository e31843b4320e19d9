//! Server functions of the support portal's requests (SP-4..SP-6), with the agents'
//! note, assignment and priority on a ticket (SP-8). The port decides who may see and
//! change each ticket.

use super::{NewTicketForm, SupportAreaView, TicketDetail, TicketsPage, TicketsQuery};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::support::accounts::SupportActor,
        std::sync::Arc<dyn super::SupportTicketPort>,
    ),
    AppError,
> {
    let actor = crate::support::context::actor().await?;
    Ok((actor, crate::context::ports()?.support_tickets))
}

/// Product areas with their request types.
#[server(endpoint = "support/areas")]
pub async fn load_support_areas() -> Result<Vec<SupportAreaView>, AppError> {
    let (actor, port) = port().await?;
    port.areas(&actor).await
}

/// Raises a ticket; its reference.
#[server(endpoint = "support/raise")]
pub async fn raise_ticket(form: NewTicketForm) -> Result<String, AppError> {
    let (actor, port) = port().await?;
    port.create(&actor, form).await
}

/// A page of the requests list.
#[server(endpoint = "support/requests")]
pub async fn list_tickets(query: TicketsQuery) -> Result<TicketsPage, AppError> {
    let (actor, port) = port().await?;
    port.list(&actor, query).await
}

/// One ticket.
#[server(endpoint = "support/request")]
pub async fn load_ticket(reference: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.detail(&actor, &reference).await
}

/// Adds a comment.
#[server(endpoint = "support/comment")]
pub async fn comment_ticket(reference: String, body: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.comment(&actor, &reference, body).await
}

/// A status move: `action` is its code (`cancel`, `reopen`, `close`, `start`, `backlog`,
/// `request_information`, `resolve`).
#[server(endpoint = "support/act")]
pub async fn act_on_ticket(reference: String, action: String) -> Result<TicketDetail, AppError> {
    use crate::error::Problem;
    let (actor, port) = port().await?;
    let action = domain::ticket::TicketAction::parse(&action)
        .ok_or_else(|| AppError::field("action", Problem::OutOfRange))?;
    port.act(&actor, &reference, action).await
}

/// Shares with the organization (`shared` is "true" or "false").
#[server(endpoint = "support/share")]
pub async fn share_ticket(reference: String, shared: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.share(&actor, &reference, shared == "true").await
}

/// Adds a coworker as participant.
#[server(endpoint = "support/participant")]
pub async fn add_ticket_participant(
    reference: String,
    email: String,
) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.add_participant(&actor, &reference, email).await
}

/// Agents: an internal note on a ticket.
#[server(endpoint = "support/note")]
pub async fn note_ticket(reference: String, body: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.note(&actor, &reference, body).await
}

/// Agents: assigns a ticket (`agent` empty: unassigned).
#[server(endpoint = "support/assign")]
pub async fn assign_ticket(reference: String, agent: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    let agent = match agent.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    port.assign(&actor, &reference, agent).await
}

/// Agents: sets a ticket's priority (`priority` is its code: `highest` … `lowest`).
#[server(endpoint = "support/priority")]
pub async fn set_ticket_priority(
    reference: String,
    priority: String,
) -> Result<TicketDetail, AppError> {
    use crate::error::Problem;
    let (actor, port) = port().await?;
    let priority = domain::ticket::Priority::parse(&priority)
        .ok_or_else(|| AppError::field("priority", Problem::OutOfRange))?;
    port.set_priority(&actor, &reference, priority).await
}
