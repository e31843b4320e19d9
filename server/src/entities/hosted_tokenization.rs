//! A hosted tokenization session: the payer stores a card on our page; the merchant
//! reads the token back.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hosted_tokenizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_id: i64,
    pub token_id: Option<String>,
    pub token_status: String,
    pub locale: String,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// The data centre its page is served at (PL-4); older rows have none.
    pub data_centre: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
