//! Something that happened to a payment link (`paymentLinkEvents`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_link_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub link_id: i64,
    /// `CREATED`, `SENT`, `REMINDED`, `PAID`, `CANCELLED`, `EXPIRED`, `OVERDUE`.
    pub kind: String,
    /// E.g. the address it was sent to, or the payment id.
    pub details: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
