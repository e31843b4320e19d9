//! Payment links in the database: what a new link is, writing it with its first event,
//! its deadline jobs and webhook, and reading a merchant's links back. Every query names
//! the merchant, except the payer's read by the link's secret id.

use crate::entities::{payment_link, payment_link_event};
use crate::platform::jobs;
use chrono::{DateTime, Duration, Utc};
use domain::money::Currency;
use domain::paylink::{AmountRule, Asked};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What made a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A template of the back office (MB-36).
    Link,
    /// An invoice mailed to a customer (MB-35).
    Invoice,
    /// The Payment Links API.
    Api,
}

impl Kind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Link => "link",
            Kind::Invoice => "invoice",
            Kind::Api => "api",
        }
    }
}

pub use crate::entities::payment_link::status;

/// A line of an invoice's cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLine {
    /// Product or service.
    pub name: String,
    /// Unit price, minor units.
    pub unit_price: i64,
    /// Units in thousandths.
    pub quantity_thousandths: i64,
    /// Unit of measure.
    #[serde(default)]
    pub measure: String,
    /// The vendor's article code.
    #[serde(default)]
    pub article: String,
}

/// A link to write.
pub struct NewLink {
    /// What makes it.
    pub kind: Kind,
    /// Name (merchant only).
    pub name: String,
    /// Note (merchant only).
    pub internal_note: String,
    /// Title for the payer.
    pub title: String,
    /// Description for the payer.
    pub description: String,
    /// Currency.
    pub currency: Currency,
    /// Fixed or entered amount.
    pub amount: AmountRule,
    /// Merchant reference of the payments.
    pub merchant_reference: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's e-mail.
    pub recipient_email: String,
    /// Merchant customer id (offers "save my card").
    pub merchant_customer_id: Option<String>,
    /// The payer's language (`en`, `fr`, …).
    pub locale: String,
    /// Cart (its total is the fixed amount).
    pub cart: Vec<StoredLine>,
    /// Fields asked.
    pub asked: Asked,
    /// Many payments (else one).
    pub reusable: bool,
    /// When payment is due (invoices).
    pub due_at: Option<DateTime<Utc>>,
    /// When it stops being payable (`None`: never).
    pub expires_at: Option<DateTime<Utc>>,
    /// Remind the recipient a day before `due_at`.
    pub remind: bool,
    /// Where the payer returns after paying.
    pub return_url: Option<String>,
}

/// The amount rule stored on `row`.
pub fn amount_rule(row: &payment_link::Model) -> AmountRule {
    match row.amount {
        Some(amount) => AmountRule::Fixed(amount),
        None => AmountRule::Entered {
            min: row.min_amount.unwrap_or(1),
            max: row.max_amount.unwrap_or(i64::MAX),
        },
    }
}

/// The fields `row` asks.
pub fn asked(row: &payment_link::Model) -> Asked {
    serde_json::from_str(&row.fields_json).unwrap_or_default()
}

/// The cart of `row`.
pub fn cart(row: &payment_link::Model) -> Vec<StoredLine> {
    serde_json::from_str(&row.cart_json).unwrap_or_default()
}

/// Records an event of `row`.
pub async fn event<C: ConnectionTrait>(
    conn: &C,
    link_id: i64,
    kind: &str,
    details: &str,
) -> Result<(), DbErr> {
    payment_link_event::ActiveModel {
        link_id: Set(link_id),
        kind: Set(kind.to_owned()),
        details: Set(details.chars().take(254).collect()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Job steps of a link's deadlines.
pub mod step {
    /// The invoice's due date passed.
    pub const DUE: &str = "due";
    /// A day before the due date.
    pub const REMIND: &str = "remind";
    /// The end of the action period.
    pub const EXPIRE: &str = "expire";
}

/// Writes `new` for `merchant` with the id `public_id`, its `CREATED` event and its
/// deadline jobs, through `txn`.
pub async fn insert<C: ConnectionTrait>(
    txn: &C,
    merchant: &crate::entities::merchant::Model,
    public_id: &str,
    new: NewLink,
    created_by: Option<i64>,
) -> Result<payment_link::Model, DbErr> {
    let now = Utc::now();
    let (amount, min, max) = match new.amount {
        AmountRule::Fixed(amount) => (Some(amount), None, None),
        AmountRule::Entered { min, max } => (None, Some(min), Some(max)),
    };
    let row = payment_link::ActiveModel {
        public_id: Set(public_id.to_owned()),
        merchant_id: Set(merchant.id),
        kind: Set(new.kind.code().to_owned()),
        name: Set(new.name),
        internal_note: Set(new.internal_note),
        title: Set(new.title),
        description: Set(new.description),
        currency: Set(new.currency.code().to_owned()),
        amount: Set(amount),
        min_amount: Set(min),
        max_amount: Set(max),
        merchant_reference: Set(new.merchant_reference),
        recipient_name: Set(new.recipient_name),
        recipient_email: Set(new.recipient_email),
        merchant_customer_id: Set(new.merchant_customer_id),
        locale: Set(new.locale),
        cart_json: Set(serde_json::to_string(&new.cart).unwrap_or_else(|_| "[]".into())),
        fields_json: Set(serde_json::to_string(&new.asked).unwrap_or_else(|_| "{}".into())),
        reusable: Set(new.reusable),
        status: Set(status::ACTIVE.to_owned()),
        due_at: Set(new.due_at),
        expires_at: Set(new.expires_at),
        remind: Set(new.remind),
        reminded_at: Set(None),
        sent_at: Set(None),
        checkout_id: Set(None),
        payment_id: Set(None),
        payments: Set(0),
        return_url: Set(new.return_url),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    event(txn, row.id, "CREATED", "").await?;
    schedule(txn, &row).await?;
    Ok(row)
}

/// Queues the deadline jobs of `row`: expiry, due date and reminder (a job that finds
/// the link changed since does nothing).
pub async fn schedule<C: ConnectionTrait>(txn: &C, row: &payment_link::Model) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut steps = Vec::new();
    if let Some(end) = row.expires_at {
        steps.push((step::EXPIRE, end));
    }
    if let Some(due) = row.due_at {
        if row.expires_at.is_none_or(|end| due < end) {
            steps.push((step::DUE, due));
        }
        let remind_at = due - Duration::hours(24);
        if row.remind && remind_at > now {
            steps.push((step::REMIND, remind_at));
        }
    }
    for (what, at) in steps {
        jobs::enqueue(
            txn,
            Some(row.merchant_id),
            jobs::kind::LINK_DEADLINE,
            json!({ "link": row.id, "step": what, "at": at.timestamp() }),
            at,
            10,
        )
        .await?;
    }
    Ok(())
}

/// A merchant's link by its public id.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    public_id: &str,
) -> Result<Option<payment_link::Model>, DbErr> {
    payment_link::Entity::find()
        .filter(payment_link::Column::MerchantId.eq(merchant_id))
        .filter(payment_link::Column::PublicId.eq(public_id))
        .one(conn)
        .await
}

/// The events of a link, oldest first.
pub async fn events_of<C: ConnectionTrait>(
    conn: &C,
    link_id: i64,
) -> Result<Vec<payment_link_event::Model>, DbErr> {
    use sea_orm::QueryOrder;
    payment_link_event::Entity::find()
        .filter(payment_link_event::Column::LinkId.eq(link_id))
        .order_by_asc(payment_link_event::Column::Id)
        .all(conn)
        .await
}
