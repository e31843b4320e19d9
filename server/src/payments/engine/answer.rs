//! The acquirer's answer to a payment's authorisation, written: what it changes is
//! worked out first ([`AnswerWrites`]: the payment's update, its operations, its jobs),
//! then written inside a transaction ([`PaymentEngine::write_planned`]) or, in the
//! common case on PostgreSQL, as one statement that commits by itself
//! ([`write_alone`]).

use super::{AttemptResult, AuthMode, CheckedCard, Initiator, PaymentEngine};
use crate::entities::{merchant, operation, payment};
use crate::payments::acquirer::AuthResult;
use crate::payments::error::EngineError;
use crate::payments::records::{ledger, set_ledger, stored_now};
use crate::payments::wire;
use crate::platform::jobs;
use crate::webhooks::events;
use chrono::{DateTime, Duration, Utc};
use domain::payment::{Payment, PaymentError, Stage};
use sea_orm::sea_query::{
    Expr, InsertStatement, PostgresQueryBuilder, Query, UpdateStatement, ValueTuple,
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Iterable, Set,
};
use serde_json::json;

/// A job the answer queues, written with it.
pub(super) struct NewJob {
    pub(super) kind: &'static str,
    pub(super) payload: serde_json::Value,
    pub(super) at: DateTime<Utc>,
    pub(super) max_attempts: i32,
}

/// What an answer writes to a payment, worked out before anything is written.
pub(super) struct AnswerWrites {
    /// The payment's update, guarded by the ledger it was read with.
    pub(super) update: payment::ActiveModel,
    /// The operations it records.
    pub(super) operations: Vec<operation::ActiveModel>,
    /// The jobs it queues.
    pub(super) jobs: Vec<NewJob>,
    /// The payment's ledger after the answer.
    pub(super) ledger: Payment,
    /// What the attempt came to.
    pub(super) result: AttemptResult,
}

impl AnswerWrites {
    /// The event the answer makes (`payment.captured`, …), when it makes one.
    pub(super) fn event(&self) -> Option<String> {
        (self.ledger.stage() != Stage::Created).then(|| {
            format!(
                "payment.{}",
                self.ledger.direct_status().status.to_ascii_lowercase()
            )
        })
    }
}

