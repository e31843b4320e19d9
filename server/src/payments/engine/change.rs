//! Changes of a payment after its authorisation: capture (of an amount or of the cart as
//! edited), cancellation and refund (of an amount or by cart line). Each change is planned
//! on the payment's ledger and reserved, with a pending operation carrying the API
//! request's reference, in one committed transaction; then the acquirer is asked once, and
//! its answer completes the operation (with its audit row and webhook event) or removes it
//! with its reservation (`settle.rs` writes both). A retry that finds its request's
//! operation pending never asks the acquirer again: `settle.rs` asks about it instead.

use super::settle::{self, Reservation};
use super::{Initiator, PaymentEngine};
use crate::entities::{cart_line, merchant, operation, payment};
use crate::payments::error::EngineError;
use crate::payments::records::{
    guarded_update, ledger, line_state, pending_change, public_id, rewrite_line, set_ledger,
    stored_money, PENDING,
};
use crate::platform::db::BeginWrite;
use crate::platform::sessions::is_unique_violation;
use chrono::Utc;
use domain::cart::{line_amount, refund_total, LineState, Quantity};
use domain::payment::{Payment, PaymentError};
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, Set};

/// How long a change waits for another change of the same payment that awaits the
/// acquirer's answer, between looks, and how many looks at most.
const WAIT: std::time::Duration = std::time::Duration::from_millis(25);
const MAX_WAITS: u32 = 200;
/// How many times a change is planned again because another writer moved the payment.
const MAX_CONFLICTS: u32 = 40;

