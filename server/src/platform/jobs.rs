//! Durable jobs (PE-6): a table-based queue that works on SQLite and PostgreSQL.
//!
//! A job is claimed with a lease (`locked_by`, `locked_until`) in one UPDATE; on
//! PostgreSQL the candidate row is picked with `FOR UPDATE SKIP LOCKED`, so several
//! server processes never claim the same job. A worker that dies leaves its lease to
//! expire and the job is claimed again. Finishing checks the lease holder, so a worker
//! that lost its lease cannot mark the job done twice.

use crate::entities::job;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};

/// Job kinds.
pub mod kind {
    /// POST one webhook delivery.
    pub const WEBHOOK: &str = "webhook_delivery";
    /// Ask the acquirer about an authorisation that timed out (status 92).
    pub const RESOLVE_UNCERTAIN: &str = "resolve_uncertain";
    /// Ask the acquirer about a capture, refund or cancellation whose answer was lost.
    pub const SETTLE_CHANGE: &str = "settle_change";
    /// Capture a pre-authorisation after the merchant's delay.
    pub const AUTO_CAPTURE: &str = "auto_capture";
    /// Expire a hosted checkout nobody paid within the session duration.
    pub const EXPIRE_CHECKOUT: &str = "expire_checkout";
    /// Send one mail of the outbox.
    pub const SEND_EMAIL: &str = "send_email";
    /// Close a support ticket resolved 7 days ago (unless reopened since).
    pub const CLOSE_TICKET: &str = "close_ticket";
    /// A payment link's deadline: its end, an invoice's due date, or its reminder.
    pub const LINK_DEADLINE: &str = "payment_link_deadline";
    /// A payment link was paid: its webhook.
    pub const LINK_PAID: &str = "payment_link_paid";
    /// Delete audit entries older than 12 months; runs daily, queuing its next run.
    pub const AUDIT_PURGE: &str = "audit_purge";
    /// Delete each merchant's transaction data older than its retention (MB-10); runs
    /// daily, queuing its next run.
    pub const RETENTION_PURGE: &str = "retention_purge";
    /// Ask the acquirer for an authorisation queued by the processing mode (MB-14)
    /// until it answers.
    pub const AUTHORISE_QUEUED: &str = "authorise_queued";
    /// Release the uncaptured authorisations whose reservation period ended; runs
    /// hourly, queuing its next run.
    pub const EXPIRE_AUTHORISATIONS: &str = "expire_authorisations";
    /// Mark uncertain the payments whose acquirer answer was lost (the process stopped
    /// while asking); runs every 30 seconds, queuing its next run.
    pub const RECONCILE_INTENTS: &str = "reconcile_intents";
}

/// Queues a job through `conn` (inside the caller's transaction when there is one).
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    merchant_id: Option<i64>,
    kind: &str,
    payload: serde_json::Value,
    run_at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<i64, DbErr> {
    let now = Utc::now();
    // Only the id is read back.
    let inserted = job::Entity::insert(job::ActiveModel {
        merchant_id: Set(merchant_id),
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        state: Set("queued".to_owned()),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(max_attempts),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(inserted.last_insert_id)
}

/// Which jobs a claim takes: webhook deliveries wait on merchants' servers (up to 10 s
/// each), so they run in their own lane and never hold up captures, expiries or mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Every kind.
    Any,
    /// Webhook deliveries only.
    Webhooks,
    /// Everything but webhook deliveries.
    Others,
}

impl Lane {
    fn condition(self) -> &'static str {
        match self {
            Lane::Any => "",
            Lane::Webhooks => " AND kind = 'webhook_delivery'",
            Lane::Others => " AND kind <> 'webhook_delivery'",
        }
    }
}

/// Claims the next due job for `worker` for `lease`; `None` when nothing is due.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    lease: Duration,
) -> Result<Option<job::Model>, DbErr> {
    claim_fair(conn, worker, lease, Lane::Any, None).await
}

