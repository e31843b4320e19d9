//! The support portal's accounts (SP-1): invitations, activation with an e-mailed
//! 8-digit code, passwords under the domain policy, sign-in with lockout and a mailed
//! one-time code as second factor, asked again every 7 days per browser (a signed,
//! expiring device cookie), and the profile.

use crate::account::service::internal;
use crate::entities::{support_code, support_membership, support_organization, support_user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::mail;
use crate::platform::rate_limit::RateLimiter;
use app::account::PasswordRules;
use app::error::{AppError, FieldError, Problem};
use app::support::accounts::{
    CodePurpose, SupportAccountPort, SupportActor, SupportLogin, SupportPending, SupportVerified,
};
use app::support::accounts::{SupportMe, SupportMemberView, SupportOrganizationView, SupportStep};
use chrono::{DateTime, Duration, Utc};
use domain::password::{PasswordContext, PasswordPolicy};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use std::sync::Arc;

/// How long a mailed code is valid.
pub const CODE_MINUTES: i64 = 10;
/// Wrong tries a code survives.
pub const CODE_ATTEMPTS: i32 = 5;
/// Shortest wait between two codes for the same person.
const RESEND_SECONDS: i64 = 60;
/// How long a browser that passed the second factor is trusted.
pub const DEVICE_DAYS: i64 = 7;

/// Statuses of a support user.
pub mod status {
    /// Invited, never signed in.
    pub const INVITED: &str = "invited";
    /// Activated.
    pub const ACTIVE: &str = "active";
}

fn purpose_code(p: CodePurpose) -> &'static str {
    match p {
        CodePurpose::Activate => "activate",
        CodePurpose::Login => "login",
    }
}

/// The signed token trusting a browser for `user_id` until `until`.
pub fn device_token(config: &Config, user_id: i64, until: DateTime<Utc>) -> String {
    let message = format!("support-device:{user_id}:{}", until.timestamp());
    let sig = crypto::hmac_sha256_base64(&config.session_key, message.as_bytes())
        .replace('+', "-")
        .replace('/', "_")
        .replace('=', "");
    format!("{user_id}.{}.{sig}", until.timestamp())
}

/// Whether `token` trusts this browser for `user_id` now.
pub fn device_trusted(config: &Config, user_id: i64, token: &str) -> bool {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(uid), Some(exp), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(uid), Ok(exp)) = (uid.parse::<i64>(), exp.parse::<i64>()) else {
        return false;
    };
    if uid != user_id || exp <= Utc::now().timestamp() {
        return false;
    }
    let mut standard = sig.replace('-', "+").replace('_', "/");
    while standard.len() % 4 != 0 {
        standard.push('=');
    }
    let message = format!("support-device:{user_id}:{exp}");
    crypto::hmac_sha256_verify(&config.session_key, message.as_bytes(), &standard)
}

fn code_hash(config: &Config, user_id: i64, purpose: CodePurpose, code: &str) -> String {
    crypto::hmac_sha256_base64(
        &config.data_key,
        format!("support-code:{user_id}:{}:{code}", purpose_code(purpose)).as_bytes(),
    )
}

