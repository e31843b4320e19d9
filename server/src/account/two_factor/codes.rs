//! One-time codes of the sign-in's second factor: recovery codes (kept as SHA-256
//! hashes, each used once by a guarded UPDATE) and e-mailed codes and links (kept as
//! HMACs with the data key, at most [`MAX_TRIES`] tries each, one new code a minute).

use crate::entities::{recovery_code, user_code};
use crate::platform::crypto;
use app::error::Problem;
use chrono::{Duration, Utc};
use domain::two_factor::{
    display_recovery_code, normalize_recovery_code, RECOVERY_ALPHABET, RECOVERY_CODES,
    RECOVERY_LENGTH,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

/// Wrong tries an e-mailed code takes before it is void.
pub const MAX_TRIES: i32 = 5;
/// How long an e-mailed code is valid.
pub const CODE_MINUTES: i64 = 10;
/// How long a confirmation link is valid.
pub const LINK_HOURS: i64 = 24;
/// The least time between two codes of one purpose.
const RESEND_SECONDS: i64 = 60;

/// What an e-mailed code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The sign-in's second step.
    SignIn,
    /// Turning the e-mailed factor on.
    Enable,
    /// Confirming the recovery address (a link, not a code).
    Confirm,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::SignIn => "login",
            Purpose::Enable => "enable",
            Purpose::Confirm => "confirm",
        }
    }
}

/// Replaces `user_id`'s recovery codes with ten new ones, answered as shown (once).
pub async fn replace_recovery_codes<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<Vec<String>, DbErr> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let now = Utc::now();
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code = crypto::random_from(RECOVERY_ALPHABET, RECOVERY_LENGTH);
        recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(crypto::token_hash(&code)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        shown.push(display_recovery_code(&code));
    }
    Ok(shown)
}

/// Uses one of `user_id`'s recovery codes: `true` when `typed` was one and unused.
pub async fn use_recovery_code<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    typed: &str,
) -> Result<bool, DbErr> {
    let Some(code) = normalize_recovery_code(typed) else {
        return Ok(false);
    };
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(Utc::now()))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(crypto::token_hash(&code)))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(used.rows_affected == 1)
}

/// `user_id`'s unused recovery codes.
pub async fn recovery_codes_left<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<u64, DbErr> {
    recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(conn)
        .await
}

/// Forgets every recovery code and open e-mailed code of `user_id` (the factor is off).
pub async fn forget_all<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<(), DbErr> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    user_code::Entity::delete_many()
        .filter(user_code::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

fn code_mac(key: &[u8], user_id: i64, purpose: Purpose, code: &str) -> String {
    crypto::hmac_sha256_base64(
        key,
        format!("{user_id}:{}:{code}", purpose.code()).as_bytes(),
    )
}

/// Issues a new code (4 digits) or link token of `purpose` for `user_id`, voiding the
/// open ones; `None` when an open one was issued less than a minute ago.
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    key: &[u8],
    user_id: i64,
    purpose: Purpose,
    target: Option<String>,
) -> Result<Option<String>, DbErr> {
    let now = Utc::now();
    let recent = user_code::Entity::find()
        .filter(user_code::Column::UserId.eq(user_id))
        .filter(user_code::Column::Purpose.eq(purpose.code()))
        .filter(user_code::Column::CreatedAt.gt(now - Duration::seconds(RESEND_SECONDS)))
        .filter(user_code::Column::UsedAt.is_null())
        .count(conn)
        .await?;
    if recent > 0 {
        return Ok(None);
    }
    user_code::Entity::update_many()
        .col_expr(user_code::Column::UsedAt, Expr::value(now))
        .filter(user_code::Column::UserId.eq(user_id))
        .filter(user_code::Column::Purpose.eq(purpose.code()))
        .filter(user_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    let (code, hash, expires) = if purpose == Purpose::Confirm {
        let token = crypto::random_token();
        let hash = crypto::token_hash(&token);
        (token, hash, now + Duration::hours(LINK_HOURS))
    } else {
        let code = crypto::random_from(b"0123456789", domain::two_factor::EMAIL_CODE_DIGITS);
        let hash = code_mac(key, user_id, purpose, &code);
        (code, hash, now + Duration::minutes(CODE_MINUTES))
    };
    user_code::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.code().to_owned()),
        code_hash: Set(hash),
        target: Set(target),
        tries: Set(0),
        expires_at: Set(expires),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(Some(code))
}

/// Checks a typed 4-digit code of `purpose` against `user_id`'s open one: every try is
/// counted first (a guarded UPDATE), the code is used once.
pub async fn check<C: ConnectionTrait>(
    conn: &C,
    key: &[u8],
    user_id: i64,
    purpose: Purpose,
    typed: &str,
) -> Result<Result<(), Problem>, DbErr> {
    let now = Utc::now();
    let Some(open) = user_code::Entity::find()
        .filter(user_code::Column::UserId.eq(user_id))
        .filter(user_code::Column::Purpose.eq(purpose.code()))
        .filter(user_code::Column::UsedAt.is_null())
        .filter(user_code::Column::ExpiresAt.gt(now))
        .order_by_desc(user_code::Column::Id)
        .one(conn)
        .await?
    else {
        return Ok(Err(Problem::InvalidCode));
    };
    let counted = user_code::Entity::update_many()
        .col_expr(
            user_code::Column::Tries,
            Expr::col(user_code::Column::Tries).add(1),
        )
        .filter(user_code::Column::Id.eq(open.id))
        .filter(user_code::Column::Tries.lt(MAX_TRIES))
        .exec(conn)
        .await?;
    if counted.rows_affected != 1 {
        return Ok(Err(Problem::CodeExhausted));
    }
    let Some(code) = domain::two_factor::parse_code(typed, domain::two_factor::EMAIL_CODE_DIGITS)
    else {
        return Ok(Err(Problem::InvalidCode));
    };
    let message = format!("{user_id}:{}:{code}", purpose.code());
    if !crypto::hmac_sha256_verify(key, message.as_bytes(), &open.code_hash) {
        return Ok(Err(Problem::InvalidCode));
    }
    let used = user_code::Entity::update_many()
        .col_expr(user_code::Column::UsedAt, Expr::value(now))
        .filter(user_code::Column::Id.eq(open.id))
        .filter(user_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(if used.rows_affected == 1 {
        Ok(())
    } else {
        Err(Problem::InvalidCode)
    })
}

/// Uses a confirmation link once: the user and the address it confirms.
pub async fn follow_link<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> Result<Option<(i64, String)>, DbErr> {
    let now = Utc::now();
    let Some(link) = user_code::Entity::find()
        .filter(user_code::Column::CodeHash.eq(crypto::token_hash(token)))
        .filter(user_code::Column::Purpose.eq(Purpose::Confirm.code()))
        .filter(user_code::Column::UsedAt.is_null())
        .filter(user_code::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let used = user_code::Entity::update_many()
        .col_expr(user_code::Column::UsedAt, Expr::value(now))
        .filter(user_code::Column::Id.eq(link.id))
        .filter(user_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((used.rows_affected == 1)
        .then_some(link.target)
        .flatten()
        .map(|target| (link.user_id, target)))
}
