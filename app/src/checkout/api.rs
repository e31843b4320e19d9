//! Server functions of the hosted pages (HP-2..4). No session: the checkout id in the
//! URL is the page's secret. Card fields are checked again on the server.

use crate::checkout::{CheckoutView, TokenizationView};
use crate::error::AppError;
use leptos::prelude::*;

/// The payment page.
#[server(endpoint = "pay/view")]
pub async fn load_checkout(id: String) -> Result<CheckoutView, AppError> {
    crate::context::ports()?.checkout.view(&id).await
}

/// Pays with a typed card, or with a saved card when `saved` names one.
#[server(endpoint = "pay/pay")]
pub async fn pay_checkout(
    id: String,
    number: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
    holder: Option<String>,
    save: Option<String>,
    saved: Option<String>,
) -> Result<CheckoutView, AppError> {
    use crate::checkout::TypedCard;
    let ip = crate::context::client_ip().await;
    let saved = saved.filter(|s| !s.is_empty() && s != "new");
    let card = saved.is_none().then(|| TypedCard {
        number: number.unwrap_or_default(),
        expiry: expiry.unwrap_or_default(),
        cvc: cvc.unwrap_or_default(),
        holder: holder.unwrap_or_default(),
    });
    crate::context::ports()?
        .checkout
        .pay(&id, card, saved, save.is_some(), &ip)
        .await
}

/// Answers the 3-D Secure challenge.
#[server(endpoint = "pay/challenge")]
pub async fn checkout_challenge(id: String, code: String) -> Result<CheckoutView, AppError> {
    let ip = crate::context::client_ip().await;
    crate::context::ports()?
        .checkout
        .challenge(&id, &code, &ip)
        .await
}

/// The tokenization page.
#[server(endpoint = "pay/tokenization")]
pub async fn load_tokenization(id: String) -> Result<TokenizationView, AppError> {
    crate::context::ports()?.checkout.tokenization(&id).await
}

/// Saves a card on the tokenization page.
#[server(endpoint = "pay/tokenize")]
pub async fn tokenize_card(
    id: String,
    number: String,
    expiry: String,
    holder: Option<String>,
) -> Result<TokenizationView, AppError> {
    use crate::checkout::TypedCard;
    crate::context::ports()?
        .checkout
        .tokenize(
            &id,
            TypedCard {
                number,
                expiry,
                cvc: String::new(),
                holder: holder.unwrap_or_default(),
            },
        )
        .await
}
