//! The writer of a SQLite database: one task per database file that owns the write
//! transaction and commits the writes of several requests together (group commit).
//!
//! SQLite lets one connection write at a time, and each commit waits for the disk
//! (`synchronous=FULL`). When writers queue, the writer serves them one after another
//! inside one transaction, each in its own savepoint, and commits once for all of them:
//! one wait for the disk instead of one per request.
//!
//! A request's transaction ([`Member`]) sends its statements to the writer, which runs
//! them on the group's connection. The writer task is never cancelled by a request, so:
//! - a request that goes away (client gone, timeout) mid-transaction only closes its
//!   channel; the writer rolls back to that request's savepoint and goes on with the
//!   others;
//! - a request's commit is answered only once the group's `COMMIT` returned: `Ok` means
//!   on disk; when the group could not commit, every member of it is told so;
//! - a statement error that can leave SQLite outside the transaction (I/O, disk full,
//!   busy) ends the group at once: nothing more runs in it and no member of it is told
//!   that it committed. A constraint violation only undoes its statement (SQLite's
//!   `ABORT`), so the member may go on, as in any transaction;
//! - a rollback is answered after the group's end too, so what the member reads next on
//!   the pool includes the writes of the members served before it (a lost optimistic
//!   race retried reads what beat it, never the stale row again);
//! - a member idle longer than [`Pace::member_idle`] between its statements is undone as if
//!   it went away: one stuck request cannot hold up every write.
//!
//! Checkpoints are the writer's too, between and beside its groups ([`checkpoints`]).
//!
//! So a member never sends transaction control (`COMMIT`, `ROLLBACK`, `RELEASE`) and the
//! schema uses no `ON CONFLICT ROLLBACK` or `RAISE(ROLLBACK)`: those would end the
//! group's transaction behind the writer's back.

#[cfg(test)]
use checkpoints::CHECKPOINT_EVERY;
pub(super) use checkpoints::WAL_LIMIT_FRAMES;
use checkpoints::{Checkpoints, NO_AUTOMATIC_CHECKPOINT};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, ExecResult, QueryResult,
    RuntimeErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

mod checkpoints;
pub(super) mod timings;

/// How long a write waits for its turn before it gives up with an error.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);
/// At most this many requests share one commit …
const MAX_MEMBERS: usize = 64;

/// A writer's timing.
#[derive(Clone, Copy, Debug)]
struct Pace {
    /// … and a group takes no newcomer once it has been open this long, so that the
    /// first member's answer waits for at most a few others.
    max_group_time: Duration,
    /// How long the writer waits without a request before it checkpoints anyway.
    checkpoint_idle: Duration,
    /// How long the writer waits for a member's next statement before undoing it.
    member_idle: Duration,
    /// Frames in the WAL, as a passive checkpoint finds them, beyond which the writer
    /// restarts the log ([`checkpoints`]).
    wal_limit: i64,
}

/// Every writer's timing but a test's own ([`writer_with`]).
const PACE: Pace = Pace {
    max_group_time: Duration::from_millis(5),
    checkpoint_idle: Duration::from_secs(5),
    member_idle: Duration::from_secs(10),
    wal_limit: WAL_LIMIT_FRAMES,
};

/// Requests waiting for their turn, at most (each is a request task waiting).
const QUEUE: usize = 4096;

/// One request's transaction in the writer's group.
pub(super) struct Member {
    ops: mpsc::Sender<Op>,
}

/// What a member asks the writer to do.
enum Op {
    Execute(Statement, Reply<ExecResult>),
    Unprepared(String, Reply<ExecResult>),
    QueryOne(Statement, Reply<Option<QueryResult>>),
    QueryAll(Statement, Reply<Vec<QueryResult>>),
    Commit(Reply<()>),
    Rollback(Reply<()>),
}

type Reply<T> = oneshot::Sender<Result<T, DbErr>>;

/// A request for a write turn: the pool to begin the group on if it is the first, the
/// channel of its statements, and where to say that its turn began.
struct Request {
    db: DatabaseConnection,
    /// A transaction of several statements, undone as one (`false`: a single statement,
    /// which SQLite keeps or undoes by itself, needs no savepoint).
    savepoint: bool,
    ops: mpsc::Receiver<Op>,
    started: oneshot::Sender<Result<(), DbErr>>,
}

fn gone() -> DbErr {
    DbErr::Custom("the database writer stopped".into())
}

