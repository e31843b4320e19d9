//! Activating an invited account (SP-1): once the mailed code is checked, the person
//! chooses their name and a password under the domain policy (which refuses their own
//! e-mail name and their organizations' names); the account turns active and a login
//! code is mailed at once.

use super::codes::{issue_in, Issue};
use super::organizations::organizations_of;
use super::{status, SupportAccountService};
use crate::account::service::internal;
use crate::entities::support_user;
use crate::platform::crypto;
use crate::platform::db::BeginWrite;
use app::account::PasswordRules;
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::{CodePurpose, SupportPending};
use chrono::Utc;
use domain::password::{PasswordContext, PasswordPolicy};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

impl SupportAccountService {
    /// What a password must avoid for `user`: their organizations' names and the name
    /// part of their e-mail.
    async fn context(&self, user: &support_user::Model) -> Result<PasswordContext, AppError> {
        let store_names = organizations_of(&self.db, user.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|o| o.name)
            .collect();
        let local = user.email.split('@').next().unwrap_or("").to_owned();
        Ok(PasswordContext {
            store_names,
            logins: vec![local],
        })
    }

    /// The password rules the activation form shows the pending person.
    pub(super) async fn rules_for(
        &self,
        pending: &SupportPending,
    ) -> Result<PasswordRules, AppError> {
        // The rules name the person's organizations: only for whoever proved the code.
        if pending.purpose != CodePurpose::Activate || !pending.verified {
            return Err(AppError::Unauthenticated);
        }
        let u = self.user(pending.user_id).await?;
        Ok(PasswordRules {
            min_length: PasswordPolicy::default().min_length(),
            context: self.context(&u).await?,
        })
    }

    /// Sets the name and password of an invited person whose code was checked, once:
    /// the account turns active and a login code is mailed.
    pub(super) async fn complete_activation(
        &self,
        pending: &SupportPending,
        full_name: String,
        password: String,
        ip: &str,
    ) -> Result<SupportPending, AppError> {
        if pending.purpose != CodePurpose::Activate || !pending.verified {
            return Err(AppError::Unauthenticated);
        }
        let u = self.user(pending.user_id).await?;
        if u.status != status::INVITED {
            return Err(AppError::NotAllowedNow);
        }
        let mut problems = Vec::new();
        let full_name = full_name.trim().to_owned();
        if full_name.is_empty() {
            problems.push(FieldError::new("full_name", Problem::Required));
        } else if full_name.chars().count() > 120 {
            problems.push(FieldError::new("full_name", Problem::TooLong));
        }
        if let Err(failed) = PasswordPolicy::default().validate(&password, &self.context(&u).await?)
        {
            problems.push(FieldError::new("password", Problem::Policy(failed)));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let hash = crypto::hash_password(password).await;
        let txn = self.db.begin_write().await.map_err(internal)?;
        let updated = support_user::Entity::update_many()
            .col_expr(support_user::Column::FullName, Expr::value(full_name))
            .col_expr(support_user::Column::PasswordHash, Expr::value(hash))
            .col_expr(support_user::Column::Status, Expr::value(status::ACTIVE))
            .col_expr(support_user::Column::ActivatedAt, Expr::value(Utc::now()))
            .filter(support_user::Column::Id.eq(u.id))
            .filter(support_user::Column::Status.eq(status::INVITED))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if updated.rows_affected != 1 {
            return Err(AppError::NotAllowedNow);
        }
        // The login code is issued under the same rules as any other; one sent less than
        // a minute ago still works.
        match issue_in(&txn, &self.config, u.id, CodePurpose::Login, ip)
            .await
            .map_err(internal)?
        {
            Issue::Sent | Issue::TooSoon => {}
            Issue::Refused(e) => {
                txn.rollback().await.map_err(internal)?;
                return Err(self.refused(&u, e, ip).await);
            }
        }
        txn.commit().await.map_err(internal)?;
        self.audit(&u, "support.activate", String::new(), ip).await;
        Ok(SupportPending {
            user_id: u.id,
            purpose: CodePurpose::Login,
            verified: false,
        })
    }
}
