//! The hosted page's other ways to pay (issue 16): redirect methods (iDEAL, Bancontact
//! through the bank's page) and wallets (Google Pay, Apple Pay; in TEST a simulated
//! sheet hands over a test card). What crosses the wire, the port and its server
//! functions; the buttons are in `methods.rs`, the sheet in `wallet.rs`.

use crate::error::AppError;
use leptos::prelude::*;

pub use super::model::{PayOption, PayOptions};

#[cfg(feature = "ssr")]
fn user_agent() -> String {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The other ways to pay offered on the page of checkout `id`.
#[server(endpoint = "pay/options")]
pub async fn load_pay_options(id: String) -> Result<PayOptions, AppError> {
    crate::context::ports()?
        .pay_methods
        .options(&id, &user_agent())
        .await
}

/// Starts paying checkout `id` with redirect method `code`: the bank page's address.
#[server(endpoint = "pay/redirect")]
pub async fn pay_redirect(id: String, code: i32) -> Result<String, AppError> {
    let ip = crate::context::client_ip().await;
    let url = crate::context::ports()?
        .pay_methods
        .redirect(&id, code, &ip)
        .await?;
    // The page's form goes on to the bank's page.
    crate::context::send_on(&url);
    Ok(url)
}

/// Pays checkout `id` with the simulated wallet `code`.
#[server(endpoint = "pay/wallet")]
pub async fn pay_wallet(id: String, code: i32) -> Result<super::CheckoutView, AppError> {
    let ip = crate::context::client_ip().await;
    crate::context::ports()?
        .pay_methods
        .wallet(&id, code, &user_agent(), &ip)
        .await
}
