//! The end of a sign-in: the session it gives, and the lockout count of failed steps
//! (a wrong password or a wrong second factor count alike).

use super::{internal, zone_of, AccountService};
use crate::entities::{merchant, user};
use crate::platform::audit::{self, AuditEntry};
use app::account::{Actor, LoginSuccess};
use app::error::AppError;
use chrono::{Duration, Utc};
use domain::{Lang, Role};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel, Set};

impl AccountService {
    /// The session a user gets once every factor was checked.
    pub(crate) fn signed_in(
        &self,
        m: &merchant::Model,
        u: &user::Model,
        now: chrono::DateTime<Utc>,
    ) -> LoginSuccess {
        let role = Role::parse(&u.role).unwrap_or(Role::ReadOnly);
        LoginSuccess {
            actor: Actor {
                user_id: u.id,
                merchant_id: m.id,
                role,
                login: u.login.clone(),
                epoch: u.session_epoch,
                until: (now + Duration::seconds(self.config.session_max_seconds)).timestamp(),
                setup_required: m.require_two_factor
                    && domain::two_factor::Method::parse(&u.two_factor).is_none(),
                password_expired: domain::password::password_expired(
                    u.password_changed_at.unwrap_or(u.created_at),
                    m.password_lifetime_days,
                    now,
                ),
            },
            lang: Lang::parse(&u.language).unwrap_or_default(),
            second_factor: None,
        }
    }

    /// Signs `u` in within `txn`: the failure count starts again, the sign-in is dated
    /// and audited (`how` names the second factor used, if any).
    pub(crate) async fn finish_sign_in<C: ConnectionTrait>(
        &self,
        txn: &C,
        m: &merchant::Model,
        u: &user::Model,
        who: &str,
        how: &str,
        ip: &str,
    ) -> Result<LoginSuccess, AppError> {
        let now = Utc::now();
        let mut active = u.clone().into_active_model();
        active.failed_logins = Set(0);
        active.locked_until = Set(None);
        active.last_login_at = Set(Some(now));
        active.update(txn).await.map_err(internal)?;
        audit::record(
            txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: who,
                action: "login.success",
                detail: how.to_owned(),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        Ok(self.signed_in(m, u, now))
    }

    /// Counts a failed sign-in step of `u` (a wrong password or second factor) toward
    /// the lockout, in `txn`, with its audit row; answers the error to show.
    pub(crate) async fn count_failure<C: ConnectionTrait>(
        &self,
        txn: &C,
        u: &user::Model,
        who: &str,
        reason: &str,
        ip: &str,
    ) -> Result<AppError, AppError> {
        let now = Utc::now();
        // A lock that has run out starts a fresh count.
        let previous = if u.locked_until.is_some() {
            0
        } else {
            u.failed_logins
        };
        let failures = previous + 1;
        let lock = (failures >= self.config.max_failed_logins)
            .then(|| now + Duration::seconds(self.config.lockout_seconds));
        let mut active = u.clone().into_active_model();
        active.failed_logins = Set(if lock.is_some() { 0 } else { failures });
        active.locked_until = Set(lock);
        active.update(txn).await.map_err(internal)?;
        audit::record(
            txn,
            AuditEntry {
                merchant_id: Some(u.merchant_id),
                user_id: Some(u.id),
                actor: who,
                action: if lock.is_some() {
                    "login.lockout"
                } else {
                    "login.failure"
                },
                detail: format!("{reason}, failure {failures}"),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        Ok(match lock {
            Some(until) => AppError::Locked {
                until: zone_of(u).format(until),
            },
            None => AppError::InvalidCredentials,
        })
    }
}
