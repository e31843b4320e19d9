//! A card terminal that connected to the gateway (TG-2); new until bound to a merchant.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "terminals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub terminal_id: String,
    pub merchant_id: Option<i64>,
    pub model: String,
    pub connected: bool,
    pub peer: String,
    pub last_seen: Option<DateTimeUtc>,
    pub bound_at: Option<DateTimeUtc>,
    /// The address (no port) the terminal was paired from; a Hello from outside
    /// `bound_address/bound_prefix` is refused.
    pub bound_address: Option<String>,
    /// The binding's network prefix length: the whole address, or wider when an Admin
    /// widened it.
    pub bound_prefix: Option<i16>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
