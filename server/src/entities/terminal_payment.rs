//! A payment sent to a terminal (TG-2, TG-4): queued, sent, then finished with its
//! result and the ledger payment it became.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "terminal_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub terminal_id: String,
    pub amount: i64,
    pub currency: String,
    pub merchant_reference: String,
    /// `queued`, `sent`, `finished`.
    pub state: String,
    /// `WAITING_FOR_CARD`, `WAITING_FOR_PIN`, `FINISHED`.
    pub stage: String,
    /// `APPROVED`, `DECLINED`, `ERROR`, `STOPPED`, `TECHNICAL_PROBLEM`.
    pub result: Option<String>,
    pub cancel_requested: bool,
    pub payment_id: Option<i64>,
    pub authorisation_code: Option<String>,
    pub brand: Option<String>,
    pub masked_card: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub receipt: Option<String>,
    pub user_id: Option<i64>,
    pub api_key_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
