//! Changing a password (throttled per user, audited, ending the user's other sessions)
//! and resetting one from a mailed link (ending all of them).

use super::{internal, AccountService};
use crate::entities::{password_history, password_reset_token, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::crypto;
use crate::platform::db::BeginWrite;
use app::account::Actor;
use app::error::{AppError, Problem};
use chrono::{Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

/// Password changes one user may try (the current password checked) per
/// [`CHANGE_WINDOW_MINUTES`].
pub const CHANGES_PER_HOUR: u64 = 5;
/// The window of [`CHANGES_PER_HOUR`].
const CHANGE_WINDOW_MINUTES: i64 = 60;

/// The audit action of a password change let through to the check of the current
/// password: written (and committed) before that check, so it is what the throttle
/// counts, however many requests arrive at once.
pub const CHANGE_ATTEMPT: &str = "password.change_attempt";

/// Ends every session of `user_id` signed in before now: raises the user's session
/// epoch in `conn` (the caller's transaction) and answers the new epoch. Any change that
/// must sign a user out elsewhere (password, deactivation, role or rights) calls it.
pub async fn end_sessions<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<i64, DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::SessionEpoch,
            Expr::col(user::Column::SessionEpoch).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .map(|u| u.session_epoch)
        .unwrap_or_default())
}

