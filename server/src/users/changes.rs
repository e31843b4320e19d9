//! The changes an Admin makes to users: create (with the welcome link), edit, deactivate
//! and reactivate, unlock, "send new password", reset the second factor. Each runs in
//! one transaction holding the merchant's lock, with its audit row; the rules on the
//! Admin's own account and on the last active Admin are checked inside it.

use super::{active_admins, checked_person, record, user_of, Admin, UsersService};
use crate::account::provisioning::{
    self, mail_password_link, mail_text, InvitedUser, PasswordLink, ProvisionError,
};
use crate::account::service::{end_sessions, internal};
use crate::entities::{recovery_code, user, user_code};
use crate::platform::audit::{self, changes};
use crate::platform::db::{BeginWrite, WriteTxn};
use crate::platform::mail;
use app::error::{AppError, FieldError, Problem};
use app::i18n::T;
use app::users::{NewUserForm, UserAction, UserEdit};
use chrono::Utc;
use domain::{normalize_login, Lang, LoginError, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};

/// A stored instant for an audit detail; empty when there is none.
fn instant(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

impl UsersService {
    /// A transaction of `admin`'s merchant: concurrent changes of its users wait here.
    async fn begin(&self, admin: &Admin) -> Result<WriteTxn, AppError> {
        let txn = self.db.begin_write().await.map_err(internal)?;
        audit::lock_merchant(&txn, admin.merchant.id)
            .await
            .map_err(internal)?;
        Ok(txn)
    }

    /// Refuses, and undoes, a change that left the merchant without an active Admin.
    async fn keep_an_admin(
        &self,
        txn: WriteTxn,
        admin: &Admin,
        field: &str,
    ) -> Result<WriteTxn, AppError> {
        if active_admins(&txn, admin.merchant.id)
            .await
            .map_err(internal)?
            == 0
        {
            txn.rollback().await.map_err(internal)?;
            return Err(AppError::field(field, Problem::LastAdmin));
        }
        Ok(txn)
    }

    /// Creates a user with a password nobody knows and mails them the link to choose
    /// theirs, valid [`provisioning::WELCOME_LINK_HOURS`].
    pub(super) async fn create_user(
        &self,
        admin: &Admin,
        new: NewUserForm,
        ip: &str,
    ) -> Result<user::Model, AppError> {
        let mut problems = Vec::new();
        let login = match normalize_login(&new.login) {
            Ok(login) => login,
            Err(e) => {
                let problem = if e == LoginError::Empty {
                    Problem::Required
                } else {
                    Problem::InvalidLogin
                };
                problems.push(FieldError::new("login", problem));
                String::new()
            }
        };
        let (full_name, email, role) =
            checked_person(&mut problems, &new.full_name, &new.email, &new.role);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let m = &admin.merchant;
        let unusable_hash = provisioning::unusable_password().await;
        let txn = self.begin(admin).await?;
        let taken = user::Entity::find()
            .filter(user::Column::MerchantId.eq(m.id))
            .filter(user::Column::Login.eq(login.as_str()))
            .count(&txn)
            .await
            .map_err(internal)?;
        if taken > 0 {
            return Err(AppError::field("login", Problem::LoginTaken));
        }
        let invited = InvitedUser {
            login: login.clone(),
            full_name,
            email,
            role,
            may_refund: new.may_refund,
            language: new.language,
            unusable_hash,
        };
        let u = provisioning::create_invited_user(&txn, m, invited)
            .await
            .map_err(|e| match e {
                ProvisionError::Exists(_) => AppError::field("login", Problem::LoginTaken),
                ProvisionError::Db(e) => internal(e),
                other => {
                    tracing::error!(error = %other, "user not created");
                    AppError::Internal
                }
            })?;
        mail_password_link(&txn, &self.config, m, &u, PasswordLink::Welcome)
            .await
            .map_err(internal)?;
        let detail = changes(&[
            ("login", String::new(), u.login.clone()),
            ("full_name", String::new(), u.full_name.clone()),
            ("email", String::new(), u.email.clone().unwrap_or_default()),
            ("role", String::new(), u.role.clone()),
            ("may_refund", String::new(), u.may_refund.to_string()),
            ("language", String::new(), u.language.clone()),
        ]);
        let detail = format!("user {login}: {detail}; set-password link mailed");
        record(&txn, admin.entry("user.created", detail, ip)).await?;
        txn.commit().await.map_err(internal)?;
        Ok(u)
    }

    /// Changes a user's name, e-mail, role and refund right. A new role or right ends
    /// the user's sessions, so no page keeps what they had.
    pub(super) async fn update_user(
        &self,
        admin: &Admin,
        id: i64,
        edit: UserEdit,
        ip: &str,
    ) -> Result<user::Model, AppError> {
        let mut problems = Vec::new();
        let (full_name, email, role) =
            checked_person(&mut problems, &edit.full_name, &edit.email, &edit.role);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let txn = self.begin(admin).await?;
        let before = user_of(&txn, admin.merchant.id, id).await?;
        if before.id == admin.user.id && role != Role::Admin {
            return Err(AppError::field("role", Problem::OwnAccount));
        }
        let may_refund = provisioning::refund_right(role, edit.may_refund);
        let detail = changes(&[
            ("full_name", before.full_name.clone(), full_name.clone()),
            (
                "email",
                before.email.clone().unwrap_or_default(),
                email.clone(),
            ),
            ("role", before.role.clone(), role.code().to_owned()),
            (
                "may_refund",
                before.may_refund.to_string(),
                may_refund.to_string(),
            ),
        ]);
        if detail.is_empty() {
            return Ok(before);
        }
        let rights_changed = before.role != role.code() || before.may_refund != may_refund;
        let mut active = before.clone().into_active_model();
        active.full_name = Set(full_name);
        active.email = Set(Some(email));
        active.role = Set(role.code().to_owned());
        active.may_refund = Set(may_refund);
        let after = active.update(&txn).await.map_err(internal)?;
        let txn = self.keep_an_admin(txn, admin, "role").await?;
        let mut detail = format!("user {}: {detail}", before.login);
        if rights_changed {
            end_sessions(&txn, id).await.map_err(internal)?;
            detail.push_str("; sessions ended");
        }
        record(&txn, admin.entry("user.updated", detail, ip)).await?;
        txn.commit().await.map_err(internal)?;
        Ok(after)
    }

    /// One of the access actions of the user's dialog.
    pub(super) async fn act_on_user(
        &self,
        admin: &Admin,
        id: i64,
        action: UserAction,
        ip: &str,
    ) -> Result<user::Model, AppError> {
        if action == UserAction::Deactivate && id == admin.user.id {
            return Err(AppError::field("user", Problem::OwnAccount));
        }
        let txn = self.begin(admin).await?;
        let before = user_of(&txn, admin.merchant.id, id).await?;
        let login = before.login.clone();
        let (after, txn, action_name, detail) = match action {
            UserAction::Deactivate | UserAction::Reactivate => {
                let on = action == UserAction::Reactivate;
                if before.active == on {
                    return Ok(before);
                }
                let mut active = before.clone().into_active_model();
                active.active = Set(on);
                let after = active.update(&txn).await.map_err(internal)?;
                let mut detail = changes(&[("active", (!on).to_string(), on.to_string())]);
                let txn = if on {
                    txn
                } else {
                    end_sessions(&txn, id).await.map_err(internal)?;
                    detail.push_str("; sessions ended");
                    self.keep_an_admin(txn, admin, "user").await?
                };
                let name = if on {
                    "user.reactivated"
                } else {
                    "user.deactivated"
                };
                (after, txn, name, detail)
            }
            UserAction::Unlock => {
                let detail = changes(&[
                    (
                        "failed_logins",
                        before.failed_logins.to_string(),
                        "0".into(),
                    ),
                    ("locked_until", instant(before.locked_until), String::new()),
                ]);
                if detail.is_empty() {
                    return Ok(before);
                }
                let mut active = before.clone().into_active_model();
                active.failed_logins = Set(0);
                active.locked_until = Set(None);
                let after = active.update(&txn).await.map_err(internal)?;
                (after, txn, "user.unlocked", detail)
            }
            UserAction::SendPassword => {
                let sent = mail_password_link(
                    &txn,
                    &self.config,
                    &admin.merchant,
                    &before,
                    PasswordLink::SentByAdmin,
                )
                .await
                .map_err(internal)?;
                if !sent {
                    return Err(AppError::field("email", Problem::Required));
                }
                let detail = format!(
                    "link mailed to {}",
                    before.email.clone().unwrap_or_default()
                );
                (before, txn, "user.password_link_sent", detail)
            }
            UserAction::ResetTwoFactor => {
                let (after, detail) = self.reset_two_factor(&txn, admin, before).await?;
                (after, txn, "user.two_factor_reset", detail)
            }
        };
        let detail = format!("user {login}: {detail}");
        record(&txn, admin.entry(action_name, detail, ip)).await?;
        txn.commit().await.map_err(internal)?;
        Ok(after)
    }

    /// Clears the user's second factor (secret, one being set up, last step), deletes
    /// their recovery and e-mailed codes, and tells them by mail. Answers the user and
    /// the audit detail.
    async fn reset_two_factor(
        &self,
        txn: &WriteTxn,
        admin: &Admin,
        before: user::Model,
    ) -> Result<(user::Model, String), AppError> {
        let mut active = before.clone().into_active_model();
        active.two_factor = Set(String::new());
        active.totp_secret_enc = Set(None);
        active.totp_pending_enc = Set(None);
        active.totp_last_step = Set(None);
        let after = active.update(txn).await.map_err(internal)?;
        let codes = recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(before.id))
            .exec(txn)
            .await
            .map_err(internal)?
            .rows_affected;
        user_code::Entity::delete_many()
            .filter(user_code::Column::UserId.eq(before.id))
            .exec(txn)
            .await
            .map_err(internal)?;
        let told = match before.email.as_deref().filter(|e| !e.trim().is_empty()) {
            Some(email) => {
                let lang = Lang::parse(&before.language).unwrap_or_default();
                let body = mail_text(T::TwoFactorResetMailBody, lang, &admin.merchant, &before);
                let subject = T::TwoFactorResetMailSubject.text(lang);
                mail::enqueue(txn, Some(admin.merchant.id), email, subject, body)
                    .await
                    .map_err(internal)?;
                "user told by e-mail"
            }
            None => "no e-mail address: user not told",
        };
        let detail = changes(&[("two_factor", before.two_factor.clone(), String::new())]);
        let detail = [
            detail,
            format!("recovery codes deleted: {codes}"),
            told.to_owned(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
        Ok((after, detail))
    }
}
