//! The home cluster of a merchant of another cluster (PL-4), read by the generic endpoint.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_homes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pspid: String,
    /// `world`, `europe` or `india`.
    pub cluster: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
