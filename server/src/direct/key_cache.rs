//! API keys with their merchants kept in memory between requests (PostgreSQL only), so
//! that an API call does not read the key and its merchant's row (about seventy columns)
//! from the database each time.
//!
//! Kept only while this process hears of every change: the database names each row of
//! `merchants` and `api_keys` changed or deleted on a channel (`LISTEN`/`NOTIFY`, raised
//! by triggers, so every writer is heard: pages, commands, other nodes, a hand-run
//! statement; a merchant's payment settings raise its row's settings version, so they
//! are heard too), and this process forgets that key or that merchant's keys when it
//! hears it, usually within milliseconds. A signed-in back-office or support-portal
//! request that may have written (any method but GET and HEAD) forgets everything before
//! its answer leaves, so a change made through this node is seen by the next call
//! however soon. Everything is forgotten when the listening connection is lost, or found
//! silent: after [`QUIET`] without a notice the listener announces one of its own, and
//! not hearing it within [`PING_WAIT`] it starts again (a firewall that dropped the
//! connection, a pooler that does not pass notices on). Whatever is heard, a key is
//! kept [`KEEP_FOR`] at most. Not heard: writes made with the triggers disabled
//! (`session_replication_role = replica`, `pg_restore --disable-triggers`), which wait
//! for [`KEEP_FOR`].
//!
//! A read that began before a change was heard is not kept: each read notes the
//! generation it began in, and is kept only if nothing was heard since. SQLite has no
//! such channel, and its reads cost no round trip: there, nothing is kept; nor anywhere
//! with `OPENPSP_API_KEY_CACHE=off`.

use crate::entities::{api_key, merchant};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// The channel the database's triggers announce changes on (migration
/// `m20261208_000001_directory_changes`).
pub const CHANNEL: &str = "openpsp_directory";

/// Longest time a key is kept, even when nothing was heard: the bound on a change
/// missed before this process knew its listening connection was lost.
pub const KEEP_FOR: Duration = Duration::from_secs(30);

/// Most keys kept; past it everything is forgotten and kept anew.
pub const MAX_KEYS: usize = 10_000;

/// After this long without a notice, the listener announces one of its own
/// ([`PING`]); when that is not heard within [`PING_WAIT`] either (or the announcement
/// itself is not made within it), the connection is taken for lost (dropped by a
/// firewall, or behind a pooler that does not pass notices on), everything is forgotten
/// and the listener starts again.
const QUIET: Duration = Duration::from_secs(10);
const PING_WAIT: Duration = Duration::from_secs(5);

/// How a listener hears: the channel it listens and announces its [`PING`] on, and its
/// waits ([`QUIET`], [`PING_WAIT`]); shorter in tests.
struct Hearing<'a> {
    channel: &'a str,
    quiet: Duration,
    ping_wait: Duration,
}

/// How this process's listener hears.
const HEARING: Hearing<'static> = Hearing {
    channel: CHANNEL,
    quiet: QUIET,
    ping_wait: PING_WAIT,
};

/// The notice a listener announces to check that it still hears.
const PING: &str = "ping";

/// Wait before listening again after the listening connection failed.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// An API key and its merchant, as read together.
pub type KeyAndMerchant = (api_key::Model, Option<merchant::Model>);

struct Kept {
    at: Instant,
    value: Arc<KeyAndMerchant>,
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
    /// The listener task, ended with the cache.
    listener: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Drop for KeyCache {
    fn drop(&mut self) {
        if let Some(task) = self.listener.get_mut().ok().and_then(Option::take) {
            task.abort();
        }
    }
}

/// A read that may be kept ([`KeyCache::begin_read`]).
pub struct Read(u64);

impl KeyCache {
    /// A cache over `db`: on PostgreSQL, when `on`, a listener task starts, which holds
    /// one of the pool's connections and ends when the cache is dropped. Otherwise
    /// nothing is ever kept.
    pub fn start(db: &DatabaseConnection, on: bool) -> Arc<Self> {
        let cache = Arc::new(Self::default());
        if on && db.get_database_backend() == DbBackend::Postgres {
            let task = tokio::spawn(listen(db.clone(), Arc::downgrade(&cache)));
            *cache.listener.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
        }
        cache
    }

