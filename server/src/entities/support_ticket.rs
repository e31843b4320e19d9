//! A support ticket (SP-4).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub reference: String,
    /// `incident` or `request`.
    pub kind: String,
    pub area_id: i64,
    pub request_type_id: i64,
    pub summary: String,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub status: String,
    pub priority: String,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    pub reporter_id: i64,
    pub organization_id: Option<i64>,
    /// Shared with the reporter's organization.
    pub shared: bool,
    pub assignee_id: Option<i64>,
    /// Payment the ticket is about (SP-10).
    pub payment_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub first_response_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
