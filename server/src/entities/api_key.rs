//! An API key (MB-16): the secret is kept encrypted with the data key for v1HMAC.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub key_id: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub secret_enc: String,
    pub secret_hint: String,
    pub reveal_until: DateTimeUtc,
    pub created_by: Option<i64>,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
