//! Server functions of the Configuration pages (Admins only; the port checks the role).

use crate::model::{ApiKeyView, AppError, JobView, PaymentSettings, WebhooksView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::ports::Actor,
        std::sync::Arc<dyn crate::ports::ConfigPort>,
    ),
    AppError,
> {
    let actor = crate::api::ctx::actor().await?;
    Ok((actor, crate::api::ctx::ports()?.config))
}

/// The merchant's API keys.
#[server(endpoint = "config/api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    let (actor, port) = port().await?;
    port.api_keys(&actor).await
}

/// Generates an API key.
#[server(endpoint = "config/create_api_key")]
pub async fn create_api_key(name: String) -> Result<ApiKeyView, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::api::ctx::client_ip().await;
    port.create_api_key(&actor, name, &ip).await
}

/// Deletes an API key; needs the user's password.
#[server(endpoint = "config/delete_api_key")]
pub async fn delete_api_key(id: i64, password: String) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::api::ctx::client_ip().await;
    port.delete_api_key(&actor, id, password, &ip).await
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
    let ip = crate::api::ctx::client_ip().await;
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
    let ip = crate::api::ctx::client_ip().await;
    port.add_endpoint(&actor, url, &ip).await
}

/// Removes a webhook endpoint.
#[server(endpoint = "config/remove_endpoint")]
pub async fn remove_endpoint(id: i64) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::api::ctx::client_ip().await;
    port.remove_endpoint(&actor, id, &ip).await
}

/// Makes a new webhook signing key; returns its secret once.
#[server(endpoint = "config/rotate_webhook_key")]
pub async fn rotate_webhook_key() -> Result<String, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::api::ctx::client_ip().await;
    port.rotate_webhook_key(&actor, &ip).await
}

/// Sends a webhook delivery again.
#[server(endpoint = "config/resend_delivery")]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    port.resend_delivery(&actor, id).await
}

/// Payment settings.
#[server(endpoint = "config/payment_settings")]
pub async fn load_payment_settings() -> Result<PaymentSettings, AppError> {
    let (actor, port) = port().await?;
    port.payment_settings(&actor).await
}

pub use settings::*;

/// A server function's arguments are its form's fields, one per setting: more than
/// clippy's default of seven, here and in the client stub the macro writes.
#[allow(clippy::too_many_arguments)]
mod settings {
    use super::*;

    /// Saves payment settings.
    #[server(endpoint = "config/save_payment_settings")]
    pub async fn save_payment_settings(
        retry_count: String,
        capture_procedure: String,
        capture_delay_hours: String,
        show_final_page: Option<String>,
        session_minutes: String,
        over_capture_percent: String,
        web_site: String,
        report_format: Option<String>,
        report_columns: Option<std::collections::BTreeMap<String, String>>,
    ) -> Result<(), AppError> {
        use crate::model::{FieldError, Problem};
        let (actor, port) = port().await?;
        let ip = crate::api::ctx::client_ip().await;
        let mut problems = Vec::new();
        let mut number = |name: &str, raw: &str| -> i32 {
            raw.trim().parse().unwrap_or_else(|_| {
                problems.push(FieldError::new(name, Problem::OutOfRange));
                0
            })
        };
        let settings = PaymentSettings {
            retry_count: number("retry_count", &retry_count),
            capture_procedure,
            capture_delay_hours: number("capture_delay_hours", &capture_delay_hours),
            show_final_page: show_final_page.is_some(),
            session_minutes: number("session_minutes", &session_minutes),
            over_capture_percent: number("over_capture_percent", &over_capture_percent),
            web_site,
            report_format: report_format.unwrap_or_else(|| "csv".to_owned()),
            report_columns: report_columns.unwrap_or_default().into_keys().collect(),
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        port.save_payment_settings(&actor, settings, &ip).await
    }
}

/// The merchant's jobs.
#[server(endpoint = "config/jobs")]
pub async fn load_jobs(state: Option<String>) -> Result<Vec<JobView>, AppError> {
    let (actor, port) = port().await?;
    port.jobs(&actor, state).await
}
