//! A payment link (MB-35, MB-36, API): a template made in the back office (`link`), an
//! invoice mailed to a customer (`invoice`) or a link made through the API (`api`).
use domain::paylink::LinkStatus;
use sea_orm::entity::prelude::*;

/// Stored statuses (Expired is also derived from `expires_at`).
pub mod status {
    /// Can be paid.
    pub const ACTIVE: &str = "ACTIVE";
    /// A single-use link that was paid.
    pub const PAID: &str = "PAID";
    /// Disabled in the back office or cancelled through the API.
    pub const CANCELLED: &str = "CANCELLED";
    /// Past its end (written by its deadline job).
    pub const EXPIRED: &str = "EXPIRED";
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The id in its address and in the API (`paymentLinkId`): the payer's secret.
    pub public_id: String,
    pub merchant_id: i64,
    /// `link`, `invoice` or `api`.
    pub kind: String,
    pub name: String,
    pub internal_note: String,
    pub title: String,
    pub description: String,
    pub currency: String,
    /// Fixed amount; `None` when the payer enters it within `min_amount..=max_amount`.
    pub amount: Option<i64>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub merchant_reference: String,
    pub recipient_name: String,
    pub recipient_email: String,
    pub merchant_customer_id: Option<String>,
    /// The customer's language (invoices) or the page's default.
    pub locale: String,
    #[sea_orm(column_type = "Text")]
    pub cart_json: String,
    /// The fields the payer fills in (`LinkFields`).
    #[sea_orm(column_type = "Text")]
    pub fields_json: String,
    pub reusable: bool,
    /// `ACTIVE`, `PAID`, `CANCELLED` or `EXPIRED`.
    pub status: String,
    pub due_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub remind: bool,
    pub reminded_at: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    /// The hosted checkout a single-use link has open (one at a time).
    pub checkout_id: Option<String>,
    /// The payment that paid it (the last one, for a reusable link).
    pub payment_id: Option<i64>,
    /// Payments made through it.
    pub payments: i32,
    pub return_url: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The status the merchant, the payer and the engine see at `now`: the stored one,
    /// with a link past its end expired even before its deadline job has run.
    pub fn status_at(&self, now: chrono::DateTime<chrono::Utc>) -> LinkStatus {
        LinkStatus::of(
            self.status == status::CANCELLED,
            self.reusable,
            self.status == status::PAID,
            if self.status == status::EXPIRED {
                Some(now)
            } else {
                self.expires_at
            },
            now,
        )
    }
}
