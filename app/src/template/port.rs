//! The template and customer-notification settings' backend: [`TemplatePort`],
//! implemented by the server.

use super::{CustomerSaved, CustomerSettings, TemplateView};
use crate::account::Actor;
use crate::error::AppError;

/// The payer's pages' template and the MB-15 customer settings. Admins only; every
/// change writes its audit row before → after.
#[async_trait::async_trait]
pub trait TemplatePort: Send + Sync {
    /// The merchant's template (the defaults when none is set).
    async fn template(&self, actor: &Actor) -> Result<TemplateView, AppError>;
    /// Saves the colours (`#rrggbb`, readable: see `domain::theme`).
    async fn save_colours(
        &self,
        actor: &Actor,
        colours: [String; 4],
        ip: &str,
    ) -> Result<TemplateView, AppError>;
    /// Stores a PNG or JPEG logo (checked by its bytes and size).
    async fn save_logo(&self, actor: &Actor, bytes: Vec<u8>, ip: &str) -> Result<(), AppError>;
    /// Back to the default template: colours and logo removed.
    async fn reset(&self, actor: &Actor, ip: &str) -> Result<TemplateView, AppError>;
    /// SMS notifications and the OpenID token, masked.
    async fn customer_settings(&self, actor: &Actor) -> Result<CustomerSettings, AppError>;
    /// Saves the SMS switch and, when given, a new OpenID token: `Some("")` removes it,
    /// `generate` makes one (shown once in the answer).
    async fn save_customer_settings(
        &self,
        actor: &Actor,
        sms_enabled: bool,
        openid_token: Option<String>,
        generate: bool,
        ip: &str,
    ) -> Result<CustomerSaved, AppError>;
}
