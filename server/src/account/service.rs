//! Accounts: login with lockout and rate limit, profile, passwords (MB-1, MB-4, MB-6,
//! MB-7). Implements `app::account::AccountPort`.

use crate::entities::{
    email_outbox, merchant, password_reset_token, sms_outbox, technical_message, user,
};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::db::{rows, Autocommit, BeginWrite};
use crate::platform::shared_limit::SharedLimiter;
use app::account::{AccountPort, Actor, LoginAttempt, LoginSuccess};
use app::account::{HomeData, Mail, Me, PasswordRules, SetupStep, TechMessage};
use app::error::{AppError, FieldError, Problem};
use chrono::Utc;
use domain::{
    normalize_login, Environment, Lang, PasswordContext, PasswordPolicy, Role, ZonePreference,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use std::sync::Arc;

mod page_actor;
mod passwords;
mod sign_in;

pub use page_actor::PageActor;
pub use passwords::{end_sessions, CHANGES_PER_HOUR};

/// The account service.
pub struct AccountService {
    pub(super) db: DatabaseConnection,
    pub(super) config: Arc<Config>,
    login_limiter: SharedLimiter,
}

pub(crate) fn internal(e: DbErr) -> AppError {
    tracing::error!(error = %e, "database error");
    AppError::Internal
}

/// The actor's merchant and user, re-read: a deactivated user is signed out, and so is
/// a session past its absolute lifetime or signed in before the user's sessions were
/// ended (password changed or reset). Read once per page render ([`PageActor`]).
pub(crate) async fn load_actor(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<(merchant::Model, user::Model), AppError> {
    if actor.expired_at(Utc::now().timestamp()) {
        return Err(AppError::Unauthenticated);
    }
    let found = match leptos::prelude::use_context::<PageActor>() {
        Some(page) => page.read(actor, || read_actor(db, actor)).await?,
        None => read_actor(db, actor).await?,
    };
    found.ok_or(AppError::Unauthenticated)
}

/// The actor's rows when the user is active and the session's epoch current. One query
/// for both, read by position (`platform::db::rows`): every signed-in page and action
/// starts here.
async fn read_actor(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<Option<(merchant::Model, user::Model)>, AppError> {
    let stmt = user::Entity::live(actor.user_id, actor.epoch)
        .filter(user::Column::MerchantId.eq(actor.merchant_id))
        .find_also_related(merchant::Entity)
        .limit(1)
        .build(db.get_database_backend());
    let found = rows::one_pair::<user::Entity, merchant::Entity>(db, stmt)
        .await
        .map_err(internal)?;
    Ok(found.and_then(|(u, m)| m.map(|m| (m, u))))
}

/// The actor's merchant and user when the user may do `what`: the domain's one rule on
/// role and refund right, for every service that moves money.
pub(crate) async fn load_actor_who_may(
    db: &DatabaseConnection,
    actor: &Actor,
    what: domain::MoneyMove,
) -> Result<(merchant::Model, user::Model), AppError> {
    let (m, u) = load_actor(db, actor).await?;
    let role = Role::parse(&u.role).unwrap_or(Role::ReadOnly);
    if !role.may_move_money(what, u.may_refund) {
        return Err(AppError::Forbidden);
    }
    Ok((m, u))
}

/// The actor's merchant and user, re-read, when the user is an Admin now: the one check
/// of every Admin-only service.
pub(crate) async fn load_admin(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<(merchant::Model, user::Model), AppError> {
    let (m, u) = load_actor(db, actor).await?;
    if Role::parse(&u.role) != Some(Role::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok((m, u))
}

pub(crate) fn zone_of(u: &user::Model) -> ZonePreference {
    ZonePreference {
        zone: u.time_zone.clone(),
        auto_dst: u.auto_dst,
    }
}

impl AccountService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        let login_limiter = SharedLimiter::new(
            "login",
            config.login_rate_per_minute,
            std::time::Duration::from_secs(60),
        );
        AccountService {
            db,
            config,
            login_limiter,
        }
    }

    async fn merchant_by_pspid(
        &self,
        pspid: &str,
        environment: Environment,
    ) -> Result<Option<merchant::Model>, AppError> {
        merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq(pspid))
            .filter(merchant::Column::Environment.eq(environment.code()))
            .one(&self.db)
            .await
            .map_err(internal)
    }

    /// Finds the user a login form names: the main user for "PSPID + password", the
    /// named user (in the PSPID, or the only one with that login) for "Login as user".
    async fn find_login_user(
        &self,
        environment: Environment,
        pspid: &str,
        login: &str,
    ) -> Result<Option<(merchant::Model, user::Model)>, AppError> {
        let pspid = if pspid.trim().is_empty() {
            None
        } else {
            match normalize_login(pspid) {
                Ok(p) => Some(p),
                Err(_) => return Ok(None),
            }
        };
        let login = if login.trim().is_empty() {
            None
        } else {
            match normalize_login(login) {
                Ok(l) => Some(l),
                Err(_) => return Ok(None),
            }
        };
        let merchant = match &pspid {
            Some(p) => match self.merchant_by_pspid(p, environment).await? {
                Some(m) => Some(m),
                None => return Ok(None),
            },
            None => None,
        };
        let mut query = user::Entity::find().filter(user::Column::Active.eq(true));
        query = match (&merchant, &login) {
            (Some(m), Some(l)) => query
                .filter(user::Column::MerchantId.eq(m.id))
                .filter(user::Column::Login.eq(l.as_str())),
            (Some(m), None) => query
                .filter(user::Column::MerchantId.eq(m.id))
                .filter(user::Column::IsPrimary.eq(true)),
            // Without a PSPID the login must name exactly one user of this environment:
            // the environment is part of the query, so `limit(2)` tells ambiguity.
            (None, Some(l)) => query.filter(user::Column::Login.eq(l.as_str())).filter(
                user::Column::MerchantId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(merchant::Column::Id)
                        .from(merchant::Entity)
                        .and_where(merchant::Column::Environment.eq(environment.code()))
                        .to_owned(),
                ),
            ),
            (None, None) => return Ok(None),
        };
        let mut users = query.limit(2).all(&self.db).await.map_err(internal)?;
        if users.len() != 1 {
            return Ok(None);
        }
        let u = users.remove(0);
        let m = match merchant {
            Some(m) => m,
            None => match merchant::Entity::find_by_id(u.merchant_id)
                .one(&self.db)
                .await
                .map_err(internal)?
            {
                Some(m) => m,
                None => return Ok(None),
            },
        };
        Ok(Some((m, u)))
    }

    async fn load_actor(&self, actor: &Actor) -> Result<(merchant::Model, user::Model), AppError> {
        load_actor(&self.db, actor).await
    }

    async fn rules_for(
        &self,
        m: &merchant::Model,
    ) -> Result<(PasswordPolicy, PasswordContext), AppError> {
        crate::account::provisioning::policy_for(&self.db, m, None)
            .await
            .map_err(internal)
    }

    /// Applies `change` to a user and writes the audit row, in one transaction.
    async fn update_user_audited(
        &self,
        u: user::Model,
        action: &str,
        detail: String,
        ip: &str,
        change: impl FnOnce(&mut user::ActiveModel),
    ) -> Result<(), AppError> {
        let (merchant_id, user_id, login) = (u.merchant_id, u.id, u.login.clone());
        let txn = self.db.begin_write().await.map_err(internal)?;
        let mut active = u.into_active_model();
        change(&mut active);
        active.update(&txn).await.map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant_id),
                user_id: Some(user_id),
                actor: &login,
                action,
                detail,
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    fn check_policy(
        policy: &PasswordPolicy,
        context: &PasswordContext,
        password: &str,
    ) -> Result<(), AppError> {
        policy
            .validate(password, context)
            .map_err(|failed| AppError::field("new_password", Problem::Policy(failed)))
    }

    async fn valid_reset_token(
        &self,
        token: &str,
    ) -> Result<password_reset_token::Model, AppError> {
        password_reset_token::Entity::find()
            .filter(password_reset_token::Column::TokenHash.eq(crypto::token_hash(token)))
            .filter(password_reset_token::Column::UsedAt.is_null())
            .filter(password_reset_token::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::field("token", Problem::InvalidLink))
    }

    /// The reset link's token, its user and their merchant: the one lookup behind the
    /// reset page's rules and the reset itself.
    async fn reset_link(
        &self,
        token: &str,
    ) -> Result<(password_reset_token::Model, user::Model, merchant::Model), AppError> {
        let t = self.valid_reset_token(token).await?;
        let u = user::Entity::find_by_id(t.user_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::field("token", Problem::InvalidLink))?;
        let m = merchant::Entity::find_by_id(u.merchant_id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Internal)?;
        Ok((t, u, m))
    }
}

#[async_trait::async_trait]
impl AccountPort for AccountService {
    async fn login(&self, attempt: LoginAttempt) -> Result<LoginSuccess, AppError> {
        let who = if attempt.user_login.is_empty() {
            attempt.pspid.clone()
        } else {
            format!("{}/{}", attempt.pspid, attempt.user_login)
        };
        let who: String = who.chars().take(130).collect();
        if !self
            .login_limiter
            .allow(&Autocommit(&self.db), &attempt.ip)
            .await
            .map_err(internal)?
        {
            audit::record(
                &self.db,
                AuditEntry {
                    merchant_id: None,
                    user_id: None,
                    actor: &who,
                    action: "login.rate_limited",
                    detail: String::new(),
                    ip: &attempt.ip,
                },
            )
            .await
            .map_err(internal)?;
            return Err(AppError::RateLimited);
        }
        let found = self
            .find_login_user(attempt.environment, &attempt.pspid, &attempt.user_login)
            .await?;
        let Some((m, u)) = found else {
            // Same work as for a real user, so timing does not reveal unknown logins.
            crypto::verify_password(attempt.password, None).await;
            audit::record(
                &self.db,
                AuditEntry {
                    merchant_id: None,
                    user_id: None,
                    actor: &who,
                    action: "login.failure",
                    detail: "unknown user".into(),
                    ip: &attempt.ip,
                },
            )
            .await
            .map_err(internal)?;
            return Err(AppError::InvalidCredentials);
        };
        let now = Utc::now();
        let password_ok =
            crypto::verify_password(attempt.password, Some(u.password_hash.clone())).await;
        let zone = zone_of(&u);
        let locked_until = u.locked_until.filter(|until| *until > now);
        let txn = self.db.begin_write().await.map_err(internal)?;
        let outcome = if let Some(until) = locked_until {
            audit::record(
                &txn,
                AuditEntry {
                    merchant_id: Some(m.id),
                    user_id: Some(u.id),
                    actor: &who,
                    action: "login.locked",
                    detail: format!("refused while locked until {until}"),
                    ip: &attempt.ip,
                },
            )
            .await
            .map_err(internal)?;
            Err(AppError::Locked {
                until: zone.format(until),
            })
        } else if !password_ok {
            Err(self
                .count_failure(&txn, &u, &who, "wrong password", &attempt.ip)
                .await?)
        } else if let Some(method) = domain::two_factor::Method::parse(&u.two_factor) {
            // The password was right; nothing is reset before the second factor is, so
            // guessing codes counts toward the same lockout as guessing passwords.
            if method == domain::two_factor::Method::Email {
                self.send_sign_in_code(&txn, &m, &u).await?;
            }
            audit::record(
                &txn,
                AuditEntry {
                    merchant_id: Some(m.id),
                    user_id: Some(u.id),
                    actor: &who,
                    action: "login.second_factor_asked",
                    detail: method.code().into(),
                    ip: &attempt.ip,
                },
            )
            .await
            .map_err(internal)?;
            Ok(LoginSuccess {
                second_factor: Some(method),
                ..self.signed_in(&m, &u, now)
            })
        } else {
            self.finish_sign_in(&txn, &m, &u, &who, "", &attempt.ip)
                .await
        };
        txn.commit().await.map_err(internal)?;
        outcome
    }

    async fn logout(&self, actor: &Actor, ip: &str) -> Result<(), AppError> {
        audit::record(
            &self.db,
            AuditEntry {
                merchant_id: Some(actor.merchant_id),
                user_id: Some(actor.user_id),
                actor: &actor.login,
                action: "logout",
                detail: String::new(),
                ip,
            },
        )
        .await
        .map_err(internal)
    }

    async fn me(&self, actor: &Actor) -> Result<Me, AppError> {
        let (m, u) = self.load_actor(actor).await?;
        let zone = zone_of(&u);
        let now = Utc::now();
        let merchant_name = [&m.commercial_name, &m.legal_name, &m.pspid]
            .into_iter()
            .find(|n| !n.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        Ok(Me {
            login: u.login.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone().unwrap_or_default(),
            role: Role::parse(&u.role).unwrap_or(Role::ReadOnly),
            pspid: m.pspid.clone(),
            merchant_name,
            environment: Environment::parse(&m.environment).unwrap_or(Environment::Test),
            last_login: u.last_login_at.map(|t| zone.format(t)),
            zone_label: zone.label(now),
            zone,
            default_zone: m.default_time_zone.clone(),
            lang: Lang::parse(&u.language).unwrap_or_default(),
        })
    }

    async fn home(&self, actor: &Actor) -> Result<HomeData, AppError> {
        let (m, u) = self.load_actor(actor).await?;
        let mut steps_to_do = Vec::new();
        // The account's own steps are the Admins' to do (their pages are Admins' only).
        let admin = Role::parse(&u.role) == Some(Role::Admin);
        if admin && (m.legal_name.trim().is_empty() || m.email.trim().is_empty()) {
            steps_to_do.push(SetupStep::CompanyDetails);
        }
        if u.email.as_deref().map(str::trim).unwrap_or("").is_empty() {
            steps_to_do.push(SetupStep::RecoveryEmail);
        }
        if u.password_changed_at.is_none() {
            steps_to_do.push(SetupStep::ChangePassword);
        }
        if admin {
            // Whether a second user exists, not how many.
            let first_two = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::MerchantId.eq(m.id))
                .limit(2)
                .into_tuple::<i64>()
                .all(&self.db)
                .await
                .map_err(internal)?;
            if first_two.len() <= 1 {
                steps_to_do.push(SetupStep::MoreUsers);
            }
        }
        let now = Utc::now();
        let zone = zone_of(&u);
        let messages = technical_message::Entity::find()
            .filter(
                Condition::any()
                    .add(technical_message::Column::Environment.is_null())
                    .add(technical_message::Column::Environment.eq(m.environment.as_str())),
            )
            .filter(technical_message::Column::PublishedAt.lte(now))
            .filter(
                Condition::any()
                    .add(technical_message::Column::ExpiresAt.is_null())
                    .add(technical_message::Column::ExpiresAt.gt(now)),
            )
            .order_by_desc(technical_message::Column::PublishedAt)
            .limit(10)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|msg| TechMessage {
                severity: msg.severity,
                title: msg.title,
                body: msg.body,
                published: zone.format(msg.published_at),
            })
            .collect();
        Ok(HomeData {
            steps_to_do,
            messages,
        })
    }

    async fn password_rules(&self, actor: &Actor) -> Result<PasswordRules, AppError> {
        let (m, _) = self.load_actor(actor).await?;
        let (policy, context) = self.rules_for(&m).await?;
        Ok(PasswordRules {
            min_length: policy.min_length(),
            context,
        })
    }

    async fn change_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        ip: &str,
    ) -> Result<i64, AppError> {
        self.change_own_password(actor, current, new, ip).await
    }

    async fn request_password_reset(
        &self,
        environment: Environment,
        pspid: String,
        user_login: String,
        ip: &str,
    ) -> Result<(), AppError> {
        if !self
            .login_limiter
            .allow(&Autocommit(&self.db), &format!("reset:{ip}"))
            .await
            .map_err(internal)?
        {
            return Err(AppError::RateLimited);
        }
        let Some((m, u)) = self
            .find_login_user(environment, &pspid, &user_login)
            .await?
        else {
            audit::record(
                &self.db,
                AuditEntry {
                    merchant_id: None,
                    user_id: None,
                    actor: &pspid.chars().take(64).collect::<String>(),
                    action: "password.reset_requested",
                    detail: "unknown user: nothing sent".into(),
                    ip,
                },
            )
            .await
            .map_err(internal)?;
            return Ok(());
        };
        let txn = self.db.begin_write().await.map_err(internal)?;
        let sent = crate::account::provisioning::mail_password_link(
            &txn,
            &self.config,
            &m,
            &u,
            crate::account::provisioning::PasswordLink::Forgotten,
        )
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "password.reset_requested",
                detail: if sent {
                    "link sent"
                } else {
                    "no e-mail address: nothing sent"
                }
                .into(),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn reset_rules(&self, token: &str) -> Result<PasswordRules, AppError> {
        let (_, _, m) = self.reset_link(token).await?;
        let (policy, context) = self.rules_for(&m).await?;
        Ok(PasswordRules {
            min_length: policy.min_length(),
            context,
        })
    }

    async fn reset_password(&self, token: &str, new: String, ip: &str) -> Result<(), AppError> {
        self.reset_with_link(token, new, ip).await
    }

    async fn update_profile(
        &self,
        actor: &Actor,
        full_name: String,
        email: String,
        ip: &str,
    ) -> Result<(), AppError> {
        let (_, u) = self.load_actor(actor).await?;
        let full_name = full_name.trim().to_owned();
        let mut problems = Vec::new();
        if full_name.chars().count() > 120 {
            problems.push(FieldError::new("full_name", Problem::TooLong));
        }
        let email = if email.trim().is_empty() {
            None
        } else {
            match domain::parse_email(&email) {
                Ok(e) => Some(e),
                Err(_) => {
                    problems.push(FieldError::new("email", Problem::InvalidEmail));
                    None
                }
            }
        };
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let detail = format!(
            "recovery e-mail {}",
            if email.is_some() { "set" } else { "removed" }
        );
        self.update_user_audited(u, "profile.update", detail, ip, |active| {
            active.full_name = Set(full_name);
            active.email = Set(email);
        })
        .await
    }

    async fn set_language(&self, actor: &Actor, lang: Lang) -> Result<(), AppError> {
        let (_, u) = self.load_actor(actor).await?;
        let mut active = u.into_active_model();
        active.language = Set(lang.code().to_owned());
        active
            .update(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        Ok(())
    }

    async fn set_time_zone(
        &self,
        actor: &Actor,
        zone: Option<ZonePreference>,
        ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = self.load_actor(actor).await?;
        let zone = match zone {
            Some(z) => {
                let tz = domain::timezone::parse_zone(&z.zone)
                    .ok_or_else(|| AppError::field("zone", Problem::UnknownTimeZone))?;
                ZonePreference {
                    zone: tz.name().to_owned(),
                    auto_dst: z.auto_dst,
                }
            }
            None => ZonePreference {
                zone: m.default_time_zone.clone(),
                auto_dst: true,
            },
        };
        let detail = format!(
            "{} (daylight saving {})",
            zone.zone,
            if zone.auto_dst { "on" } else { "off" }
        );
        self.update_user_audited(u, "profile.time_zone", detail, ip, |active| {
            active.time_zone = Set(zone.zone.clone());
            active.auto_dst = Set(zone.auto_dst);
        })
        .await
    }

    async fn mailbox(&self) -> Result<Vec<Mail>, AppError> {
        if !self.config.dev_mailbox() {
            return Err(AppError::NotFound);
        }
        let mut mails: Vec<Mail> = email_outbox::Entity::find()
            .order_by_desc(email_outbox::Column::Id)
            .limit(100)
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|m| Mail {
                to: m.to_address,
                subject: m.subject,
                body: m.body_text,
                created: m.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            })
            .collect();
        // SMS to customers (MB-15) are listed with the mail, newest first.
        mails.extend(sms_mailbox(&self.db).await.map_err(internal)?);
        mails.sort_by(|a, b| b.created.cmp(&a.created));
        Ok(mails)
    }
}

/// The latest SMS, for the development mailbox: as mails to the number, the subject
/// saying it is an SMS and whether it was sent.
async fn sms_mailbox(db: &DatabaseConnection) -> Result<Vec<Mail>, DbErr> {
    Ok(sms_outbox::Entity::find()
        .order_by_desc(sms_outbox::Column::Id)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(|s| Mail {
            to: s.to_number,
            subject: if s.sent_at.is_some() {
                "SMS (sent)".to_owned()
            } else {
                "SMS (queued)".to_owned()
            },
            body: s.body,
            created: s.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        })
        .collect())
}
