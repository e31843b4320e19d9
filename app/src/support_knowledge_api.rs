//! Server functions of the knowledge base, announcements, the virtual service agent and
//! the agents' console (SP-2, SP-8, SP-9). The ports decide who may do what.

use crate::error::AppError;
use crate::model::{
    AnnouncementView, ArticleForm, ArticleLink, ArticleSearch, ArticleView, ChatReply,
    SupportAreaView, SupportOrganizationView, TicketDetail,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn actor() -> Result<crate::ports::SupportActor, AppError> {
    crate::support_api::sctx::actor().await
}

#[cfg(feature = "ssr")]
fn ports() -> Result<crate::ports::Ports, AppError> {
    crate::context::ports()
}

/// Ranked articles for a query.
#[server(endpoint = "support/kb/search")]
pub async fn search_articles(query: String) -> Result<ArticleSearch, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.search(&actor, query).await
}

/// One article.
#[server(endpoint = "support/kb/article")]
pub async fn load_article(slug: String) -> Result<ArticleView, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.article(&actor, &slug).await
}

/// Agents: every article.
#[server(endpoint = "support/kb/articles")]
pub async fn load_articles() -> Result<Vec<ArticleLink>, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.articles(&actor).await
}

/// Agents: creates or changes an article; its slug.
#[server(endpoint = "support/kb/save")]
pub async fn save_article(form: ArticleForm) -> Result<String, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.save_article(&actor, form).await
}

/// Announcements: the ones to show, or (agents, `all`) every one.
#[server(endpoint = "support/announcements")]
pub async fn load_announcements(all: bool) -> Result<Vec<AnnouncementView>, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.announcements(&actor, all).await
}

/// Hides an announcement for the signed-in person.
#[server(endpoint = "support/announcements/dismiss")]
pub async fn dismiss_announcement(id: i64) -> Result<(), AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.dismiss(&actor, id).await
}

/// Agents: creates (`id` 0) or changes an announcement; `active` is "true" when shown.
#[server(endpoint = "support/announcements/save")]
pub async fn save_announcement(
    id: i64,
    title: String,
    body: String,
    active: Option<String>,
) -> Result<Vec<AnnouncementView>, AppError> {
    let actor = actor().await?;
    ports()?
        .support_knowledge
        .save_announcement(&actor, id, title, body, active.as_deref() == Some("true"))
        .await
}

/// The virtual service agent's answer.
#[server(endpoint = "support/chat")]
pub async fn ask_virtual_agent(message: String) -> Result<ChatReply, AppError> {
    let actor = actor().await?;
    ports()?.support_knowledge.chat(&actor, message).await
}

/// Agents: an internal note on a ticket.
#[server(endpoint = "support/note")]
pub async fn note_ticket(reference: String, body: String) -> Result<TicketDetail, AppError> {
    let actor = actor().await?;
    ports()?
        .support_tickets
        .note(&actor, &reference, body)
        .await
}

/// Agents: assigns a ticket (`agent` empty: unassigned).
#[server(endpoint = "support/assign")]
pub async fn assign_ticket(reference: String, agent: String) -> Result<TicketDetail, AppError> {
    let actor = actor().await?;
    let agent = match agent.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::NotFound)?),
    };
    ports()?
        .support_tickets
        .assign(&actor, &reference, agent)
        .await
}

/// Agents: sets a ticket's priority.
#[server(endpoint = "support/priority")]
pub async fn set_ticket_priority(
    reference: String,
    priority: String,
) -> Result<TicketDetail, AppError> {
    let actor = actor().await?;
    ports()?
        .support_tickets
        .set_priority(&actor, &reference, priority)
        .await
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
        .add_request_type(&actor, area, name, kind, description)
        .await
}
