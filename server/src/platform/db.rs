//! Database connection: SQLite (WAL, foreign keys, busy timeout, and `synchronous=FULL` so a
//! committed change of money survives a power cut, not only a killed process) or
//! PostgreSQL, chosen by the URL; migrations applied at start; the write queue of SQLite
//! and its group commit ([`BeginWrite`]).

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{oneshot, OwnedMutexGuard};

/// Opens a pool for `url`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    let sqlite = url.starts_with("sqlite:");
    options
        .max_connections(if sqlite { 8 } else { 20 })
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .create_if_missing(true)
        });
    Database::connect(options).await
}

/// Opens the pool and brings the schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// How long a write waits for its turn before it gives up with an error.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many writers' transactions are committed together.
const MAX_GROUP: usize = 32;

/// How long a writer whose work is in a group waits for the group's commit before it
/// takes the turn and commits the group itself (the writer it handed over to went
/// away): the normal commit comes within a few writers' work.
const GROUP_WAIT: Duration = Duration::from_millis(50);

/// A transaction that writes, begun by [`BeginWrite::begin_write`]: used as the
/// transaction itself (`&txn` wherever a connection is expected). On SQLite it holds
/// the database's write turn until it is committed, rolled back or dropped, and its
/// commit returns once the group it joined is committed.
pub struct WriteTxn {
    /// The writer's own transaction: PostgreSQL's, or on SQLite a savepoint in its
    /// group's transaction; `None` for the SQLite writer that opened the group, which
    /// writes in the group's transaction itself.
    own: Option<DatabaseTransaction>,
    /// SQLite: the write turn, with the group.
    turn: Option<Turn>,
}

/// The writers of one SQLite file: the turn, and the writers waiting for it.
#[derive(Default)]
struct Queue {
    group: Arc<tokio::sync::Mutex<Group>>,
    waiting: AtomicUsize,
    /// Groups committed so far.
    commits: AtomicUsize,
}

/// The transaction of the writers whose work is done but not yet committed, and how
/// each of them hears the outcome.
#[derive(Default)]
struct Group {
    open: Option<DatabaseTransaction>,
    members: Vec<oneshot::Sender<Result<(), String>>>,
}

/// The write turn of an SQLite file, held.
struct Turn {
    group: OwnedMutexGuard<Group>,
    queue: Arc<Queue>,
}

/// Begins the transactions that write.
///
/// SQLite lets one connection write at a time, and a commit that must survive a power
/// cut waits for the disk. So on SQLite the writers of this process queue here, first
/// come first served, and are committed in groups:
/// - the first writer of a group begins `IMMEDIATE` (it holds the write lock from its
///   first statement, no other writer spins meanwhile; a writer of another process, a
///   CLI command, is waited for by the busy timeout) and writes in it;
/// - when it is done and others are waiting, it hands the turn to the next, whose work
///   goes in a savepoint of the same transaction (its failure or rollback undoes only its
///   own work), and so on, up to [`MAX_GROUP`] writers;
/// - the last one commits the group once for all (one wait for the disk), and each
///   writer's `commit` returns only then, with the group's outcome: nobody is told a
///   write is done before it is.
///
/// A transaction begun `DEFERRED` that reads first and writes later cannot wait for the
/// lock (when another connection committed meanwhile, its write fails at once with
/// "database is locked"), and writers that do wait, wait in SQLite's busy handler,
/// which sleeps up to 100 ms at a time: the queue avoids both. Reads do not queue: they
/// stay on the pool (WAL lets them run beside the writer) and see only committed groups.
/// PostgreSQL begins as usual.
#[async_trait::async_trait]
pub trait BeginWrite {
    /// Waits for the write turn (SQLite) and begins a transaction.
    async fn begin_write(&self) -> Result<WriteTxn, DbErr>;
}

#[async_trait::async_trait]
impl BeginWrite for DatabaseConnection {
    async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let Some(queue) = queue_of(self) else {
            let own = self.begin().await?;
            return Ok(WriteTxn {
                own: Some(own),
                turn: None,
            });
        };
        let mut turn = Turn::take(queue).await?;
        let own = match &turn.group.open {
            Some(group) => Some(group.begin().await?),
            None => {
                let group = self
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await?;
                turn.group.open = Some(group);
                None
            }
        };
        Ok(WriteTxn {
            own,
            turn: Some(turn),
        })
    }
}

