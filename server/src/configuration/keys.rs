//! API keys (MB-16) and the webhook signing key (MB-17). Secrets are kept encrypted with
//! the data key: v1HMAC and webhook signatures need them in clear to compute.

use crate::entities::{api_key, merchant, webhook_endpoint};
use crate::platform::config::Config;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

/// How long the full secret of a new API key stays visible.
pub const REVEAL_MINUTES: i64 = 5;

const HEX: &[u8] = b"0123456789abcdef";

/// A new key id (20 hex characters, like Direct's).
fn new_key_id() -> String {
    crate::platform::crypto::random_from(HEX, 20)
}

/// A new secret: 256 random bits, base64.
fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// First and last three characters of a secret, for display once it is hidden.
pub fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 6 {
        return "…".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}…{tail}")
}

/// Creates an API key; returns it and its secret.
pub async fn create_api_key<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    merchant_id: i64,
    name: &str,
    created_by: Option<i64>,
) -> Result<(api_key::Model, String), DbErr> {
    let secret = new_secret();
    let now = Utc::now();
    let key_id = new_key_id();
    let row = api_key::ActiveModel {
        merchant_id: Set(merchant_id),
        secret_enc: Set(crate::platform::crypto::seal(
            &config.data_key,
            &api_key_binding(&key_id),
            &secret,
        )),
        key_id: Set(key_id),
        name: Set(name.trim().chars().take(100).collect()),
        secret_hint: Set(hint(&secret)),
        reveal_until: Set(now + Duration::minutes(REVEAL_MINUTES)),
        created_by: Set(created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((row, secret))
}

/// A merchant's API keys, newest first.
pub async fn list_api_keys<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
) -> Result<Vec<api_key::Model>, DbErr> {
    api_key::Entity::find()
        .filter(api_key::Column::MerchantId.eq(merchant_id))
        .order_by_desc(api_key::Column::Id)
        .all(conn)
        .await
}

/// The secret of a key while it may still be shown.
pub fn revealable_secret(config: &Config, key: &api_key::Model) -> Option<String> {
    (key.reveal_until > Utc::now())
        .then(|| api_key_secret(config, key))
        .flatten()
}

/// What binds a key's sealed secret to its row.
fn api_key_binding(key_id: &str) -> String {
    crate::platform::crypto::row_binding("api_keys.secret_enc", key_id)
}

/// What binds a merchant's sealed webhook secret to its row.
fn webhook_binding(merchant_id: i64) -> String {
    crate::platform::crypto::row_binding("merchants.webhook_secret_enc", &merchant_id.to_string())
}

/// The secret of an API key, opened with the data key (`None` if it was not sealed for
/// this key's row).
pub fn api_key_secret(config: &Config, key: &api_key::Model) -> Option<String> {
    crate::platform::crypto::open(
        &config.data_key,
        &api_key_binding(&key.key_id),
        &key.secret_enc,
    )
}

/// Deletions of API keys (each attempt, whatever the password) a merchant may try per
/// hour: a stolen Admin session cannot wipe every integration at once nor guess the
/// password through this form.
pub const MAX_KEY_DELETIONS_PER_HOUR: u64 = 10;

/// The audit action of a key deletion let through to the password check: written (and
/// committed) before that check, so it is what the limit counts, however many requests
/// arrive at once. The deletion or its refusal is audited after it as well.
pub const KEY_DELETION_ATTEMPT: &str = "api_key.delete_attempt";

/// Takes one of the merchant's key-deletion attempts of the last hour, before the
/// password is checked: `false` when [`MAX_KEY_DELETIONS_PER_HOUR`] are used up. The
/// attempt's audit row is committed here, so concurrent requests count each other and
/// the limit holds across restarts and server processes.
pub async fn key_deletion_allowed(
    conn: &sea_orm::DatabaseConnection,
    merchant_id: i64,
) -> Result<bool, DbErr> {
    use crate::platform::audit::{take_attempt, AttemptsOf, AuditEntry};
    take_attempt(
        conn,
        AttemptsOf::Merchant(merchant_id),
        MAX_KEY_DELETIONS_PER_HOUR,
        Utc::now() - Duration::hours(1),
        AuditEntry {
            merchant_id: Some(merchant_id),
            user_id: None,
            actor: "",
            action: KEY_DELETION_ATTEMPT,
            detail: "API key deletion: the password is checked next".into(),
            ip: "",
        },
    )
    .await
}

/// Deletes a merchant's key; `false` when there is none with that id.
pub async fn delete_api_key<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    id: i64,
) -> Result<bool, DbErr> {
    Ok(api_key::Entity::delete_many()
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::MerchantId.eq(merchant_id))
        .exec(conn)
        .await?
        .rows_affected
        == 1)
}

/// Replaces the webhook signing key; returns the new key id and secret.
pub async fn rotate_webhook_key<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    merchant: &merchant::Model,
) -> Result<(String, String), DbErr> {
    let key_id = new_key_id();
    let secret = new_secret();
    let mut row: merchant::ActiveModel = merchant.clone().into();
    row.webhook_key_id = Set(Some(key_id.clone()));
    row.webhook_secret_enc = Set(Some(crate::platform::crypto::seal(
        &config.data_key,
        &webhook_binding(merchant.id),
        &secret,
    )));
    row.update(conn).await?;
    Ok((key_id, secret))
}

/// The webhook signing key in clear, if one was made.
pub fn webhook_key(config: &Config, merchant: &merchant::Model) -> Option<(String, String)> {
    let secret = crate::platform::crypto::open(
        &config.data_key,
        &webhook_binding(merchant.id),
        merchant.webhook_secret_enc.as_deref()?,
    )?;
    Some((merchant.webhook_key_id.clone()?, secret))
}

/// Checks a webhook endpoint URL: absolute http(s), no credentials.
pub fn check_endpoint_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("the URL must start with https:// or http://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
        return Err("the URL must name a host, without credentials or spaces".to_owned());
    }
    if url.len() > 2000 {
        return Err("the URL is too long".to_owned());
    }
    Ok(url.to_owned())
}

/// Enables webhooks, adds `url` and makes a signing key when there is none; returns the
/// signing key id and secret.
pub async fn add_webhook<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    merchant: &merchant::Model,
    url: &str,
) -> Result<(String, String), String> {
    let url = check_endpoint_url(url)?;
    let mut row: merchant::ActiveModel = merchant.clone().into();
    row.webhooks_enabled = Set(true);
    let merchant = row.update(conn).await.map_err(|e| e.to_string())?;
    webhook_endpoint::ActiveModel {
        merchant_id: Set(merchant.id),
        url: Set(url),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| e.to_string())?;
    match webhook_key(config, &merchant) {
        Some(key) => Ok(key),
        None => rotate_webhook_key(conn, config, &merchant)
            .await
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hints_show_three_characters_at_each_end_only() {
        assert_eq!(super::hint("abcdefghij"), "abc…hij");
        assert_eq!(super::hint("short"), "…");
        assert!(super::check_endpoint_url("https://shop.example/hooks").is_ok());
        assert!(super::check_endpoint_url("ftp://shop.example").is_err());
        assert!(super::check_endpoint_url("https://user:pw@shop.example").is_err());
        assert!(super::check_endpoint_url("https:///x").is_err());
    }
}
