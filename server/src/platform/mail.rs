//! Outgoing e-mail goes through the outbox table, written in the same transaction
//! as the change that causes it, with a `send_email` job. Without SMTP settings mail
//! stays there (and in the development mailbox); with them the job runner sends it,
//! retrying failures with the jobs' backoff.

use crate::entities::email_outbox;
use crate::platform::config::SmtpConfig;
use crate::platform::db::CalledOut;
use chrono::Utc;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Attempts before a mail is left for a person to look at.
const MAX_ATTEMPTS: i32 = 10;

/// What a mail's stored body becomes once it is sent or its links have expired: reset
/// links and sign-in codes must not stay readable in the database.
pub const FORGOTTEN_BODY: &str =
    "(not kept: the body may have held a sign-in link or code, and was removed once sent or expired)";

/// Queues a plain-text mail and the job that sends it.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    merchant_id: Option<i64>,
    to: &str,
    subject: &str,
    body: String,
) -> Result<(), DbErr> {
    let row = email_outbox::ActiveModel {
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
    crate::platform::jobs::enqueue(
        conn,
        merchant_id,
        crate::platform::jobs::kind::SEND_EMAIL,
        serde_json::json!({ "mail": row.id }),
        Utc::now(),
        MAX_ATTEMPTS,
    )
    .await?;
    Ok(())
}

/// Sends mail through an SMTP relay.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// A sender for `config`, writing as `from`.
    pub fn new(config: &SmtpConfig, from: &str) -> Result<Self, String> {
        let builder = match config.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| e.to_string())?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| e.to_string())?,
        };
        let mut builder = builder.port(config.port);
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpSender {
            transport: builder.build(),
            from: from
                .parse()
                .map_err(|e| format!("OPENPSP_MAIL_FROM: {e}"))?,
        })
    }

    async fn send(&self, mail: &email_outbox::Model) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail
                .to_address
                .parse::<Mailbox>()
                .map_err(|e| e.to_string())?)
            .subject(mail.subject.clone())
            .body(mail.body_text.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Sends one mail of the outbox unless it was sent already; `Ok(true)` once sent. On
/// PostgreSQL the row is locked with `SKIP LOCKED` while it is sent, so two servers never
/// send it twice. On SQLite (one server, whose jobs each run once) the mail is read and
/// sent outside the write queue and only its outcome waits for a write turn: a slow or
/// unreachable relay never holds up the payments' writes.
pub async fn deliver_one(
    db: &DatabaseConnection,
    sender: &SmtpSender,
    id: i64,
) -> Result<bool, DbErr> {
    let mut called = CalledOut::read(db, email_outbox::Entity::find_by_id(id)).await?;
    let Some(mail) = called.row.take() else {
        // Gone, or another server holds it right now.
        return Ok(true);
    };
    if mail.sent_at.is_some() {
        return Ok(true);
    }
    let result = sender.send(&mail).await;
    let attempts = mail.attempts + 1;
    let mut active = mail.into_active_model();
    active.attempts = Set(attempts);
    let sent = match result {
        Ok(()) => {
            active.sent_at = Set(Some(Utc::now()));
            active.last_error = Set(None);
            active.body_text = Set(FORGOTTEN_BODY.to_owned());
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, attempts, "mail delivery failed");
            active.last_error = Set(Some(e));
            false
        }
    };
    let txn = called.writer(db).await?;
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(sent)
}

/// Removes the bodies of mails queued before `cutoff` that were never sent (no relay,
/// or given up on): by then the links and codes they carry have expired. Bounded to
/// `limit` rows per call; returns how many were changed.
pub async fn forget_stale_bodies<C: ConnectionTrait>(
    conn: &C,
    cutoff: chrono::DateTime<Utc>,
    limit: u64,
) -> Result<u64, DbErr> {
    let ids: Vec<i64> = email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::Id)
        .filter(email_outbox::Column::CreatedAt.lt(cutoff))
        .filter(email_outbox::Column::BodyText.ne(FORGOTTEN_BODY))
        .order_by_asc(email_outbox::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let done = email_outbox::Entity::update_many()
        .col_expr(
            email_outbox::Column::BodyText,
            sea_orm::sea_query::Expr::value(FORGOTTEN_BODY),
        )
        .filter(email_outbox::Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// Sends what is waiting in the outbox, oldest first; returns how many were sent.
pub async fn deliver_pending(db: &DatabaseConnection, sender: &SmtpSender) -> Result<usize, DbErr> {
    let pending = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .filter(email_outbox::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(email_outbox::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let mut sent = 0;
    for mail in pending {
        if deliver_one(db, sender, mail.id).await? {
            sent += 1;
        }
    }
    Ok(sent)
}
