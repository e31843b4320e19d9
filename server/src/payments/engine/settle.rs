//! Changes whose acquirer answer was lost. A capture, refund or cancellation is committed
//! pending before the acquirer is asked, with our reference for the request and what it
//! reserved (the payment's ledger and cart lines before and after). If the process stops
//! before the answer is written, the change is settled without an operator: its job (after
//! [`CHANGE_GRACE_SECONDS`]), a retry of the same idempotent request that takes it over, or
//! the next change of the payment asks the acquirer about the reference; a change the
//! acquirer did becomes approved, one it did not do gives its reservation back, and an
//! unknown answer is asked about again later. The acquirer is never asked to do it twice.
//! Writing an approval (the request's own or a settled one) lives here too.

use super::{Initiator, PaymentEngine};
use crate::entities::{cart_line, merchant, operation, payment};
use crate::payments::acquirer::ChangeInquiry;
use crate::payments::error::EngineError;
use crate::payments::records::{
    guarded_update, ledger, public_id, rewrite_line, stored_money, PENDING,
};
use crate::payments::wire;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::platform::jobs;
use crate::webhooks::events;
use chrono::{Duration, Utc};
use domain::payment::Payment;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a pending change may wait for its acquirer answer before anyone else asks the
/// acquirer about it (longer than any acquirer call and than an idempotence lease).
pub const CHANGE_GRACE_SECONDS: i64 = 60;

/// The part of a cart line a change rewrites.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct LineFacts {
    unit_price: i64,
    quantity_thousandths: i64,
    amount: i64,
    refunded_thousandths: i64,
}

impl LineFacts {
    fn of(line: &cart_line::Model) -> Self {
        Self {
            unit_price: line.unit_price,
            quantity_thousandths: line.quantity_thousandths,
            amount: line.amount,
            refunded_thousandths: line.refunded_thousandths,
        }
    }

    fn on(&self, line: &cart_line::Model) -> cart_line::Model {
        cart_line::Model {
            unit_price: self.unit_price,
            quantity_thousandths: self.quantity_thousandths,
            amount: self.amount,
            refunded_thousandths: self.refunded_thousandths,
            ..line.clone()
        }
    }
}

/// What a pending change reserved: the payment's ledger before it, and each rewritten
/// cart line before and after.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct Reservation {
    stage: String,
    authorised: i64,
    captured: i64,
    refunded: i64,
    capture_closed: bool,
    lines: Vec<(i64, LineFacts, LineFacts)>,
}

impl Reservation {
    /// The reservation of a change planned on `before` that rewrites `rewritten` (read
    /// as `lines`).
    pub(super) fn new(
        before: &payment::Model,
        lines: &[cart_line::Model],
        rewritten: &[cart_line::Model],
    ) -> Self {
        Self {
            stage: before.stage.clone(),
            authorised: before.authorised,
            captured: before.captured,
            refunded: before.refunded,
            capture_closed: before.capture_closed,
            lines: Self::lines_of(lines, rewritten),
        }
    }

    fn lines_of(
        lines: &[cart_line::Model],
        rewritten: &[cart_line::Model],
    ) -> Vec<(i64, LineFacts, LineFacts)> {
        rewritten
            .iter()
            .filter_map(|after| {
                let line = lines.iter().find(|l| l.id == after.id)?;
                Some((after.id, LineFacts::of(line), LineFacts::of(after)))
            })
            .collect()
    }

    pub(super) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn parse(op: &operation::Model) -> Option<Self> {
        Self::parse_str(op.reservation.as_deref()?)
    }

    fn parse_str(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok()
    }
}

/// A new reference for a change, sent to the acquirer with it.
pub(super) fn change_reference() -> String {
    crate::platform::crypto::random_from(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 16)
}

