//! An e-mailed one-time code or link of a back-office user (MB-2): the sign-in code,
//! the code that enables the e-mailed factor, the link confirming an address. Only an
//! HMAC of the code is kept, with the tries made against it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    /// `login`, `enable` or `confirm`.
    pub purpose: String,
    pub code_hash: String,
    /// The address a confirmation link confirms.
    pub target: Option<String>,
    pub tries: i32,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
