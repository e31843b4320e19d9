//! Server functions of the service status page (SP-3): anyone reads it, agents edit it.

use super::StatusPageView;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::support::context as sctx;

/// The service status page (public; agents get edit controls).
#[server(endpoint = "support/status")]
pub async fn load_status_page() -> Result<StatusPageView, AppError> {
    let viewer = sctx::actor().await.ok();
    crate::context::ports()?
        .support_status
        .page(viewer.as_ref())
        .await
}

/// Sets a component's status (agents).
#[server(endpoint = "support/status-component")]
pub async fn set_component_status(id: i64, status: String) -> Result<StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    crate::context::ports()?
        .support_status
        .set_component(&actor, id, status)
        .await
}

/// Opens an incident or schedules maintenance (agents); `components` are ids, comma separated.
#[server(endpoint = "support/status-open")]
pub async fn open_status_incident(
    kind: String,
    title: String,
    body: String,
    components: Option<String>,
) -> Result<StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    let components = components
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    crate::context::ports()?
        .support_status
        .open(&actor, kind, title, body, components)
        .await
}

/// Adds an update to an incident's timeline (agents).
#[server(endpoint = "support/status-update")]
pub async fn update_status_incident(
    id: i64,
    stage: String,
    body: String,
) -> Result<StatusPageView, AppError> {
    let actor = sctx::actor().await?;
    crate::context::ports()?
        .support_status
        .update(&actor, id, stage, body)
        .await
}
