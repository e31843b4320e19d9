//! Server functions of the support portal's requests (SP-4..SP-6). The port decides who
//! may see and change each ticket.

use crate::error::AppError;
use crate::model::{NewTicketForm, SupportAreaView, TicketDetail, TicketsPage, TicketsQuery};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::ports::SupportActor,
        std::sync::Arc<dyn crate::ports::SupportTicketPort>,
    ),
    AppError,
> {
    let actor = crate::support_api::sctx::actor().await?;
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

/// Cancel, reopen or close.
#[server(endpoint = "support/act")]
pub async fn act_on_ticket(reference: String, action: String) -> Result<TicketDetail, AppError> {
    let (actor, port) = port().await?;
    port.act(&actor, &reference, &action).await
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
