//! The hosted pages' backend: [`CheckoutPort`], implemented by the server.

use super::{CheckoutView, PayOptions, TokenizationView};
use crate::error::AppError;

/// Card data typed on a hosted page. The CVC is checked and dropped by the server.
/// Its `Debug` shows the number masked (6+4) and never the CVC.
#[derive(Clone, Default)]
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
    async fn challenge(&self, id: &str, code: &str, ip: &str) -> Result<CheckoutView, AppError>;
    /// The tokenization page.
    async fn tokenization(&self, id: &str) -> Result<TokenizationView, AppError>;
    /// Saves a card on the tokenization page.
    async fn tokenize(&self, id: &str, card: TypedCard) -> Result<TokenizationView, AppError>;
}

impl std::fmt::Debug for TypedCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedCard")
            .field("number", &domain::card::mask(&self.number))
            .field("expiry", &self.expiry)
            .field("cvc", &"<redacted>")
            .field("holder", &self.holder)
            .finish()
    }
}

/// The hosted page's redirect methods and wallets. The checkout id is the secret.
#[async_trait::async_trait]
pub trait PayMethodsPort: Send + Sync {
    /// What the page of checkout `id` offers a payer whose browser sent `user_agent`.
    async fn options(&self, id: &str, user_agent: &str) -> Result<PayOptions, AppError>;
    /// Starts a redirect payment of the checkout with method `code`: the bank page's
    /// address.
    async fn redirect(&self, id: &str, code: i32, ip: &str) -> Result<String, AppError>;
    /// Pays the checkout with the simulated wallet `code`'s test card, through the card
    /// engine, the payment marked with the wallet.
    async fn wallet(
        &self,
        id: &str,
        code: i32,
        user_agent: &str,
        ip: &str,
    ) -> Result<CheckoutView, AppError>;
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_masks_the_number_and_hides_the_cvc() {
        let card = super::TypedCard {
            number: "4111111111111111".into(),
            expiry: "12/30".into(),
            cvc: "987".into(),
            holder: "Ann Smith".into(),
        };
        let shown = format!("{card:?}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
        assert!(shown.contains("411111******1111"), "{shown}");
        assert!(!shown.contains("987"), "{shown}");
    }
}
