//! An e-mailed one-time code (activation or login), stored as its HMAC only.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `activate` or `login`.
    pub purpose: String,
    pub code_hash: String,
    pub attempts: i32,
    pub used: bool,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// The address the code was asked from.
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