    /// Whether keys are kept now (listening).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// The key `key_id` and its merchant when kept and still current.
    pub fn get(&self, key_id: &str) -> Option<Arc<KeyAndMerchant>> {
        if !self.is_listening() {
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
        if !self.is_listening() {
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
                value: Arc::new(value.clone()),
            },
        );
    }

    /// Notes a key's last-used time in what is kept (the database does not announce
    /// that time alone), so that the kept copy does not look stale to [`super::auth`]
    /// on every request.
    pub fn note_used(&self, key_id: &str, at: chrono::DateTime<chrono::Utc>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = kept.get_mut(key_id) {
            let mut value = (*k.value).clone();
            value.0.last_used_at = Some(at);
            k.value = Arc::new(value);
        }
    }

    /// Forgets every key kept, and every read under way.
    pub fn forget_all(&self) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // Raised under the lock, which `keep` compares under.
        self.generation.fetch_add(1, Ordering::AcqRel);
        kept.clear();
    }

    /// Forgets what a change named on the channel touched (`key:{key id}`,
    /// `merchant:{id}`; a listener's [`PING`] nothing; anything else, everything), and
    /// every read under way.
    pub fn heard(&self, name: &str) {
        if name == PING {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(key_id) = name.strip_prefix("key:") {
            kept.remove(key_id);
        } else if let Some(merchant) = name
            .strip_prefix("merchant:")
            .and_then(|m| m.parse::<i64>().ok())
        {
            kept.retain(|_, k| k.value.0.merchant_id != merchant);
        } else {
            kept.clear();
        }
    }

    fn set_listening(&self, on: bool) {
        // Whatever happened while the state changed is not known: forget it.
        self.forget_all();
        self.listening.store(on, Ordering::Release);
    }
}

/// Listens for changes until `cache` is dropped.
async fn listen(db: DatabaseConnection, cache: Weak<KeyCache>) {
    loop {
        let listener = listen_on(&db, CHANNEL).await;
        let Some(this) = cache.upgrade() else { return };
        let mut listener = match listener {
            Ok(listener) => listener,
            Err(sea_orm::sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "API keys are read for every call: cannot listen for changes");
                this.set_listening(false);
                drop(this);
                tokio::time::sleep(RETRY_AFTER).await;
                continue;
            }
        };
        this.set_listening(true);
        drop(this);
        let lost = hear(&db, &mut listener, &cache, &HEARING).await;
        let Some(this) = cache.upgrade() else { return };
        this.set_listening(false);
        drop(this);
        match lost {
            Err(sea_orm::sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "API keys' change listener stopped; listening again")
            }
            Ok(()) => tracing::warn!(
                "API keys' change listener heard nothing, not even itself; listening again"
            ),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// A listener on `channel`, on a connection of `db`'s pool.
async fn listen_on(
    db: &DatabaseConnection,
    channel: &str,
) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool()).await?;
    // A lost connection is reported at once, not after a new one is made.
    listener.eager_reconnect(false);
    listener.listen(channel).await?;
    Ok(listener)
}