/// Waits until every write done before on `db` is committed, so that a read after it
/// sees them: on SQLite it commits the open group at once. For a writer that lost an
/// optimistic race (its guarded update found the row changed) before it reads again.
pub async fn settle(db: &DatabaseConnection) -> Result<(), DbErr> {
    let Some(queue) = queue_of(db) else {
        return Ok(());
    };
    let mut turn = Turn::take(queue).await?;
    if turn.group.open.is_some() {
        turn.commit_group().await?;
    }
    Ok(())
}

/// The write queue of the SQLite file behind `db` (`None` on PostgreSQL, which needs
/// none): one per file in this process, so two pools on one file share it.
fn queue_of(db: &DatabaseConnection) -> Option<Arc<Queue>> {
    static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<Queue>>>> = OnceLock::new();
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut queues = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    Some(queues.entry(file).or_default().clone())
}

/// Counts a writer waiting for the turn while it waits (also when it gives up).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Turn {
    /// Waits for the turn, at most [`WRITE_TURN_TIMEOUT`].
    async fn take(queue: Arc<Queue>) -> Result<Turn, DbErr> {
        let group = {
            let _waiting = Waiting::new(&queue.waiting);
            tokio::time::timeout(WRITE_TURN_TIMEOUT, queue.group.clone().lock_owned())
                .await
                .map_err(|_| {
                    DbErr::Custom("timed out waiting for the database's write turn".into())
                })?
        };
        Ok(Turn { group, queue })
    }

    /// Whether a writer waits for the turn and the group may grow.
    fn hand_over(&self) -> bool {
        self.queue.waiting.load(Ordering::SeqCst) > 0 && self.group.members.len() + 1 < MAX_GROUP
    }

    /// Commits the group's transaction and tells its members the outcome.
    async fn commit_group(&mut self) -> Result<(), DbErr> {
        let result = match self.group.open.take() {
            Some(group) => group.commit().await,
            None => Ok(()),
        };
        self.queue.commits.fetch_add(1, Ordering::Relaxed);
        let told = result.as_ref().map(|_| ()).map_err(|e| e.to_string());
        for member in self.group.members.drain(..) {
            let _ = member.send(told.clone());
        }
        result
    }

    /// This writer's work is in the group: hands the turn over when a writer waits, and
    /// waits for the group's commit; else commits the group now.
    async fn done(mut self) -> Result<(), DbErr> {
        if !self.hand_over() {
            return self.commit_group().await;
        }
        let (tell, mut outcome) = oneshot::channel();
        self.group.members.push(tell);
        let queue = self.queue.clone();
        drop(self);
        if let Ok(told) = tokio::time::timeout(GROUP_WAIT, &mut outcome).await {
            return Self::heard(told);
        }
        // Not committed yet: take the turn and commit the group, unless that was done
        // while waiting for it.
        let mut turn = Turn::take(queue).await?;
        if let Ok(told) = outcome.try_recv() {
            return Self::heard(Ok(told));
        }
        let result = turn.commit_group().await;
        drop(turn);
        match outcome.try_recv() {
            Ok(told) => Self::heard(Ok(told)),
            Err(_) => result,
        }
    }

    fn heard(told: Result<Result<(), String>, oneshot::error::RecvError>) -> Result<(), DbErr> {
        match told {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DbErr::Custom(format!("the group commit failed: {e}"))),
            Err(_) => Err(DbErr::Custom(
                "the write's group was rolled back before its commit".into(),
            )),
        }
    }

    /// This writer's work was undone: gives the turn to the next writer, or commits the
    /// group of the others when nobody waits.
    async fn undone(mut self) -> Result<(), DbErr> {
        if self.group.open.is_some() && self.queue.waiting.load(Ordering::SeqCst) == 0 {
            self.commit_group().await?;
        }
        Ok(())
    }
}

impl WriteTxn {
    /// Commits: on SQLite returns once the group this work joined is committed.
    pub async fn commit(mut self) -> Result<(), DbErr> {
        let own = self.own.take();
        let Some(turn) = self.turn.take() else {
            return match own {
                Some(own) => own.commit().await,
                None => Ok(()),
            };
        };
        if let Some(own) = own {
            if let Err(e) = own.commit().await {
                turn.undone().await?;
                return Err(e);
            }
        }
        turn.done().await
    }

