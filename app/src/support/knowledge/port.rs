//! The knowledge base's backend: [`SupportKnowledgePort`], implemented by the server.

use super::{AnnouncementView, ArticleForm, ArticleLink, ArticleSearch, ArticleView, ChatReply};
use crate::error::AppError;
use crate::support::accounts::SupportActor;

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