impl Member {
    /// Waits for a turn with the writer of the SQLite file behind `db`.
    /// `savepoint` is `false` for a single statement ([`super::BeginWrite::write_one`]):
    /// it has nothing to undo but itself, which SQLite does when it fails.
    pub(super) async fn begin(db: &DatabaseConnection, savepoint: bool) -> Result<Member, DbErr> {
        let (ops, ops_rx) = mpsc::channel(1);
        let (started, started_rx) = oneshot::channel();
        let request = Request {
            db: db.clone(),
            savepoint,
            ops: ops_rx,
            started,
        };
        let turn = async {
            writer_of(db).send(request).await.map_err(|_| gone())?;
            started_rx.await.map_err(|_| gone())?
        };
        tokio::time::timeout(WRITE_TURN_TIMEOUT, turn)
            .await
            .map_err(|_| {
                DbErr::Custom("timed out waiting for the database's write turn".into())
            })??;
        Ok(Member { ops })
    }

    async fn ask<T>(&self, op: impl FnOnce(Reply<T>) -> Op) -> Result<T, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.ops.send(op(reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    pub(super) async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.ask(|r| Op::Execute(stmt, r)).await
    }

    pub(super) async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.ask(|r| Op::Unprepared(sql.to_owned(), r)).await
    }

    pub(super) async fn query_one_raw(
        &self,
        stmt: Statement,
    ) -> Result<Option<QueryResult>, DbErr> {
        self.ask(|r| Op::QueryOne(stmt, r)).await
    }

    pub(super) async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.ask(|r| Op::QueryAll(stmt, r)).await
    }

    /// Answered once the group's commit returned.
    pub(super) async fn commit(self) -> Result<(), DbErr> {
        self.ask(Op::Commit).await
    }

    /// Answered once the group ended (see the module's notes).
    pub(super) async fn rollback(self) -> Result<(), DbErr> {
        self.ask(Op::Rollback).await
    }
}

/// The writer of the SQLite file behind `db`: one per file in this process, so two
/// pools on one file share it. A writer whose runtime ended is replaced.
fn writer_of(db: &DatabaseConnection) -> mpsc::Sender<Request> {
    writer_with(db, PACE)
}

/// The writer of `db`'s file; started with `pace` when there is none.
fn writer_with(db: &DatabaseConnection, pace: Pace) -> mpsc::Sender<Request> {
    static WRITERS: OnceLock<Mutex<HashMap<PathBuf, mpsc::Sender<Request>>>> = OnceLock::new();
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut writers = WRITERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(writer) = writers.get(&file).filter(|w| !w.is_closed()) {
        return writer.clone();
    }
    let (writer, requests) = mpsc::channel(QUEUE);
    tokio::spawn(run(requests, pace));
    writers.insert(file, writer.clone());
    writer
}

/// The writer's loop: a group begins with the first waiting request and takes the ones
/// that queued meanwhile, then commits.
async fn run(mut requests: mpsc::Receiver<Request>, pace: Pace) {
    let mut checkpoints = Checkpoints::new();
    let mut last_db: Option<DatabaseConnection> = None;
    loop {
        let first = match tokio::time::timeout(pace.checkpoint_idle, requests.recv()).await {
            Ok(Some(first)) => first,
            Ok(None) => return,
            Err(_idle) => {
                if let Some(db) = &last_db {
                    checkpoints.when_idle(db);
                }
                continue;
            }
        };
        let db = first.db.clone();
        last_db = Some(db.clone());
        let txn = first
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await;
        let txn = match txn {
            Ok(txn) => txn,
            Err(e) => {
                let _ = first.started.send(Err(e));
                continue;
            }
        };
        let mut group = Group {
            txn,
            ended: Vec::new(),
            broken: false,
            member_idle: pace.member_idle,
        };
        if let Err(e) = group.txn.execute_unprepared(NO_AUTOMATIC_CHECKPOINT).await {
            // Harmless: the commit then checkpoints as SQLite does by default.
            tracing::warn!(error = %e, "automatic checkpoints left on");
        }
        let opened = Instant::now();
        let mut next = Some(first);
        let mut served = 0;
        while let Some(request) = next.take() {
            group.serve(request).await;
            served += 1;
            if group.broken || served >= MAX_MEMBERS || opened.elapsed() >= pace.max_group_time {
                break;
            }
            next = requests.try_recv().ok();
        }
        let members = group.ended.len();
        if let Some(took) = group.end().await {
            timings::commit(took, members, checkpoints.running());
        }
        checkpoints.after_group(&db, pace.wal_limit).await;
    }
}