impl PaymentEngine {
    /// Works out what the acquirer's `answer` (and a sale's capture, made by the caller)
    /// writes to payment `row`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn plan_answer(
        &self,
        merchant: &merchant::Model,
        row: &payment::Model,
        answer: AuthResult,
        mode: AuthMode,
        card: Option<&CheckedCard>,
        by: &Initiator,
        sale_capture: Option<String>,
    ) -> Result<AnswerWrites, EngineError> {
        let mut ledger = ledger(row).map_err(EngineError::Refused)?;
        // Kept in the row given back as written (`guarded_update_held`).
        let now = stored_now();
        let mut update: payment::ActiveModel = row.clone().into();
        update.attempts = Set(row.attempts + 1);
        update.updated_at = Set(now);
        update.awaiting_since = Set(None);
        let op = |kind: &str, amount: i64, result: &str| {
            super::operation_row(row.id, (kind, amount, result), Some(by), now)
        };
        let mut operations = Vec::new();
        let mut jobs = Vec::new();
        let result = match answer {
            AuthResult::Approved(approval) => {
                ledger.authorise().map_err(EngineError::Refused)?;
                let mut auth = op("authorise", row.amount, "approved");
                auth.authorisation_code = Set(Some(approval.authorisation_code.clone()));
                auth.rrn = Set(Some(approval.rrn.clone()));
                auth.terminal_id = Set(Some(approval.terminal_id.clone()));
                auth.eci = Set(Some(approval.eci.clone()));
                // A sale's two operations are written in one statement.
                operations.push(auth);
                update.authorisation_code = Set(Some(approval.authorisation_code));
                update.rrn = Set(Some(approval.rrn.clone()));
                update.terminal_id = Set(Some(approval.terminal_id));
                update.eci = Set(Some(approval.eci));
                update.refusal_code = Set(None);
                update.refusal_reason = Set(None);
                update.pending_card_enc = Set(None);
                update.authorised_at = Set(Some(now));
                if let Some(reference) = sale_capture {
                    ledger
                        .capture(row.amount, true, 0)
                        .map_err(EngineError::Refused)?;
                    let mut capture = op("capture", row.amount, "approved");
                    capture.is_final = Set(true);
                    capture.rrn = Set(Some(reference));
                    capture.authorisation_code = Set(None);
                    capture.terminal_id = Set(None);
                    capture.eci = Set(None);
                    operations.push(capture);
                } else if merchant.capture_procedure == "delayed" {
                    let at = now + Duration::hours(i64::from(merchant.capture_delay_hours.max(0)));
                    update.capture_after = Set(Some(at));
                    jobs.push(NewJob {
                        kind: jobs::kind::AUTO_CAPTURE,
                        payload: json!({ "payment": row.id }),
                        at,
                        max_attempts: 5,
                    });
                }
                AttemptResult::Approved
            }
            AuthResult::ChallengeRequired => {
                let card = card.ok_or(EngineError::Refused(PaymentError::WrongStatus))?;
                if ledger.stage() == Stage::Created {
                    ledger.redirect().map_err(EngineError::Refused)?;
                }
                update.pending_card_enc = Set(Some(crate::platform::crypto::seal(
                    &self.config.data_key,
                    &super::pending_card_binding(row.id),
                    &format!("{}|{}", card.number.expose_digits(), card.expiry.mmyy()),
                )));
                update.attempts = Set(row.attempts);
                AttemptResult::Challenge
            }
            AuthResult::Declined { code, reason, rrn } => {
                let attempts = row.attempts + 1;
                // On a hosted page the payer may retry up to the merchant's retry count.
                // A queued or uncertain authorisation has no payer left to try again.
                let final_try = row.hosted_checkout_id.is_none()
                    || attempts >= merchant.retry_count.max(1)
                    || ledger.stage() == Stage::Uncertain;
                if final_try {
                    ledger.reject().map_err(EngineError::Refused)?;
                }
                let mut auth = op("authorise", row.amount, "declined");
                auth.refusal_code = Set(Some(code.clone()));
                auth.refusal_reason = Set(Some(reason.clone()));
                auth.rrn = Set(Some(rrn));
                operations.push(auth);
                update.refusal_code = Set(Some(code.clone()));
                update.refusal_reason = Set(Some(reason.clone()));
                update.pending_card_enc = Set(None);
                AttemptResult::Declined { code, reason }
            }
            AuthResult::Timeout { rrn } => {
                ledger.mark_uncertain().map_err(EngineError::Refused)?;
                let mut auth = op("authorise", row.amount, "uncertain");
                auth.rrn = Set(Some(rrn.clone()));
                operations.push(auth);
                update.rrn = Set(Some(rrn));
                update.pending_card_enc = Set(None);
                jobs.push(NewJob {
                    kind: jobs::kind::RESOLVE_UNCERTAIN,
                    payload: json!({ "payment": row.id, "sale": mode == AuthMode::Sale }),
                    at: now + Duration::seconds(5),
                    max_attempts: 10,
                });
                AttemptResult::Uncertain
            }
            AuthResult::NotReached => {
                ledger.mark_uncertain().map_err(EngineError::Refused)?;
                let (job, sealed) = self.queued_authorisation(merchant, row, card, mode)?;
                jobs.push(job);
                update.pending_card_enc = Set(Some(sealed));
                // Shown as AUTHORIZATION_REQUESTED until the job writes the answer.
                operations.push(op("authorise", row.amount, "uncertain"));
                AttemptResult::Uncertain
            }
        };
        set_ledger(&mut update, &ledger);
        Ok(AnswerWrites {
            update,
            operations,
            jobs,
            ledger,
            result,
        })
    }

    /// Writes `writes` to payment `row` inside `txn`; the payment as written.
    pub(super) async fn write_planned<C: ConnectionTrait>(
        &self,
        txn: &C,
        merchant: &merchant::Model,
        row: payment::Model,
        writes: AnswerWrites,
    ) -> Result<(payment::Model, AttemptResult), EngineError> {
        let event = writes.event();
        if !writes.operations.is_empty() {
            operation::Entity::insert_many(writes.operations)
                .exec(txn)
                .await?;
        }
        for job in writes.jobs {
            jobs::enqueue(
                txn,
                Some(merchant.id),
                job.kind,
                job.payload,
                job.at,
                job.max_attempts,
            )
            .await?;
        }
        // `row` is as stored: written by this request or read by it.
        let row = crate::payments::records::guarded_update_held(txn, &row, writes.update).await?;
        crate::platform::metrics::payment_attempt(&row.channel, writes.result.outcome());
        super::linked::settle_linked_checkout(txn, &row, writes.ledger.stage()).await?;
        super::linked::settle_linked_link(txn, &row, writes.ledger.stage()).await?;
        if let Some(kind) = event {
            events::emit(txn, merchant, &kind, "payment", || wire::payment(&row)).await?;
        }
        Ok((row, writes.result))
    }
}

/// Whether `writes` to payment `row` can be written by [`write_alone`]: on PostgreSQL,
/// when they queue no job, no checkout or link is settled with them, no event is told
/// to the merchant, and their operations are written in one insert.
pub(super) fn alone(
    db: &DatabaseConnection,
    merchant: &merchant::Model,
    row: &payment::Model,
    writes: &AnswerWrites,
) -> bool {
    db.get_database_backend() == DbBackend::Postgres
        && writes.jobs.is_empty()
        && row.hosted_checkout_id.is_none()
        && row.payment_link_id.is_none()
        && writes
            .event()
            .is_none_or(|kind| !events::told(merchant, &kind))
}

