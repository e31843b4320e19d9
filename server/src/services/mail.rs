//! Outgoing e-mail goes through the outbox table, written in the same transaction
//! as the change that causes it.

use crate::entities::email_outbox;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// Queues a plain-text mail.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    merchant_id: Option<i64>,
    to: &str,
    subject: &str,
    body: String,
) -> Result<(), DbErr> {
    email_outbox::ActiveModel {
        merchant_id: Set(merchant_id),
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body_text: Set(body),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}
