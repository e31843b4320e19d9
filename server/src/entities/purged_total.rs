//! What the retention purge kept of the payments it deleted (MB-10): per merchant, day
//! (in UTC, `YYYY-MM-DD`) and currency, the count and the amounts authorised, captured and
//! refunded, so totals over a purged period stay true.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purged_totals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub day: String,
    pub currency: String,
    pub payments: i64,
    pub authorised: i64,
    pub captured: i64,
    pub refunded: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