/// Queues the job that settles the pending change `op_id` if its answer is never written.
pub(super) async fn queue_settlement<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    op_id: i64,
) -> Result<(), EngineError> {
    jobs::enqueue(
        conn,
        Some(merchant_id),
        jobs::kind::SETTLE_CHANGE,
        json!({ "operation": op_id }),
        Utc::now() + Duration::seconds(CHANGE_GRACE_SECONDS),
        20,
    )
    .await?;
    Ok(())
}

/// Whether a pending change is old enough for anyone to ask the acquirer about it.
pub(super) fn overdue(op: &operation::Model) -> bool {
    Utc::now() - op.created_at >= Duration::seconds(CHANGE_GRACE_SECONDS)
}

impl PaymentEngine {
    /// Writes the acquirer's approval of a reserved change: the pending operation
    /// becomes approved, with its audit row and webhook event. What it says (kind,
    /// amount, cart lines, the payment's status) is read from the operation and the
    /// reserved payment `row`.
    pub(super) async fn complete_change(
        &self,
        merchant: &merchant::Model,
        by: &Initiator,
        row: payment::Model,
        pending: operation::Model,
        reference: String,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        let kind = pending.kind.clone();
        let money = stored_money(pending.amount.max(1), &row.currency)?;
        let ledger: Payment = ledger(&row).map_err(EngineError::Refused)?;
        let by_lines = Reservation::parse(&pending).map_or(0, |r| r.lines.len());
        let txn = self.db.begin_write().await?;
        let approved = operation::Entity::update_many()
            .col_expr(operation::Column::Result, Expr::value("approved"))
            .col_expr(operation::Column::Rrn, Expr::value(Some(reference.clone())))
            .filter(operation::Column::Id.eq(pending.id))
            .filter(operation::Column::Result.eq(PENDING))
            .exec(&txn)
            .await?;
        let op = operation::Model {
            result: "approved".to_owned(),
            rrn: Some(reference),
            ..pending
        };
        if approved.rows_affected != 1 {
            // Completed by someone else in between: theirs stands.
            txn.rollback().await?;
            let op = operation::Entity::find_by_id(op.id)
                .one(&self.db)
                .await?
                .ok_or(EngineError::NotFound)?;
            return Ok((row, op));
        }
        let by_line = if by_lines == 0 {
            String::new()
        } else {
            format!(" by {by_lines} cart line(s)")
        };
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id(),
                actor: &by.actor(),
                action: &format!("payment.{kind}"),
                detail: format!("payment {} {kind} {}{by_line}", public_id(row.id), money),
                ip: by.ip(),
            },
        )
        .await?;
        let event = match kind.as_str() {
            "refund" => "payment.refunded".to_owned(),
            _ => format!(
                "payment.{}",
                ledger.direct_status().status.to_ascii_lowercase()
            ),
        };
        events::emit(&txn, merchant, &event, "payment", || wire::payment(&row)).await?;
        txn.commit().await?;
        Ok((row, op))
    }

    /// Gives a refused change's reservation back: the ledger and cart lines as they were
    /// before it, and the pending operation removed, in one transaction — only if the
    /// payment and lines are still as the change left them and the operation is still
    /// pending. `false` when something moved them (the operation then stays pending,
    /// holding its reservation, for an operator).
    pub(super) async fn give_back(
        &self,
        reserved: &payment::Model,
        pending: &operation::Model,
        reservation: &Reservation,
    ) -> Result<bool, EngineError> {
        let txn = self.db.begin_write().await?;
        let mut restore: payment::ActiveModel = reserved.clone().into();
        restore.updated_at = Set(Utc::now());
        restore.stage = Set(reservation.stage.clone());
        restore.authorised = Set(reservation.authorised);
        restore.captured = Set(reservation.captured);
        restore.refunded = Set(reservation.refunded);
        restore.capture_closed = Set(reservation.capture_closed);
        let mut undone = guarded_update(&txn, reserved, restore).await.is_ok();
        for (id, before, after) in &reservation.lines {
            if !undone {
                break;
            }
            let Some(line) = cart_line::Entity::find_by_id(*id)
                .filter(cart_line::Column::PaymentId.eq(reserved.id))
                .one(&txn)
                .await?
            else {
                undone = false;
                break;
            };
            undone = rewrite_line(&txn, &after.on(&line), &before.on(&line)).await?;
        }
        if undone {
            let removed = operation::Entity::delete_many()
                .filter(operation::Column::Id.eq(pending.id))
                .filter(operation::Column::Result.eq(PENDING))
                .exec(&txn)
                .await?;
            undone = removed.rows_affected == 1;
        }
        if undone {
            txn.commit().await?;
        } else {
            txn.rollback().await?;
            tracing::error!(payment = %public_id(reserved.id), operation = pending.id, "a change the acquirer did not do could not give its reservation back; it stays pending");
        }
        Ok(undone)
    }

    /// Settles the pending change `op_id` by asking the acquirer about its reference:
    /// `Ok(true)` when it is no longer pending (done, given back, or settled by someone
    /// else), `Ok(false)` when its answer is still unknown. Unless `now`, a change younger
    /// than [`CHANGE_GRACE_SECONDS`] is left to the request that sent it.
    pub async fn settle_change(&self, op_id: i64, now: bool) -> Result<bool, EngineError> {
        let Some(op) = operation::Entity::find_by_id(op_id).one(&self.db).await? else {
            return Ok(true);
        };
        if op.result != PENDING {
            return Ok(true);
        }
        if !now && !overdue(&op) {
            return Ok(false);
        }
        let (Some(reference), Some(reservation)) = (op.reference.clone(), Reservation::parse(&op))
        else {
            // Written before changes carried a reference: only an operator can tell.
            return Ok(false);
        };
        let Some(row) = payment::Entity::find_by_id(op.payment_id)
            .one(&self.db)
            .await?
        else {
            return Ok(true);
        };
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)?;
        match self.acquirer.inquire_change(&reference).await {
            ChangeInquiry::Unknown => Ok(false),
            ChangeInquiry::NotDone(reason) => {
                tracing::warn!(payment = %public_id(row.id), operation = op.id, %reason, "the acquirer did not do a change whose answer was lost; its reservation is given back");
                self.give_back(&row, &op, &reservation).await
            }
            ChangeInquiry::Done(acquirer_ref) => {
                tracing::warn!(payment = %public_id(row.id), operation = op.id, "the acquirer did a change whose answer was lost; it is written approved");
                self.complete_change(&merchant, &Initiator::System, row, op, acquirer_ref)
                    .await?;
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, refunded: i64) -> cart_line::Model {
        cart_line::Model {
            id,
            payment_id: 1,
            position: 0,
            product_code: "A".into(),
            product_name: "A".into(),
            unit_price: 250,
            quantity_thousandths: 2000,
            amount: 500,
            refunded_thousandths: refunded,
        }
    }

    #[test]
    fn a_reservation_keeps_each_rewritten_line_before_and_after() {
        let lines = vec![line(7, 0), line(8, 0)];
        let rewritten = vec![line(8, 1000)];
        let r = Reservation {
            stage: "CAPTURED".into(),
            authorised: 500,
            captured: 500,
            refunded: 0,
            capture_closed: true,
            lines: Vec::new(),
        };
        let r = Reservation {
            lines: Reservation::lines_of(&lines, &rewritten),
            ..r
        };
        assert_eq!(r.lines.len(), 1);
        assert_eq!(r.lines[0].0, 8);
        assert_eq!(r.lines[0].1.refunded_thousandths, 0);
        assert_eq!(r.lines[0].2.refunded_thousandths, 1000);
        assert_eq!(r.lines[0].1.on(&line(8, 1000)), line(8, 0));
        assert_eq!(Reservation::parse_str(&r.to_json()), Some(r));
        assert_eq!(Reservation::parse_str("not json"), None);
    }
}
