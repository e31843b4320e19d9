//! The webhooks page's backend: [`WebhooksPort`], implemented by the server.

use super::WebhooksView;
use crate::account::Actor;
use crate::error::AppError;

/// Webhooks: endpoints, events, the signing key and deliveries (MB-17). Admins only.
#[async_trait::async_trait]
pub trait WebhooksPort: Send + Sync {
    /// The webhooks page.
    async fn webhooks(&self, actor: &Actor) -> Result<WebhooksView, AppError>;
    /// Turns webhooks on or off and picks the events; the secret of the signing key made
    /// when webhooks are first turned on (shown once).
    async fn save_webhooks(
        &self,
        actor: &Actor,
        enabled: bool,
        events: Vec<String>,
        ip: &str,
    ) -> Result<Option<String>, AppError>;
    /// Adds an endpoint.
    async fn add_endpoint(&self, actor: &Actor, url: String, ip: &str) -> Result<(), AppError>;
    /// Removes an endpoint.
    async fn remove_endpoint(&self, actor: &Actor, id: i64, ip: &str) -> Result<(), AppError>;
    /// Makes a new signing key; returns its secret (shown once).
    async fn rotate_webhook_key(&self, actor: &Actor, ip: &str) -> Result<String, AppError>;
    /// Sends a delivery again.
    async fn resend_delivery(&self, actor: &Actor, id: i64) -> Result<(), AppError>;
}