impl PaymentEngine {
    /// Runs `change` on the payment's ledger and writes the result with `record`, retrying
    /// when another writer changed the payment in between.
    pub(super) async fn change<F>(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
        (kind, is_final): (&str, bool),
        amount_of: impl Fn(&Payment) -> i64,
        change: F,
    ) -> Result<(payment::Model, operation::Model), EngineError>
    where
        F: Fn(&mut Payment, i64) -> Result<(), PaymentError>,
    {
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            (kind, is_final, false),
            |l, _| Ok((amount_of(l), Vec::new())),
            change,
        )
        .await
    }

    /// [`Self::change`] planned on the payment's ledger and, when `cart` asks for them,
    /// its cart lines: `plan` gives the amount and the lines to rewrite. Lines are
    /// written only if nobody changed them since they were read, in the same transaction
    /// as the ledger, so two refunds by line can never refund a quantity twice.
    async fn change_with_cart<F>(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
        (kind, is_final, with_cart): (&str, bool, bool),
        plan: impl Fn(
            &Payment,
            &[cart_line::Model],
        ) -> Result<(i64, Vec<cart_line::Model>), EngineError>,
        change: F,
    ) -> Result<(payment::Model, operation::Model), EngineError>
    where
        F: Fn(&mut Payment, i64) -> Result<(), PaymentError>,
    {
        let request = super::request_ref();
        // Whether this request's change may be written already: it was taken over from
        // a process that stopped, or another process wrote it first (below).
        let mut may_exist = super::resumed_request_ref().is_some();
        let (mut conflicts, mut waits) = (0u32, 0u32);
        loop {
            if conflicts > MAX_CONFLICTS {
                return Err(EngineError::Db(DbErr::Custom(
                    "the payment kept changing; try again".to_owned(),
                )));
            }
            let row = self.payment(merchant.id, payment_id).await?;
            if let Some(reference) = request.as_ref().filter(|_| may_exist) {
                // This request's change was written already (its response was lost).
                if let Some(op) = operation::Entity::find()
                    .filter(operation::Column::PaymentId.eq(row.id))
                    .filter(operation::Column::IdempotenceRef.eq(reference.as_str()))
                    .one(&self.db)
                    .await?
                {
                    if op.result == PENDING {
                        // The acquirer was asked for it, its answer is unknown: never
                        // ask again.
                        return Err(EngineError::Db(DbErr::Custom(format!(
                            "the {} {}-{} awaits the acquirer's answer",
                            op.kind,
                            public_id(row.id),
                            op.id
                        ))));
                    }
                    return Ok((row, op));
                }
            }
            let lines = if with_cart {
                self.cart(payment_id).await?
            } else {
                Vec::new()
            };
            let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
            let (amount, rewritten) = plan(&ledger, &lines)?;
            change(&mut ledger, amount).map_err(EngineError::Refused)?;
            let money = stored_money(amount.max(1), &row.currency)?;
            let now = Utc::now();
            // The change is reserved (ledger, lines and a pending operation carrying the
            // request's reference) and committed before the acquirer is asked, so a
            // retry after a crash finds it and never asks twice.
            let txn = self.db.begin_write().await?;
            let mut update: payment::ActiveModel = row.clone().into();
            update.updated_at = Set(now);
            set_ledger(&mut update, &ledger);
            let reserved = match guarded_update(&txn, &row, update).await {
                Ok(reserved) => reserved,
                Err(EngineError::Refused(PaymentError::Inconsistent)) => {
                    txn.rollback().await?;
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut lines_moved = true;
            for after in &rewritten {
                let Some(before) = lines.iter().find(|l| l.id == after.id) else {
                    return Err(EngineError::NotFound);
                };
                if !rewrite_line(&txn, before, after).await? {
                    lines_moved = false;
                    break;
                }
            }
            if !lines_moved {
                txn.rollback().await?;
                conflicts += 1;
                continue;
            }
            // Another change of this payment awaits the acquirer's answer: it may still
            // be refused and give its reservation back, so wait for it — or, once its
            // answer is overdue (its request stopped), ask the acquirer about it.
            if let Some(other) = pending_change(&txn, row.id).await? {
                txn.rollback().await?;
                // Overdue: asked about once; still unknown, there is nothing to wait for.
                if settle::overdue(&other) {
                    if self.settle_change(other.id, true).await? {
                        conflicts += 1;
                        continue;
                    }
                    return Err(EngineError::Acquirer(format!(
                        "the {} {}-{} awaits the acquirer's answer",
                        other.kind,
                        public_id(row.id),
                        other.id
                    )));
                }
                waits += 1;
                if waits > MAX_WAITS {
                    return Err(EngineError::Acquirer(format!(
                        "the {} {}-{} still awaits the acquirer's answer",
                        other.kind,
                        public_id(row.id),
                        other.id
                    )));
                }
                tokio::time::sleep(WAIT).await;
                continue;
            }
            let reservation = Reservation::new(&row, &lines, &rewritten);
            let reference = settle::change_reference();
            let pending = operation::ActiveModel {
                payment_id: Set(row.id),
                reference: Set(Some(reference.clone())),
                reservation: Set(Some(reservation.to_json())),
                kind: Set(kind.to_owned()),
                amount: Set(amount),
                result: Set(PENDING.to_owned()),
                is_final: Set(is_final),
                user_id: Set(by.user_id()),
                api_key_id: Set(by.api_key()),
                created_at: Set(now),
                idempotence_ref: Set(request.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            let pending = match pending {
                Ok(op) => op,
                // Another process wrote this request's change first: read it above.
                Err(e) if request.is_some() && is_unique_violation(&e) => {
                    txn.rollback().await?;
                    may_exist = true;
                    conflicts += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            settle::queue_settlement(&txn, merchant.id, pending.id).await?;
            txn.commit().await?;
            let rrn = row.rrn.clone().unwrap_or_default();
            let answer = match kind {
                "capture" => self.acquirer.capture(&rrn, money, &reference).await,
                "refund" => self.acquirer.refund(&rrn, money, &reference).await,
                _ => self
                    .acquirer
                    .cancel(&rrn, &reference)
                    .await
                    .map(|()| rrn.clone()),
            };
            return match answer {
                Ok(reference) => {
                    self.complete_change(merchant, by, reserved, pending, reference)
                        .await
                }
                Err(e) => {
                    tracing::warn!(payment = %public_id(row.id), kind, error = %e, "acquirer refused or unreachable");
                    self.give_back(&reserved, &pending, &reservation).await?;
                    Err(EngineError::Acquirer(e))
                }
            };
        }
    }

    /// Captures `amount` (all that remains when `None`); `is_final` closes capturing.
    pub async fn capture(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        amount: Option<i64>,
        is_final: bool,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        let over = merchant.over_capture_percent.max(0) as u32;
        self.change(
            merchant,
            payment_id,
            by,
            ("capture", is_final || amount.is_none()),
            |l| amount.unwrap_or_else(|| l.authorised() - l.captured()),
            |l, a| l.capture(a, is_final || amount.is_none(), over),
        )
        .await
    }

    /// Captures the cart as edited: `lines[i]` is the (unit price, quantity) of the
    /// line at position `i`; the lines are rewritten and their total captured, once,
    /// as the final capture (within the merchant's over-capture allowance).
    pub async fn capture_cart(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        edited: &[(i64, Quantity)],
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        let over = merchant.over_capture_percent.max(0) as u32;
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            ("capture", true, true),
            |_, lines| {
                if lines.len() != edited.len() {
                    return Err(EngineError::invalid(
                        "lines",
                        "one price and quantity per cart line",
                    ));
                }
                let rewritten: Vec<cart_line::Model> = lines
                    .iter()
                    .zip(edited)
                    .map(|(line, (price, quantity))| cart_line::Model {
                        unit_price: *price,
                        quantity_thousandths: quantity.thousandths(),
                        amount: line_amount(*price, *quantity),
                        ..line.clone()
                    })
                    .collect();
                Ok((rewritten.iter().map(|l| l.amount).sum(), rewritten))
            },
            |l, a| l.capture(a, true, over),
        )
        .await
    }

    /// Cancels (or releases the uncaptured rest).
    pub async fn cancel(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change(
            merchant,
            payment_id,
            by,
            ("cancel", true),
            |l| l.authorised() - l.captured(),
            |l, _| l.cancel(),
        )
        .await
    }

    /// Refunds `amount` (all that is refundable when `None`).
    pub async fn refund(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        amount: Option<i64>,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change(
            merchant,
            payment_id,
            by,
            ("refund", false),
            |l| amount.unwrap_or_else(|| l.refundable()),
            |l, a| l.refund(a),
        )
        .await
    }

    /// Refunds `more[i]` thousandths of the cart line at position `i`; the amount is the
    /// domain's cart math on what is left of each line. A line asked beyond what is left
    /// is refused with [`LineError`] and its index.
    pub async fn refund_lines(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        more: &[i64],
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            ("refund", false, true),
            |_, lines| {
                if lines.len() != more.len() {
                    return Err(EngineError::invalid("lines", "one quantity per cart line"));
                }
                let states: Vec<LineState> = lines.iter().map(line_state).collect();
                let amount =
                    refund_total(&states, more).map_err(|(i, e)| EngineError::Line(i, e))?;
                let rewritten = lines
                    .iter()
                    .zip(more)
                    .filter(|(_, q)| **q > 0)
                    .map(|(line, q)| cart_line::Model {
                        refunded_thousandths: line.refunded_thousandths + q,
                        ..line.clone()
                    })
                    .collect();
                Ok((amount, rewritten))
            },
            |l, a| l.refund(a),
        )
        .await
    }
}
