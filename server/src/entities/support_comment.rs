//! An entry of a ticket's communication history: a comment (Markdown), an internal note, or an event (status change).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub author_id: Option<i64>,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Agents only.
    pub internal: bool,
    /// Empty for a comment; the status code reached for a status change.
    pub event: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
