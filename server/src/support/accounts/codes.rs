//! The mailed codes (SP-1): an 8-digit code for activating an account or as the second
//! factor of a sign-in, kept only as an HMAC, valid 10 minutes, surviving 5 wrong tries
//! counted by a guarded UPDATE before the code is compared, used once, and sent again at
//! most once a minute. Codes are limited per person and per client address per hour,
//! and after three codes used up by wrong tries within an hour, sign-in by code is
//! locked for an hour: guessing cannot go on forever.
//!
//! A code is issued in one step, [`issue_in`] inside one transaction: the person's row
//! is written first (a no-op UPDATE: a row lock on PostgreSQL, the write lock on SQLite),
//! so parallel requests for the same person wait for each other and each sees the codes
//! the one before it committed; then the lock, the one-minute spacing and the hour's
//! counts are checked, earlier codes voided and the new one inserted and mailed. Parallel
//! requests can therefore not pass the per-person limits. The per-address count is read
//! under the person's lock only: on PostgreSQL, requests from one address for *different*
//! people run in parallel and may together pass [`CODES_PER_ADDRESS_HOUR`] by up to the
//! number of requests in flight (on SQLite the write lock serialises them all).

use super::devices::{device_token, DEVICE_DAYS};
use super::SupportAccountService;
use crate::account::service::internal;
use crate::entities::{support_code, support_user};
use crate::platform::config::Config;
use crate::platform::crypto;
use crate::platform::db::{Autocommit, BeginWrite};
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

/// What asking for a code came to.
pub(super) enum Issue {
    /// A new code was mailed (earlier ones stop working).
    Sent,
    /// An unused code went out less than a minute ago: nothing was sent, it still works.
    TooSoon,
    /// Refused: sign-in by code is locked ([`AppError::Locked`]) or the hour's codes of
    /// the person or the address are used up ([`AppError::RateLimited`]).
    Refused(AppError),
}

/// Issues a code for `purpose` to `user_id` asked from `ip`, inside the caller's
/// transaction `txn`: the caller commits after [`Issue::Sent`] and rolls back after
/// [`Issue::Refused`] (after [`Issue::TooSoon`] nothing was written here but the no-op).
/// The one place codes are issued (see the module's documentation).
pub(super) async fn issue_in<C: ConnectionTrait>(
    txn: &C,
    config: &Config,
    user_id: i64,
    purpose: CodePurpose,
    ip: &str,
) -> Result<Issue, DbErr> {
    // First the person's row: whoever asks in parallel waits here until this commits.
    support_user::Entity::update_many()
        .col_expr(
            support_user::Column::FailedLogins,
            Expr::col(support_user::Column::FailedLogins),
        )
        .filter(support_user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    let Some(user) = support_user::Entity::find_by_id(user_id).one(txn).await? else {
        return Ok(Issue::Refused(AppError::Unauthenticated));
    };
    if let Some(locked) = code_lock(&user) {
        return Ok(Issue::Refused(locked));
    }
    let now = Utc::now();
    // A used or exhausted code does not hold the next one back.
    let last = support_code::Entity::find()
        .filter(support_code::Column::UserId.eq(user.id))
        .filter(support_code::Column::Purpose.eq(purpose_code(purpose)))
        .filter(support_code::Column::Used.eq(false))
        .filter(support_code::Column::Attempts.lt(CODE_ATTEMPTS))
        .order_by_desc(support_code::Column::Id)
        .one(txn)
        .await?;
    if last.is_some_and(|c| now - c.created_at < Duration::seconds(RESEND_SECONDS)) {
        return Ok(Issue::TooSoon);
    }
    let since = now - Duration::hours(1);
    let for_person = support_code::Entity::find()
        .filter(support_code::Column::UserId.eq(user.id))
        .filter(support_code::Column::CreatedAt.gt(since))
        .count(txn)
        .await?;
    let from_address = support_code::Entity::find()
        .filter(support_code::Column::Ip.eq(ip))
        .filter(support_code::Column::CreatedAt.gt(since))
        .count(txn)
        .await?;
    if for_person >= CODES_PER_PERSON_HOUR || from_address >= CODES_PER_ADDRESS_HOUR {
        return Ok(Issue::Refused(AppError::RateLimited));
    }
    send_code(txn, config, &user, purpose, ip).await?;
    Ok(Issue::Sent)
}

/// Mails a new code for `purpose` (earlier ones stop working); returns nothing of it.
async fn send_code<C: ConnectionTrait>(
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
            until: crate::support::tickets::format(until),
        })
}

impl SupportAccountService {
    /// Issues a code for `purpose` to `user` asked from `ip` in a transaction of its
    /// own ([`issue_in`]): `Ok(false)` when one went out less than a minute ago (nothing
    /// sent); the lock, or `RateLimited` (audited) when the hour's codes are used up.
    pub(super) async fn issue_code(
        &self,
        user: &support_user::Model,
        purpose: CodePurpose,
        ip: &str,
    ) -> Result<bool, AppError> {
        let txn = self.db.begin_write().await.map_err(internal)?;
        let issued = issue_in(&txn, &self.config, user.id, purpose, ip)
            .await
            .map_err(internal)?;
        if let Issue::Sent = issued {
            txn.commit().await.map_err(internal)?;
            return Ok(true);
        }
        txn.rollback().await.map_err(internal)?;
        match issued {
            Issue::Refused(e) => Err(self.refused(user, e, ip).await),
            _ => Ok(false),
        }
    }

    /// The error of a refused code, audited when the hour's codes were used up (after
    /// the transaction ended: the audit row is written outside it).
    pub(super) async fn refused(
        &self,
        user: &support_user::Model,
        error: AppError,
        ip: &str,
    ) -> AppError {
        if error == AppError::RateLimited {
            self.audit(user, "support.code.limited", String::new(), ip)
                .await;
        }
        error
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
            .exec(&Autocommit(&self.db))
            .await
            .map_err(internal)?;
        // The person's codes still open are void: a lock leaves nothing to guess.
        support_code::Entity::update_many()
            .col_expr(support_code::Column::Used, Expr::value(true))
            .filter(support_code::Column::UserId.eq(user.id))
            .filter(support_code::Column::Used.eq(false))
            .exec(&Autocommit(&self.db))
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
            .exec(&Autocommit(&self.db))
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
            .exec(&Autocommit(&self.db))
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
                active
                    .update(&Autocommit(&self.db))
                    .await
                    .map_err(internal)?;
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
        if !self.issue_code(&u, pending.purpose, ip).await? {
            return Err(AppError::field("code", Problem::ResendTooSoon));
        }
        Ok(())
    }
}
