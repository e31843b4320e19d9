//! A knowledge-base article (Markdown), indexed for full-text search.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_articles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub keywords: String,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The body as plain text: what the index and the snippets read.
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    pub area_id: Option<i64>,
    pub request_type_id: Option<i64>,
    /// Customers see published articles only.
    pub published: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
