//! Server functions of the Configuration pages: API keys, payment settings, jobs (Admins
//! only; the port checks the role).

use super::{ApiKeyView, JobView, PaymentSettings};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::configuration::ConfigPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.config))
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
    let ip = crate::context::client_ip().await;
    port.create_api_key(&actor, name, &ip).await
}

/// Deletes an API key; needs the user's password.
#[server(endpoint = "config/delete_api_key")]
pub async fn delete_api_key(id: i64, password: String) -> Result<(), AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.delete_api_key(&actor, id, password, &ip).await
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
        engine_settings: Option<String>,
        two_step_allowed: Option<String>,
        session_events: Option<String>,
        notification_emails: Option<String>,
        default_return_url: Option<String>,
        processing_mode: Option<String>,
        reservation_days: Option<String>,
    ) -> Result<(), AppError> {
        use crate::error::{FieldError, Problem};
        let (actor, port) = port().await?;
        let ip = crate::context::client_ip().await;
        let mut problems = Vec::new();
        let mut number = |name: &str, raw: &str| -> i32 {
            raw.trim().parse().unwrap_or_else(|_| {
                problems.push(FieldError::new(name, Problem::OutOfRange));
                0
            })
        };
        // The processing fields, read before the others borrow `number`.
        let reservation_days = reservation_days.map(|d| number("reservation_days", &d));
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
            two_step_allowed: two_step_allowed.is_some(),
            default_return_url: default_return_url.unwrap_or_default(),
            session_events: session_events.is_some(),
            notification_emails: notification_emails.unwrap_or_default(),
            processing_mode: processing_mode.clone().unwrap_or_default(),
            reservation_days: reservation_days.unwrap_or_default(),
        };
        // A form without the engine settings (an older page) keeps the stored ones; the
        // page sends `engine_settings` with them, so an unticked box means "off".
        let settings = if engine_settings.is_some() {
            settings
        } else {
            let stored = port.payment_settings(&actor).await?;
            PaymentSettings {
                two_step_allowed: stored.two_step_allowed,
                default_return_url: stored.default_return_url,
                session_events: stored.session_events,
                notification_emails: stored.notification_emails,
                ..settings
            }
        };
        // A form without the processing fields (an older page) keeps the stored ones.
        let settings = if processing_mode.is_some() && reservation_days.is_some() {
            settings
        } else {
            let stored = port.payment_settings(&actor).await?;
            PaymentSettings {
                processing_mode: stored.processing_mode,
                reservation_days: stored.reservation_days,
                ..settings
            }
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
