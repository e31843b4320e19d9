//! A line of a payment's shopping cart; quantities in thousandths.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cart_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub payment_id: i64,
    pub position: i32,
    pub product_code: String,
    pub product_name: String,
    pub unit_price: i64,
    pub quantity_thousandths: i64,
    pub amount: i64,
    pub refunded_thousandths: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
