//! How long the writer's steps that hold up the writes took: each group's `COMMIT` (the
//! wait for the disk's `fsync`) and each `RESTART` checkpoint (no group is open
//! meanwhile), and, beside them, the passive checkpoints. Histograms for `/metrics`, and
//! a warning when one step held the writes up for longer than [`SLOW`], which says what
//! it was: a slow answer is then explained in the log.

use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use std::sync::OnceLock;
use std::time::Duration;

/// A step that held the writes up at least this long is logged as a warning.
const SLOW: Duration = Duration::from_millis(100);

/// The writer's histograms (seconds), shared by every writer of this process.
pub struct WriterTimings {
    /// A group's `COMMIT`.
    pub commit: Histogram,
    /// A `RESTART` checkpoint, between two groups.
    pub restart: Histogram,
    /// A passive checkpoint, beside the groups.
    pub passive: Histogram,
}

/// The process's writer timings.
pub fn writer_timings() -> &'static WriterTimings {
    static TIMINGS: OnceLock<WriterTimings> = OnceLock::new();
    TIMINGS.get_or_init(|| {
        // 0.5 ms to about 8 s.
        let histogram = || Histogram::new(exponential_buckets(0.0005, 2.0, 15));
        WriterTimings {
            commit: histogram(),
            restart: histogram(),
            passive: histogram(),
        }
    })
}

/// A group's `COMMIT` of `members` requests took `took`; `checkpointing`: a passive
/// checkpoint was running meanwhile.
pub(super) fn commit(took: Duration, members: usize, checkpointing: bool) {
    writer_timings().commit.observe(took.as_secs_f64());
    if took >= SLOW {
        tracing::warn!(
            ms = took.as_millis() as u64,
            members,
            checkpointing,
            "a SQLite commit held the writes up (the disk's fsync)"
        );
    }
}

/// A `RESTART` checkpoint took `took`; the writes waited meanwhile.
pub(super) fn restart(took: Duration) {
    writer_timings().restart.observe(took.as_secs_f64());
    if took >= SLOW {
        tracing::warn!(
            ms = took.as_millis() as u64,
            "restarting the SQLite WAL held the writes up"
        );
    }
}

/// A passive checkpoint took `took` (it holds no write up).
pub(super) fn passive(took: Duration) {
    writer_timings().passive.observe(took.as_secs_f64());
}
