//! A back-office user of one merchant.
use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub merchant_id: i64,
    pub login: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: String,
    pub is_primary: bool,
    pub active: bool,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    pub password_changed_at: Option<DateTimeUtc>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTimeUtc>,
    pub last_login_at: Option<DateTimeUtc>,
    pub time_zone: String,
    pub auto_dst: bool,
    pub language: String,
    pub created_at: DateTimeUtc,
    pub may_refund: bool,
    /// Filters shown on the payments list, comma-separated; empty for the default set.
    pub payment_filters: String,
    /// Columns shown on the payments list, comma-separated; empty for the default set.
    pub payment_columns: String,
    /// Raised when the user's other sessions must end (password changed or reset).
    pub session_epoch: i64,
    /// The second factor the user signs in with: empty, `totp` or `email` (MB-2).
    pub two_factor: String,
    /// The authenticator's secret, sealed with the data key and bound to the row.
    #[sea_orm(column_type = "Text", nullable)]
    pub totp_secret_enc: Option<String>,
    /// The secret being set up, sealed, until a code confirms it.
    #[sea_orm(column_type = "Text", nullable)]
    pub totp_pending_enc: Option<String>,
    /// The last time step whose code was accepted: a code is taken once.
    pub totp_last_step: Option<i64>,
    /// The recovery address once its owner followed the confirmation link.
    pub email_confirmed: Option<String>,
}

/// The hash never reaches a log.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("merchant_id", &self.merchant_id)
            .field("login", &self.login)
            .field("role", &self.role)
            .field("password_hash", &"[redacted]")
            .field("two_factor", &self.two_factor)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::merchant::Entity",
        from = "Column::MerchantId",
        to = "super::merchant::Column::Id"
    )]
    Merchant,
}

/// A user's merchant, read with the user in one query (`find_also_related`).
impl Related<super::merchant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Merchant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// User `id` while it is active and its sessions are still at `epoch` (not ended by a
    /// password change or reset since): the one test that a sign-in still holds.
    pub fn live(id: i64, epoch: i64) -> Select<Entity> {
        Entity::find_by_id(id)
            .filter(Column::Active.eq(true))
            .filter(Column::SessionEpoch.eq(epoch))
    }
}