/// Mails a new code for `purpose` (earlier ones stop working); returns nothing of it.
async fn send_code<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    user: &support_user::Model,
    purpose: CodePurpose,
) -> Result<(), DbErr> {
    support_code::Entity::update_many()
        .col_expr(support_code::Column::Used, Expr::value(true))
        .filter(support_code::Column::UserId.eq(user.id))
        .filter(support_code::Column::Purpose.eq(purpose_code(purpose)))
        .filter(support_code::Column::Used.eq(false))
        .exec(conn)
        .await?;
    let code = crypto::random_from(b"0123456789", 8);
    let now = Utc::now();
    support_code::ActiveModel {
        user_id: Set(user.id),
        purpose: Set(purpose_code(purpose).to_owned()),
        code_hash: Set(code_hash(config, user.id, purpose, &code)),
        attempts: Set(0),
        used: Set(false),
        expires_at: Set(now + Duration::minutes(CODE_MINUTES)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let (subject, what) = match purpose {
        CodePurpose::Activate => (
            "Your OpenPSP Support verification code",
            "to activate your account",
        ),
        CodePurpose::Login => ("Your OpenPSP Support login code", "to log in"),
    };
    mail::enqueue(
        conn,
        None,
        &user.email,
        subject,
        format!(
            "Hello,\n\nYour verification code {what} is:\n\n    {code}\n\nIt is valid for {CODE_MINUTES} minutes. If you did not ask for it, ignore this e-mail: nobody can log in without your password.\n\nOpenPSP Support\n"
        ),
    )
    .await
}

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
    let txn = db.begin().await.map_err(internal)?;
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

/// The demo portal's people: (e-mail, full name, organization, agent).
pub const DEMO_PEOPLE: [(&str, &str, Option<&str>, bool); 4] = [
    ("agent@openpsp.test", "Agnes Agent", None, true),
    (
        "alice@demo-retail.test",
        "Alice Martin",
        Some("Demo Retail"),
        false,
    ),
    (
        "bob@demo-retail.test",
        "Bob Dupont",
        Some("Demo Retail"),
        false,
    ),
    (
        "carol@other-corp.test",
        "Carol Rossi",
        Some("Other Corp"),
        false,
    ),
];

/// Creates the demo portal's people, active, with `password` (else a generated one).
/// Idempotent: an existing person is left alone unless a password is given, which
/// replaces theirs. Returns (e-mail, password) of those created or reset, and the
/// e-mails left as they were.
pub async fn seed_demo_people(
    db: &DatabaseConnection,
    password: Option<&str>,
) -> Result<(Vec<(String, String)>, Vec<String>), AppError> {
    let (mut set, mut unchanged) = (Vec::new(), Vec::new());
    for (email, name, organization, agent) in DEMO_PEOPLE {
        let existing = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(db)
            .await
            .map_err(internal)?;
        if existing.is_some() && password.is_none() {
            unchanged.push(email.to_owned());
            continue;
        }
        let context = PasswordContext {
            store_names: organization.map(str::to_owned).into_iter().collect(),
            logins: vec![email.split('@').next().unwrap_or("").to_owned()],
        };
        let chosen = match password {
            Some(pw) => {
                PasswordPolicy::default()
                    .validate(pw, &context)
                    .map_err(|failed| {
                        AppError::Invalid(vec![FieldError::new(
                            "password",
                            Problem::Policy(failed),
                        )])
                    })?;
                pw.to_owned()
            }
            None => crate::account::provisioning::generate_password(&context),
        };
        let hash = crypto::hash_password(chosen.clone()).await;
        let now = Utc::now();
        let txn = db.begin().await.map_err(internal)?;
        let user = match existing {
            Some(u) => {
                let mut active = u.into_active_model();
                active.password_hash = Set(Some(hash));
                active.failed_logins = Set(0);
                active.locked_until = Set(None);
                active.update(&txn).await.map_err(internal)?
            }
            None => support_user::ActiveModel {
                email: Set(email.to_owned()),
                full_name: Set(name.to_owned()),
                password_hash: Set(Some(hash)),
                is_agent: Set(agent),
                status: Set(status::ACTIVE.to_owned()),
                notify_email: Set(true),
                failed_logins: Set(0),
                locked_until: Set(None),
                invited_by: Set("seed-demo".to_owned()),
                created_at: Set(now),
                activated_at: Set(Some(now)),
                last_login_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(internal)?,
        };
        if let Some(org) = organization {
            let org = organization_named(&txn, org).await.map_err(internal)?;
            join(&txn, user.id, org.id).await.map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        set.push((email.to_owned(), chosen));
    }
    Ok((set, unchanged))
}

/// The support person `user_id` if their account is active; `Unauthenticated` otherwise
/// (a session outliving a blocked account ends there).
pub async fn active_person<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<support_user::Model, AppError> {
    support_user::Entity::find_by_id(user_id)
        .one(db)
        .await
        .map_err(internal)?
        .filter(|u| u.status == status::ACTIVE)
        .ok_or(AppError::Unauthenticated)
}

/// The active support person `user_id` if they are an agent; `Forbidden` for a customer.
pub async fn require_agent<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
) -> Result<support_user::Model, AppError> {
    let person = active_person(db, user_id).await?;
    if person.is_agent {
        Ok(person)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The organization called `name`, created if it does not exist.
pub async fn organization_named<C: ConnectionTrait>(
    conn: &C,
    name: &str,
) -> Result<support_organization::Model, DbErr> {
    support_organization::Entity::insert(support_organization::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([support_organization::Column::Name])
    .exec(conn)
    .await?;
    support_organization::Entity::find()
        .filter(support_organization::Column::Name.eq(name))
        .one(conn)
        .await?
        .ok_or(DbErr::RecordNotFound(name.to_owned()))
}

/// Makes `user_id` a member of `organization_id` (once).
pub async fn join<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    organization_id: i64,
) -> Result<(), DbErr> {
    support_membership::Entity::insert(support_membership::ActiveModel {
        user_id: Set(user_id),
        organization_id: Set(organization_id),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        support_membership::Column::UserId,
        support_membership::Column::OrganizationId,
    ])
    .exec(conn)
    .await?;
    Ok(())
}

/// The organizations `user_id` belongs to, by name.
pub async fn organizations_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<Vec<support_organization::Model>, DbErr> {
    let ids: Vec<i64> = support_membership::Entity::find()
        .filter(support_membership::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    support_organization::Entity::find()
        .filter(support_organization::Column::Id.is_in(ids))
        .order_by_asc(support_organization::Column::Name)
        .all(conn)
        .await
}

/// The port's implementation.
pub struct SupportAccountService {
    db: DatabaseConnection,
    config: Arc<Config>,
    limiter: RateLimiter,
}

impl SupportAccountService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        let limiter = RateLimiter::new(
            config.login_rate_per_minute.max(1),
            std::time::Duration::from_secs(60),
        );
        SupportAccountService {
            db,
            config,
            limiter,
        }
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<support_user::Model>, AppError> {
        let Ok(email) = domain::parse_email(email) else {
            return Ok(None);
        };
        support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(&self.db)
            .await
            .map_err(internal)
    }

    async fn user(&self, id: i64) -> Result<support_user::Model, AppError> {
        support_user::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)
    }

    async fn audit(&self, user: &support_user::Model, action: &str, detail: String, ip: &str) {
        let entry = AuditEntry {
            merchant_id: None,
            user_id: None,
            actor: &user.email,
            action,
            detail,
            ip,
        };
        if let Err(e) = audit::record(&self.db, entry).await {
            tracing::warn!(error = %e, "audit row not written");
        }
    }

    fn actor(user: &support_user::Model) -> SupportActor {
        SupportActor {
            user_id: user.id,
            email: user.email.clone(),
            is_agent: user.is_agent,
        }
    }

    async fn me_of(&self, user: &support_user::Model) -> Result<SupportMe, AppError> {
        let organizations = organizations_of(&self.db, user.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|o| o.name)
            .collect();
        Ok(SupportMe {
            email: user.email.clone(),
            full_name: user.full_name.clone(),
            organizations,
            is_agent: user.is_agent,
            notify_email: user.notify_email,
        })
    }

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

    /// A code may be sent now: no unused code was sent in the last minute (a used or
    /// exhausted one does not hold the next sign-in back).
    async fn may_send(&self, user_id: i64, purpose: CodePurpose) -> Result<bool, AppError> {
        let last = support_code::Entity::find()
            .filter(support_code::Column::UserId.eq(user_id))
            .filter(support_code::Column::Purpose.eq(purpose_code(purpose)))
            .filter(support_code::Column::Used.eq(false))
            .filter(support_code::Column::Attempts.lt(CODE_ATTEMPTS))
            .order_by_desc(support_code::Column::Id)
            .one(&self.db)
            .await
            .map_err(internal)?;
        Ok(last.is_none_or(|c| Utc::now() - c.created_at >= Duration::seconds(RESEND_SECONDS)))
    }
}

#[async_trait::async_trait]
impl SupportAccountPort for SupportAccountService {
    async fn organizations(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<SupportOrganizationView>, AppError> {
        require_agent(&self.db, actor.user_id).await?;
        let orgs = support_organization::Entity::find()
            .order_by_asc(support_organization::Column::Name)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let memberships = support_membership::Entity::find()
            .all(&self.db)
            .await
            .map_err(internal)?;
        let people: std::collections::HashMap<i64, support_user::Model> =
            support_user::Entity::find()
                .order_by_asc(support_user::Column::Email)
                .all(&self.db)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|u| (u.id, u))
                .collect();
        let member = |u: &support_user::Model| SupportMemberView {
            name: u.display_name(),
            email: u.email.clone(),
            status: u.status.clone(),
        };
        let mut views: Vec<SupportOrganizationView> = orgs
            .into_iter()
            .map(|o| {
                let mut members: Vec<SupportMemberView> = memberships
                    .iter()
                    .filter(|m| m.organization_id == o.id)
                    .filter_map(|m| people.get(&m.user_id))
                    .map(member)
                    .collect();
                members.sort_by(|a, b| a.email.cmp(&b.email));
                SupportOrganizationView {
                    id: o.id,
                    name: o.name,
                    members,
                }
            })
            .collect();
        // Support staff, as a group of their own (id 0: not an organization).
        let mut agents: Vec<SupportMemberView> =
            people.values().filter(|u| u.is_agent).map(member).collect();
        agents.sort_by(|a, b| a.email.cmp(&b.email));
        views.insert(
            0,
            SupportOrganizationView {
                id: 0,
                name: String::new(),
                members: agents,
            },
        );
        Ok(views)
    }

    async fn invite(
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
        self.organizations(actor).await
    }

    async fn begin(
        &self,
        email: String,
        ip: &str,
    ) -> Result<(SupportStep, Option<SupportPending>), AppError> {
        if domain::parse_email(&email).is_err() {
            return Err(AppError::field("email", Problem::InvalidEmail));
        }
        if !self.limiter.allow(ip) {
            return Err(AppError::RateLimited);
        }
        match self.user_by_email(&email).await? {
            Some(u) if u.status == status::INVITED => {
                if self.may_send(u.id, CodePurpose::Activate).await? {
                    send_code(&self.db, &self.config, &u, CodePurpose::Activate)
                        .await
                        .map_err(internal)?;
                }
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

    async fn login(
        &self,
        email: String,
        password: String,
        device: Option<String>,
        ip: &str,
    ) -> Result<SupportLogin, AppError> {
        if !self.limiter.allow(ip) {
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
                until: format!("{} UTC", until.format("%Y-%m-%d %H:%M")),
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
            active.update(&self.db).await.map_err(internal)?;
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
            active.update(&self.db).await.map_err(internal)?;
            self.audit(&u, "support.login.success", "trusted browser".into(), ip)
                .await;
            return Ok(SupportLogin::Done(Self::actor(&u)));
        }
        active.update(&self.db).await.map_err(internal)?;
        if self.may_send(u.id, CodePurpose::Login).await? {
            send_code(&self.db, &self.config, &u, CodePurpose::Login)
                .await
                .map_err(internal)?;
        }
        Ok(SupportLogin::Code(SupportPending {
            user_id: u.id,
            purpose: CodePurpose::Login,
            verified: false,
        }))
    }

    async fn verify(
        &self,
        pending: &SupportPending,
        code: String,
        ip: &str,
    ) -> Result<SupportVerified, AppError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.is_empty() {
            return Err(AppError::field("code", Problem::Required));
        }
        let u = self.user(pending.user_id).await?;
        // Each step is one guarded statement: the try is counted before the code is
        // compared, so racing guesses all count, and a code is used once.
        let latest = support_code::Entity::find()
            .filter(support_code::Column::UserId.eq(u.id))
            .filter(support_code::Column::Purpose.eq(purpose_code(pending.purpose)))
            .filter(support_code::Column::Used.eq(false))
            .order_by_desc(support_code::Column::Id)
            .one(&self.db)
            .await
            .map_err(internal)?;
        let Some(row) = latest.filter(|r| r.expires_at > Utc::now()) else {
            return Err(AppError::field("code", Problem::InvalidCode));
        };
        let counted = support_code::Entity::update_many()
            .col_expr(
                support_code::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(support_code::Column::Attempts), 1),
            )
            .filter(support_code::Column::Id.eq(row.id))
            .filter(support_code::Column::Attempts.lt(CODE_ATTEMPTS))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if counted.rows_affected != 1 {
            return Err(AppError::field("code", Problem::CodeExhausted));
        }
        if code_hash(&self.config, u.id, pending.purpose, &code) != row.code_hash {
            self.audit(&u, "support.code.failure", String::new(), ip)
                .await;
            let exhausted = row.attempts + 1 >= CODE_ATTEMPTS;
            return Err(AppError::field(
                "code",
                if exhausted {
                    Problem::CodeExhausted
                } else {
                    Problem::InvalidCode
                },
            ));
        }
        let used = support_code::Entity::update_many()
            .col_expr(support_code::Column::Used, Expr::value(true))
            .filter(support_code::Column::Id.eq(row.id))
            .filter(support_code::Column::Used.eq(false))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        if used.rows_affected != 1 {
            return Err(AppError::field("code", Problem::InvalidCode));
        }
        let result = match pending.purpose {
            CodePurpose::Activate => SupportVerified::Activation(SupportPending {
                verified: true,
                ..pending.clone()
            }),
            CodePurpose::Login => {
                let mut active = u.clone().into_active_model();
                active.last_login_at = Set(Some(Utc::now()));
                active.update(&self.db).await.map_err(internal)?;
                SupportVerified::Login {
                    actor: Self::actor(&u),
                    device: device_token(
                        &self.config,
                        u.id,
                        Utc::now() + Duration::days(DEVICE_DAYS),
                    ),
                }
            }
        };
        if pending.purpose == CodePurpose::Login {
            self.audit(&u, "support.login.success", "code".into(), ip)
                .await;
        }
        Ok(result)
    }

    async fn resend(&self, pending: &SupportPending) -> Result<(), AppError> {
        let u = self.user(pending.user_id).await?;
        if !self.may_send(u.id, pending.purpose).await? {
            return Err(AppError::field("code", Problem::ResendTooSoon));
        }
        send_code(&self.db, &self.config, &u, pending.purpose)
            .await
            .map_err(internal)
    }

    async fn activation_rules(&self, pending: &SupportPending) -> Result<PasswordRules, AppError> {
        let u = self.user(pending.user_id).await?;
        Ok(PasswordRules {
            min_length: PasswordPolicy::default().min_length(),
            context: self.context(&u).await?,
        })
    }

    async fn activate(
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
        let txn = self.db.begin().await.map_err(internal)?;
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
        send_code(&txn, &self.config, &u, CodePurpose::Login)
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        self.audit(&u, "support.activate", String::new(), ip).await;
        Ok(SupportPending {
            user_id: u.id,
            purpose: CodePurpose::Login,
            verified: false,
        })
    }

    async fn me(&self, actor: &SupportActor) -> Result<SupportMe, AppError> {
        let u = self.user(actor.user_id).await?;
        if u.status != status::ACTIVE {
            return Err(AppError::Unauthenticated);
        }
        self.me_of(&u).await
    }

    async fn save_profile(
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
        let u = active.update(&self.db).await.map_err(internal)?;
        self.me_of(&u).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let dir = std::env::temp_dir().join(format!("openpsp-dev-{}", uuid::Uuid::new_v4()));
        let vars = std::collections::HashMap::from([(
            "OPENPSP_DATA_DIR".to_owned(),
            dir.display().to_string(),
        )]);
        let config = Config::load_with(&move |k| vars.get(k).cloned()).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        config
    }

    #[test]
    fn device_tokens_are_bound_to_the_person_and_expire() {
        let config = config();
        let token = device_token(&config, 7, Utc::now() + Duration::days(DEVICE_DAYS));
        assert!(device_trusted(&config, 7, &token));
        assert!(!device_trusted(&config, 8, &token), "another person");
        let old = device_token(&config, 7, Utc::now() - Duration::seconds(1));
        assert!(!device_trusted(&config, 7, &old), "expired");
        let forged = token.replace("7.", "8.");
        assert!(!device_trusted(&config, 8, &forged), "edited");
        let mut tampered = token.clone();
        tampered.push('x');
        assert!(!device_trusted(&config, 7, &tampered));
        assert!(!device_trusted(&config, 7, "garbage"));
    }
}