    /// Rolls back, then gives the write turn to the next writer.
    pub async fn rollback(mut self) -> Result<(), DbErr> {
        let own = self.own.take();
        match self.turn.take() {
            None => match own {
                Some(own) => own.rollback().await,
                None => Ok(()),
            },
            Some(mut turn) => {
                match own {
                    Some(own) => own.rollback().await?,
                    // The group's opener: nobody else is in it yet.
                    None => {
                        if let Some(group) = turn.group.open.take() {
                            group.rollback().await?;
                        }
                    }
                }
                turn.undone().await
            }
        }
    }

    fn txn(&self) -> &DatabaseTransaction {
        match (&self.own, &self.turn) {
            (Some(own), _) => own,
            (None, Some(turn)) => turn.group.open.as_ref().expect("the group's transaction"),
            (None, None) => unreachable!("a finished WriteTxn is not used"),
        }
    }
}

impl Drop for WriteTxn {
    /// Dropped unfinished (an error path with `?`): its work is rolled back, and the
    /// turn goes to the next writer. A group left with members and nobody waiting is
    /// committed by its members when their wait runs out.
    fn drop(&mut self) {
        if let (None, Some(turn)) = (&self.own, &mut self.turn) {
            // The group's opener: nobody else is in it yet.
            drop(turn.group.open.take());
        }
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &DatabaseTransaction {
        self.txn()
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn().get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn().execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn().execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn().query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn().query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn().support_returning()
    }
}

/// One statement that writes outside a transaction, on a hot path: on SQLite it takes
/// its place in the write queue (and its group commit) rather than waiting in SQLite's
/// busy handler; on PostgreSQL it runs on the pool and commits alone.
pub enum LoneWrite<'a> {
    /// SQLite: in the queue.
    Queued(WriteTxn),
    /// PostgreSQL: on the pool.
    Pool(&'a DatabaseConnection),
}

impl<'a> LoneWrite<'a> {
    /// Waits for the write turn on SQLite.
    pub async fn begin(db: &'a DatabaseConnection) -> Result<LoneWrite<'a>, DbErr> {
        Ok(match queue_of(db) {
            Some(_) => LoneWrite::Queued(db.begin_write().await?),
            None => LoneWrite::Pool(db),
        })
    }

    /// The statement's `result`, once it is committed (rolled back when it failed).
    pub async fn finish<T>(self, result: Result<T, DbErr>) -> Result<T, DbErr> {
        match self {
            LoneWrite::Pool(_) => result,
            LoneWrite::Queued(txn) => match result {
                Ok(value) => txn.commit().await.map(|_| value),
                Err(e) => {
                    let _ = txn.rollback().await;
                    Err(e)
                }
            },
        }
    }
}

/// Runs the same call on either connection.
macro_rules! on_either {
    ($self:ident, $c:ident => $call:expr) => {
        match $self {
            LoneWrite::Queued($c) => $call,
            LoneWrite::Pool($c) => $call,
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for LoneWrite<'_> {
    fn get_database_backend(&self) -> DbBackend {
        on_either!(self, c => c.get_database_backend())
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        on_either!(self, c => c.execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        on_either!(self, c => c.execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        on_either!(self, c => c.query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        on_either!(self, c => c.query_all_raw(stmt).await)
    }

    fn support_returning(&self) -> bool {
        on_either!(self, c => c.support_returning())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read-then-write transactions at once, each pausing between its read and its
    /// write: begun `DEFERRED` on a pool, most would fail with "database is locked"; in
    /// the write queue every one commits and none loses another's increment.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_writers_queue_and_none_is_lost() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("q.db").display());
        let db = connect(&url).await.expect("connect");
        db.execute_unprepared("CREATE TABLE counter (n INTEGER NOT NULL)")
            .await
            .expect("table");
        db.execute_unprepared("INSERT INTO counter (n) VALUES (0)")
            .await
            .expect("row");
        let writers: Vec<_> = (0..24)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let txn = db.begin_write().await?;
                    let row = txn
                        .query_one_raw(Statement::from_string(
                            DbBackend::Sqlite,
                            "SELECT n FROM counter",
                        ))
                        .await?
                        .expect("the row");
                    let n: i64 = row.try_get("", "n")?;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    txn.execute_unprepared(&format!("UPDATE counter SET n = {}", n + 1))
                        .await?;
                    txn.commit().await
                })
            })
            .collect();
        for writer in writers {
            writer.await.expect("task").expect("every writer commits");
        }
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT n FROM counter",
            ))
            .await
            .expect("read")
            .expect("row");
        assert_eq!(row.try_get::<i64>("", "n").expect("n"), 24);
    }

