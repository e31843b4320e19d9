//! Data retention (MB-10): a durable daily job (`retention_purge`) deletes each
//! merchant's transaction data older than its retention (45–540 days) — payments with
//! their operations and cart lines, hosted checkouts and tokenizations, point-of-sale
//! payments, webhook events with their deliveries, ended payment links, mails and
//! idempotence records, and aliases (stored cards) unused for longer — keeping per day and currency the totals of the payments it
//! deletes (`purged_totals`), and writes one audit row per merchant with the counts.
//! Every statement is bounded; a run that stops at its bound is followed a minute later.

use crate::entities::{
    cart_line, email_outbox, hosted_checkout, hosted_tokenization, idempotency_key, job, merchant,
    operation, payment, payment_link, purged_total, terminal_payment, token, webhook_event,
};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::platform::jobs::{self, kind};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Set,
};
use std::collections::BTreeMap;

/// The audit action of a merchant's purge; the account page shows its last one.
pub const ACTION: &str = "retention.purge";
/// Payments one transaction deletes at most.
pub const BATCH: u64 = 500;
/// Batches of each kind one run deletes per merchant at most.
pub const MAX_BATCHES: u32 = 100;
/// Merchants read per page.
const MERCHANTS_PAGE: u64 = 100;
const ATTEMPTS: i32 = 10;

/// What one purge of one merchant deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub payments: u64,
    pub operations: u64,
    pub cart_lines: u64,
    pub checkouts: u64,
    pub tokenizations: u64,
    pub terminal_payments: u64,
    pub webhook_events: u64,
    pub payment_links: u64,
    pub mails: u64,
    pub idempotence_records: u64,
    /// Aliases (stored cards) neither created nor used within the retention.
    pub aliases: u64,
    /// Stopped at its bound with older data left.
    pub more: bool,
}

impl Counts {
    /// The audit row's text.
    pub fn text(&self, cutoff: DateTime<Utc>, days: i32) -> String {
        format!(
            "older than {} ({days} days): payments {}, operations {}, cart lines {}, checkouts {}, tokenizations {}, point-of-sale payments {}, webhook events {}, payment links {}, mails {}, idempotence records {}, aliases {}{}",
            cutoff.format("%Y-%m-%d"),
            self.payments,
            self.operations,
            self.cart_lines,
            self.checkouts,
            self.tokenizations,
            self.terminal_payments,
            self.webhook_events,
            self.payment_links,
            self.mails,
            self.idempotence_records,
            self.aliases,
            if self.more { "; more left for the next run" } else { "" }
        )
    }
}

/// Deletes, `BATCH` rows per statement and at most `MAX_BATCHES` statements, the rows of
/// `E` that `filter` selects: how many, and whether some are left.
async fn delete_bounded<E, C>(
    conn: &C,
    pk: E::Column,
    filter: Condition,
) -> Result<(u64, bool), DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let oldest = E::find()
            .select_only()
            .column(pk)
            .filter(filter.clone())
            .order_by_asc(pk)
            .limit(BATCH)
            .into_query();
        let done = E::delete_many()
            .filter(pk.in_subquery(oldest))
            .exec(conn)
            .await?
            .rows_affected;
        deleted += done;
        if done < BATCH {
            return Ok((deleted, false));
        }
    }
    Ok((deleted, true))
}

