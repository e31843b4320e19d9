//! A merchant account (PSPID) in one environment.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub pspid: String,
    pub environment: String,
    pub legal_name: String,
    pub commercial_name: String,
    pub email: String,
    pub default_time_zone: String,
    pub languages: String,
    pub password_min_length: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
