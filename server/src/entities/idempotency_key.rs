//! An idempotence record (API-2): the first request's hash and, once done, its response.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub key: String,
    pub request_hash: String,
    pub status_code: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub response_body: Option<String>,
    pub first_request_millis: i64,
    pub created_at: DateTimeUtc,
    /// The server process running the request while it has no response.
    pub owner: Option<String>,
    /// Until when (milliseconds since the epoch) the owner holds the request.
    pub lease_until_millis: Option<i64>,
    /// Random reference the payment or operation this request produced carries.
    pub reference: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
