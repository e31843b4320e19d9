//! Server functions of the webhooks page (Admins only; the port checks the role).

use super::WebhooksView;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn super::WebhooksPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.webhooks))
}

/// The webhooks page.
#[server(endpoint = "config/webhooks")]
pub async fn load_webhooks() -> Result<WebhooksView, AppError> {
    let (actor, port) = port().await?;
    port.webhooks(&actor).await
}

/// Turns webhooks on or off and picks the events (comma separated).
#[server(endpoint = "config/save_webhooks")]
pub async fn save_webhooks(enabled: bool, events: String) -> Result<Option<String>, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    let events = events
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    port.save_webhooks(&actor, enabled, events, &ip).await
}

/// Adds a webhook endpoint.
#[server(endpoint = "config/add_endpoint")]
pub async fn add_endpoint(url: String) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.add_endpoint(&actor, url, &ip).await
}

/// Removes a webhook endpoint.
#[server(endpoint = "config/remove_endpoint")]
pub async fn remove_endpoint(id: i64) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.remove_endpoint(&actor, id, &ip).await
}

/// Makes a new webhook signing key; returns its secret once.
#[server(endpoint = "config/rotate_webhook_key")]
pub async fn rotate_webhook_key() -> Result<String, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.rotate_webhook_key(&actor, &ip).await
}

/// Sends a webhook delivery again.
#[server(endpoint = "config/resend_delivery")]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    port.resend_delivery(&actor, id).await
}
