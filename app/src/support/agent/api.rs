//! Server functions of the agents' console (SP-8): organizations and invitations, product
//! areas and request types, the card terminals waiting to be paired. The ports check
//! that the signed-in person is an agent.

use crate::error::AppError;
use crate::support::accounts::SupportOrganizationView;
use crate::support::tickets::SupportAreaView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn actor() -> Result<crate::support::accounts::SupportActor, AppError> {
    crate::support::context::actor().await
}

#[cfg(feature = "ssr")]
fn ports() -> Result<crate::ports::Ports, AppError> {
    crate::context::ports()
}

/// Agents: the organizations and their people.
#[server(endpoint = "support/organizations")]
pub async fn load_support_organizations() -> Result<Vec<SupportOrganizationView>, AppError> {
    let actor = actor().await?;
    ports()?.support_accounts.organizations(&actor).await
}

/// Agents: invites a customer into an organization, or a new agent.
#[server(endpoint = "support/invite")]
pub async fn invite_support_person(
    email: String,
    organization: String,
    agent: Option<String>,
) -> Result<Vec<SupportOrganizationView>, AppError> {
    let actor = actor().await?;
    ports()?
        .support_accounts
        .invite(
            &actor,
            email,
            organization,
            agent.as_deref() == Some("true"),
        )
        .await
}

/// Agents: adds a product area.
#[server(endpoint = "support/areas/add")]
pub async fn add_support_area(
    name: String,
    description: String,
) -> Result<Vec<SupportAreaView>, AppError> {
    let actor = actor().await?;
    ports()?
        .support_tickets
        .add_area(&actor, name, description)
        .await
}

/// Agents: adds a request type to a product area.
#[server(endpoint = "support/request-types/add")]
pub async fn add_support_request_type(
    area: i64,
    name: String,
    kind: String,
    description: String,
) -> Result<Vec<SupportAreaView>, AppError> {
    let actor = actor().await?;
    ports()?
        .support_tickets
        .add_request_type(
            &actor,
            area,
            name,
            domain::ticket::TicketKind::parse(&kind),
            description,
        )
        .await
}

/// Agents: the card terminals waiting to be paired.
#[server(endpoint = "support/terminals/unbound")]
pub async fn load_unbound_terminals(
) -> Result<Vec<crate::support::agent::UnboundTerminalView>, AppError> {
    let actor = actor().await?;
    ports()?.support_agent.unbound_terminals(&actor).await
}