/// Whether `new` is `u`'s current password or one of the
/// [`domain::password::HISTORY_DEPTH`] before it (PCI DSS 4.0 §8.3.7), by argon2
/// verification against each kept hash.
pub async fn password_reused<C: ConnectionTrait>(
    conn: &C,
    u: &user::Model,
    new: &str,
) -> Result<bool, DbErr> {
    let earlier: Vec<String> = password_history::Entity::find()
        .select_only()
        .column(password_history::Column::PasswordHash)
        .filter(password_history::Column::UserId.eq(u.id))
        .order_by_desc(password_history::Column::CreatedAt)
        .order_by_desc(password_history::Column::Id)
        .limit(domain::password::HISTORY_DEPTH as u64)
        .into_tuple()
        .all(conn)
        .await?;
    for hash in std::iter::once(u.password_hash.clone()).chain(earlier) {
        if crypto::verify_password(new.to_owned(), Some(hash)).await {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Keeps `old_hash`, the password `user_id` had until now, in the user's history inside
/// the caller's transaction, and forgets what is older than the history needs.
pub async fn remember_password<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    old_hash: String,
) -> Result<(), DbErr> {
    password_history::ActiveModel {
        user_id: Set(user_id),
        password_hash: Set(old_hash),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    // Kept short by this very pruning, so read whole: SQLite has no OFFSET without LIMIT.
    let kept: Vec<i64> = password_history::Entity::find()
        .select_only()
        .column(password_history::Column::Id)
        .filter(password_history::Column::UserId.eq(user_id))
        .order_by_desc(password_history::Column::CreatedAt)
        .order_by_desc(password_history::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let beyond: Vec<i64> = kept
        .into_iter()
        .skip(domain::password::HISTORY_DEPTH)
        .collect();
    if !beyond.is_empty() {
        password_history::Entity::delete_many()
            .filter(password_history::Column::Id.is_in(beyond))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Refuses `new` when it is one of `u`'s last passwords: a field error on `new_password`.
async fn refuse_reused<C: ConnectionTrait>(
    conn: &C,
    u: &user::Model,
    new: &str,
) -> Result<(), AppError> {
    if password_reused(conn, u, new).await.map_err(internal)? {
        return Err(AppError::field("new_password", Problem::PasswordReused));
    }
    Ok(())
}

impl AccountService {
    /// Takes one of `user`'s password-change attempts of the last hour, before the
    /// current password is checked: `false` when they are used up. The attempt's audit
    /// row is committed here, so concurrent requests count each other and every server
    /// process sees the same count.
    async fn take_change_attempt(
        &self,
        merchant_id: i64,
        user: &user::Model,
        ip: &str,
    ) -> Result<bool, AppError> {
        audit::take_attempt(
            &self.db,
            audit::AttemptsOf::User(user.id),
            CHANGES_PER_HOUR,
            Utc::now() - Duration::minutes(CHANGE_WINDOW_MINUTES),
            AuditEntry {
                merchant_id: Some(merchant_id),
                user_id: Some(user.id),
                actor: &user.login,
                action: CHANGE_ATTEMPT,
                detail: "the current password is checked next".into(),
                ip,
            },
        )
        .await
        .map_err(internal)
    }

    /// Changes the actor's password after checking the current one; the user's other
    /// sessions end. Answers the new session epoch, for the session that made the change.
    pub(super) async fn change_own_password(
        &self,
        actor: &Actor,
        current: String,
        new: String,
        ip: &str,
    ) -> Result<i64, AppError> {
        let (m, u) = self.load_actor(actor).await?;
        if current.is_empty() {
            return Err(AppError::field("current", Problem::Required));
        }
        let refused = |detail: &'static str| AuditEntry {
            merchant_id: Some(m.id),
            user_id: Some(u.id),
            actor: &u.login,
            action: "password.change_refused",
            detail: detail.into(),
            ip,
        };
        // What can be answered without the current password is, so a mistyped new
        // password does not use up an attempt.
        if current == new {
            return Err(AppError::field("new_password", Problem::SamePassword));
        }
        let (policy, context) = self.rules_for(&m).await?;
        Self::check_policy(&policy, &context, &new)?;
        if !self.take_change_attempt(m.id, &u, ip).await? {
            let mut entry = refused("too many changes in an hour");
            entry.action = "password.change_throttled";
            audit::record(&self.db, entry).await.map_err(internal)?;
            return Err(AppError::RateLimited);
        }
        if !crypto::verify_password(current.clone(), Some(u.password_hash.clone())).await {
            audit::record(&self.db, refused("wrong current password"))
                .await
                .map_err(internal)?;
            return Err(AppError::field("current", Problem::WrongCurrentPassword));
        }
        // Only once the current password is proven: the answer tells whether `new` is
        // one of the user's earlier passwords.
        refuse_reused(&self.db, &u, &new).await?;
        let hash = crypto::hash_password(new).await;
        let txn = self.db.begin_write().await.map_err(internal)?;
        remember_password(&txn, u.id, u.password_hash.clone())
            .await
            .map_err(internal)?;
        let mut active = u.clone().into_active_model();
        active.password_hash = Set(hash);
        active.password_changed_at = Set(Some(Utc::now()));
        active.update(&txn).await.map_err(internal)?;
        let epoch = end_sessions(&txn, u.id).await.map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "password.change",
                detail: "other sessions ended".into(),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(epoch)
    }

    /// Sets a new password from a reset link, once; every session of the user ends.
    pub(super) async fn reset_with_link(
        &self,
        token: &str,
        new: String,
        ip: &str,
    ) -> Result<(), AppError> {
        let (t, u, m) = self.reset_link(token).await?;
        let (policy, context) = self.rules_for(&m).await?;
        Self::check_policy(&policy, &context, &new)?;
        refuse_reused(&self.db, &u, &new).await?;
        let hash = crypto::hash_password(new).await;
        let now = Utc::now();
        let txn = self.db.begin_write().await.map_err(internal)?;
        // Single use even under a race: only the request that flips `used_at` proceeds.
        let claimed = password_reset_token::Entity::update_many()
            .col_expr(password_reset_token::Column::UsedAt, Expr::value(now))
            .filter(password_reset_token::Column::Id.eq(t.id))
            .filter(password_reset_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .map_err(internal)?;
        if claimed.rows_affected != 1 {
            return Err(AppError::field("token", Problem::InvalidLink));
        }
        remember_password(&txn, u.id, u.password_hash.clone())
            .await
            .map_err(internal)?;
        let mut active = u.clone().into_active_model();
        active.password_hash = Set(hash);
        active.password_changed_at = Set(Some(now));
        active.failed_logins = Set(0);
        active.locked_until = Set(None);
        active.update(&txn).await.map_err(internal)?;
        end_sessions(&txn, u.id).await.map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "password.reset",
                detail: "every session ended".into(),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }
}
