//! The jobs of payment links (PE-6): at its end a link expires (`paymentlink.expired`),
//! at its due date an unpaid invoice is marked overdue, a day before it the customer is
//! reminded once if the merchant asked, and a paid link's webhook is sent. A job that
//! finds the link changed since it was queued (paid, cancelled, its dates moved) does
//! nothing.

use super::store::{self, status, step};
use super::{mail, wire, PaylinkService};
use crate::entities::{merchant, payment_link};
use crate::platform::db::BeginWrite;
use crate::platform::mail as outbox;
use crate::webhooks::events;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

impl PaylinkService {
    async fn link_and_merchant(
        &self,
        link_id: i64,
    ) -> Result<Option<(payment_link::Model, merchant::Model)>, DbErr> {
        let Some(row) = payment_link::Entity::find_by_id(link_id)
            .one(self.engine.db())
            .await?
        else {
            return Ok(None);
        };
        let Some(m) = merchant::Entity::find_by_id(row.merchant_id)
            .one(self.engine.db())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((row, m)))
    }

    /// Runs the deadline `what` of link `link_id` queued for `at` (unix seconds).
    pub async fn deadline(&self, link_id: i64, what: &str, at: i64) -> Result<(), DbErr> {
        let Some((row, merchant)) = self.link_and_merchant(link_id).await? else {
            return Ok(());
        };
        let now = Utc::now();
        let txn = self.engine.db().begin_write().await?;
        match what {
            step::EXPIRE => {
                // Only the end the link still has, once reached.
                if row.expires_at.map(|e| e.timestamp()) != Some(at)
                    || row.expires_at.is_some_and(|e| e > now)
                {
                    return Ok(());
                }
                let done = payment_link::Entity::update_many()
                    .col_expr(payment_link::Column::Status, Expr::value(status::EXPIRED))
                    .col_expr(payment_link::Column::UpdatedAt, Expr::value(now))
                    .filter(payment_link::Column::Id.eq(row.id))
                    .filter(payment_link::Column::Status.eq(status::ACTIVE))
                    .exec(&txn)
                    .await?;
                if done.rows_affected == 1 {
                    store::event(&txn, row.id, "EXPIRED", "").await?;
                    let row = store::find(&txn, merchant.id, &row.public_id)
                        .await?
                        .unwrap_or(row);
                    let list = store::events_of(&txn, row.id).await?;
                    events::emit(
                        &txn,
                        &merchant,
                        "paymentlink.expired",
                        "paymentLink",
                        || wire::link(&row, &list, self.public_url()),
                    )
                    .await?;
                }
            }
            step::DUE
                if row.due_at.map(|d| d.timestamp()) == Some(at)
                    && row.status == status::ACTIVE
                    && row.due_at.is_some_and(|d| d <= now) =>
            {
                store::event(&txn, row.id, "OVERDUE", "").await?;
            }
            step::REMIND => {
                let due = row.due_at.map(|d| d.timestamp());
                if row.remind
                    && row.reminded_at.is_none()
                    && row.status == status::ACTIVE
                    && due.is_some_and(|d| d - 24 * 3600 == at)
                    && !row.recipient_email.is_empty()
                {
                    // Reminded once: the guarded update decides which run sends it.
                    let claimed = payment_link::Entity::update_many()
                        .col_expr(payment_link::Column::RemindedAt, Expr::value(now))
                        .filter(payment_link::Column::Id.eq(row.id))
                        .filter(payment_link::Column::RemindedAt.is_null())
                        .exec(&txn)
                        .await?;
                    if claimed.rows_affected == 1 {
                        let lang = crate::checkout::port::locale_lang(&row.locale);
                        let (subject, body) =
                            mail::compose(&merchant, &row, lang, true, self.public_url());
                        outbox::enqueue(
                            &txn,
                            Some(merchant.id),
                            &row.recipient_email,
                            &subject,
                            body,
                        )
                        .await?;
                        store::event(&txn, row.id, "REMINDED", &row.recipient_email).await?;
                    }
                }
            }
            _ => {}
        }
        txn.commit().await
    }

    /// The webhook of a paid link (queued by the engine with the answer).
    pub async fn paid(&self, link_id: i64) -> Result<(), DbErr> {
        let Some((row, merchant)) = self.link_and_merchant(link_id).await? else {
            return Ok(());
        };
        let list = store::events_of(self.engine.db(), row.id).await?;
        events::emit(
            self.engine.db(),
            &merchant,
            "paymentlink.paid",
            "paymentLink",
            || wire::link(&row, &list, self.public_url()),
        )
        .await
    }
}
