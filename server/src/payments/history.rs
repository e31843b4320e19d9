//! The financial history (MB-37): the approved captures, refunds and cancels of a
//! merchant, who did each, for the history page and its exports.

use crate::account::service::internal;
use crate::entities::{operation, payment, user};
use crate::payments::records::public_id;
use app::error::{AppError, FieldError, Problem};
use app::payments::HistoryFilter;
use chrono::{DateTime, Utc};
use sea_orm::DbErr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// Who did `op`: the user's login, `API <key>`, or nobody (the system).
pub(crate) fn done_by(op: &operation::Model, logins: &[(i64, String)]) -> String {
    match (op.user_id, &op.api_key_id) {
        (Some(id), _) => logins
            .iter()
            .find(|(uid, _)| *uid == id)
            .map(|(_, login)| login.clone())
            .unwrap_or_default(),
        (None, Some(key)) => format!("API {key}"),
        _ => String::new(),
    }
}

/// The logins of the users who did `ops`.
pub(crate) async fn user_logins(
    db: &sea_orm::DatabaseConnection,
    ops: &[operation::Model],
) -> Result<Vec<(i64, String)>, AppError> {
    let ids: Vec<i64> = ops.iter().filter_map(|o| o.user_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect())
}

/// The operations the financial history lists: money that moved.
pub const HISTORY_KINDS: [&str; 3] = ["capture", "refund", "cancel"];

/// The merchant's approved captures, refunds and cancels matching `f`, newest first.
pub(crate) async fn history_filtered(
    db: &sea_orm::DatabaseConnection,
    merchant_id: i64,
    zone: &domain::ZonePreference,
    f: &HistoryFilter,
) -> Result<sea_orm::Select<operation::Entity>, AppError> {
    use operation::Column as C;
    let mut problems = Vec::new();
    let mut payments = sea_orm::sea_query::Query::select();
    payments
        .column(payment::Column::Id)
        .from(payment::Entity)
        .and_where(payment::Column::MerchantId.eq(merchant_id));
    let mut query = operation::Entity::find()
        .filter(C::PaymentId.in_subquery(payments.to_owned()))
        .filter(C::Result.eq("approved"));
    for (name, raw, end) in [("from", &f.from, false), ("to", &f.to, true)] {
        if raw.trim().is_empty() {
            continue;
        }
        match zone.start_of_day(raw) {
            Some(t) if end => query = query.filter(C::CreatedAt.lt(t + chrono::Duration::days(1))),
            Some(t) => query = query.filter(C::CreatedAt.gte(t)),
            None => problems.push(FieldError::new(name, Problem::InvalidDate)),
        }
    }
    match f.kind.as_str() {
        "" => query = query.filter(C::Kind.is_in(HISTORY_KINDS)),
        kind if HISTORY_KINDS.contains(&kind) => query = query.filter(C::Kind.eq(kind)),
        _ => problems.push(FieldError::new("kind", Problem::OutOfRange)),
    }
    if !f.user.trim().is_empty() {
        let who = user::Entity::find()
            .filter(user::Column::MerchantId.eq(merchant_id))
            .filter(user::Column::Login.eq(f.user.trim().to_lowercase()))
            .one(db)
            .await
            .map_err(internal)?;
        match who {
            Some(u) => query = query.filter(C::UserId.eq(u.id)),
            None => problems.push(FieldError::new("user", Problem::InvalidIdentifier)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(query
        .order_by(C::CreatedAt, sea_orm::Order::Desc)
        .order_by(C::Id, sea_orm::Order::Desc))
}

/// One line of the financial history, typed: the page formats it for the user's
/// language, the exports write it as cells.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    /// When the operation was recorded.
    pub at: DateTime<Utc>,
    /// `capture`, `refund` or `cancel`.
    pub kind: String,
    /// The payment's public id.
    pub payment_id: String,
    /// The payment's merchant reference.
    pub reference: String,
    /// Minor units of `currency`.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Who did it (see [`done_by`]).
    pub by: String,
    /// The acquirer's reference.
    pub rrn: String,
}

/// The history entries of `ops`, in the same order.
pub async fn entries(
    db: &sea_orm::DatabaseConnection,
    ops: &[operation::Model],
) -> Result<Vec<HistoryEntry>, DbErr> {
    let payment_ids: Vec<i64> = ops.iter().map(|o| o.payment_id).collect();
    let payments = payment::Entity::find()
        .filter(payment::Column::Id.is_in(payment_ids))
        .all(db)
        .await?;
    let logins = user_logins(db, ops)
        .await
        .map_err(|_| DbErr::Custom("reading the operations' users".to_owned()))?;
    Ok(ops
        .iter()
        .map(|op| {
            let p = payments.iter().find(|p| p.id == op.payment_id);
            HistoryEntry {
                at: op.created_at,
                kind: op.kind.clone(),
                payment_id: public_id(op.payment_id),
                reference: p.map(|p| p.merchant_reference.clone()).unwrap_or_default(),
                amount: op.amount,
                currency: p.map(|p| p.currency.clone()).unwrap_or_default(),
                by: done_by(op, &logins),
                rrn: op.rrn.clone().unwrap_or_default(),
            }
        })
        .collect())
}
