//! Jobs on a payment's lifecycle: expiring a payment nobody finished, and resolving an
//! uncertain authorisation by asking the acquirer again, and reconciling a payment whose
//! acquirer answer was lost (the process stopped while the acquirer was asked).

use super::{AuthMode, Initiator, PaymentEngine};
use crate::entities::{merchant, operation, payment};
use crate::payments::error::EngineError;
use crate::payments::records::{guarded_update, ledger, set_ledger};
use crate::payments::wire;
use crate::platform::db::BeginWrite;
use crate::webhooks::events;
use chrono::{Duration, Utc};
use domain::payment::{PaymentError, Stage};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

impl PaymentEngine {
    /// Expires a payment nobody finished (hosted session over).
    pub async fn expire_payment(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
    ) -> Result<payment::Model, EngineError> {
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        ledger.expire().map_err(EngineError::Refused)?;
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.updated_at = Set(now);
        update.pending_card_enc = Set(None);
        set_ledger(&mut update, &ledger);
        let row = guarded_update(&txn, &row, update).await?;
        operation::ActiveModel {
            is_final: Set(true),
            ..super::operation_row(row.id, ("expire", 0, "approved"), None, now)
        }
        .insert(&txn)
        .await?;
        events::emit(&txn, merchant, "payment.cancelled", "payment", || {
            wire::payment(&row)
        })
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Resolves an uncertain authorisation by asking the acquirer (job).
    pub async fn resolve_uncertain(
        &self,
        payment_id: i64,
        sale: bool,
    ) -> Result<bool, EngineError> {
        let Some(row) = payment::Entity::find_by_id(payment_id)
            .one(&self.db)
            .await?
        else {
            return Ok(true);
        };
        if super::create::is_unanswered(&row) {
            // Committed before the acquirer was asked and never answered: once the
            // answer cannot still be on its way, it is uncertain (asked about below on
            // the next run).
            if Utc::now() - super::create::awaited_since(&row)
                < Duration::seconds(super::create::INTENT_GRACE_SECONDS)
            {
                return Ok(false);
            }
            let merchant = merchant::Entity::find_by_id(row.merchant_id)
                .one(&self.db)
                .await?
                .ok_or(EngineError::NotFound)?;
            return match self.mark_unanswered_uncertain(&merchant, row).await {
                Ok(_) | Err(EngineError::Refused(PaymentError::Inconsistent)) => Ok(true),
                Err(e) => Err(e),
            };
        }
        if row.stage != Stage::Uncertain.code() {
            return Ok(true);
        }
        let Some(answer) = self
            .acquirer
            .inquire(row.rrn.as_deref().unwrap_or(""))
            .await
        else {
            return Ok(false);
        };
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)?;
        let mode = if sale {
            AuthMode::Sale
        } else {
            AuthMode::PreAuthorization
        };
        self.write_answer(
            &merchant,
            row,
            answer,
            mode,
            None,
            &Initiator::System,
            (None, None),
        )
        .await?;
        Ok(true)
    }
}
