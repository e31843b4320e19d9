//! How a payment is stored: its public id, its ledger read back into the domain's state
//! machine, stored amounts, and the guarded writes that only succeed if nobody changed
//! the payment (or a cart line) since it was read.

use super::error::EngineError;
use crate::entities::{cart_line, operation, payment};
use crate::platform::audit::AuditEntry;
use domain::card::Brand;
use domain::cart::LineState;
use domain::money::{Currency, Money};
use domain::payment::{Payment, PaymentError, Stage};
use sea_orm::sea_query::{Expr, UpdateStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait, Iterable, ModelTrait, QueryFilter, QueryTrait, Set, TryIntoModel,
};

/// The result of a capture, refund or cancellation written before the acquirer is asked.
/// Its amount is already in the payment's ledger (a reservation nothing else can spend);
/// the acquirer's answer turns it `approved` or removes it with its reservation. While a
/// payment has one, no other change of it starts, and a retry of the request that wrote
/// it never asks the acquirer again.
pub const PENDING: &str = "pending";

/// Direct's public payment id of row `id`.
pub fn public_id(id: i64) -> String {
    format!("{id:010}_0")
}

/// The row id of a public payment id.
pub fn parse_public_id(public: &str) -> Option<i64> {
    let (number, _attempt) = public.split_once('_').unwrap_or((public, "0"));
    number.parse().ok().filter(|n| *n > 0)
}

/// The ledger of a stored payment.
pub fn ledger(p: &payment::Model) -> Result<Payment, PaymentError> {
    let stage = Stage::parse(&p.stage).ok_or(PaymentError::Inconsistent)?;
    Payment::restore(
        stage,
        p.amount,
        p.authorised,
        p.captured,
        p.refunded,
        p.capture_closed,
    )
}

/// `amount` in the currency named by a stored `currency` code.
pub fn stored_money(amount: i64, currency: &str) -> Result<Money, EngineError> {
    let currency = Currency::parse(currency)
        .ok_or_else(|| EngineError::invalid("currencyCode", "unknown stored currency"))?;
    Money::new(amount, currency).map_err(|e| EngineError::invalid("amount", e.to_string()))
}

pub(crate) fn set_ledger(update: &mut payment::ActiveModel, ledger: &Payment) {
    update.stage = Set(ledger.stage().code().to_owned());
    update.authorised = Set(ledger.authorised());
    update.captured = Set(ledger.captured());
    update.refunded = Set(ledger.refunded());
    update.capture_closed = Set(ledger.capture_closed());
}

/// The guard of an update of payment `before`: its stored ledger is still `before`'s.
fn ledger_unchanged(before: &payment::Model) -> Condition {
    Condition::all()
        .add(payment::Column::Id.eq(before.id))
        .add(payment::Column::Stage.eq(before.stage.as_str()))
        .add(payment::Column::Captured.eq(before.captured))
        .add(payment::Column::Refunded.eq(before.refunded))
        .add(payment::Column::CaptureClosed.eq(before.capture_closed))
        .add(payment::Column::Attempts.eq(before.attempts))
}

/// Writes `update` only if the stored ledger is still the one of `before`, and gives
/// the row as written (`RETURNING`); else `Refused(Inconsistent)` so the caller
/// recomputes from fresh data.
pub(crate) async fn guarded_update<C: ConnectionTrait>(
    conn: &C,
    before: &payment::Model,
    update: payment::ActiveModel,
) -> Result<payment::Model, EngineError> {
    let mut written = payment::Entity::update_many()
        .set(update)
        .filter(ledger_unchanged(before))
        .exec_with_returning(conn)
        .await?;
    match (written.pop(), written.is_empty()) {
        (Some(row), true) => Ok(row),
        _ => Err(EngineError::Refused(PaymentError::Inconsistent)),
    }
}