/// The open transaction and the members served in it, waiting for its end.
struct Group {
    txn: DatabaseTransaction,
    ended: Vec<Ended>,
    /// A statement failed in a way that may have ended SQLite's transaction: nothing
    /// more runs, and the group is rolled back.
    broken: bool,
    /// [`Pace::member_idle`].
    member_idle: Duration,
}

/// A member whose work is done: it waits for the group's end.
enum Ended {
    Committed(Reply<()>),
    RolledBack(Reply<()>),
}

/// Each member's savepoint, nested in the ones of the members served before it in the
/// group; `ROLLBACK TO` and `RELEASE` of a name take its innermost savepoint: the
/// member's own.
const SAVEPOINT: &str = "SAVEPOINT member";
const UNDO: &str = "ROLLBACK TO member; RELEASE member";

/// Runs one statement in the group, unless the group is broken (then nothing more runs
/// in it: SQLite may be outside the transaction).
macro_rules! in_group {
    ($group:expr, $txn:ident => $statement:expr) => {
        if $group.broken {
            Err(not_committed())
        } else {
            let $txn = &$group.txn;
            let result = $statement.await;
            $group.note(result)
        }
    };
}

impl Group {
    /// Serves one member from its turn to its commit, rollback or disappearance.
    async fn serve(&mut self, request: Request) {
        let Request {
            mut ops,
            started,
            savepoint,
            ..
        } = request;
        if started.is_closed() {
            return; // It stopped waiting.
        }
        if savepoint {
            if let Err(e) = in_group!(self, t => t.execute_unprepared(SAVEPOINT)) {
                let _ = started.send(Err(e));
                return;
            }
        }
        if started.send(Ok(())).is_err() {
            self.undo(savepoint).await;
            return;
        }
        loop {
            let Ok(Some(op)) = tokio::time::timeout(self.member_idle, ops.recv()).await else {
                // The request went away without finishing, or stopped sending: its
                // writes are undone (what it sends later finds the writer gone).
                self.undo(savepoint).await;
                return;
            };
            match op {
                Op::Execute(stmt, reply) => {
                    let _ = reply.send(in_group!(self, t => t.execute_raw(stmt)));
                }
                Op::Unprepared(sql, reply) => {
                    let _ = reply.send(in_group!(self, t => t.execute_unprepared(&sql)));
                }
                Op::QueryOne(stmt, reply) => {
                    let _ = reply.send(in_group!(self, t => t.query_one_raw(stmt)));
                }
                Op::QueryAll(stmt, reply) => {
                    let _ = reply.send(in_group!(self, t => t.query_all_raw(stmt)));
                }
                Op::Commit(reply) => {
                    // Its savepoint stays open: the next member's nests in it, and the
                    // group's COMMIT commits them all (one statement less per member).
                    self.ended.push(Ended::Committed(reply));
                    return;
                }
                Op::Rollback(reply) => {
                    self.undo(savepoint).await;
                    self.ended.push(Ended::RolledBack(reply));
                    return;
                }
            }
        }
    }

    /// Notes a statement's failure that may have ended SQLite's transaction: the group
    /// is broken.
    fn note<T>(&mut self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        if let Err(e) = &result {
            if !keeps_the_transaction(e) {
                self.broken = true;
            }
        }
        result
    }

    /// Undoes the member being served (a single statement undid itself if it failed,
    /// and is kept if it ran).
    async fn undo(&mut self, savepoint: bool) {
        if savepoint && in_group!(self, t => t.execute_unprepared(UNDO)).is_err() {
            self.broken = true;
        }
    }

    /// Commits (or, broken, rolls back) and answers every member served; how long the
    /// `COMMIT` took, when there was one.
    async fn end(self) -> Option<Duration> {
        let mut took = None;
        let failure: Option<fn() -> DbErr> = if self.broken {
            let _ = self.txn.rollback().await;
            Some(not_committed)
        } else {
            let started = Instant::now();
            let committed = self.txn.commit().await;
            took = Some(started.elapsed());
            committed.err().map(|_| commit_failed as fn() -> DbErr)
        };
        for member in self.ended {
            match member {
                Ended::Committed(reply) => {
                    let _ = reply.send(failure.map_or(Ok(()), |e| Err(e())));
                }
                Ended::RolledBack(reply) => {
                    let _ = reply.send(Ok(()));
                }
            }
        }
        took
    }
}

