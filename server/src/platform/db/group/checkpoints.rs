//! The writer's checkpoints (copying the WAL back into the database file, and its
//! `fsync`).
//!
//! They are not done by a group's `COMMIT`, where SQLite's automatic checkpoint would
//! make every member of that group wait for it: the group's connection has automatic
//! checkpoints off ([`NO_AUTOMATIC_CHECKPOINT`]), and the writer starts a passive
//! checkpoint on another pooled connection at most every [`CHECKPOINT_EVERY`], which
//! runs beside the next groups without holding them, and once more whenever it has been
//! idle for a while (the writes made outside groups meanwhile, on connections whose
//! automatic checkpoint a group turned off, are copied too).
//!
//! A passive checkpoint never brings the WAL back to its start while writes go on: the
//! log restarts only when a write begins after a checkpoint copied all of it, and under
//! a steady load some group always commits while the checkpoint runs. Unchecked, the WAL
//! then grows for as long as the load lasts (measured: 1.2 GB after 20 s at 650
//! payments a second). So when a passive checkpoint finds more than the writer's limit
//! of frames in the WAL ([`WAL_LIMIT_FRAMES`]), the writer, between two groups, runs a
//! `RESTART` checkpoint: it copies the few frames written since, waits briefly
//! ([`RESTART_WAIT`], 20 ms) for readers still on the WAL, and the next group writes the
//! log from its start (truncated to `journal_size_limit`, set in `db::connect`). No group
//! is open meanwhile; the writes queue for those few milliseconds. A reader that holds
//! on longer (an export) makes it give up until the next passive checkpoint reports
//! again.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::timings;

/// How often at most the writer starts a checkpoint of the WAL beside its groups.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// How long a `RESTART` checkpoint waits for the readers still on the WAL: 20 ms.
const RESTART_WAIT: &str = "PRAGMA busy_timeout = 20";
/// Frames in the WAL beyond which the writer brings it back to its start: 64 MiB of
/// SQLite's 4 KiB pages, the size `db::connect` truncates the WAL file to.
pub(in crate::platform::db) const WAL_LIMIT_FRAMES: i64 = 16_384;
/// Turns SQLite's automatic checkpoint off on the group's connection (a setting of the
/// connection, kept when it goes back to the pool; the writer's checkpoints do it).
pub(super) const NO_AUTOMATIC_CHECKPOINT: &str = "PRAGMA wal_autocheckpoint = 0";
/// Copies what it can of the WAL into the database without waiting for readers or the
/// writer. Its row: busy, frames in the WAL, frames copied.
const PASSIVE: &str = "PRAGMA wal_checkpoint(PASSIVE)";
/// Copies all of the WAL and waits (the connection's busy timeout) until no reader uses
/// it, so that the next write starts the log from its beginning.
const RESTART: &str = "PRAGMA wal_checkpoint(RESTART)";

/// One writer's checkpoints.
pub(super) struct Checkpoints {
    shared: Arc<Shared>,
    /// When the writer last started a passive checkpoint after a group.
    started: Instant,
}

/// What the writer and its running passive checkpoint share: whether one is running,
/// and how many frames the WAL had when the last passive one ended.
#[derive(Default)]
struct Shared {
    running: AtomicBool,
    wal_frames: AtomicI64,
}

impl Checkpoints {
    pub(super) fn new() -> Checkpoints {
        Checkpoints {
            shared: Arc::default(),
            started: Instant::now(),
        }
    }

    /// After a group: restarts the WAL when the last passive checkpoint found it longer
    /// than `wal_limit` frames, then starts a passive one if it is due.
    pub(super) async fn after_group(&mut self, db: &DatabaseConnection, wal_limit: i64) {
        if self.shared.wal_frames.load(Ordering::Acquire) > wal_limit {
            self.restart(db).await;
        }
        if self.started.elapsed() >= CHECKPOINT_EVERY && self.start(db) {
            self.started = Instant::now();
        }
    }

    /// Whether a checkpoint is running now.
    pub(super) fn running(&self) -> bool {
        self.shared.running.load(Ordering::Acquire)
    }

    /// The writer has been idle: a passive checkpoint, unless one still runs.
    pub(super) fn when_idle(&self, db: &DatabaseConnection) {
        self.start(db);
    }

    /// Starts a passive checkpoint of `db`'s WAL on a pooled connection, unless one is
    /// still running (then `false`).
    fn start(&self, db: &DatabaseConnection) -> bool {
        if self.shared.running.swap(true, Ordering::AcqRel) {
            return false;
        }
        let (db, done) = (db.clone(), self.shared.clone());
        tokio::spawn(async move {
            let statement = Statement::from_string(DbBackend::Sqlite, PASSIVE);
            let started = Instant::now();
            let result = db.query_one_raw(statement).await;
            timings::passive(started.elapsed());
            match result {
                Ok(row) => {
                    let frames = row.and_then(|r| r.try_get_by_index::<i64>(1).ok());
                    done.wal_frames
                        .store(frames.unwrap_or(0), Ordering::Release);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "WAL checkpoint failed; the next one tries again")
                }
            }
            done.running.store(false, Ordering::Release);
        });
        true
    }

    /// Brings a long WAL back to its start (see the module's notes): a `RESTART`
    /// checkpoint on a pooled connection whose busy timeout is [`RESTART_WAIT`]
    /// meanwhile. Tried once per passive checkpoint that found the WAL too long: when a
    /// reader holds on, the writes go on and the next report tries again.
    async fn restart(&self, db: &DatabaseConnection) {
        use sea_orm::sqlx::{Executor, Row};
        if self.shared.running.swap(true, Ordering::AcqRel) {
            return; // The passive checkpoint still runs; it reports again when done.
        }
        self.shared.wal_frames.store(0, Ordering::Release);
        let started = Instant::now();
        let attempt = async {
            let mut conn = db.get_sqlite_connection_pool().acquire().await?;
            // Never back in the pool with the short wait, whatever happens below.
            conn.close_on_drop();
            (&mut *conn).execute(RESTART_WAIT).await?;
            let row = (&mut *conn).fetch_one(RESTART).await?;
            Ok::<_, sea_orm::sqlx::Error>(row.try_get::<i64, _>(0)? == 0)
        };
        let result = attempt.await;
        timings::restart(started.elapsed());
        match result {
            Ok(true) => {}
            Ok(false) => tracing::debug!("a reader held the WAL; restarting it waits"),
            Err(e) => {
                tracing::warn!(error = %e, "restarting the WAL failed; the next one tries again")
            }
        }
        self.shared.running.store(false, Ordering::Release);
    }
}
