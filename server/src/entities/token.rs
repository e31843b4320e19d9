//! A card token: the number AES-256-GCM encrypted with the data key, never in clear.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_id: i64,
    pub merchant_customer_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub card_enc: String,
    pub brand: String,
    pub payment_product_id: i32,
    pub masked_card: String,
    pub expiry: String,
    pub card_holder: String,
    pub created_at: DateTimeUtc,
    /// When a payment last used the token; `None` before the first.
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