/// [`guarded_update`] of a row the caller holds as stored (returned by its insert or
/// read in the same request): the row is not read back, the one given back is `before`
/// with `update`'s values (reading back a payment's fifty columns costs more than the
/// update itself). Besides the ledger, the guard requires `before`'s `updated_at`: a
/// write since `before` was read that left the ledger alone (a payer's second attempt
/// recording its card and reference) moved it, so the update is refused as
/// `Inconsistent` rather than answered with a copy that misses that write. Timestamps
/// in `update` must be [`stored_now`]'s, whole microseconds, the precision PostgreSQL
/// keeps, so that the copy is what is stored.
pub(crate) async fn guarded_update_held<C: ConnectionTrait>(
    conn: &C,
    before: &payment::Model,
    update: payment::ActiveModel,
) -> Result<payment::Model, EngineError> {
    let (statement, after) = held_update(before, update)?;
    let written = conn.execute(&statement).await?;
    if written.rows_affected() == 1 {
        Ok(after)
    } else {
        Err(EngineError::Refused(PaymentError::Inconsistent))
    }
}

/// The statement of [`guarded_update_held`] and the row it gives back when it writes.
pub(crate) fn held_update(
    before: &payment::Model,
    update: payment::ActiveModel,
) -> Result<(UpdateStatement, payment::Model), EngineError> {
    let mut after = before.clone();
    for column in payment::Column::iter() {
        if let ActiveValue::Set(value) = update.get(column) {
            after.try_set(column, value)?;
        }
    }
    let statement = payment::Entity::update_many()
        .set(update)
        .filter(ledger_unchanged(before))
        .filter(payment::Column::UpdatedAt.eq(before.updated_at))
        .into_query();
    Ok((statement, after))
}

/// `new` with every column set: those it leaves out as NULL, so the stored row is the
/// one given back whatever defaults the table has. A column left out that cannot be
/// NULL is an error, not a guess. The id is left for the database.
fn full_row(new: payment::ActiveModel) -> Result<payment::ActiveModel, DbErr> {
    let mut row = payment::ActiveModel::default_values();
    for column in payment::Column::iter() {
        match new.get(column) {
            ActiveValue::Set(value) | ActiveValue::Unchanged(value) => {
                row.try_set(column, value)?;
            }
            ActiveValue::NotSet
                if matches!(column, payment::Column::Id) || column.def().is_null() => {}
            ActiveValue::NotSet => {
                return Err(DbErr::Custom(format!(
                    "payment insert: column {column:?} left out"
                )))
            }
        }
    }
    row.not_set(payment::Column::Id);
    Ok(row)
}

/// `row` given the id the database chose, as stored. Debug builds (every test) read the
/// row back and check that it is the one given.
async fn as_stored<C: ConnectionTrait>(
    conn: &C,
    mut row: payment::ActiveModel,
    id: i64,
) -> Result<payment::Model, DbErr> {
    row.id = Set(id);
    let stored = row.try_into_model()?;
    #[cfg(debug_assertions)]
    {
        let read = payment::Entity::find_by_id(id).one(conn).await?;
        assert_eq!(read.as_ref(), Some(&stored), "payment {id} as inserted");
    }
    #[cfg(not(debug_assertions))]
    let _ = conn;
    Ok(stored)
}

/// Inserts a new payment and gives it as stored, without reading it back (`RETURNING *`
/// decodes fifty columns, most of them still NULL, which costs more than the insert):
/// every column is written ([`full_row`]). Timestamps must be [`stored_now`]'s.
pub(crate) async fn insert_payment<C: ConnectionTrait>(
    conn: &C,
    new: payment::ActiveModel,
) -> Result<payment::Model, DbErr> {
    let row = full_row(new)?;
    let id = payment::Entity::insert(row.clone())
        .exec(conn)
        .await?
        .last_insert_id;
    as_stored(conn, row, id).await
}

/// A payment's public id ([`public_id`]) as PostgreSQL writes it from the row id in the
/// SQL expression `id`.
pub(crate) fn public_id_sql(id: &str) -> String {
    format!("lpad({id}::text, greatest(10, length({id}::text)), '0') || '_0'")
}

