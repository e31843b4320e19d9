//! The reconciliation of payments whose acquirer answer never came: a payment is
//! committed before the acquirer is asked (`awaiting_since` set) and the answer is
//! written with it (`awaiting_since` cleared). When the process stops in between, the
//! answer is lost: a platform job (`reconcile_intents`, re-queued by each run and kept
//! queued by the runner's housekeeping) finds the payments that have waited longer than
//! the grace, oldest first by a partial index, and marks each uncertain; the acquirer
//! is then asked about it by its `resolve_uncertain` job.
//!
//! One sweep instead of a job queued and closed with every payment: a payment answered
//! in time costs no statement here.

use super::create::INTENT_GRACE_SECONDS;
use super::{AuthMode, PaymentEngine};
use crate::entities::payment;
use crate::payments::error::EngineError;
use crate::platform::jobs::{self, kind};
use chrono::{Duration, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Payments one run reconciles at most.
const BATCH: u64 = 100;
/// How often the sweep runs: an answer lost is found at most this long after the grace.
const EVERY_SECONDS: i64 = 30;
/// Attempts of one run before the job is given up (housekeeping queues it again).
const ATTEMPTS: i32 = 5;

/// Keeps the sweep queued (the runner's housekeeping): a run now unless one is queued or
/// running.
pub async fn ensure_scheduled(db: &DatabaseConnection) -> Result<(), DbErr> {
    jobs::ensure_daily(db, kind::RECONCILE_INTENTS, ATTEMPTS).await
}

impl PaymentEngine {
    /// One run of the sweep: marks uncertain the payments (at most [`BATCH`]) whose
    /// answer was awaited longer than the grace, then queues the next run: at once when
    /// it stopped at its bound, else in [`EVERY_SECONDS`]. Answers how many it settled.
    pub async fn reconcile_intents(&self) -> Result<u64, EngineError> {
        let due = Utc::now() - Duration::seconds(INTENT_GRACE_SECONDS);
        let waiting: Vec<(i64, String)> = payment::Entity::find()
            .select_only()
            .column(payment::Column::Id)
            .column(payment::Column::AuthorizationMode)
            .filter(payment::Column::AwaitingSince.is_not_null())
            .filter(payment::Column::AwaitingSince.lte(due))
            .order_by_asc(payment::Column::AwaitingSince)
            .limit(BATCH)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut marked = 0;
        for (id, mode) in &waiting {
            let sale = AuthMode::parse(mode).unwrap_or(AuthMode::Sale) == AuthMode::Sale;
            match self.resolve_uncertain(*id, sale).await {
                Ok(_) => marked += 1,
                // One payment that cannot be written is retried on the next run; the
                // others go on.
                Err(e) => tracing::warn!(payment = id, error = %e, "reconciling failed"),
            }
        }
        let next = if waiting.len() as u64 == BATCH {
            Duration::zero()
        } else {
            Duration::seconds(EVERY_SECONDS)
        };
        jobs::queue_next_run(&self.db, kind::RECONCILE_INTENTS, next, ATTEMPTS).await?;
        Ok(marked)
    }
}
