//! Signing in (SP-1): the e-mail first — an invited person is mailed an activation code,
//! anyone else is asked for a password — then the password, rate-limited per address,
//! with a lockout after repeated failures, and the mailed code as second factor unless
//! this browser is still trusted.

use super::devices::device_trusted;
use super::{status, SupportAccountService};
use crate::account::service::internal;
use crate::platform::crypto;
use crate::platform::db::Autocommit;
use app::error::{AppError, Problem};
use app::support::accounts::{CodePurpose, SupportLogin, SupportPending, SupportStep};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

impl SupportAccountService {
    /// The step after the e-mail: an invited person gets an activation code (at most
    /// one a minute); anyone else, known or not, is asked for a password.
    pub(super) async fn start_sign_in(
        &self,
        email: String,
        ip: &str,
    ) -> Result<(SupportStep, Option<SupportPending>), AppError> {
        if domain::parse_email(&email).is_err() {
            return Err(AppError::field("email", Problem::InvalidEmail));
        }
        if !self
            .limiter
            .allow(&Autocommit(&self.db), ip)
            .await
            .map_err(internal)?
        {
            return Err(AppError::RateLimited);
        }
        match self.user_by_email(&email).await? {
            Some(u) if u.status == status::INVITED => {
                // A code sent less than a minute ago still works: nothing new then.
                self.issue_code(&u, CodePurpose::Activate, ip).await?;
                Ok((
                    SupportStep::ActivationCode,
                    Some(SupportPending {
                        user_id: u.id,
                        purpose: CodePurpose::Activate,
                        verified: false,
                    }),
                ))
            }
            _ => Ok((SupportStep::Password, None)),
        }
    }

    /// Checks the password of an active person: failures count towards the lockout; a
    /// trusted browser is signed in at once, any other is mailed a login code.
    pub(super) async fn check_password(
        &self,
        email: String,
        password: String,
        device: Option<String>,
        ip: &str,
    ) -> Result<SupportLogin, AppError> {
        if !self
            .limiter
            .allow(&Autocommit(&self.db), ip)
            .await
            .map_err(internal)?
        {
            return Err(AppError::RateLimited);
        }
        let found = self
            .user_by_email(&email)
            .await?
            .filter(|u| u.status == status::ACTIVE);
        let Some(u) = found else {
            // Same work as for a real person: timing does not tell who has an account.
            crypto::verify_password(password, None).await;
            return Err(AppError::InvalidCredentials);
        };
        let now = Utc::now();
        if let Some(until) = u.locked_until.filter(|until| *until > now) {
            self.audit(&u, "support.login.locked", String::new(), ip)
                .await;
            return Err(AppError::Locked {
                until: crate::support::tickets::format(until),
            });
        }
        let ok = crypto::verify_password(password, u.password_hash.clone()).await;
        let mut active = u.clone().into_active_model();
        if !ok {
            let failures = u.failed_logins + 1;
            active.failed_logins = Set(failures);
            if failures >= self.config.max_failed_logins.max(1) {
                active.locked_until =
                    Set(Some(now + Duration::seconds(self.config.lockout_seconds)));
                active.failed_logins = Set(0);
            }
            active
                .update(&Autocommit(&self.db))
                .await
                .map_err(internal)?;
            self.audit(&u, "support.login.failure", String::new(), ip)
                .await;
            return Err(AppError::InvalidCredentials);
        }
        active.failed_logins = Set(0);
        active.locked_until = Set(None);
        if device
            .as_deref()
            .is_some_and(|token| device_trusted(&self.config, u.id, token))
        {
            active.last_login_at = Set(Some(now));
            active
                .update(&Autocommit(&self.db))
                .await
                .map_err(internal)?;
            self.audit(&u, "support.login.success", "trusted browser".into(), ip)
                .await;
            return Ok(SupportLogin::Done(self.actor(&u)));
        }
        active
            .update(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        self.issue_code(&u, CodePurpose::Login, ip).await?;
        Ok(SupportLogin::Code(SupportPending {
            user_id: u.id,
            purpose: CodePurpose::Login,
            verified: false,
        }))
    }
}
