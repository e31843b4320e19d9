//! The profile (SP-1): who is signed in — e-mail, name, organizations, whether they are
//! support staff — and the name and e-mail notifications they may change.

use super::organizations::organizations_of;
use super::{status, SupportAccountService};
use crate::account::service::internal;
use crate::entities::support_user;
use crate::platform::db::Autocommit;
use app::error::{AppError, Problem};
use app::support::accounts::{SupportActor, SupportMe};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

impl SupportAccountService {
    /// The profile of `user` as the portal shows it.
    async fn me_of(&self, user: &support_user::Model) -> Result<SupportMe, AppError> {
        let memberships: Vec<(i64, String)> = organizations_of(&self.db, user.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(SupportMe {
            email: user.email.clone(),
            full_name: user.full_name.clone(),
            organizations: memberships.iter().map(|(_, name)| name.clone()).collect(),
            memberships,
            is_agent: user.is_agent,
            notify_email: user.notify_email,
        })
    }

    /// The signed-in person's profile, while their account is active.
    pub(super) async fn profile(&self, actor: &SupportActor) -> Result<SupportMe, AppError> {
        let u = self.user(actor.user_id).await?;
        if u.status != status::ACTIVE {
            return Err(AppError::Unauthenticated);
        }
        self.me_of(&u).await
    }

    /// Saves the signed-in person's name and whether they are told of changes by e-mail.
    pub(super) async fn update_profile(
        &self,
        actor: &SupportActor,
        full_name: String,
        notify_email: bool,
    ) -> Result<SupportMe, AppError> {
        let u = self.user(actor.user_id).await?;
        let full_name = full_name.trim().to_owned();
        if full_name.is_empty() {
            return Err(AppError::field("full_name", Problem::Required));
        }
        if full_name.chars().count() > 120 {
            return Err(AppError::field("full_name", Problem::TooLong));
        }
        let mut active = u.into_active_model();
        active.full_name = Set(full_name);
        active.notify_email = Set(notify_email);
        let u = active
            .update(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        self.me_of(&u).await
    }
}
