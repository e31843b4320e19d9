//! The hosted pages' backend: [`CheckoutPort`], implemented by the server.

use super::{CheckoutView, TokenizationView};
use crate::error::AppError;

/// Card data typed on a hosted page. The CVC is checked and dropped by the server.
#[derive(Clone, Debug, Default)]
pub struct TypedCard {
    /// Number as typed.
    pub number: String,
    /// `MM/YY`.
    pub expiry: String,
    /// Security code.
    pub cvc: String,
    /// Holder name.
    pub holder: String,
}

/// Hosted payment and tokenization pages (HP-2..4). The checkout id is the secret of
/// the page: no session is needed.
#[async_trait::async_trait]
pub trait CheckoutPort: Send + Sync {
    /// The payment page.
    async fn view(&self, id: &str) -> Result<CheckoutView, AppError>;
    /// Pays with a typed card (optionally saved) or a saved card.
    async fn pay(
        &self,
        id: &str,
        card: Option<TypedCard>,
        saved: Option<String>,
        save: bool,
        ip: &str,
    ) -> Result<CheckoutView, AppError>;
    /// Answers the 3-D Secure challenge.
    async fn challenge(&self, id: &str, code: &str) -> Result<CheckoutView, AppError>;
    /// The tokenization page.
    async fn tokenization(&self, id: &str) -> Result<TokenizationView, AppError>;
    /// Saves a card on the tokenization page.
    async fn tokenize(&self, id: &str, card: TypedCard) -> Result<TokenizationView, AppError>;
}
