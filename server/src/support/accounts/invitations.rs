//! Invitations (SP-1): an agent (or the command line) invites a person by e-mail into an
//! organization, created if new, or as support staff; a person not yet active is mailed
//! the invitation with a link to the sign-in page.

use super::organizations::{join, organization_named};
use super::{require_agent, status, SupportAccountService};
use crate::account::service::internal;
use crate::entities::support_user;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use crate::platform::mail;
use app::error::{AppError, Problem};
use app::support::accounts::{SupportActor, SupportOrganizationView};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

/// Creates `organization` if needed and invites `email` into it (or, for an existing
/// person, adds the membership); mails the invitation to a person not yet active.
pub async fn invite(
    db: &DatabaseConnection,
    config: &Config,
    email: &str,
    organization: Option<&str>,
    agent: bool,
    invited_by: &str,
) -> Result<support_user::Model, AppError> {
    let email =
        domain::parse_email(email).map_err(|_| AppError::field("email", Problem::InvalidEmail))?;
    let txn = db.begin_write().await.map_err(internal)?;
    let now = Utc::now();
    let user = match support_user::Entity::find()
        .filter(support_user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await
        .map_err(internal)?
    {
        Some(u) => u,
        None => support_user::ActiveModel {
            email: Set(email.clone()),
            full_name: Set(String::new()),
            password_hash: Set(None),
            is_agent: Set(agent),
            status: Set(status::INVITED.to_owned()),
            notify_email: Set(true),
            failed_logins: Set(0),
            locked_until: Set(None),
            invited_by: Set(invited_by.chars().take(254).collect()),
            created_at: Set(now),
            activated_at: Set(None),
            last_login_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?,
    };
    if let Some(name) = organization.map(str::trim).filter(|n| !n.is_empty()) {
        let org = organization_named(&txn, name).await.map_err(internal)?;
        join(&txn, user.id, org.id).await.map_err(internal)?;
    }
    if user.status == status::INVITED {
        mail::enqueue(
            &txn,
            None,
            &user.email,
            "You are invited to OpenPSP Support",
            format!(
                "Hello,\n\n{invited_by} invited you to OpenPSP Support, where you raise incidents and requests and follow them with the support team.\n\nLogin to your account: {}/support/login?email={}\n\nOn your first visit we e-mail you a verification code; then you choose your name and password.\n\nOpenPSP Support\n",
                config.public_url,
                email.replace('+', "%2B").replace('@', "%40"),
            ),
        )
        .await
        .map_err(internal)?;
    }
    audit::record(
        &txn,
        AuditEntry {
            merchant_id: None,
            user_id: None,
            actor: invited_by,
            action: "support.invite",
            detail: format!("{email} into {}", organization.unwrap_or("-")),
            ip: "",
        },
    )
    .await
    .map_err(internal)?;
    txn.commit().await.map_err(internal)?;
    Ok(user)
}

impl SupportAccountService {
    /// An agent invites `email` into `organization` (required unless the person joins
    /// the support staff); answers the organizations as they now are.
    pub(super) async fn invite_person(
        &self,
        actor: &SupportActor,
        email: String,
        organization: String,
        agent: bool,
    ) -> Result<Vec<SupportOrganizationView>, AppError> {
        let me = require_agent(&self.db, actor.user_id).await?;
        let organization = organization.trim();
        if organization.is_empty() && !agent {
            return Err(AppError::field("organization", Problem::Required));
        }
        if organization.chars().count() > 120 {
            return Err(AppError::field("organization", Problem::TooLong));
        }
        invite(
            &self.db,
            &self.config,
            &email,
            (!organization.is_empty()).then_some(organization),
            agent,
            &me.email,
        )
        .await?;
        self.directory(actor).await
    }
}
