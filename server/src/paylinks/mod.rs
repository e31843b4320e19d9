//! Pay by link (MB-35, MB-36, HP-1, PE-6, Payment Links API): links made from a template
//! in the back office, invoices mailed to a customer and links made through the API, all
//! one `payment_links` row paid through the hosted checkout.
//!
//! - `form` the server's decision on the pages' forms; `store` rows, events, deadline
//!   jobs; `wire` the Direct JSON; `mail` the invoice and link e-mails; `payer` the
//!   pre-payment page and the checkout it opens (one open checkout per single-use link);
//!   `deadlines` the jobs (expiry, overdue, reminder, the paid link's webhook); `port`
//!   the pages' `PaylinksPort`; `qr` the link's QR code.
//!
//! A link is paid when the payment of a checkout it opened is authorised: the engine
//! marks it in the transaction that writes the answer (`payments::engine::linked`).

pub mod deadlines;
pub mod demo;
pub mod form;
pub mod mail;
pub mod payer;
pub mod port;
pub mod store;
pub mod wire;

use crate::entities::{merchant, payment_link};
use crate::payments::engine::PaymentEngine;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::webhooks::events;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use store::{status, NewLink};

/// `GET /operations/invoice/cart-template.csv`: the cart import's template.
pub async fn cart_template() -> impl axum::response::IntoResponse {
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"cart-template.csv\"",
            ),
        ],
        domain::cart_import::TEMPLATE,
    )
}

/// Who made a change, for the audit log.
pub struct By<'a> {
    /// User id (back office).
    pub user_id: Option<i64>,
    /// Login or API key.
    pub actor: &'a str,
    /// Address.
    pub ip: &'a str,
}

