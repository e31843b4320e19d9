//! The service status page's backend: [`SupportStatusPort`], implemented by the server.

use super::StatusPageView;
use crate::error::AppError;
use crate::support::accounts::SupportActor;

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