    async fn sqlite_with_table(dir: &tempfile::TempDir) -> DatabaseConnection {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
        let db = connect(&url).await.expect("connect");
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL UNIQUE)")
            .await
            .expect("table");
        db
    }

    async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .expect("read")
            .expect("row");
        row.try_get_by_index::<i64>(0).expect("count")
    }

    /// Writers at once are committed in groups, fewer commits than writers; each one's
    /// `commit` returns only once its row is committed (another connection sees it).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writers_at_once_are_committed_in_groups() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = sqlite_with_table(&dir).await;
        let queue = queue_of(&db).expect("sqlite");
        let before = queue.commits.load(Ordering::Relaxed);
        let writers: Vec<_> = (0..24)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    let txn = db.begin_write().await?;
                    txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({n})"))
                        .await?;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    txn.commit().await?;
                    // Read on the pool, outside the queue.
                    Ok::<_, DbErr>(
                        count(&db, &format!("SELECT COUNT(*) FROM t WHERE n = {n}")).await,
                    )
                })
            })
            .collect();
        for writer in writers {
            let seen = writer.await.expect("task").expect("every writer commits");
            assert_eq!(seen, 1, "a committed row is there for every reader");
        }
        assert_eq!(count(&db, "SELECT COUNT(*) FROM t").await, 24);
        let commits = queue.commits.load(Ordering::Relaxed) - before;
        assert!(commits < 24, "{commits} commits for 24 writers");
    }

    /// In a group, a writer whose statement fails, one that rolls back and one dropped
    /// unfinished undo only their own work; the others' rows are committed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_writer_leaves_its_group_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = sqlite_with_table(&dir).await;
        db.execute_unprepared("INSERT INTO t (n) VALUES (-1)")
            .await
            .expect("row");
        let writers: Vec<_> = (0..16)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    let txn = db.begin_write().await?;
                    txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({n})"))
                        .await?;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    match n % 4 {
                        // A unique violation after its first row: `?` drops it.
                        1 => {
                            txn.execute_unprepared("INSERT INTO t (n) VALUES (-1)")
                                .await?;
                            unreachable!("the row -1 exists")
                        }
                        2 => txn.rollback().await.map(|_| false),
                        3 => {
                            drop(txn);
                            Ok(false)
                        }
                        _ => txn.commit().await.map(|_| true),
                    }
                })
            })
            .collect();
        for (n, writer) in writers.into_iter().enumerate() {
            let outcome = writer.await.expect("task");
            match n % 4 {
                1 => assert!(outcome.is_err(), "writer {n} failed"),
                0 => assert!(matches!(outcome, Ok(true)), "writer {n} committed"),
                _ => assert!(matches!(outcome, Ok(false)), "writer {n} undid its work"),
            }
        }
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM t WHERE n >= 0").await,
            4,
            "only the committed writers' rows"
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM t WHERE n >= 0 AND n % 4 <> 0").await,
            0
        );
        // The queue goes on.
        let txn = db.begin_write().await.expect("turn");
        txn.execute_unprepared("INSERT INTO t (n) VALUES (100)")
            .await
            .expect("insert");
        txn.commit().await.expect("commit");
    }

    /// A write turn is given back when its transaction is dropped unfinished (an error
    /// path with `?`): the next writer gets it.
    #[tokio::test]
    async fn a_dropped_write_gives_its_turn_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
        let db = connect(&url).await.expect("connect");
        drop(db.begin_write().await.expect("first"));
        let second = tokio::time::timeout(Duration::from_secs(2), db.begin_write()).await;
        assert!(
            matches!(second, Ok(Ok(_))),
            "the second writer got the turn"
        );
    }
}
