//! Authorisations expire (seed 002: "The reserved funds on client's account will be
//! released if the reservation period expires before confirmation"): an hourly platform
//! job (`expire_authorisations`, re-queued by each run like the daily ones, and kept
//! queued by the runner's housekeeping) releases every uncaptured authorisation whose
//! merchant's card reservation period (1–30 days, 7 unless chosen) has ended.
//!
//! The job reads each merchant's period when it runs, so a changed period applies to the
//! authorisations given before the change too. Each payment is released as a change
//! (`change.rs`) through the domain's `expire_authorisation`: reserved and committed with
//! a pending `expire` operation, then the acquirer is asked to cancel (release the
//! funds) outside any write transaction, then the operation is written approved with its
//! audit row and the `payment.cancelled` event (Direct reports CANCELLED, 6); a payment
//! captured or changed meanwhile is left as it is (guarded update). An automatic capture
//! due within the period captures first (`domain::processing::reservation_over`).

use super::{Initiator, PaymentEngine};
use crate::entities::{merchant, payment};
use crate::payments::error::EngineError;
use crate::payments::records::public_id;
use crate::platform::jobs::{self, kind};
use chrono::{Duration, Utc};
use domain::payment::Stage;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Payments one batch reads at most.
pub const BATCH: u64 = 500;
/// Batches one run reads at most, over all merchants; a run that stops there is followed
/// a minute later.
pub const MAX_BATCHES: u32 = 20;
/// Merchants read per page.
const MERCHANTS_PAGE: u64 = 100;
const ATTEMPTS: i32 = 10;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Released {
    /// Authorisations released (now Expired).
    pub expired: u64,
    /// Stopped at its bound with candidates left.
    pub more: bool,
}

/// Keeps the hourly job queued (the runner's housekeeping): a run now unless one is
/// queued or running.
pub async fn ensure_scheduled(db: &DatabaseConnection) -> Result<(), DbErr> {
    jobs::ensure_daily(db, kind::EXPIRE_AUTHORISATIONS, ATTEMPTS).await
}

/// Queues the next run: in an hour, or in a minute when this one stopped at its bound.
async fn queue_next(db: &DatabaseConnection, more: bool) -> Result<(), DbErr> {
    let after = if more {
        Duration::minutes(1)
    } else {
        Duration::hours(1)
    };
    jobs::queue_next_run(db, kind::EXPIRE_AUTHORISATIONS, after, ATTEMPTS).await
}

impl PaymentEngine {
    /// The `expire_authorisations` job: releases, merchant by merchant, the uncaptured
    /// authorisations whose reservation period ended, at most [`MAX_BATCHES`] batches of
    /// [`BATCH`]; queues its next run.
    pub async fn release_expired_authorisations(&self) -> Result<Released, EngineError> {
        let now = Utc::now();
        let mut released = Released::default();
        let mut batches = 0u32;
        let mut after_merchant = 0i64;
        'merchants: loop {
            let merchants = merchant::Entity::find()
                .filter(merchant::Column::Id.gt(after_merchant))
                .order_by_asc(merchant::Column::Id)
                .limit(MERCHANTS_PAGE)
                .all(&self.db)
                .await?;
            let Some(last) = merchants.last() else { break };
            after_merchant = last.id;
            for m in &merchants {
                let days = m.reservation_days.clamp(
                    *domain::processing::RESERVATION_DAYS.start(),
                    *domain::processing::RESERVATION_DAYS.end(),
                );
                let cutoff = now - Duration::days(i64::from(days));
                let mut after_payment = 0i64;
                loop {
                    if batches >= MAX_BATCHES {
                        released.more = true;
                        break 'merchants;
                    }
                    batches += 1;
                    let batch = payment::Entity::find()
                        .filter(payment::Column::MerchantId.eq(m.id))
                        .filter(payment::Column::Stage.eq(Stage::Authorised.code()))
                        .filter(payment::Column::Captured.eq(0))
                        .filter(payment::Column::CaptureClosed.eq(false))
                        .filter(payment::Column::Id.gt(after_payment))
                        .filter(
                            Condition::any()
                                .add(payment::Column::AuthorisedAt.lt(cutoff))
                                .add(
                                    Condition::all()
                                        .add(payment::Column::AuthorisedAt.is_null())
                                        .add(payment::Column::CreatedAt.lt(cutoff)),
                                ),
                        )
                        .order_by_asc(payment::Column::Id)
                        .limit(BATCH)
                        .all(&self.db)
                        .await?;
                    for row in &batch {
                        let authorised_at = row.authorised_at.unwrap_or(row.created_at);
                        if !domain::processing::reservation_over(
                            authorised_at,
                            days,
                            row.capture_after,
                            now,
                        ) {
                            continue;
                        }
                        match self.expire_authorisation(m, row.clone()).await {
                            Ok(true) => released.expired += 1,
                            Ok(false) => {}
                            // One payment's failure (the acquirer down) waits for the
                            // next run; the others go on.
                            Err(e) => {
                                tracing::warn!(payment = %public_id(row.id), error = %e, "releasing an expired authorisation failed");
                            }
                        }
                    }
                    match batch.last() {
                        Some(last) if batch.len() as u64 == BATCH => after_payment = last.id,
                        _ => break,
                    }
                }
            }
        }
        queue_next(&self.db, released.more).await?;
        Ok(released)
    }

    /// Releases one uncaptured authorisation whose reservation ended: `Ok(false)` when
    /// the payment was captured or changed meanwhile so that it no longer expires
    /// (nothing written). A change like a merchant's cancel (`change.rs`): the release is
    /// reserved and committed (the ledger and a pending `expire` operation carrying its
    /// reference) before the acquirer is asked to cancel, so no write waits on the
    /// acquirer; a refusal gives the reservation back and the next run asks again, and
    /// an answer lost to a crash is settled by asking the acquirer about the reference.
    pub async fn expire_authorisation(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
    ) -> Result<bool, EngineError> {
        if row.merchant_id != merchant.id {
            return Err(EngineError::NotFound);
        }
        let released = self
            .change(
                merchant,
                row.id,
                &Initiator::System,
                ("expire", true),
                |l| l.authorised() - l.captured(),
                |l, _| l.expire_authorisation(),
            )
            .await;
        match released {
            Ok(_) => Ok(true),
            Err(EngineError::Refused(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
