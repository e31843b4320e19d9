//! Configuration → Users (MB-12) and the PSPID's sign-in rules (MB-2's requirement, the
//! MB-7 password policy): `app::users::UsersPort`. Only Admins, decided on a fresh read
//! of the user; every query is the actor's merchant's; every change writes its audit row
//! in its own transaction, which also holds the merchant's lock, so the rule "one
//! active Admin at least" is checked against what is committed.

mod changes;
mod settings;

use crate::account::service::{internal, zone_of};
use crate::entities::{merchant, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::users::{
    NewUserForm, PasswordSettings, SecondFactor, UserAction, UserEdit, UserRow, UsersOverview,
    UsersPort,
};
use chrono::Utc;
use domain::{Role, ZonePreference};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use std::sync::Arc;

/// The Users page's service.
pub struct UsersService {
    db: DatabaseConnection,
    config: Arc<Config>,
}

/// The Admin acting, with their merchant.
struct Admin {
    merchant: merchant::Model,
    user: user::Model,
}

impl Admin {
    /// The audit row of a change by this Admin.
    fn entry<'a>(&'a self, action: &'a str, detail: String, ip: &'a str) -> AuditEntry<'a> {
        AuditEntry {
            merchant_id: Some(self.merchant.id),
            user_id: Some(self.user.id),
            actor: &self.user.login,
            action,
            detail,
            ip,
        }
    }

    fn zone(&self) -> ZonePreference {
        zone_of(&self.user)
    }
}

impl UsersService {
    /// Over `db`; links in mails start with `config.public_url`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        UsersService { db, config }
    }

    /// The actor when they are an active Admin of their merchant, re-read.
    async fn admin(&self, actor: &Actor) -> Result<Admin, AppError> {
        let (merchant, user) = crate::account::service::load_admin(&self.db, actor).await?;
        Ok(Admin { merchant, user })
    }
}

/// A user of `merchant_id` by id, through `conn`: `NotFound` for anyone else's.
async fn user_of<C: ConnectionTrait>(
    conn: &C,
    merchant_id: i64,
    id: i64,
) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .filter(user::Column::MerchantId.eq(merchant_id))
        .one(conn)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)
}

/// How many active Admins `merchant_id` has, through `conn`.
async fn active_admins<C: ConnectionTrait>(conn: &C, merchant_id: i64) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::MerchantId.eq(merchant_id))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.eq(Role::Admin.code()))
        .count(conn)
        .await
}

/// A user as the list shows them to `admin`.
fn row(admin: &Admin, u: &user::Model) -> UserRow {
    let zone = admin.zone();
    let now = Utc::now();
    UserRow {
        id: u.id,
        login: u.login.clone(),
        full_name: u.full_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        role: Role::parse(&u.role).unwrap_or(Role::ReadOnly),
        may_refund: u.may_refund,
        second_factor: SecondFactor::from_code(&u.two_factor),
        last_login: u.last_login_at.map(|t| zone.format(t)),
        active: u.active,
        locked_until: u
            .locked_until
            .filter(|until| *until > now)
            .map(|t| zone.format(t)),
        is_you: u.id == admin.user.id,
        primary: u.is_primary,
    }
}

/// The full name, e-mail address and role of a create or edit form, checked: each
/// problem goes to `problems`, next to its field.
fn checked_person(
    problems: &mut Vec<FieldError>,
    full_name: &str,
    email: &str,
    role: &str,
) -> (String, String, Role) {
    let full_name = full_name.trim().to_owned();
    if full_name.is_empty() {
        problems.push(FieldError::new("full_name", Problem::Required));
    } else if full_name.chars().count() > 120 {
        problems.push(FieldError::new("full_name", Problem::TooLong));
    }
    let email = if email.trim().is_empty() {
        problems.push(FieldError::new("email", Problem::Required));
        String::new()
    } else {
        domain::parse_email(email).unwrap_or_else(|_| {
            problems.push(FieldError::new("email", Problem::InvalidEmail));
            String::new()
        })
    };
    let role = Role::parse(role).unwrap_or_else(|| {
        problems.push(FieldError::new("role", Problem::Required));
        Role::ReadOnly
    });
    (full_name, email, role)
}

#[async_trait::async_trait]
impl UsersPort for UsersService {
    async fn overview(&self, actor: &Actor) -> Result<UsersOverview, AppError> {
        let admin = self.admin(actor).await?;
        let users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(admin.merchant.id))
            .order_by_asc(user::Column::Login)
            .all(&self.db)
            .await
            .map_err(internal)?;
        Ok(UsersOverview {
            users: users.iter().map(|u| row(&admin, u)).collect(),
            require_two_factor: admin.merchant.require_two_factor,
            password: PasswordSettings {
                min_length: admin.merchant.password_min_length,
                lifetime_days: admin.merchant.password_lifetime_days,
            },
            zone_label: admin.zone().label(Utc::now()),
        })
    }

    async fn create(&self, actor: &Actor, new: NewUserForm, ip: &str) -> Result<UserRow, AppError> {
        let admin = self.admin(actor).await?;
        let u = self.create_user(&admin, new, ip).await?;
        Ok(row(&admin, &u))
    }

    async fn update(
        &self,
        actor: &Actor,
        id: i64,
        edit: UserEdit,
        ip: &str,
    ) -> Result<UserRow, AppError> {
        let admin = self.admin(actor).await?;
        let u = self.update_user(&admin, id, edit, ip).await?;
        Ok(row(&admin, &u))
    }

    async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: UserAction,
        ip: &str,
    ) -> Result<UserRow, AppError> {
        let admin = self.admin(actor).await?;
        let u = self.act_on_user(&admin, id, action, ip).await?;
        Ok(row(&admin, &u))
    }

    async fn set_require_two_factor(
        &self,
        actor: &Actor,
        required: bool,
        ip: &str,
    ) -> Result<(), AppError> {
        let admin = self.admin(actor).await?;
        self.require_two_factor(&admin, required, ip).await
    }

    async fn save_password_settings(
        &self,
        actor: &Actor,
        settings: PasswordSettings,
        ip: &str,
    ) -> Result<(), AppError> {
        let admin = self.admin(actor).await?;
        self.password_settings(&admin, settings, ip).await
    }
}

/// Writes `entry` through `conn`, mapping a failure for the page.
async fn record<C: ConnectionTrait>(conn: &C, entry: AuditEntry<'_>) -> Result<(), AppError> {
    audit::record(conn, entry).await.map_err(internal)
}
