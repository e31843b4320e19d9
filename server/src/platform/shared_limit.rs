//! Rate limits that hold across nodes (PL-2): fixed windows counted in the database, so
//! sign-in and password-reset attempts from one client address are limited however a
//! round-robin front spreads them over the nodes. Each hit is one upsert that answers
//! the window's count (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, atomic on SQLite
//! and PostgreSQL). Keys are kept as SHA-256 of the limiter's name and the key (with the
//! address grouping of [`super::rate_limit::address_key`]), never as addresses. Ended
//! windows are deleted by the job runner's housekeeping ([`forget_ended`]).
//!
//! The per-process [`super::rate_limit::RateLimiter`] stays for the limits that only
//! shed load (hosted pay requests, failed API signatures): there a node's own count is
//! enough.

use super::crypto::sha256_hex;
use super::rate_limit::normalised;
use crate::entities::rate_window;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::time::Duration;

/// Longest window any shared limiter uses: rows older than this (and one more window)
/// are ended for every limiter.
pub const LONGEST_WINDOW_SECONDS: i64 = 3_600;

/// Allows `limit` hits per key per window, counted in the database.
#[derive(Clone, Debug)]
pub struct SharedLimiter {
    name: &'static str,
    limit: u32,
    window_seconds: i64,
}

impl SharedLimiter {
    /// `limit` hits per `window` (whole seconds, at least one, at most an hour) under
    /// `name`, which keeps limiters with the same keys apart.
    pub fn new(name: &'static str, limit: u32, window: Duration) -> Self {
        let window_seconds = (window.as_secs() as i64).clamp(1, LONGEST_WINDOW_SECONDS);
        SharedLimiter {
            name,
            limit,
            window_seconds,
        }
    }

    /// The window `now` (seconds since the epoch) falls in.
    fn window_of(&self, now: i64) -> i64 {
        now - now.rem_euclid(self.window_seconds)
    }

    /// The stored form of `key`.
    fn hashed(&self, key: &str) -> String {
        sha256_hex(format!("{}\n{}", self.name, normalised(key)).as_bytes())
    }

    /// Counts a hit for `key` at `now`; answers the window's hits, this one included.
    async fn hit_at<C: ConnectionTrait>(&self, db: &C, key: &str, now: i64) -> Result<i64, DbErr> {
        let row = rate_window::ActiveModel {
            key_hash: Set(self.hashed(key)),
            window_start: Set(self.window_of(now)),
            hits: Set(1),
        };
        let counted = rate_window::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    rate_window::Column::KeyHash,
                    rate_window::Column::WindowStart,
                ])
                .value(
                    rate_window::Column::Hits,
                    Expr::col((rate_window::Entity, rate_window::Column::Hits)).add(1),
                )
                .to_owned(),
            )
            .exec_with_returning(db)
            .await?;
        Ok(i64::from(counted.hits))
    }

    /// Counts a hit for `key`; `false` when the key is over its limit in this window.
    pub async fn allow<C: ConnectionTrait>(&self, db: &C, key: &str) -> Result<bool, DbErr> {
        let hits = self.hit_at(db, key, Utc::now().timestamp()).await?;
        Ok(hits <= i64::from(self.limit))
    }
}

/// Deletes the windows that ended before `now` (seconds since the epoch) for every
/// limiter; answers how many.
pub async fn forget_ended<C: ConnectionTrait>(db: &C, now: i64) -> Result<u64, DbErr> {
    let res = rate_window::Entity::delete_many()
        .filter(rate_window::Column::WindowStart.lt(now - LONGEST_WINDOW_SECONDS))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_on_multiples_of_their_length() {
        let limiter = SharedLimiter::new("t", 3, Duration::from_secs(60));
        assert_eq!(limiter.window_of(120), 120);
        assert_eq!(limiter.window_of(179), 120);
        assert_eq!(limiter.window_of(180), 180);
        // Never zero-length, never longer than an hour.
        assert_eq!(SharedLimiter::new("t", 1, Duration::ZERO).window_seconds, 1);
        assert_eq!(
            SharedLimiter::new("t", 1, Duration::from_secs(86_400)).window_seconds,
            LONGEST_WINDOW_SECONDS
        );
    }

    #[test]
    fn keys_are_stored_hashed_per_limiter_and_grouped_by_network() {
        let login = SharedLimiter::new("login", 3, Duration::from_secs(60));
        let reset = SharedLimiter::new("reset", 3, Duration::from_secs(60));
        let a = login.hashed("192.0.2.7");
        assert_eq!(a.len(), 64);
        assert!(!a.contains("192"));
        assert_ne!(a, reset.hashed("192.0.2.7"));
        // One IPv6 /64 is one key.
        assert_eq!(
            login.hashed("2001:db8:1:2::1"),
            login.hashed("2001:db8:1:2:ffff::9")
        );
    }
}
