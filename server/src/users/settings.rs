//! The PSPID's sign-in rules an Admin sets on the Users page: a second factor for every
//! user (the sign-in applies it) and the password policy — minimum length and lifetime;
//! the history of four is fixed (PCI DSS 4.0 §8.3.7).

use super::{record, Admin, UsersService};
use crate::account::service::internal;
use crate::platform::audit::changes;
use crate::platform::db::BeginWrite;
use app::error::{AppError, FieldError, Problem};
use app::users::PasswordSettings;
use domain::password::{lifetime_allowed, min_length_allowed};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

impl UsersService {
    /// Requires (or not) a second factor of every user of the PSPID.
    pub(super) async fn require_two_factor(
        &self,
        admin: &Admin,
        required: bool,
        ip: &str,
    ) -> Result<(), AppError> {
        let m = &admin.merchant;
        let detail = changes(&[(
            "require_two_factor",
            m.require_two_factor.to_string(),
            required.to_string(),
        )]);
        if detail.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let mut active = m.clone().into_active_model();
        active.require_two_factor = Set(required);
        active.update(&txn).await.map_err(internal)?;
        record(&txn, admin.entry("users.require_two_factor", detail, ip)).await?;
        txn.commit().await.map_err(internal)
    }

    /// Saves the minimum length (8–64) and the lifetime (0, or 30–365 days).
    pub(super) async fn password_settings(
        &self,
        admin: &Admin,
        settings: PasswordSettings,
        ip: &str,
    ) -> Result<(), AppError> {
        let mut problems = Vec::new();
        if !min_length_allowed(settings.min_length.into()) {
            problems.push(FieldError::new("min_length", Problem::OutOfRange));
        }
        if !lifetime_allowed(settings.lifetime_days.into()) {
            problems.push(FieldError::new("lifetime_days", Problem::OutOfRange));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let m = &admin.merchant;
        let detail = changes(&[
            (
                "password_min_length",
                m.password_min_length.to_string(),
                settings.min_length.to_string(),
            ),
            (
                "password_lifetime_days",
                m.password_lifetime_days.to_string(),
                settings.lifetime_days.to_string(),
            ),
        ]);
        if detail.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let mut active = m.clone().into_active_model();
        active.password_min_length = Set(settings.min_length);
        active.password_lifetime_days = Set(settings.lifetime_days);
        active.update(&txn).await.map_err(internal)?;
        record(&txn, admin.entry("users.password_policy", detail, ip)).await?;
        txn.commit().await.map_err(internal)
    }
}
