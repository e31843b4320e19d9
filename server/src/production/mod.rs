//! Configuration → Create production account (MB-18): `app::production::ProductionPort`.
//! Only an Admin of a TEST merchant, decided on a fresh read of the user and merchant.
//! One transaction creates the PRODUCTION merchant through
//! [`provisioning::create_production_copy`] (the one place that knows what is copied),
//! its Admin as main user with a password nobody knows, the mail with the link to
//! choose one ([`provisioning::mail_password_link`]) and an `account.production_created`
//! audit row in each merchant. The TEST account and its session are left as they are.

use crate::account::provisioning::{
    self, mail_password_link, InvitedUser, PasswordLink, ProvisionError,
};
use crate::account::service::{internal, load_admin};
use crate::entities::{merchant, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::production::{
    ProductionCreated, ProductionDefaults, ProductionForm, ProductionPort, CONFIGURE_AGAIN, COPIED,
};
use domain::{normalize_login, Environment, Lang, LoginError, Role};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::Arc;

/// The audit action written in both merchants.
pub const AUDIT_ACTION: &str = "account.production_created";

/// The Create production account page's service.
pub struct ProductionService {
    db: DatabaseConnection,
    config: Arc<Config>,
}

impl ProductionService {
    /// Over `db`; the link in the new Admin's mail starts with `config.public_url`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        ProductionService { db, config }
    }

    /// The actor when they are an active Admin of a TEST merchant, re-read: a production
    /// merchant has nothing to copy itself to.
    async fn test_admin(&self, actor: &Actor) -> Result<(merchant::Model, user::Model), AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        if Environment::parse(&m.environment) != Some(Environment::Test) {
            return Err(AppError::Forbidden);
        }
        Ok((m, u))
    }
}

/// A PSPID or UserID as typed, normalised; its problem goes to `problems` under `field`.
fn identifier(problems: &mut Vec<FieldError>, field: &str, raw: &str) -> String {
    normalize_login(raw).unwrap_or_else(|e| {
        let problem = if e == LoginError::Empty {
            Problem::Required
        } else {
            Problem::InvalidLogin
        };
        problems.push(FieldError::new(field, problem));
        String::new()
    })
}

/// The form checked: PSPID, UserID and e-mail address, each problem next to its field.
fn checked(form: &ProductionForm) -> Result<(String, String, String), AppError> {
    let mut problems = Vec::new();
    let pspid = identifier(&mut problems, "pspid", &form.pspid);
    let login = identifier(&mut problems, "login", &form.login);
    let email = if form.email.trim().is_empty() {
        problems.push(FieldError::new("email", Problem::Required));
        String::new()
    } else {
        domain::parse_email(&form.email).unwrap_or_else(|_| {
            problems.push(FieldError::new("email", Problem::InvalidEmail));
            String::new()
        })
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok((pspid, login, email))
}

/// A provisioning failure for the page: a taken PSPID next to its field.
fn refused(e: ProvisionError) -> AppError {
    match e {
        ProvisionError::Exists(_) => AppError::field("pspid", Problem::PspidTaken),
        ProvisionError::Db(e) => internal(e),
        other => {
            tracing::error!(error = %other, "production account not created");
            AppError::Internal
        }
    }
}

#[async_trait::async_trait]
impl ProductionPort for ProductionService {
    async fn defaults(&self, actor: &Actor) -> Result<ProductionDefaults, AppError> {
        let (m, u) = self.test_admin(actor).await?;
        Ok(ProductionDefaults {
            test_pspid: m.pspid,
            login: u.login,
            email: u.email.unwrap_or_default(),
        })
    }

    async fn create(
        &self,
        actor: &Actor,
        form: ProductionForm,
        ip: &str,
    ) -> Result<ProductionCreated, AppError> {
        let (test, admin) = self.test_admin(actor).await?;
        let (pspid, login, email) = checked(&form)?;
        let unusable_hash = provisioning::unusable_password().await;
        let txn = self.db.begin_write().await.map_err(internal)?;
        // Asked first for a clear answer; the unique index decides between two at once.
        let taken = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq(pspid.as_str()))
            .filter(merchant::Column::Environment.eq(Environment::Production.code()))
            .count(&txn)
            .await
            .map_err(internal)?;
        if taken > 0 {
            return Err(AppError::field("pspid", Problem::PspidTaken));
        }
        let production = provisioning::create_production_copy(&txn, &test, &pspid)
            .await
            .map_err(refused)?;
        let invited = InvitedUser {
            login: login.clone(),
            full_name: admin.full_name.clone(),
            email: email.clone(),
            role: Role::Admin,
            may_refund: true,
            language: Lang::parse(&admin.language).unwrap_or_default(),
            unusable_hash,
        };
        let new_admin = provisioning::create_invited_main_user(&txn, &production, invited)
            .await
            .map_err(refused)?;
        mail_password_link(
            &txn,
            &self.config,
            &production,
            &new_admin,
            PasswordLink::Welcome,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(test.id),
                user_id: Some(admin.id),
                actor: &admin.login,
                action: AUDIT_ACTION,
                detail: format!(
                    "PRODUCTION PSPID {pspid} created from this account; its Admin {login} was mailed a set-password link at {email}"
                ),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        // The production merchant's first row names who created it, from which account;
        // the TEST user is no user of this merchant.
        let creator = format!("{} (TEST {})", admin.login, test.pspid);
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(production.id),
                user_id: None,
                actor: &creator,
                action: AUDIT_ACTION,
                detail: format!(
                    "copied from TEST PSPID {}; Admin {login} created and mailed a set-password link at {email}",
                    test.pspid
                ),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(ProductionCreated {
            pspid: production.pspid,
            login: new_admin.login,
            email,
            copied: COPIED.to_vec(),
            configure_again: CONFIGURE_AGAIN.to_vec(),
        })
    }
}
