//! API keys with their merchants kept in memory between requests (PostgreSQL only), so
//! that an API call does not read the key and its merchant's row (about seventy columns)
//! from the database each time.
//!
//! Kept only while this process hears of every change: the database names each row of
//! `merchants` and `api_keys` updated or deleted on a channel (`LISTEN`/`NOTIFY`, raised
//! by triggers, so every writer is heard: pages, commands, other nodes, a hand-run
//! statement; a merchant's payment settings raise its row's settings version, so they
//! are heard too), and this process forgets that key or that merchant's keys when it
//! hears it. It forgets everything when its listening connection is lost (what was said
//! meanwhile is not heard), and before it answers any back-office or support-portal
//! request that may have written (a change made through this node is never read back
//! old by the next call, however soon). Whatever is heard, a key is kept [`KEEP_FOR`]
//! at most.
//!
//! A read that began before a change was heard is not kept: each read notes the
//! generation it began in, and is kept only if nothing was heard since. SQLite has no
//! such channel, and its reads cost no round trip: there, nothing is kept; nor anywhere
//! with `OPENPSP_API_KEY_CACHE=off`.

use crate::entities::{api_key, merchant};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{DatabaseConnection, DbBackend};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The channel the database's triggers announce changes on (migration
/// `m20261208_000001_directory_changes`).
pub const CHANNEL: &str = "openpsp_directory";

/// Longest time a key is kept, even when nothing was heard: the bound on a change
/// missed while the listening connection was lost before this process knew.
pub const KEEP_FOR: Duration = Duration::from_secs(60);

/// Most keys kept; past it everything is forgotten and kept anew.
pub const MAX_KEYS: usize = 10_000;

/// Wait before listening again after the listening connection failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// An API key and its merchant, as read together.
pub type KeyAndMerchant = (api_key::Model, Option<merchant::Model>);

struct Kept {
    at: Instant,
    value: KeyAndMerchant,
}

/// The keys kept, by key id.
#[derive(Default)]
pub struct KeyCache {
    /// Raised whenever a change is heard or may have been missed: a read begun in an
    /// earlier generation is not kept.
    generation: AtomicU64,
    /// Whether this process is listening now (never on SQLite).
    listening: AtomicBool,
    kept: Mutex<HashMap<String, Kept>>,
}

/// A read that may be kept ([`KeyCache::begin_read`]).
pub struct Read(u64);

impl KeyCache {
    /// A cache over `db`: on PostgreSQL, when `on`, a listener task starts, which ends
    /// when the cache is dropped (and its connection is closed). Otherwise nothing is
    /// ever kept.
    pub fn start(db: &DatabaseConnection, on: bool) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        if on && db.get_database_backend() == DbBackend::Postgres {
            tokio::spawn(listen(db.clone(), Arc::downgrade(&cache)));
        }
        cache
    }

    /// The key `key_id` and its merchant when kept and still current.
    pub fn get(&self, key_id: &str) -> Option<KeyAndMerchant> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key_id)
            .filter(|k| k.at.elapsed() < KEEP_FOR)
            .map(|k| k.value.clone())
    }

    /// Notes the generation a database read begins in.
    pub fn begin_read(&self) -> Read {
        Read(self.generation.load(Ordering::Acquire))
    }

    /// Keeps what `read` found, unless a change was heard since it began.
    pub fn keep(&self, read: Read, key_id: &str, value: &KeyAndMerchant) {
        if !self.listening.load(Ordering::Acquire) {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // Compared under the lock, under which `forget` raises it.
        if self.generation.load(Ordering::Acquire) != read.0 {
            return;
        }
        if kept.len() >= MAX_KEYS {
            kept.clear();
        }
        kept.insert(
            key_id.to_owned(),
            Kept {
                at: Instant::now(),
                value: value.clone(),
            },
        );
    }

    /// Notes a key's last-used time in what is kept, so that the kept copy does not
    /// look stale to [`super::auth`] on every request.
    pub fn note_used(&self, key_id: &str, at: chrono::DateTime<chrono::Utc>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(key_id) {
            k.value.0.last_used_at = Some(at);
        }
    }

    /// Forgets every key kept, and every read under way.
    pub fn forget_all(&self) {
        self.forget(|_| true);
    }

    /// Forgets what a change named on the channel touched (`key:{key id}`,
    /// `merchant:{id}`; anything else, everything), and every read under way.
    pub fn heard(&self, name: &str) {
        if let Some(key_id) = name.strip_prefix("key:") {
            self.forget(|(id, _)| id == key_id);
        } else if let Some(merchant) = name
            .strip_prefix("merchant:")
            .and_then(|m| m.parse::<i64>().ok())
        {
            self.forget(|(_, kept)| kept.value.0.merchant_id == merchant);
        } else {
            self.forget_all();
        }
    }

    fn forget(&self, touched: impl Fn((&String, &Kept)) -> bool) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // Raised under the lock, which `keep` compares under.
        self.generation.fetch_add(1, Ordering::AcqRel);
        kept.retain(|id, k| !touched((id, k)));
    }

    fn set_listening(&self, on: bool) {
        // Whatever happened while the state changed is not known: forget it.
        self.forget_all();
        self.listening.store(on, Ordering::Release);
    }
}

