//! The audit log's retention: entries are kept 12 months. A durable daily job
//! (`audit_purge`) deletes older ones in bounded batches, writes one platform row (no
//! merchant) with the count, and queues its next run: the next day, or in a minute when
//! it stopped at its bound with older entries left. Every job runner's housekeeping makes
//! sure one run is queued, so a failed or lost job is queued again.

use crate::entities::audit_log;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::platform::jobs::{self, kind};
use app::audit::RETENTION_MONTHS;
use chrono::{DateTime, Months, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

/// Entries one statement deletes at most.
pub const BATCH: u64 = 5_000;
/// Statements one run makes at most.
pub const MAX_BATCHES: u32 = 200;
/// Attempts of one run.
const ATTEMPTS: i32 = 10;

/// The instant before which entries are deleted when the job runs at `now`.
pub fn cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(RETENTION_MONTHS))
        .unwrap_or(now)
}

/// Deletes entries created before `before`, [`BATCH`] per statement and at most
/// [`MAX_BATCHES`] statements: how many, and whether older ones are left.
pub async fn purge<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<(u64, bool), DbErr> {
    use audit_log::Column as C;
    let mut deleted = 0;
    for _ in 0..MAX_BATCHES {
        let mut oldest = Query::select();
        oldest
            .column(C::Id)
            .from(audit_log::Entity)
            .and_where(C::CreatedAt.lt(before))
            .order_by(C::Id, sea_orm::Order::Asc)
            .limit(BATCH);
        let done = audit_log::Entity::delete_many()
            .filter(C::Id.in_subquery(oldest.to_owned()))
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

/// Queues a run now unless one is queued or running (the housekeeping's check).
pub async fn ensure_scheduled(db: &DatabaseConnection) -> Result<(), DbErr> {
    jobs::ensure_daily(db, kind::AUDIT_PURGE, ATTEMPTS).await
}

/// One run of the `audit_purge` job: deletes what is older than 12 months, records the
/// count, and queues the next run unless another one is queued already.
pub async fn run(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let now = Utc::now();
    let before = cutoff(now);
    let (deleted, more) = purge(db, before).await?;
    // The count and the next run commit together.
    let txn = db.begin_write().await?;
    audit::record(
        &txn,
        AuditEntry {
            merchant_id: None,
            user_id: None,
            actor: "system",
            action: "audit.purge",
            detail: format!(
                "{deleted} audit entries older than {RETENTION_MONTHS} months (before {}) deleted{}",
                before.format("%Y-%m-%d %H:%M:%S UTC"),
                if more { "; more left for the next run" } else { "" }
            ),
            ip: "",
        },
    )
    .await?;
    jobs::queue_next_daily(&txn, kind::AUDIT_PURGE, more, ATTEMPTS).await?;
    txn.commit().await?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn entries_are_kept_twelve_calendar_months() {
        let now = Utc.with_ymd_and_hms(2027, 3, 31, 4, 0, 0).unwrap();
        assert_eq!(
            cutoff(now),
            Utc.with_ymd_and_hms(2026, 3, 31, 4, 0, 0).unwrap()
        );
        // The end of a shorter month is the same day's cut-off.
        let leap = Utc.with_ymd_and_hms(2028, 2, 29, 0, 0, 0).unwrap();
        assert_eq!(
            cutoff(leap),
            Utc.with_ymd_and_hms(2027, 2, 28, 0, 0, 0).unwrap()
        );
    }
}
