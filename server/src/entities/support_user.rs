//! A person of the support portal: a customer (in organizations) or an agent.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "support_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub full_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub password_hash: Option<String>,
    pub is_agent: bool,
    /// `invited`, `active`, `disabled`.
    pub status: String,
    pub notify_email: bool,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub invited_by: String,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    /// Sign-in by mailed code refused until then (repeated failure rounds).
    pub code_locked_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The name shown for the person: full name, else e-mail.
    pub fn display_name(&self) -> String {
        if self.full_name.is_empty() {
            self.email.clone()
        } else {
            self.full_name.clone()
        }
    }
}
