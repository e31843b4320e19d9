//! Server functions of the knowledge base, announcements and the virtual service agent
//! (SP-2, SP-8, SP-9). The port decides who may do what.

use super::{AnnouncementView, ArticleForm, ArticleLink, ArticleSearch, ArticleView, ChatReply};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn actor() -> Result<crate::support::accounts::SupportActor, AppError> {
    crate::support::context::actor().await
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
