//! What a payment's answer settles beyond the payment, in the transaction that writes
//! the answer: the hosted checkout that holds it, and the payment link it was paid
//! through (a single-use link becomes paid; the link's `paymentlink.paid` webhook and
//! event follow by a job).

use super::EngineError;
use crate::entities::{hosted_checkout, payment, payment_link, payment_link_event};
use crate::platform::jobs;
use chrono::Utc;
use domain::payment::Stage;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Marks the hosted checkout that holds `row` paid once the payment has a final answer
/// (or an uncertain one, which its job resolves), inside the transaction that writes
/// the answer, so a reconciled payment settles its checkout too. A checkout that is no
/// longer in progress (cancelled by the payer, expired) keeps its status.
pub(super) async fn settle_linked_checkout<C: ConnectionTrait>(
    txn: &C,
    row: &payment::Model,
    stage: Stage,
) -> Result<(), EngineError> {
    let Some(checkout_id) = &row.hosted_checkout_id else {
        return Ok(());
    };
    if matches!(stage, Stage::Created | Stage::Redirected) {
        return Ok(());
    }
    hosted_checkout::Entity::update_many()
        .col_expr(
            hosted_checkout::Column::Status,
            Expr::value("PAYMENT_CREATED"),
        )
        .filter(hosted_checkout::Column::Id.eq(checkout_id.as_str()))
        .filter(hosted_checkout::Column::MerchantId.eq(row.merchant_id))
        .filter(hosted_checkout::Column::PaymentId.eq(row.id))
        .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
        .exec(txn)
        .await?;
    Ok(())
}

/// Marks the payment link `row` was paid through once the payment is authorised: a
/// single-use link becomes paid by this payment (only if it is still active and this
/// payment's checkout is the link's), a reusable one counts the payment.
pub(super) async fn settle_linked_link<C: ConnectionTrait>(
    txn: &C,
    row: &payment::Model,
    stage: Stage,
) -> Result<(), EngineError> {
    let Some(link_id) = row.payment_link_id else {
        return Ok(());
    };
    if stage != Stage::Authorised {
        return Ok(());
    }
    let Some(link) = payment_link::Entity::find_by_id(link_id)
        .filter(payment_link::Column::MerchantId.eq(row.merchant_id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let mut update = payment_link::Entity::update_many()
        .col_expr(payment_link::Column::PaymentId, Expr::value(row.id))
        .col_expr(
            payment_link::Column::Payments,
            Expr::col(payment_link::Column::Payments).add(1),
        )
        .col_expr(payment_link::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(payment_link::Column::Id.eq(link.id));
    if !link.reusable {
        update = update
            .col_expr(
                payment_link::Column::Status,
                Expr::value(payment_link::status::PAID),
            )
            .filter(
                payment_link::Column::Status
                    .is_in([payment_link::status::ACTIVE, payment_link::status::EXPIRED]),
            );
        if let Some(checkout) = &row.hosted_checkout_id {
            update = update.filter(payment_link::Column::CheckoutId.eq(checkout.as_str()));
        }
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Ok(());
    }
    payment_link_event::ActiveModel {
        link_id: Set(link.id),
        kind: Set("PAID".to_owned()),
        details: Set(crate::payments::records::public_id(row.id)),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    jobs::enqueue(
        txn,
        Some(row.merchant_id),
        jobs::kind::LINK_PAID,
        serde_json::json!({ "link": link.id, "payment": row.id }),
        Utc::now(),
        10,
    )
    .await?;
    Ok(())
}
