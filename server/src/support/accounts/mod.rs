//! The support portal's accounts (SP-1): invitations, activation with an e-mailed
//! 8-digit code, passwords under the domain policy, sign-in with lockout and a mailed
//! one-time code as second factor, asked again every 7 days per browser (a signed,
//! expiring device cookie), and the profile.
//!
//! [`SupportAccountService`] answers the portal's [`SupportAccountPort`]; each part of a
//! person's account has its own module below, and the active-person checks other
//! support modules rely on ([`active_person`], [`require_agent`]) live here.

mod activation;
pub mod codes;
pub mod demo;
pub mod devices;
pub mod invitations;
pub mod organizations;
mod profile;
mod sign_in;

use crate::account::service::internal;
use crate::entities::support_user;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::shared_limit::SharedLimiter;
use app::account::PasswordRules;
use app::error::AppError;
use app::support::accounts::{
    SupportAccountPort, SupportActor, SupportLogin, SupportMe, SupportOrganizationView,
    SupportPending, SupportStep, SupportVerified,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::sync::Arc;

/// Statuses of a support user.
pub mod status {
    /// Invited, never signed in.
    pub const INVITED: &str = "invited";
    /// Activated.
    pub const ACTIVE: &str = "active";
}

/// The support person `user_id` if their account is active; `Unauthenticated` otherwise
/// (a session outliving a blocked account ends there).
pub async fn active_person<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<support_user::Model, AppError> {
    support_user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .map_err(internal)?
        .filter(|u| u.status == status::ACTIVE)
        .ok_or(AppError::Unauthenticated)
}

/// The active support person `user_id` if they are an agent; `Forbidden` for a customer.
pub async fn require_agent<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<support_user::Model, AppError> {
    let person = active_person(db, user_id).await?;
    if person.is_agent {
        Ok(person)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The port's implementation.
pub struct SupportAccountService {
    db: DatabaseConnection,
    config: Arc<Config>,
    limiter: SharedLimiter,
}

impl SupportAccountService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        let limiter = SharedLimiter::new(
            "support-sign-in",
            config.login_rate_per_minute.max(1),
            std::time::Duration::from_secs(60),
        );
        SupportAccountService {
            db,
            config,
            limiter,
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<support_user::Model>, AppError> {
        let Ok(email) = domain::parse_email(email) else {
            return Ok(None);
        };
        support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .map_err(internal)
    }

    async fn user(&self, id: i64) -> Result<support_user::Model, AppError> {
        support_user::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)
    }

    async fn audit(&self, user: &support_user::Model, action: &str, detail: String, ip: &str) {
        let entry = AuditEntry {
            merchant_id: None,
            user_id: None,
            actor: &user.email,
            action,
            detail,
            ip,
        };
        if let Err(e) = audit::record(&self.db, entry).await {
            tracing::warn!(error = %e, "audit row not written");
        }
    }

    /// The signed-in person, for the session: signed in until the absolute lifetime of
    /// sessions runs out, however active.
    fn actor(&self, user: &support_user::Model) -> SupportActor {
        SupportActor {
            user_id: user.id,
            email: user.email.clone(),
            is_agent: user.is_agent,
            until: (chrono::Utc::now()
                + chrono::Duration::seconds(self.config.session_max_seconds))
            .timestamp(),
        }
    }
}

#[async_trait::async_trait]
impl SupportAccountPort for SupportAccountService {
    async fn organizations(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportOrganizationView>, AppError> {
        self.directory(actor).await
    }

    async fn invite(
        &self,
        actor: &SupportActor,
        email: String,
        organization: String,
        agent: bool,
    ) -> Result<Vec<SupportOrganizationView>, AppError> {
        self.invite_person(actor, email, organization, agent).await
    }

    async fn begin(
        &self,
        email: String,
        ip: &str,
    ) -> Result<(SupportStep, Option<SupportPending>), AppError> {
        self.start_sign_in(email, ip).await
    }

    async fn login(
        &self,
        email: String,
        password: String,
        device: Option<String>,
        ip: &str,
    ) -> Result<SupportLogin, AppError> {
        self.check_password(email, password, device, ip).await
    }

    async fn verify(
        &self,
        pending: &SupportPending,
        code: String,
        ip: &str,
    ) -> Result<SupportVerified, AppError> {
        self.check_code(pending, code, ip).await
    }

    async fn resend(&self, pending: &SupportPending, ip: &str) -> Result<(), AppError> {
        self.send_again(pending, ip).await
    }

    async fn activation_rules(&self, pending: &SupportPending) -> Result<PasswordRules, AppError> {
        self.rules_for(pending).await
    }

    async fn activate(
        &self,
        pending: &SupportPending,
        full_name: String,
        password: String,
        ip: &str,
    ) -> Result<SupportPending, AppError> {
        self.complete_activation(pending, full_name, password, ip)
            .await
    }

    async fn me(&self, actor: &SupportActor) -> Result<SupportMe, AppError> {
        self.profile(actor).await
    }

    async fn save_profile(
        &self,
        actor: &SupportActor,
        full_name: String,
        notify_email: bool,
    ) -> Result<SupportMe, AppError> {
        self.update_profile(actor, full_name, notify_email).await
    }
}
