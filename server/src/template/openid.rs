//! The OpenID token (MB-15): generated (32 random bytes, base64url) or entered (at least
//! 32 characters), sealed with the data key, shown as its first and last three
//! characters. It signs the session token a payer brings back to the merchant's return
//! URL: an HS256 JWT with `iss` (our public URL), `sub` (the hosted checkout), `paymentId`,
//! `status`, `iat` and `exp` (ten minutes later). See docs/session-token.md.

use crate::entities::merchant;
use crate::platform::config::Config;
use serde::{Deserialize, Serialize};

/// The fewest characters of an entered token.
pub const MIN_LENGTH: usize = 32;
/// The most characters of an entered token.
pub const MAX_LENGTH: usize = 256;
/// How long a session token is valid, seconds.
pub const LIFETIME_SECONDS: i64 = 600;

/// The claims of a session token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The deployment's public URL.
    pub iss: String,
    /// The hosted checkout's id.
    pub sub: String,
    /// The payment's id, when one was made.
    #[serde(rename = "paymentId")]
    pub payment_id: Option<String>,
    /// The payment's Direct status (`CAPTURED`, `REJECTED`, …), else the checkout's.
    pub status: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// The associated data binding a merchant's sealed token to its row.
fn binding(merchant_id: i64) -> String {
    crate::platform::crypto::row_binding("merchants.openid_token_enc", &merchant_id.to_string())
}

/// A new token: 32 random bytes, base64url.
pub fn generate() -> String {
    crate::platform::crypto::random_token()
}

/// Whether an entered token is acceptable: 32–256 printable ASCII characters, no blanks.
pub fn acceptable(token: &str) -> bool {
    (MIN_LENGTH..=MAX_LENGTH).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic())
}

/// The token sealed for the merchant's row.
pub fn seal(config: &Config, merchant_id: i64, token: &str) -> String {
    crate::platform::crypto::seal(&config.data_key, &binding(merchant_id), token)
}

/// The merchant's token in clear, if one is set.
pub fn token(config: &Config, merchant: &merchant::Model) -> Option<String> {
    crate::platform::crypto::open(
        &config.data_key,
        &binding(merchant.id),
        merchant.openid_token_enc.as_deref()?,
    )
}

/// The session token for a payer going back from hosted checkout `checkout_id`, signed
/// with the merchant's OpenID token; `None` without one.
pub fn session_token(
    config: &Config,
    merchant: &merchant::Model,
    checkout_id: &str,
    payment_id: Option<String>,
    status: &str,
) -> Option<String> {
    let secret = token(config, merchant)?;
    let now = chrono::Utc::now().timestamp();
    let claims = SessionClaims {
        iss: config.public_url.clone(),
        sub: checkout_id.to_owned(),
        payment_id,
        status: status.to_owned(),
        iat: now,
        exp: now + LIFETIME_SECONDS,
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| tracing::error!(error = %e, "session token not signed"))
    .ok()
}

/// `url` (the merchant's return URL with `RETURNMAC` and `hostedCheckoutId`) with
/// `sessionToken` added when the merchant has an OpenID token. The status is the
/// payment's Direct status, else the checkout's.
pub fn with_session_token(
    config: &Config,
    merchant: &merchant::Model,
    checkout: &crate::entities::hosted_checkout::Model,
    payment: Option<&crate::entities::payment::Model>,
    url: String,
) -> String {
    let status = payment
        .and_then(|p| crate::payments::records::ledger(p).ok())
        .map(|l| l.direct_status().status.to_owned())
        .unwrap_or_else(|| checkout.status.clone());
    let payment_id = payment.map(|p| crate::payments::records::public_id(p.id));
    match session_token(config, merchant, &checkout.id, payment_id, &status) {
        // A JWT is base64url and dots: nothing to encode.
        Some(token) => format!("{url}&sessionToken={token}"),
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_32_bytes_base64url_and_acceptable() {
        let t = generate();
        assert_eq!(t.len(), 43);
        assert!(acceptable(&t));
        assert_ne!(t, generate());
        assert!(!acceptable("short"));
        assert!(!acceptable(&format!("{} x", "a".repeat(40))));
        assert!(acceptable(&"a".repeat(32)));
    }
}
