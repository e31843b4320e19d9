//! A file attached to a ticket; its bytes live in the data directory under `storage_key`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    /// The comment it came with, if any.
    pub comment_id: Option<i64>,
    pub uploader_id: i64,
    /// As uploaded, cleaned of path separators and control characters.
    pub file_name: String,
    /// Decided from the content, never from the name or the browser.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