/// Claims the next due job of `lane`, oldest first, skipping merchants that already have
/// `per_merchant` jobs of that lane running (in any process, under a live lease), so one
/// merchant's backlog leaves room for the others'. Jobs of no merchant (support mail, for
/// one) share one such allowance. Across processes the count is read without a lock, so
/// simultaneous claims may pass it by a little.
pub async fn claim_fair<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    lease: Duration,
    lane: Lane,
    per_merchant: Option<i64>,
) -> Result<Option<job::Model>, DbErr> {
    let now = Utc::now();
    let lock = match conn.get_database_backend() {
        DatabaseBackend::Postgres => " FOR UPDATE SKIP LOCKED",
        _ => "",
    };
    let lane_condition = lane.condition();
    let busy_merchants = if per_merchant.is_some() {
        format!(
            " AND COALESCE(merchant_id, 0) NOT IN (SELECT COALESCE(merchant_id, 0) FROM jobs \
               WHERE state = 'running' AND locked_until >= $3{lane_condition} \
               GROUP BY COALESCE(merchant_id, 0) HAVING COUNT(*) >= $4)"
        )
    } else {
        String::new()
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
           WHERE ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND locked_until < $3))\
           {lane_condition}{busy_merchants} \
           ORDER BY run_at, id LIMIT 1{lock}) \
         RETURNING *"
    );
    let mut values: Vec<sea_orm::Value> = vec![worker.into(), (now + lease).into(), now.into()];
    if let Some(cap) = per_merchant {
        values.push(cap.into());
    }
    let stmt = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.query_one_raw(stmt)
        .await?
        .map(|row| job::Model::from_query_result(&row, ""))
        .transpose()
}

/// Marks a claimed job done; `false` when `worker` no longer holds it.
pub async fn complete<C: ConnectionTrait>(conn: &C, id: i64, worker: &str) -> Result<bool, DbErr> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::State, "done".into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::UpdatedAt, Utc::now().into())
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::State.eq("running"))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Delay before the attempt after `attempts` failures: 30 s doubling, at most 6 h.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 20) - 1;
    let seconds = 30i64.saturating_mul(1i64 << exponent.min(20));
    Duration::seconds(seconds.min(6 * 3600))
}

/// Records a failure: retried after [`backoff`] while attempts remain, else failed.
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    claimed: &job::Model,
    worker: &str,
    error: &str,
    give_up: bool,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let exhausted = give_up || claimed.attempts >= claimed.max_attempts;
    job::Entity::update_many()
        .col_expr(
            job::Column::State,
            if exhausted { "failed" } else { "queued" }.into(),
        )
        .col_expr(job::Column::RunAt, (now + backoff(claimed.attempts)).into())
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LockedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(
            job::Column::LastError,
            Some(error.chars().take(2000).collect::<String>()).into(),
        )
        .col_expr(job::Column::UpdatedAt, now.into())
        .filter(job::Column::Id.eq(claimed.id))
        .filter(job::Column::LockedBy.eq(worker))
        .exec(conn)
        .await?;
    Ok(())
}

/// A merchant's jobs for the admin page: the latest `limit` in `state` (all states
/// when `None`).
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    state: Option<&str>,
    limit: u64,
) -> Result<Vec<job::Model>, DbErr> {
    let mut query = job::Entity::find()
        .filter(job::Column::MerchantId.eq(merchant_id))
        .order_by_desc(job::Column::Id);
    if let Some(state) = state {
        query = query.filter(job::Column::State.eq(state));
    }
    query.limit(limit).all(conn).await
}

/// Runs of `kind` in one of `states`, however many merchants they are for.
async fn runs_of<C: ConnectionTrait>(conn: &C, kind: &str, states: &[&str]) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::State.is_in(states.iter().copied()))
        .count(conn)
        .await
}

/// Keeps a daily platform job (`kind`) alive: queues a run now unless one is queued or
/// running. The job runner's housekeeping calls it, so a failed or lost run comes back.
pub async fn ensure_daily(
    db: &sea_orm::DatabaseConnection,
    kind: &str,
    attempts: i32,
) -> Result<(), DbErr> {
    if runs_of(db, kind, &["queued", "running"]).await? == 0 {
        enqueue(db, None, kind, serde_json::json!({}), Utc::now(), attempts).await?;
    }
    Ok(())
}

/// The end of a daily platform job's run: queues its next run, tomorrow or — when it
/// stopped at its bound with work left — in a minute, unless one is queued already.
pub async fn queue_next_daily<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    work_left: bool,
    attempts: i32,
) -> Result<(), DbErr> {
    let after = if work_left {
        Duration::minutes(1)
    } else {
        Duration::days(1)
    };
    queue_next_run(conn, kind, after, attempts).await
}

/// The end of a recurring platform job's run: queues its next run `after` from now,
/// unless one is queued already.
pub async fn queue_next_run<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    after: Duration,
    attempts: i32,
) -> Result<(), DbErr> {
    if runs_of(conn, kind, &["queued"]).await? == 0 {
        let next = Utc::now() + after;
        enqueue(conn, None, kind, serde_json::json!({}), next, attempts).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(40), Duration::hours(6));
        // Webhook deliveries are retried for three days: 21 attempts span it.
        let total: i64 = (1..=21).map(|a| backoff(a).num_seconds()).sum();
        assert!(total >= 3 * 24 * 3600, "{total}");
    }
}
