//! A merchant's setting of one payment method (MB-11); a method without a row has its
//! default (`domain::methods`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_methods")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    /// Direct's `paymentProductId`.
    pub method_code: i32,
    pub active: bool,
    /// Comma-separated ISO 4217 codes; empty for all.
    pub currencies: String,
    /// Comma-separated ISO 3166-1 alpha-2 codes; empty for all.
    pub countries: String,
    pub updated_at: DateTimeUtc,
    /// Wallets: Google Pay on mobile (MB-15); `active` is Google Pay in the browser.
    pub mobile_active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