/// Why a link cannot be changed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No such link for this merchant.
    #[error("unknown payment link")]
    NotFound,
    /// Paid, cancelled or expired already.
    #[error("the payment link is {0}")]
    NotNow(&'static str),
    /// The merchant's account does not accept the link's currency (MB-10).
    #[error("the account does not accept this currency")]
    Currency,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Payment links over the payment engine.
#[derive(Clone)]
pub struct PaylinkService {
    pub(crate) engine: PaymentEngine,
}

impl PaylinkService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        PaylinkService { engine }
    }

    /// The deployment's public address.
    pub fn public_url(&self) -> &str {
        &self.engine.config().public_url
    }

    /// Creates a link (an invoice is mailed unless `send` is false); a request that
    /// made it already (its answer was lost) gets the same link back.
    pub async fn create(
        &self,
        merchant: &merchant::Model,
        new: NewLink,
        send: bool,
        by: &By<'_>,
    ) -> Result<payment_link::Model, LinkError> {
        if !domain::company::accepts(&merchant.currencies, new.currency) {
            return Err(LinkError::Currency);
        }
        let public_id = crate::payments::engine::new_id_for_request("paymentlink");
        if let Some(made) = store::find(self.engine.db(), merchant.id, &public_id).await? {
            return Ok(made);
        }
        let kind = new.kind;
        let txn = self.engine.db().begin_write().await?;
        let row = store::insert(&txn, merchant, &public_id, new, by.user_id).await?;
        events::emit(&txn, merchant, "paymentlink.created", "paymentLink", || {
            wire::link(&row, &[], self.public_url())
        })
        .await?;
        let row = if send && !row.recipient_email.is_empty() {
            let to = row.recipient_email.clone();
            mail::send(&txn, merchant, &row, &to, None, self.public_url()).await?
        } else {
            row
        };
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: match kind {
                    store::Kind::Invoice => "invoice.issue",
                    _ => "paymentlink.create",
                },
                detail: format!("{} {}", row.public_id, row.merchant_reference),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Changes a template's settings (kind, payments and status stay).
    pub async fn update(
        &self,
        merchant: &merchant::Model,
        public_id: &str,
        new: NewLink,
        by: &By<'_>,
    ) -> Result<payment_link::Model, LinkError> {
        let row = store::find(self.engine.db(), merchant.id, public_id)
            .await?
            .ok_or(LinkError::NotFound)?;
        let (amount, min, max) = match new.amount {
            domain::paylink::AmountRule::Fixed(a) => (Some(a), None, None),
            domain::paylink::AmountRule::Entered { min, max } => (None, Some(min), Some(max)),
        };
        let txn = self.engine.db().begin_write().await?;
        let mut update: payment_link::ActiveModel = row.into();
        use sea_orm::{ActiveModelTrait, Set};
        update.name = Set(new.name);
        update.internal_note = Set(new.internal_note);
        update.title = Set(new.title);
        update.description = Set(new.description);
        update.currency = Set(new.currency.code().to_owned());
        update.amount = Set(amount);
        update.min_amount = Set(min);
        update.max_amount = Set(max);
        update.fields_json = Set(serde_json::to_string(&new.asked).unwrap_or_else(|_| "{}".into()));
        update.reusable = Set(new.reusable);
        update.expires_at = Set(new.expires_at);
        update.updated_at = Set(Utc::now());
        let row = update.update(&txn).await?;
        // A link whose end was moved ahead is payable again; its new end gets its job.
        if row.status == status::EXPIRED && row.expires_at.is_none_or(|e| e > Utc::now()) {
            payment_link::Entity::update_many()
                .col_expr(payment_link::Column::Status, Expr::value(status::ACTIVE))
                .filter(payment_link::Column::Id.eq(row.id))
                .filter(payment_link::Column::Status.eq(status::EXPIRED))
                .exec(&txn)
                .await?;
        }
        store::schedule(&txn, &row).await?;
        store::event(&txn, row.id, "UPDATED", "").await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: "paymentlink.update",
                detail: row.public_id.clone(),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        store::find(self.engine.db(), merchant.id, public_id)
            .await?
            .ok_or(LinkError::NotFound)
    }

    /// Cancels (disables) a link that is not paid: the payer's page refuses it from now
    /// on, and a checkout it opened can no longer be paid.
    pub async fn cancel(
        &self,
        merchant: &merchant::Model,
        public_id: &str,
        by: &By<'_>,
    ) -> Result<payment_link::Model, LinkError> {
        let row = store::find(self.engine.db(), merchant.id, public_id)
            .await?
            .ok_or(LinkError::NotFound)?;
        let txn = self.engine.db().begin_write().await?;
        let done = payment_link::Entity::update_many()
            .col_expr(payment_link::Column::Status, Expr::value(status::CANCELLED))
            .col_expr(payment_link::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment_link::Column::Id.eq(row.id))
            .filter(payment_link::Column::Status.is_in([status::ACTIVE, status::EXPIRED]))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(if row.status == status::CANCELLED {
                LinkError::NotNow("cancelled already")
            } else {
                LinkError::NotNow("paid")
            });
        }
        store::event(&txn, row.id, "CANCELLED", "").await?;
        let row = store::find(&txn, merchant.id, public_id)
            .await?
            .ok_or(LinkError::NotFound)?;
        let events_list = store::events_of(&txn, row.id).await?;
        events::emit(
            &txn,
            merchant,
            "paymentlink.cancelled",
            "paymentLink",
            || wire::link(&row, &events_list, self.public_url()),
        )
        .await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: if row.kind == store::Kind::Invoice.code() {
                    "invoice.cancel"
                } else {
                    "paymentlink.cancel"
                },
                detail: row.public_id.clone(),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Mails a link to `to` (in `locale`'s language, else the link's).
    pub async fn share(
        &self,
        merchant: &merchant::Model,
        public_id: &str,
        to: &str,
        locale: Option<&str>,
    ) -> Result<payment_link::Model, LinkError> {
        let row = store::find(self.engine.db(), merchant.id, public_id)
            .await?
            .ok_or(LinkError::NotFound)?;
        if !row.status_at(Utc::now()).payable() {
            return Err(LinkError::NotNow(wire::status_code(&row)));
        }
        let txn = self.engine.db().begin_write().await?;
        let row = mail::send(&txn, merchant, &row, to, locale, self.public_url()).await?;
        txn.commit().await?;
        Ok(row)
    }
}
