//! The mailed codes (SP-1): an 8-digit code for activating an account or as the second
//! factor of a sign-in, kept only as an HMAC, valid 10 minutes, surviving 5 wrong tries
//! counted by a guarded UPDATE before the code is compared, used once, and sent again at
//! most once a minute. Codes are limited per person and per client address per hour,
//! and after three codes used up by wrong tries within an hour, sign-in by code is
//! locked for an hour: guessing cannot go on forever.

use super::devices::{device_token, DEVICE_DAYS};
use super::SupportAccountService;
use crate::account::service::internal;
use crate::entities::{support_code, support_user};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::mail;
use app::error::{AppError, Problem};
use app::support::accounts::{CodePurpose, SupportPending, SupportVerified};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// How long a mailed code is valid.
pub const CODE_MINUTES: i64 = 10;
/// Wrong tries a code survives.
pub const CODE_ATTEMPTS: i32 = 5;
/// Shortest wait between two codes for the same person.
const RESEND_SECONDS: i64 = 60;
/// Codes one person may be sent per hour.
pub const CODES_PER_PERSON_HOUR: u64 = 5;
/// Codes one client address may ask for per hour, whoever they are for.
pub const CODES_PER_ADDRESS_HOUR: u64 = 30;
/// Codes used up by wrong tries within an hour before sign-in by code locks.
pub const LOCK_ROUNDS: u64 = 3;
/// How long sign-in by code then stays locked.
pub const LOCK_MINUTES: i64 = 60;

fn purpose_code(p: CodePurpose) -> &'static str {
    match p {
        CodePurpose::Activate => "activate",
        CodePurpose::Login => "login",
    }
}

fn code_hash(config: &Config, user_id: i64, purpose: CodePurpose, code: &str) -> String {
    crypto::hmac_sha256_base64(
        &config.data_key,
        format!("support-code:{user_id}:{}:{code}", purpose_code(purpose)).as_bytes(),
    )
}

/// Mails a new code for `purpose` (earlier ones stop working); returns nothing of it.
pub(super) async fn send_code<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    user: &support_user::Model,
    purpose: CodePurpose,
    ip: &str,
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
        ip: Set(Some(ip.chars().take(64).collect())),
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

/// The lock message of a person whose sign-in by code is locked now.
fn code_lock(user: &support_user::Model) -> Option<AppError> {
    user.code_locked_until
        .filter(|until| *until > Utc::now())
        .map(|until| AppError::Locked {
            until: format!("{} UTC", until.format("%Y-%m-%d %H:%M")),
        })
}

impl SupportAccountService {
    /// Refuses a new code for `user` asked from `ip` when their sign-in by code is
    /// locked, or when they or the address had their hour's codes.
    pub(super) async fn may_issue(
        &self,
        user: &support_user::Model,
        ip: &str,
    ) -> Result<(), AppError> {
        if let Some(locked) = code_lock(user) {
            return Err(locked);
        }
        let since = Utc::now() - Duration::hours(1);
        let recent = |condition: sea_orm::Condition| {
            support_code::Entity::find()
                .filter(condition)
                .filter(support_code::Column::CreatedAt.gt(since))
                .count(&self.db)
        };
        let for_person =
            recent(sea_orm::Condition::all().add(support_code::Column::UserId.eq(user.id)))
                .await
                .map_err(internal)?;
        let from_address = recent(sea_orm::Condition::all().add(support_code::Column::Ip.eq(ip)))
            .await
            .map_err(internal)?;
        if for_person >= CODES_PER_PERSON_HOUR || from_address >= CODES_PER_ADDRESS_HOUR {
            self.audit(user, "support.code.limited", String::new(), ip)
                .await;
            return Err(AppError::RateLimited);
        }
        Ok(())
    }

    /// After a code was used up by wrong tries: with the hour's third such code, sign-in
    /// by code locks for an hour. Answers the lock when it is on.
    async fn lock_after_rounds(
        &self,
        user: &support_user::Model,
        ip: &str,
    ) -> Result<Option<AppError>, AppError> {
        let rounds = support_code::Entity::find()
            .filter(support_code::Column::UserId.eq(user.id))
            .filter(support_code::Column::Attempts.gte(CODE_ATTEMPTS))
            .filter(support_code::Column::CreatedAt.gt(Utc::now() - Duration::hours(1)))
            .count(&self.db)
            .await
            .map_err(internal)?;
        if rounds < LOCK_ROUNDS {
            return Ok(None);
        }
        let until = Utc::now() + Duration::minutes(LOCK_MINUTES);
        support_user::Entity::update_many()
            .col_expr(support_user::Column::CodeLockedUntil, Expr::value(until))
            .filter(support_user::Column::Id.eq(user.id))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        // The person's codes still open are void: a lock leaves nothing to guess.
        support_code::Entity::update_many()
            .col_expr(support_code::Column::Used, Expr::value(true))
            .filter(support_code::Column::UserId.eq(user.id))
            .filter(support_code::Column::Used.eq(false))
            .exec(&self.db)
            .await
            .map_err(internal)?;
        self.audit(
            user,
            "support.code.locked",
            format!("{rounds} codes used up by wrong tries within an hour"),
            ip,
        )
        .await;
        Ok(code_lock(&support_user::Model {
            code_locked_until: Some(until),
            ..user.clone()
        }))
    }

    /// A code may be sent now: no unused code was sent in the last minute (a used or
    /// exhausted one does not hold the next sign-in back).
    pub(super) async fn may_send(
        &self,
        user_id: i64,
        purpose: CodePurpose,
    ) -> Result<bool, AppError> {
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

    /// Checks `code` for the pending step: an activation goes on to the name and
    /// password; a sign-in ends with the person signed in and this browser trusted.
    pub(super) async fn check_code(
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
        if let Some(locked) = code_lock(&u) {
            self.audit(&u, "support.code.refused_locked", String::new(), ip)
                .await;
            return Err(locked);
        }
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
            if exhausted {
                if let Some(locked) = self.lock_after_rounds(&u, ip).await? {
                    return Err(locked);
                }
            }
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
                    actor: self.actor(&u),
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

    /// Mails a new code for the pending step, unless one went out less than a minute ago
    /// (or the hour's codes are used up, or sign-in by code is locked).
    pub(super) async fn send_again(
        &self,
        pending: &SupportPending,
        ip: &str,
    ) -> Result<(), AppError> {
        let u = self.user(pending.user_id).await?;
        if let Some(locked) = code_lock(&u) {
            return Err(locked);
        }
        if !self.may_send(u.id, pending.purpose).await? {
            return Err(AppError::field("code", Problem::ResendTooSoon));
        }
        self.may_issue(&u, ip).await?;
        send_code(&self.db, &self.config, &u, pending.purpose, ip)
            .await
            .map_err(internal)
    }
}
