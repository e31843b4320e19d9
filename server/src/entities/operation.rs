//! One operation on a payment (authorise, capture, cancel, refund, expire) with its result.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub payment_id: i64,
    pub kind: String,
    pub amount: i64,
    pub result: String,
    pub is_final: bool,
    pub refusal_code: Option<String>,
    pub refusal_reason: Option<String>,
    pub authorisation_code: Option<String>,
    pub rrn: Option<String>,
    pub terminal_id: Option<String>,
    pub eci: Option<String>,
    pub user_id: Option<i64>,
    pub api_key_id: Option<String>,
    pub reference: Option<String>,
    pub created_at: DateTimeUtc,
    /// The reference of the API request (idempotence record) that made it.
    pub idempotence_ref: Option<String>,
    /// What a pending change reserved (JSON: the payment's ledger and cart lines before
    /// and after), so it can be given back if the acquirer did not do it.
    #[sea_orm(column_type = "Text", nullable)]
    pub reservation: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