/// Middleware for the back office's and the support portal's routes: a request that may
/// write (any method but GET and HEAD) forgets every key kept once it is answered, before
/// its answer leaves, so that the next API call reads what it changed.
pub async fn forget_after_writes(
    cache: Arc<KeyCache>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let reads_only = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let response = next.run(req).await;
    if !reads_only {
        cache.forget_all();
    }
    response
}

/// Listens for changes until `cache` is dropped.
async fn listen(db: DatabaseConnection, cache: Weak<KeyCache>) {
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
            listener.listen(CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        }
        .await;
        let Some(this) = cache.upgrade() else { return };
        let mut listener = match listener {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "API keys are read for every request: cannot listen for changes");
                this.set_listening(false);
                drop(this);
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        };
        this.set_listening(true);
        drop(this);
        loop {
            let heard = listener.try_recv().await;
            let Some(this) = cache.upgrade() else { return };
            match heard {
                Ok(Some(change)) => this.heard(change.payload()),
                // The connection was lost and is listening again: what was said
                // meanwhile is lost.
                Ok(None) => this.forget_all(),
                Err(e) => {
                    tracing::warn!(error = %e, "the API keys' change listener stopped; listening again");
                    this.set_listening(false);
                    break;
                }
            }
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(key_id: &str) -> KeyAndMerchant {
        let now = chrono::Utc::now();
        let key = api_key::Model {
            id: 1,
            merchant_id: 1,
            key_id: key_id.to_owned(),
            name: String::new(),
            secret_enc: String::new(),
            secret_hint: String::new(),
            reveal_until: now,
            created_by: None,
            last_used_at: None,
            created_at: now,
        };
        (key, None)
    }

    fn listening() -> KeyCache {
        let cache = KeyCache::default();
        cache.set_listening(true);
        cache
    }

    #[test]
    fn nothing_is_kept_while_not_listening() {
        let cache = KeyCache::default();
        let read = cache.begin_read();
        cache.keep(read, "k", &value("k"));
        assert!(cache.get("k").is_none());
        let cache = listening();
        let read = cache.begin_read();
        cache.keep(read, "k", &value("k"));
        cache.set_listening(false);
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn a_key_read_is_kept_until_a_change_is_heard() {
        let cache = listening();
        let read = cache.begin_read();
        cache.keep(read, "k", &value("k"));
        assert_eq!(cache.get("k").map(|v| v.0.key_id), Some("k".to_owned()));
        assert!(cache.get("other").is_none());
        cache.forget_all();
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn a_change_heard_forgets_that_key_or_that_merchants_keys() {
        let cache = listening();
        let mut other = value("other");
        other.0.merchant_id = 2;
        cache.keep(cache.begin_read(), "k", &value("k"));
        cache.keep(cache.begin_read(), "k2", &value("k2"));
        cache.keep(cache.begin_read(), "other", &other);
        cache.heard("key:k");
        assert!(cache.get("k").is_none());
        assert!(cache.get("k2").is_some());
        cache.heard("merchant:1");
        assert!(cache.get("k2").is_none());
        assert!(cache.get("other").is_some());
        cache.heard("*");
        assert!(cache.get("other").is_none());
    }

    #[test]
    fn a_read_begun_before_a_change_is_not_kept() {
        let cache = listening();
        let read = cache.begin_read();
        cache.heard("key:someone-else");
        cache.keep(read, "k", &value("k"));
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn the_last_used_time_is_noted_in_the_kept_copy() {
        let cache = listening();
        cache.keep(cache.begin_read(), "k", &value("k"));
        let at = chrono::Utc::now();
        cache.note_used("k", at);
        assert_eq!(cache.get("k").and_then(|v| v.0.last_used_at), Some(at));
    }

    #[test]
    fn the_number_of_keys_kept_is_bounded() {
        let cache = listening();
        for i in 0..MAX_KEYS + 5 {
            let id = format!("k{i}");
            cache.keep(cache.begin_read(), &id, &value(&id));
        }
        let kept = cache.kept.lock().unwrap().len();
        assert!(kept <= MAX_KEYS, "{kept}");
        assert!(cache.get(&format!("k{}", MAX_KEYS + 4)).is_some());
    }
}