/// Hears changes until the connection is lost (an error) or found silent (`Ok`).
async fn hear(
    db: &DatabaseConnection,
    listener: &mut PgListener,
    cache: &Weak<KeyCache>,
    how: &Hearing<'_>,
) -> Result<(), sea_orm::sqlx::Error> {
    loop {
        let heard = {
            let next = listener.try_recv();
            tokio::pin!(next);
            match tokio::time::timeout(how.quiet, &mut next).await {
                Ok(heard) => heard,
                Err(_) => {
                    // Quiet for long: is it still listening? The same wait goes on, and
                    // bounds the announcement too (a connection that hangs is silent).
                    let ping = format!("SELECT pg_notify('{}', '{PING}')", how.channel);
                    let asked = Instant::now();
                    match tokio::time::timeout(how.ping_wait, db.execute_unprepared(&ping)).await {
                        Ok(done) => {
                            done.map_err(|e| sea_orm::sqlx::Error::Protocol(e.to_string()))?
                        }
                        Err(_) => return Ok(()),
                    };
                    let left = how.ping_wait.saturating_sub(asked.elapsed());
                    match tokio::time::timeout(left, &mut next).await {
                        Ok(heard) => heard,
                        Err(_) => return Ok(()),
                    }
                }
            }
        };
        let Some(this) = cache.upgrade() else {
            return Err(sea_orm::sqlx::Error::PoolClosed);
        };
        match heard? {
            Some(change) => this.heard(change.payload()),
            None => return Err(sea_orm::sqlx::Error::Protocol("connection lost".into())),
        }
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
        assert_eq!(
            cache.get("k").map(|v| v.0.key_id.clone()),
            Some("k".to_owned())
        );
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
        cache.heard(PING);
        assert!(
            cache.get("k").is_some(),
            "a listener's own check forgets nothing"
        );
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

    /// A connection to the tests' PostgreSQL (`OPENPSP_TEST_PG_URL`, which
    /// `scripts/test.sh` sets); `None`, and the test skipped, without one.
    async fn postgres() -> Option<DatabaseConnection> {
        let Ok(url) = std::env::var("OPENPSP_TEST_PG_URL") else {
            eprintln!("skipped: OPENPSP_TEST_PG_URL is not set (scripts/test.sh sets it)");
            return None;
        };
        Some(
            sea_orm::Database::connect(url)
                .await
                .expect("PostgreSQL reachable"),
        )
    }

    /// A channel of this test and process alone.
    fn channel(test: &str) -> String {
        format!("openpsp_test_{test}_{}", std::process::id())
    }

    const SHORT: Duration = Duration::from_millis(100);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_quiet_listener_that_hears_its_own_announcement_goes_on_listening() {
        let Some(db) = postgres().await else { return };
        let channel = channel("heard");
        let mut listener = listen_on(&db, &channel).await.unwrap();
        // Another listener on the channel counts the announcements.
        let mut counter = listen_on(&db, &channel).await.unwrap();
        let cache = Arc::new(listening());
        cache.keep(cache.begin_read(), "k", &value("k"));
        let how = Hearing {
            channel: &channel,
            quiet: SHORT,
            ping_wait: Duration::from_secs(5),
        };
        let weak = Arc::downgrade(&cache);
        let hearing = hear(&db, &mut listener, &weak, &how);
        let ended = tokio::time::timeout(SHORT * 15, hearing).await;
        assert!(ended.is_err(), "still listening, not {ended:?}");
        let mut pings = 0;
        while let Ok(Ok(Some(n))) = tokio::time::timeout(SHORT, counter.try_recv()).await {
            assert_eq!(n.payload(), PING);
            pings += 1;
        }
        assert!(pings >= 5, "announced when quiet, and heard: {pings}");
        // Its own announcements forget nothing.
        assert!(cache.get("k").is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_listener_that_does_not_hear_its_announcement_is_taken_for_lost() {
        let Some(db) = postgres().await else { return };
        // Listening on one channel, announcing on another: as behind a pooler that does
        // not pass notices on, its announcement is never heard.
        let mut listener = listen_on(&db, &channel("deaf")).await.unwrap();
        let elsewhere = channel("elsewhere");
        let cache = Arc::new(listening());
        let how = Hearing {
            channel: &elsewhere,
            quiet: SHORT,
            ping_wait: SHORT * 3,
        };
        let started = Instant::now();
        let weak = Arc::downgrade(&cache);
        let hearing = hear(&db, &mut listener, &weak, &how);
        let ended = tokio::time::timeout(Duration::from_secs(10), hearing).await;
        assert!(matches!(ended, Ok(Ok(()))), "found silent: {ended:?}");
        assert!(
            started.elapsed() >= SHORT * 4,
            "after a quiet spell and the wait"
        );
    }
}
