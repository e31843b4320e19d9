//! The Configuration pages' backend: [`ConfigPort`], implemented by the server.

use super::{ApiKeyView, JobView, PaymentSettings};
use crate::account::Actor;
use crate::error::AppError;

/// Configuration pages: API keys, payment settings, jobs. Admins only.
#[async_trait::async_trait]
pub trait ConfigPort: Send + Sync {
    /// The merchant's API keys.
    async fn api_keys(&self, actor: &Actor) -> Result<Vec<ApiKeyView>, AppError>;
    /// Generates a key; the view carries the secret.
    async fn create_api_key(
        &self,
        actor: &Actor,
        name: String,
        ip: &str,
    ) -> Result<ApiKeyView, AppError>;
    /// Deletes a key after checking the user's password.
    async fn delete_api_key(
        &self,
        actor: &Actor,
        id: i64,
        password: String,
        ip: &str,
    ) -> Result<(), AppError>;
    /// Payment settings.
    async fn payment_settings(&self, actor: &Actor) -> Result<PaymentSettings, AppError>;
    /// Saves payment settings.
    async fn save_payment_settings(
        &self,
        actor: &Actor,
        settings: PaymentSettings,
        ip: &str,
    ) -> Result<(), AppError>;
    /// The merchant's jobs in `state` (all when `None`).
    async fn jobs(&self, actor: &Actor, state: Option<String>) -> Result<Vec<JobView>, AppError>;
}
