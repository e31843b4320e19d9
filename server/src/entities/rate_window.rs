//! A rate-limit window shared by every node (`platform/shared_limit.rs`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_windows")]
pub struct Model {
    /// SHA-256 (hex) of the limiter's name and the counted key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_hash: String,
    /// Seconds since the epoch, a multiple of the window's length.
    #[sea_orm(primary_key, auto_increment = false)]
    pub window_start: i64,
    pub hits: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