fn not_committed() -> DbErr {
    DbErr::Custom("the database could not commit this write; nothing of it was kept".into())
}

/// The `COMMIT` itself failed: SQLite may have written it before the error.
fn commit_failed() -> DbErr {
    DbErr::Custom("the database's commit failed; this write may not have been kept".into())
}

/// Whether SQLite keeps the transaction open after this error: a constraint violation,
/// a value too big, a type mismatch or an out-of-range parameter undo only their
/// statement, and a statement SQLite refused to prepare (an error in the SQL) never ran.
/// Anything else (I/O, disk full, busy, out of memory, a lost connection) may have rolled
/// the whole transaction back.
fn keeps_the_transaction(e: &DbErr) -> bool {
    const SQLITE_ERROR: i64 = 1;
    const SQLITE_TOOBIG: i64 = 18;
    const SQLITE_CONSTRAINT: i64 = 19;
    const SQLITE_MISMATCH: i64 = 20;
    const SQLITE_RANGE: i64 = 25;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = e else {
        return false;
    };
    let Some(code) = e
        .as_database_error()
        .and_then(|d| d.code())
        .and_then(|c| c.parse::<i64>().ok())
    else {
        return false;
    };
    matches!(
        code & 0xff,
        SQLITE_ERROR | SQLITE_TOOBIG | SQLITE_CONSTRAINT | SQLITE_MISMATCH | SQLITE_RANGE
    )
}

#[cfg(test)]
mod tests {
    use super::super::{connect, BeginWrite, WriteTxn};
    use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;

    /// This file's writer, started before any write: its members are queued on purpose
    /// to share a group, and a loaded machine can take more than 5 ms over the first
    /// member alone; an idle member and the idle checkpoint are waited out.
    const TEST_PACE: super::Pace = super::Pace {
        max_group_time: std::time::Duration::from_secs(2),
        checkpoint_idle: std::time::Duration::from_millis(300),
        member_idle: std::time::Duration::from_millis(300),
        wal_limit: super::WAL_LIMIT_FRAMES,
    };

    async fn database() -> (tempfile::TempDir, DatabaseConnection) {
        database_with(TEST_PACE).await
    }

