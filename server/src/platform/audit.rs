//! Writes audit rows, inside the caller's transaction when there is one.

use crate::entities::audit_log;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// One audit row.
pub struct AuditEntry<'a> {
    /// Merchant concerned, when known.
    pub merchant_id: Option<i64>,
    /// Acting user, when known.
    pub user_id: Option<i64>,
    /// Login or description of who acted.
    pub actor: &'a str,
    /// Dotted action name, e.g. `login.failure`.
    pub action: &'a str,
    /// Free text; never a secret.
    pub detail: String,
    /// Client address.
    pub ip: &'a str,
}

/// Inserts `entry` through `conn`.
pub async fn record<C: ConnectionTrait>(conn: &C, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        merchant_id: Set(entry.merchant_id),
        user_id: Set(entry.user_id),
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        detail: Set(entry.detail),
        ip: Set(entry.ip.chars().take(64).collect()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
