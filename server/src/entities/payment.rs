//! A payment: its ledger (derived from operations, kept in step in one transaction) and card facts.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub channel: String,
    pub merchant_reference: String,
    pub merchant_customer_id: Option<String>,
    pub description: String,
    pub currency: String,
    pub amount: i64,
    pub authorised: i64,
    pub captured: i64,
    pub refunded: i64,
    pub stage: String,
    pub capture_closed: bool,
    pub authorization_mode: String,
    pub payment_product_id: Option<i32>,
    pub brand: Option<String>,
    pub masked_card: Option<String>,
    pub card_last4: Option<String>,
    pub card_expiry: Option<String>,
    pub card_holder: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_card_enc: Option<String>,
    pub token_id: Option<String>,
    pub eci: Option<String>,
    pub authorisation_code: Option<String>,
    pub rrn: Option<String>,
    pub terminal_id: Option<String>,
    pub refusal_code: Option<String>,
    pub refusal_reason: Option<String>,
    pub attempts: i32,
    pub return_url: Option<String>,
    pub hosted_checkout_id: Option<String>,
    pub customer_email: Option<String>,
    pub customer_ip: Option<String>,
    pub locale: String,
    pub capture_after: Option<DateTimeUtc>,
    /// The terminal's receipt of a card-present payment.
    #[sea_orm(column_type = "Text", nullable)]
    pub receipt: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The reference of the API request (idempotence record) that created it.
    pub idempotence_ref: Option<String>,
    /// Since when the acquirer's answer to an attempt is awaited (set before it is
    /// asked, cleared when its answer is written).
    pub awaiting_since: Option<DateTimeUtc>,
    /// The payment link it was paid through.
    pub payment_link_id: Option<i64>,
    /// What the payer entered on the link's page (a JSON object of name → value).
    #[sea_orm(column_type = "Text", nullable)]
    pub payer_fields: Option<String>,
    /// Fraud screening's verdict (`accepted`, `challenged`, `denied`); none before it.
    pub fraud_result: Option<String>,
    /// The fraud rules that matched, as the back office shows them.
    pub fraud_rule: Option<String>,
    /// Keyed hash of the card number (velocity per card, blocked cards).
    pub card_fingerprint: Option<String>,
    /// When the acquirer authorised it; an uncaptured authorisation is released a
    /// reservation period later (none before it, and on rows older than the column:
    /// their creation counts).
    pub authorised_at: Option<DateTimeUtc>,
    /// The customer's mobile number, E.164 (SMS notifications, MB-15).
    pub customer_mobile: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