    async fn database_with(pace: super::Pace) -> (tempfile::TempDir, DatabaseConnection) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
        let db = connect(&url).await.expect("connect");
        super::writer_with(&db, pace);
        db.execute_unprepared("CREATE TABLE t (name TEXT NOT NULL UNIQUE, body BLOB)")
            .await
            .expect("table");
        (dir, db)
    }

    async fn names(db: &DatabaseConnection) -> Vec<String> {
        db.query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM t ORDER BY name",
        ))
        .await
        .expect("read")
        .iter()
        .map(|r| r.try_get::<String>("", "name").expect("name"))
        .collect()
    }

    async fn insert(txn: &WriteTxn, name: &str) -> Result<(), sea_orm::DbErr> {
        txn.execute_unprepared(&format!("INSERT INTO t (name) VALUES ('{name}')"))
            .await
            .map(|_| ())
    }

    /// Polls `future` once: its first step runs (a request for a turn is queued) and it
    /// is still waiting.
    async fn step<F: Future + ?Sized>(future: &mut Pin<Box<F>>) {
        std::future::poll_fn(|cx| {
            assert!(
                future.as_mut().poll(cx).is_pending(),
                "still waiting for its turn"
            );
            Poll::Ready(())
        })
        .await;
    }

    /// A group's commit leaves the WAL as it is, however much it wrote (members never
    /// wait for the copy into the database file); the writer's own passive checkpoint,
    /// started after a later group, copies it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checkpoints_run_beside_the_groups_not_in_their_commit() {
        let (dir, db) = database().await;
        let file = dir.path().join("g.db");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let before = size();
        const BIG: u64 = 6 << 20;
        // More pages than SQLite's automatic checkpoint waits for (1,000).
        let txn = db.begin_write().await.expect("turn");
        txn.execute_unprepared(&format!(
            "INSERT INTO t (name, body) VALUES ('big', zeroblob({BIG}))"
        ))
        .await
        .expect("write");
        txn.commit().await.expect("commit");
        assert!(
            size() < before + BIG / 2,
            "the group's commit copied the WAL into the database file"
        );
        tokio::time::sleep(super::CHECKPOINT_EVERY + std::time::Duration::from_millis(100)).await;
        let txn = db.begin_write().await.expect("turn");
        insert(&txn, "next").await.expect("write");
        txn.commit().await.expect("commit");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while size() < before + BIG {
            assert!(
                std::time::Instant::now() < deadline,
                "the writer's checkpoint copied the WAL into the database file"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Under writes that never pause, with readers beside them, the WAL is brought back
    /// to its start again and again: its file stays a fraction of all that was written
    /// (a passive checkpoint alone never restarts it: measured 1.6 times the rows'
    /// bytes without the restart (`checkpoints`), a quarter to a third with it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_steady_load_does_not_grow_the_wal_without_end() {
        let (dir, db) = database_with(super::Pace {
            max_group_time: std::time::Duration::from_millis(5),
            wal_limit: 256,
            ..TEST_PACE
        })
        .await;
        let wal = dir.path().join("g.db-wal");
        let load_for = super::CHECKPOINT_EVERY * 8;
        let started = std::time::Instant::now();
        let reader = {
            let db = db.clone();
            tokio::spawn(async move {
                while started.elapsed() < load_for {
                    names(&db).await;
                }
            })
        };
        const BODY: u64 = 16 << 10;
        let mut written = 0;
        while started.elapsed() < load_for {
            let txn = db.begin_write().await.expect("turn");
            txn.execute_unprepared(&format!(
                "INSERT INTO t (name, body) VALUES ('w{written}', zeroblob({BODY}))"
            ))
            .await
            .expect("write");
            txn.commit().await.expect("commit");
            written += 1;
        }
        reader.await.expect("reader");
        let wal_size = std::fs::metadata(&wal).map(|m| m.len()).expect("the WAL");
        // Without restarts the WAL holds every page written, more than the rows' bytes;
        // restarted after each passive checkpoint (every half second, eight times here)
        // it holds about an eighth of them with their pages, twice that when a reader
        // made one restart give up.
        assert!(
            wal_size < written * BODY * 3 / 4,
            "the WAL ({wal_size} bytes) restarted under {} bytes of writes",
            written * BODY
        );
    }

    /// Writes made outside the groups (a lone statement on a pooled connection whose
    /// automatic checkpoint a group turned off) are checkpointed once the writer is idle.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_idle_writer_checkpoints_the_writes_made_outside_its_groups() {
        use sea_orm::TransactionTrait;
        let (dir, db) = database().await;
        let file = dir.path().join("g.db");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let txn = db.begin_write().await.expect("turn");
        insert(&txn, "first").await.expect("write");
        txn.commit().await.expect("commit");
        let before = size();
        const BIG: u64 = 6 << 20;
        let lone = db.begin().await.expect("a connection of the pool");
        lone.execute_unprepared(super::NO_AUTOMATIC_CHECKPOINT)
            .await
            .expect("as a group leaves it");
        lone.execute_unprepared(&format!(
            "INSERT INTO t (name, body) VALUES ('lone', zeroblob({BIG}))"
        ))
        .await
        .expect("write");
        lone.commit().await.expect("commit");
        assert!(size() < before + BIG / 2, "not checkpointed by its commit");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while size() < before + BIG {
            assert!(
                std::time::Instant::now() < deadline,
                "the idle writer's checkpoint copied the WAL into the database file"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// A member's commit is answered only when its group commits: while the next
    /// member of the group is open, the first one waits; then both are on disk.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_commit_is_answered_when_its_group_commits() {
        let (_dir, db) = database().await;
        let a = db.begin_write().await.expect("a's turn");
        insert(&a, "a").await.expect("a writes");
        let mut b = Box::pin(db.begin_write());
        step(&mut b).await;
        let a_commit = tokio::spawn(a.commit());
        let b = b.await.expect("b's turn, in a's group");
        insert(&b, "b").await.expect("b writes");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!a_commit.is_finished(), "a waits for the group's commit");
        assert!(names(&db).await.is_empty(), "nothing is committed yet");
        b.commit().await.expect("b commits");
        a_commit.await.expect("task").expect("a commits");
        assert_eq!(names(&db).await, ["a", "b"]);
    }

    /// A request that goes away mid-transaction (its future dropped) has its writes
    /// undone; the member after it in the group commits.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_gone_midway_is_undone_and_the_group_goes_on() {
        let (_dir, db) = database().await;
        let first = db.begin_write().await.expect("turn");
        insert(&first, "kept").await.expect("write");
        let first_commit = tokio::spawn(first.commit());
        let gone = db.begin_write().await.expect("turn");
        insert(&gone, "gone").await.expect("write");
        let mut next = Box::pin(db.begin_write());
        step(&mut next).await;
        drop(gone);
        let next = next.await.expect("the next member's turn");
        insert(&next, "next").await.expect("write");
        next.commit().await.expect("commits");
        first_commit.await.expect("task").expect("commits");
        assert_eq!(names(&db).await, ["kept", "next"]);
    }

    /// A unique violation undoes only its statement: the member goes on and commits,
    /// and a member's rollback undoes its writes only.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_constraint_violation_or_rollback_touches_only_its_member() {
        let (_dir, db) = database().await;
        let a = db.begin_write().await.expect("turn");
        insert(&a, "a").await.expect("write");
        assert!(insert(&a, "a").await.is_err(), "the duplicate is refused");
        insert(&a, "a2").await.expect("a goes on");
        let a_commit = tokio::spawn(a.commit());
        let b = db.begin_write().await.expect("turn");
        insert(&b, "b").await.expect("write");
        b.rollback().await.expect("rolls back");
        a_commit.await.expect("task").expect("a commits");
        assert_eq!(names(&db).await, ["a", "a2"]);
    }

    /// A failure that may end SQLite's transaction (here the disk is full) ends the
    /// group: the member who committed before it in the group is told its write was not
    /// kept, nothing of the group is on disk, and the next request writes again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failure_that_ends_the_transaction_fails_the_whole_group() {
        let (_dir, db) = database().await;
        let a = db.begin_write().await.expect("turn");
        insert(&a, "a").await.expect("write");
        let mut b = Box::pin(db.begin_write());
        step(&mut b).await;
        let a_commit = tokio::spawn(a.commit());
        let b = b.await.expect("turn, in a's group");
        b.execute_unprepared("PRAGMA max_page_count = 1")
            .await
            .expect("the file may grow no more");
        let full = b
            .execute_unprepared("INSERT INTO t (name, body) VALUES ('b', zeroblob(1000000))")
            .await;
        assert!(full.is_err(), "the disk is full");
        assert!(
            insert(&b, "c").await.is_err(),
            "nothing more runs in a broken group"
        );
        assert!(b.commit().await.is_err(), "b is told it was not kept");
        assert!(
            a_commit.await.expect("task").is_err(),
            "a is told it was not kept"
        );
        assert!(names(&db).await.is_empty());
        let c = db.begin_write().await.expect("a new group");
        c.execute_unprepared("PRAGMA max_page_count = 1073741823")
            .await
            .expect("the file may grow again");
        insert(&c, "c").await.expect("write");
        c.commit().await.expect("commits");
        assert_eq!(names(&db).await, ["c"]);
    }

    /// A single statement's turn has no savepoint: its statement is kept in the group
    /// and answered with its commit; a failed one undid itself.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_single_statement_shares_the_group_commit() {
        let (_dir, db) = database().await;
        let a = db.begin_write().await.expect("turn");
        insert(&a, "a").await.expect("write");
        let mut one = Box::pin(db.write_one());
        step(&mut one).await;
        let a_commit = tokio::spawn(a.commit());
        let one = one.await.expect("turn");
        assert!(insert(&one, "a").await.is_err(), "the duplicate is refused");
        one.rollback().await.expect("nothing to undo");
        let two = db.write_one().await.expect("turn");
        insert(&two, "two").await.expect("write");
        two.commit().await.expect("commits");
        a_commit.await.expect("task").expect("a commits");
        assert_eq!(names(&db).await, ["a", "two"]);
    }

    /// A member that stops sending (a request stuck while it holds its turn) is undone
    /// after the idle limit, and the writes queued behind it go on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stuck_member_is_undone_and_the_others_go_on() {
        let (_dir, db) = database().await;
        let stuck = db.begin_write().await.expect("turn");
        insert(&stuck, "stuck").await.expect("write");
        let next = db
            .begin_write()
            .await
            .expect("the next turn, after the idle limit");
        insert(&next, "next").await.expect("write");
        next.commit().await.expect("commits");
        assert!(insert(&stuck, "late").await.is_err(), "its turn is over");
        assert!(stuck.commit().await.is_err(), "nothing of it is kept");
        assert_eq!(names(&db).await, ["next"]);
    }
}
