//! An incident or a planned maintenance of the status page.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "status_incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// `incident` or `maintenance`.
    pub kind: String,
    /// Incidents: `investigating`, `identified`, `monitoring`, `resolved`; maintenance:
    /// `scheduled`, `in_progress`, `completed`.
    pub stage: String,
    /// Ids of the components concerned, comma separated.
    #[sea_orm(column_type = "Text")]
    pub components: String,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