/// Writes `writes` to payment `row`, with the request's answer (`store`, the idempotence
/// record's update, when the request keeps one), in one statement that commits by
/// itself (PostgreSQL; one round trip instead of a transaction's five). The payment's
/// guarded update comes first; the operations and the answer are written only with it
/// (`… WHERE EXISTS (SELECT 1 FROM g)`), so a payment changed meanwhile leaves nothing
/// written and is `Refused(Inconsistent)`, as `records::guarded_update_held` has it.
/// `update` and `after` are `records::held_update`'s. Gives whether the answer was stored.
pub(super) async fn write_alone(
    db: &DatabaseConnection,
    update: UpdateStatement,
    after: &payment::Model,
    writes: AnswerWrites,
    store: Option<UpdateStatement>,
) -> Result<bool, EngineError> {
    let mut values = Vec::new();
    let mut text = |statement: (String, sea_orm::sea_query::Values)| {
        let (sql, more) = statement;
        let sql = crate::platform::db::renumbered(&sql, values.len());
        values.extend(more.0);
        sql
    };
    let guarded = text(update.build(PostgresQueryBuilder));
    let mut sql = format!("WITH g AS ({guarded} RETURNING 1)");
    if !writes.operations.is_empty() {
        let insert = text(operations_after_guard(writes.operations)?.build(PostgresQueryBuilder));
        sql.push_str(&format!(", o AS ({insert})"));
    }
    let stores = store.is_some();
    if let Some(mut store) = store {
        store.and_where(sea_orm::sea_query::Expr::cust("EXISTS (SELECT 1 FROM g)"));
        let store = text(store.build(PostgresQueryBuilder));
        sql.push_str(&format!(", s AS ({store} RETURNING 1)"));
    }
    sql.push_str(" SELECT (SELECT count(*) FROM g) AS guarded");
    if stores {
        sql.push_str(", (SELECT count(*) FROM s) AS stored");
    }
    let written = crate::platform::db::one_statement(db, sql, values).await?;
    if written.try_get::<i64>("", "guarded")? != 1 {
        return Err(EngineError::Refused(PaymentError::Inconsistent));
    }
    let stored = stores && written.try_get::<i64>("", "stored")? == 1;
    crate::platform::metrics::payment_attempt(&after.channel, writes.result.outcome());
    Ok(stored)
}

/// The insert of `operations` that [`write_alone`] makes only with its guarded update `g`:
/// `INSERT INTO operations (…) SELECT column1, … FROM (VALUES (…), …) AS v WHERE EXISTS
/// (SELECT 1 FROM g)`. Every operation must give the same columns (a VALUES list cannot
/// leave one to its default); one that does not is refused before anything is written.
fn operations_after_guard(
    operations: Vec<operation::ActiveModel>,
) -> Result<InsertStatement, EngineError> {
    let not_as_expected = |what: &str| {
        EngineError::Db(sea_orm::DbErr::Custom(format!(
            "operations to write with the payment: {what}"
        )))
    };
    let mut given: Option<Vec<bool>> = None;
    let mut rows = Vec::with_capacity(operations.len());
    for operation in operations {
        let values: Vec<_> = operation::Column::iter()
            .map(|column| operation.get(column).into_value())
            .collect();
        let these: Vec<bool> = values.iter().map(Option::is_some).collect();
        if *given.get_or_insert_with(|| these.clone()) != these {
            return Err(not_as_expected("not all with the same columns"));
        }
        rows.push(ValueTuple::Many(values.into_iter().flatten().collect()));
    }
    let given = given.ok_or_else(|| not_as_expected("none"))?;
    let columns: Vec<operation::Column> = operation::Column::iter()
        .zip(&given)
        .filter_map(|(column, &is_given)| is_given.then_some(column))
        .collect();
    let mut select = Query::select();
    for n in 1..=columns.len() {
        select.expr(Expr::col(format!("column{n}")));
    }
    select
        .from_values(rows, "v")
        .and_where(Expr::cust("EXISTS (SELECT 1 FROM g)"));
    let mut insert = Query::insert();
    insert
        .into_table(operation::Entity)
        .columns(columns)
        .select_from(select)
        .map_err(|e| not_as_expected(&e.to_string()))?;
    Ok(insert)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(payment_id: i64, rrn: Option<&str>) -> operation::ActiveModel {
        let mut row = operation::ActiveModel {
            payment_id: Set(payment_id),
            kind: Set("CAPTURE".into()),
            ..Default::default()
        };
        if let Some(rrn) = rrn {
            row.rrn = Set(Some(rrn.into()));
        }
        row
    }

    #[test]
    fn the_operations_are_read_from_a_values_list_only_with_the_guarded_update() {
        let (sql, values) = operations_after_guard(vec![capture(7, None), capture(8, None)])
            .unwrap()
            .build(PostgresQueryBuilder);
        assert_eq!(
            sql,
            r#"INSERT INTO "operations" ("payment_id", "kind") SELECT "column1", "column2" FROM (VALUES ($1, $2), ($3, $4)) AS "v" WHERE EXISTS (SELECT 1 FROM g)"#
        );
        assert_eq!(values.0.len(), 4);
    }

    #[test]
    fn operations_giving_different_columns_are_refused() {
        let refused = operations_after_guard(vec![capture(7, None), capture(8, Some("1"))]);
        assert!(matches!(refused, Err(EngineError::Db(_))));
        assert!(matches!(
            operations_after_guard(vec![]),
            Err(EngineError::Db(_))
        ));
    }
}
