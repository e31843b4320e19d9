//! A merchant's fraud rule (MB-19); `domain::fraud::Rule` is what it means.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fraud_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    /// `max_amount`, `card_country`, `ip_country`, `bin_range`, `card_number`,
    /// `velocity_card`, `velocity_email`, `velocity_ip`.
    pub kind: String,
    /// `block` or `review`.
    pub action: String,
    pub currency: Option<String>,
    pub amount: Option<i64>,
    /// Country code, lowest BIN, or a card's keyed fingerprint.
    pub value: String,
    /// Highest BIN.
    pub value_high: String,
    /// What is shown of a blocked card (masked 6+4).
    pub shown: String,
    pub max_attempts: Option<i32>,
    pub window_minutes: Option<i32>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