/// [`insert_payment`] and the audit row naming it, in one statement that commits by
/// itself (PostgreSQL; one round trip instead of a transaction's four): the audit's
/// detail is `audit.detail`, the payment's public id, then `detail_after`.
pub(crate) async fn insert_payment_audited(
    db: &DatabaseConnection,
    new: payment::ActiveModel,
    audit: &AuditEntry<'_>,
    detail_after: &str,
) -> Result<payment::Model, DbErr> {
    use sea_orm::sea_query::PostgresQueryBuilder;
    let row = full_row(new)?;
    let mut insert = payment::Entity::insert(row.clone()).into_query();
    insert.returning_col(payment::Column::Id);
    let (payment_sql, values) = insert.build(PostgresQueryBuilder);
    let mut values = values.0;
    let (audit_sql, audit_values) = crate::platform::audit::insert_from(
        audit,
        "p",
        (&public_id_sql("p.id"), detail_after),
        values.len() + 1,
    );
    values.extend(audit_values);
    let sql = format!("WITH p AS ({payment_sql}), a AS ({audit_sql}) SELECT id FROM p");
    let written = crate::platform::db::one_statement(db, sql, values).await?;
    let id: i64 = written.try_get("", "id")?;
    as_stored(db, row, id).await
}

/// Now, to the microsecond: what PostgreSQL stores of a time (SQLite keeps what it is
/// given), for a row kept in memory as written ([`guarded_update_held`]).
pub(crate) fn stored_now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// The change of payment `payment_id` that still awaits the acquirer's answer, if any.
pub(crate) async fn pending_change<C: ConnectionTrait>(
    conn: &C,
    payment_id: i64,
) -> Result<Option<operation::Model>, DbErr> {
    operation::Entity::find()
        .filter(operation::Column::PaymentId.eq(payment_id))
        .filter(operation::Column::Result.eq(PENDING))
        .one(conn)
        .await
}

/// The change written by the API request `reference` that still awaits the acquirer's
/// answer, if any.
pub async fn pending_change_of_request<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
) -> Result<Option<operation::Model>, DbErr> {
    operation::Entity::find()
        .filter(operation::Column::IdempotenceRef.eq(reference))
        .filter(operation::Column::Result.eq(PENDING))
        .one(conn)
        .await
}

/// What the domain's cart math needs of a stored line.
pub fn line_state(l: &cart_line::Model) -> LineState {
    LineState {
        unit_price: l.unit_price,
        quantity: l.quantity_thousandths,
        refunded: l.refunded_thousandths,
    }
}

/// Writes `after` over `before` unless someone changed the line since it was read;
/// `false` when they did.
pub(crate) async fn rewrite_line<C: ConnectionTrait>(
    conn: &C,
    before: &cart_line::Model,
    after: &cart_line::Model,
) -> Result<bool, EngineError> {
    let result = cart_line::Entity::update_many()
        .col_expr(cart_line::Column::UnitPrice, Expr::value(after.unit_price))
        .col_expr(
            cart_line::Column::QuantityThousandths,
            Expr::value(after.quantity_thousandths),
        )
        .col_expr(cart_line::Column::Amount, Expr::value(after.amount))
        .col_expr(
            cart_line::Column::RefundedThousandths,
            Expr::value(after.refunded_thousandths),
        )
        .filter(cart_line::Column::Id.eq(before.id))
        .filter(cart_line::Column::UnitPrice.eq(before.unit_price))
        .filter(cart_line::Column::QuantityThousandths.eq(before.quantity_thousandths))
        .filter(cart_line::Column::RefundedThousandths.eq(before.refunded_thousandths))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The card brand of a stored payment.
pub fn brand_of(p: &payment::Model) -> Option<Brand> {
    p.payment_product_id
        .and_then(Brand::from_payment_product_id)
}
