//! The payments list's query (MB-31): the merchant's payments matching a filter, sorted
//! as asked, for the list page and the exports; what each status label stands for.

use crate::entities::{operation, payment};
use crate::payments::records::{ledger, parse_public_id};
use app::error::{AppError, FieldError, Problem};
use app::payments::PaymentFilter;
use domain::payment::{Label, Stage};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

/// The rows a label stands for.
fn label_condition(label: Label) -> Condition {
    use payment::Column as C;
    let authorised = C::Stage.eq(Stage::Authorised.code());
    match label {
        Label::New => Condition::any()
            .add(C::Stage.eq(Stage::Created.code()))
            .add(C::Stage.eq(Stage::Redirected.code()))
            .add(C::Stage.eq(Stage::Uncertain.code())),
        Label::Uncaptured => Condition::all().add(authorised).add(C::Captured.eq(0)),
        Label::Succeeded => Condition::all()
            .add(authorised)
            .add(C::Captured.gt(0))
            .add(C::Refunded.eq(0)),
        Label::PartialRefund => Condition::all().add(authorised).add(C::Refunded.gt(0)).add(
            sea_orm::sea_query::ExprTrait::lt(Expr::col(C::Refunded), Expr::col(C::Captured)),
        ),
        Label::Refunded => Condition::all().add(authorised).add(C::Refunded.gt(0)).add(
            sea_orm::sea_query::ExprTrait::eq(Expr::col(C::Refunded), Expr::col(C::Captured)),
        ),
        Label::Declined => Condition::all().add(C::Stage.eq(Stage::Rejected.code())),
        Label::Cancelled => Condition::all().add(C::Stage.eq(Stage::Cancelled.code())),
        Label::Expired => Condition::all().add(C::Stage.eq(Stage::Expired.code())),
    }
}

pub(crate) fn label_of(p: &payment::Model) -> Label {
    ledger(p).map(|l| l.label()).unwrap_or(Label::New)
}

/// The merchant's payments matching `f`, sorted as asked (the list and the exports).
pub(crate) fn filtered(
    merchant_id: i64,
    zone: &domain::ZonePreference,
    f: &PaymentFilter,
) -> Result<sea_orm::Select<payment::Entity>, AppError> {
    use payment::Column as C;
    let mut problems = Vec::new();
    let mut query = payment::Entity::find().filter(C::MerchantId.eq(merchant_id));
    let mut start = None;
    let mut end = None;
    if !f.from.is_empty() {
        match zone.start_of_day(&f.from) {
            Some(t) => start = Some(t),
            None => problems.push(FieldError::new("from", Problem::InvalidDate)),
        }
    }
    if !f.to.is_empty() {
        match zone.start_of_day(&f.to) {
            Some(t) => end = Some(t + chrono::Duration::days(1)),
            None => problems.push(FieldError::new("to", Problem::InvalidDate)),
        }
    }
    if f.date_kind == "captured" {
        // Payments with an approved capture in the range.
        if start.is_some() || end.is_some() {
            let mut captures = sea_orm::sea_query::Query::select();
            captures
                .column(operation::Column::PaymentId)
                .from(operation::Entity)
                .and_where(operation::Column::Kind.eq("capture"))
                .and_where(operation::Column::Result.eq("approved"));
            if let Some(t) = start {
                captures.and_where(operation::Column::CreatedAt.gte(t));
            }
            if let Some(t) = end {
                captures.and_where(operation::Column::CreatedAt.lt(t));
            }
            query = query.filter(C::Id.in_subquery(captures.to_owned()));
        }
    } else {
        let date_col = if f.date_kind == "updated" {
            C::UpdatedAt
        } else {
            C::CreatedAt
        };
        if let Some(t) = start {
            query = query.filter(date_col.gte(t));
        }
        if let Some(t) = end {
            query = query.filter(date_col.lt(t));
        }
    }
    for (name, raw, min) in [
        ("min_amount", &f.min_amount, true),
        ("max_amount", &f.max_amount, false),
    ] {
        if raw.trim().is_empty() {
            continue;
        }
        match raw.trim().parse::<i64>() {
            Ok(v) if min => query = query.filter(C::Amount.gte(v)),
            Ok(v) => query = query.filter(C::Amount.lte(v)),
            Err(_) => problems.push(FieldError::new(name, Problem::InvalidAmount)),
        }
    }
    match f.fraud.as_str() {
        "" => {}
        "denied" | "challenged" => query = query.filter(C::FraudResult.eq(f.fraud.as_str())),
        _ => problems.push(FieldError::new("fraud", Problem::OutOfRange)),
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    if !f.reference.trim().is_empty() {
        query = query.filter(C::MerchantReference.contains(f.reference.trim()));
    }
    if !f.alias.trim().is_empty() {
        query = query.filter(C::TokenId.eq(f.alias.trim()));
    }
    if !f.email.trim().is_empty() {
        query = query.filter(C::CustomerEmail.contains(f.email.trim()));
    }
    if !f.last4.trim().is_empty() {
        query = query.filter(C::CardLast4.eq(f.last4.trim()));
    }
    if !f.payment_id.trim().is_empty() {
        query = query.filter(C::Id.eq(parse_public_id(f.payment_id.trim()).unwrap_or(-1)));
    }
    let labels: Vec<Label> = f.statuses.iter().filter_map(|s| Label::parse(s)).collect();
    if !labels.is_empty() {
        query = query.filter(
            labels
                .into_iter()
                .fold(Condition::any(), |c, l| c.add(label_condition(l))),
        );
    }
    let order = if f.desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    query = match f.sort.as_str() {
        "amount" => query.order_by(C::Amount, order.clone()),
        "reference" => query.order_by(C::MerchantReference, order.clone()),
        "updated" => query.order_by(C::UpdatedAt, order.clone()),
        _ => query.order_by(C::CreatedAt, order.clone()),
    }
    .order_by(C::Id, order);
    Ok(query)
}