/// Adds `batch`'s payments to the merchant's daily totals, in `conn`.
async fn keep_totals<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    batch: &[payment::Model],
) -> Result<(), DbErr> {
    let mut days: BTreeMap<(String, String), [i64; 4]> = BTreeMap::new();
    for p in batch {
        let key = (
            p.created_at.format("%Y-%m-%d").to_string(),
            p.currency.clone(),
        );
        let sums = days.entry(key).or_default();
        sums[0] += 1;
        sums[1] += p.authorised;
        sums[2] += p.captured;
        sums[3] += p.refunded;
    }
    for ((day, currency), [n, authorised, captured, refunded]) in days {
        let existing = purged_total::Entity::find()
            .filter(purged_total::Column::MerchantId.eq(merchant_id))
            .filter(purged_total::Column::Day.eq(day.as_str()))
            .filter(purged_total::Column::Currency.eq(currency.as_str()))
            .one(conn)
            .await?;
        match existing {
            Some(row) => {
                let mut active = row.clone().into_active_model();
                active.payments = Set(row.payments + n);
                active.authorised = Set(row.authorised + authorised);
                active.captured = Set(row.captured + captured);
                active.refunded = Set(row.refunded + refunded);
                active.update(conn).await?;
            }
            None => {
                purged_total::ActiveModel {
                    merchant_id: Set(merchant_id),
                    day: Set(day),
                    currency: Set(currency),
                    payments: Set(n),
                    authorised: Set(authorised),
                    captured: Set(captured),
                    refunded: Set(refunded),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// Deletes one merchant's payments created before `cutoff`, batch by batch, each batch
/// with its totals, operations, cart lines and the references to it in one transaction.
async fn purge_payments(
    db: &DatabaseConnection,
    merchant_id: i64,
    cutoff: DateTime<Utc>,
    counts: &mut Counts,
) -> Result<(), DbErr> {
    for _ in 0..MAX_BATCHES {
        let txn = db.begin_write().await?;
        let batch = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(merchant_id))
            .filter(payment::Column::CreatedAt.lt(cutoff))
            .order_by_asc(payment::Column::Id)
            .limit(BATCH)
            .all(&txn)
            .await?;
        if batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = batch.iter().map(|p| p.id).collect();
        keep_totals(&txn, merchant_id, &batch).await?;
        counts.operations += operation::Entity::delete_many()
            .filter(operation::Column::PaymentId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        counts.cart_lines += cart_line::Entity::delete_many()
            .filter(cart_line::Column::PaymentId.is_in(ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        // What still points at a deleted payment forgets it.
        payment_link::Entity::update_many()
            .col_expr(
                payment_link::Column::PaymentId,
                Expr::value(Option::<i64>::None),
            )
            .filter(payment_link::Column::PaymentId.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        terminal_payment::Entity::update_many()
            .col_expr(
                terminal_payment::Column::PaymentId,
                Expr::value(Option::<i64>::None),
            )
            .filter(terminal_payment::Column::PaymentId.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        hosted_checkout::Entity::update_many()
            .col_expr(
                hosted_checkout::Column::PaymentId,
                Expr::value(Option::<i64>::None),
            )
            .filter(hosted_checkout::Column::PaymentId.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        counts.payments += payment::Entity::delete_many()
            .filter(payment::Column::Id.is_in(ids))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        if (batch.len() as u64) < BATCH {
            return Ok(());
        }
    }
    counts.more = true;
    Ok(())
}

/// Deletes `m`'s transaction data older than its retention, as of `now`.
pub async fn purge_merchant(
    db: &DatabaseConnection,
    m: &merchant::Model,
    now: DateTime<Utc>,
) -> Result<Counts, DbErr> {
    let days = m.retention_days.clamp(
        domain::company::RETENTION_MIN_DAYS,
        domain::company::RETENTION_MAX_DAYS,
    );
    let cutoff = now - Duration::days(i64::from(days));
    let mut counts = Counts::default();
    purge_payments(db, m.id, cutoff, &mut counts).await?;
    let mut more = counts.more;
    let (n, left) = delete_bounded::<hosted_checkout::Entity, _>(
        db,
        hosted_checkout::Column::Id,
        Condition::all()
            .add(hosted_checkout::Column::MerchantId.eq(m.id))
            .add(hosted_checkout::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.checkouts, more) = (n, more || left);
    let (n, left) = delete_bounded::<hosted_tokenization::Entity, _>(
        db,
        hosted_tokenization::Column::Id,
        Condition::all()
            .add(hosted_tokenization::Column::MerchantId.eq(m.id))
            .add(hosted_tokenization::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.tokenizations, more) = (n, more || left);
    let (n, left) = delete_bounded::<terminal_payment::Entity, _>(
        db,
        terminal_payment::Column::Id,
        Condition::all()
            .add(terminal_payment::Column::MerchantId.eq(m.id))
            .add(terminal_payment::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.terminal_payments, more) = (n, more || left);
    // Deliveries and their attempts go with their event (ON DELETE CASCADE).
    let (n, left) = delete_bounded::<webhook_event::Entity, _>(
        db,
        webhook_event::Column::Id,
        Condition::all()
            .add(webhook_event::Column::MerchantId.eq(m.id))
            .add(webhook_event::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.webhook_events, more) = (n, more || left);
    // Ended links and invoices (customer names and addresses); a link still open stays.
    let (n, left) = delete_bounded::<payment_link::Entity, _>(
        db,
        payment_link::Column::Id,
        Condition::all()
            .add(payment_link::Column::MerchantId.eq(m.id))
            .add(payment_link::Column::CreatedAt.lt(cutoff))
            .add(payment_link::Column::Status.ne(crate::entities::payment_link::status::ACTIVE)),
    )
    .await?;
    (counts.payment_links, more) = (n, more || left);
    let (n, left) = delete_bounded::<email_outbox::Entity, _>(
        db,
        email_outbox::Column::Id,
        Condition::all()
            .add(email_outbox::Column::MerchantId.eq(m.id))
            .add(email_outbox::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.mails, more) = (n, more || left);
    let (n, left) = delete_bounded::<idempotency_key::Entity, _>(
        db,
        idempotency_key::Column::Id,
        Condition::all()
            .add(idempotency_key::Column::MerchantId.eq(m.id))
            .add(idempotency_key::Column::CreatedAt.lt(cutoff)),
    )
    .await?;
    (counts.idempotence_records, more) = (n, more || left);
    // A stored card nobody paid with within the retention is card-holder data kept for
    // nothing: it goes too (a card used since keeps its alias).
    let (n, left) = delete_bounded::<token::Entity, _>(
        db,
        token::Column::Id,
        Condition::all()
            .add(token::Column::MerchantId.eq(m.id))
            .add(
                Condition::any()
                    .add(token::Column::LastUsedAt.lt(cutoff))
                    .add(
                        Condition::all()
                            .add(token::Column::LastUsedAt.is_null())
                            .add(token::Column::CreatedAt.lt(cutoff)),
                    ),
            ),
    )
    .await?;
    (counts.aliases, more) = (n, more || left);
    counts.more = more;
    audit::record(
        db,
        AuditEntry {
            merchant_id: Some(m.id),
            user_id: None,
            actor: "system",
            action: ACTION,
            detail: counts.text(cutoff, days),
            ip: "",
        },
    )
    .await?;
    Ok(counts)
}

/// Queues a run now unless one is queued or running (the runner's housekeeping).
pub async fn ensure_scheduled(db: &DatabaseConnection) -> Result<(), DbErr> {
    jobs::ensure_daily(db, kind::RETENTION_PURGE, ATTEMPTS).await
}

/// Queues a run now (the retention just changed), unless one is due within a minute.
pub async fn queue_now<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let soon = job::Entity::find()
        .filter(job::Column::Kind.eq(kind::RETENTION_PURGE))
        .filter(job::Column::State.eq("queued"))
        .filter(job::Column::RunAt.lte(Utc::now() + Duration::minutes(1)))
        .count(conn)
        .await?;
    if soon == 0 {
        jobs::enqueue(
            conn,
            None,
            kind::RETENTION_PURGE,
            serde_json::json!({}),
            Utc::now(),
            ATTEMPTS,
        )
        .await?;
    }
    Ok(())
}

/// One run of the `retention_purge` job over every merchant; queues the next run (the
/// next day, or in a minute when a merchant's purge stopped at its bound).
pub async fn run(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = Utc::now();
    let mut more = false;
    let mut merchants = 0;
    let mut pages = merchant::Entity::find()
        .order_by_asc(merchant::Column::Id)
        .paginate(db, MERCHANTS_PAGE);
    while let Some(page) = pages.fetch_and_next().await? {
        for m in page {
            more |= purge_merchant(db, &m, now).await?.more;
            merchants += 1;
        }
    }
    jobs::queue_next_daily(db, kind::RETENTION_PURGE, more, ATTEMPTS).await?;
    Ok(merchants)
}
