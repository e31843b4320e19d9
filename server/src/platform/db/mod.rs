//! Database connection: SQLite (WAL, foreign keys, busy timeout, and `synchronous=FULL` so a
//! committed change of money survives a power cut, not only a killed process) or
//! PostgreSQL, chosen by the URL; migrations applied at start; the write queue of SQLite
//! ([`BeginWrite`]). A pooled connection idle for a second or more is pinged before use.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, ExecResult, FromQueryResult, QueryResult, QuerySelect, Select, Statement,
    TransactionTrait,
};
use std::time::Duration;

/// How long a pooled connection may sit unused before it is pinged on checkout.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Opens a pool for `url`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    let sqlite = url.starts_with("sqlite:");
    options
        .max_connections(if sqlite { 8 } else { 20 })
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // A connection is checked with a ping before use only once it has been idle for
        // a second: one dropped by the server, a proxy or a restart is replaced, while a
        // busy pool's connections go out without a round trip each (sqlx pings on every
        // checkout by default: five in a payment's path). One used within the second
        // before a restart fails its request once (nothing half-written: the
        // transaction fails at BEGIN). sqlx still pings each connection given back,
        // outside the request's path.
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // The WAL file is cut back to this size whenever the log restarts (see
                // `group`): a burst of writes does not leave it large for good.
                .pragma(
                    "journal_size_limit",
                    (group::WAL_LIMIT_FRAMES * 4096).to_string(),
                )
                .create_if_missing(true)
        })
        .map_sqlx_sqlite_pool_opts(|o| {
            o.after_release(|conn, _| {
                // Still in a transaction when given back: SQLite ended it by itself (an
                // I/O error, a full disk) and the driver still counts it, so the next
                // transaction on it would begin as a savepoint, without the write lock.
                // Such a connection is closed, never reused.
                let idle = !sea_orm::sqlx::Connection::is_in_transaction(conn);
                Box::pin(async move { Ok(idle) })
            })
        });
    Database::connect(options).await
}

/// Opens the pool and brings the schema up to date.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

mod group;
pub use group::timings::writer_timings;
pub mod rows;
pub mod shape;

/// A transaction that writes, begun by [`BeginWrite::begin_write`]. On SQLite it is the
/// request's turn with the database's writer ([`group`]) until it is committed, rolled
/// back or dropped. It is used as the transaction itself: `&txn` wherever a connection
/// is expected.
pub struct WriteTxn(Txn);

enum Txn {
    /// PostgreSQL: a transaction of its own.
    Own(DatabaseTransaction),
    /// PostgreSQL, one statement ([`BeginWrite::write_one`]): the pool, where the
    /// statement commits by itself.
    Alone(DatabaseConnection),
    /// SQLite: a savepoint in the writer's group.
    Queued(group::Member),
}

/// Begins the transactions that write.
///
/// SQLite lets one connection write at a time. A transaction begun `DEFERRED` that reads
/// first and writes later cannot wait for the lock: when another connection committed
/// meanwhile, its write fails at once with "database is locked". And writers that do
/// wait, wait in SQLite's busy handler, which sleeps up to 100 ms at a time. So on
/// SQLite the writes of this process go to one writer task, first come first served:
/// it holds the write lock (`IMMEDIATE`) for a group of queued requests and commits them
/// together, so that they share one wait for the disk (see [`group`]). A writer of
/// another process (a CLI command) is waited for by the busy timeout. Reads do not
/// queue: they stay on the pool (WAL lets them run beside the writer). PostgreSQL begins
/// as usual.
#[async_trait::async_trait]
pub trait BeginWrite {
    /// Waits for the write turn (SQLite) and begins a transaction.
    async fn begin_write(&self) -> Result<WriteTxn, DbErr>;

    /// A turn for a single statement that writes, kept if it ran (a failed statement
    /// undoes itself; `rollback` undoes nothing): on SQLite a turn with the writer
    /// without a savepoint (the statement shares its group's commit, and `commit` answers
    /// after it); on PostgreSQL the pool itself, where the statement commits alone and
    /// `commit` has nothing to do (one round trip instead of three).
    async fn write_one(&self) -> Result<WriteTxn, DbErr>;
}

#[async_trait::async_trait]
impl BeginWrite for DatabaseConnection {
    async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        Ok(WriteTxn(match self.get_database_backend() {
            DbBackend::Sqlite => Txn::Queued(group::Member::begin(self, true).await?),
            _ => Txn::Own(begin_whole(self).await?),
        }))
    }

    async fn write_one(&self) -> Result<WriteTxn, DbErr> {
        Ok(WriteTxn(match self.get_database_backend() {
            DbBackend::Sqlite => Txn::Queued(group::Member::begin(self, false).await?),
            _ => Txn::Alone(self.clone()),
        }))
    }
}

/// Begins a PostgreSQL transaction in a task of its own, which runs to its end even when
/// the caller is given up meanwhile (its client hung up, a timeout fired). sqlx counts a
/// transaction only once PostgreSQL has answered its BEGIN: a caller given up while it
/// waits for that answer would give the connection back to the pool inside a
/// transaction nobody ends, where the next requests' statements would run uncommitted
/// and a later ROLLBACK would undo them. Begun to the end, the transaction is counted,
/// and dropped unused it is rolled back before its connection is used again.
async fn begin_whole(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let db = db.clone();
    tokio::spawn(async move { db.begin().await })
        .await
        .map_err(|e| DbErr::Custom(format!("the transaction's beginning stopped: {e}")))?
}

impl WriteTxn {
    /// Commits: on SQLite, answered once the write is on disk with its group's.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.0 {
            Txn::Own(txn) => txn.commit().await,
            Txn::Alone(_) => Ok(()),
            Txn::Queued(member) => member.commit().await,
        }
    }

    /// Commits when `outcome` is `Ok`, else rolls back; gives back `outcome`, or the
    /// commit's error.
    pub async fn end<T>(self, outcome: Result<T, DbErr>) -> Result<T, DbErr> {
        match outcome {
            Ok(value) => self.commit().await.map(|()| value),
            Err(e) => {
                let _ = self.rollback().await;
                Err(e)
            }
        }
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        match self.0 {
            Txn::Own(txn) => txn.rollback().await,
            Txn::Alone(_) => Ok(()),
            Txn::Queued(member) => member.rollback().await,
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        match &self.0 {
            Txn::Own(txn) => txn.get_database_backend(),
            Txn::Alone(db) => db.get_database_backend(),
            Txn::Queued(_) => DbBackend::Sqlite,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match &self.0 {
            Txn::Own(txn) => txn.execute_raw(stmt).await,
            Txn::Alone(db) => db.execute_raw(stmt).await,
            Txn::Queued(member) => member.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.0 {
            Txn::Own(txn) => txn.execute_unprepared(sql).await,
            Txn::Alone(db) => db.execute_unprepared(sql).await,
            Txn::Queued(member) => member.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.0 {
            Txn::Own(txn) => txn.query_one_raw(stmt).await,
            Txn::Alone(db) => db.query_one_raw(stmt).await,
            Txn::Queued(member) => member.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.0 {
            Txn::Own(txn) => txn.query_all_raw(stmt).await,
            Txn::Alone(db) => db.query_all_raw(stmt).await,
            Txn::Queued(member) => member.query_all_raw(stmt).await,
        }
    }
}

/// Runs `sql`, with `values` numbered `$1`, `$2`, …, on PostgreSQL as one statement that
/// commits by itself (several writes together as data-modifying `WITH` queries), and
/// gives the row it answers.
pub async fn one_statement(
    db: &DatabaseConnection,
    sql: String,
    values: Vec<sea_orm::Value>,
) -> Result<QueryResult, DbErr> {
    db.query_one_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?
    .ok_or_else(|| DbErr::Custom("the statement answered no row".into()))
}

/// `sql` with its parameters `$1`, `$2`, … numbered up by `by`, to follow another
/// statement's values in one statement. Every value of a statement built by sea-query is
/// a numbered parameter, so no `$` followed by a digit is anything else.
pub fn renumbered(sql: &str, by: usize) -> String {
    if by == 0 {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            digits.push(d);
            chars.next();
        }
        if let Ok(n) = digits.parse::<usize>() {
            out.push_str(&(n + by).to_string());
        }
    }
    out
}

/// A connection on which every statement is a write of its own, for the writes made
/// outside a transaction: a session saved, a job claimed or finished, a sign-in counted.
/// On SQLite each statement takes a turn with the database's writer ([`group`], as
/// [`BeginWrite::write_one`] does) and is answered once committed; on the pool it would
/// wait for the write lock in SQLite's busy handler, which sleeps up to 100 ms at a time
/// and, behind a busy writer, up to the busy timeout (5 s). On PostgreSQL it is the pool.
/// Reads work too, but belong on the pool.
pub struct Autocommit<'a>(pub &'a DatabaseConnection);

#[async_trait::async_trait]
impl ConnectionTrait for Autocommit<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let one = self.0.write_one().await?;
        let done = one.execute_raw(stmt).await;
        one.end(done).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let one = self.0.write_one().await?;
        let done = one.execute_unprepared(sql).await;
        one.end(done).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let one = self.0.write_one().await?;
        let done = one.query_one_raw(stmt).await;
        one.end(done).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let one = self.0.write_one().await?;
        let done = one.query_all_raw(stmt).await;
        one.end(done).await
    }
}

/// A row that a job sends out over the network (a mail, an SMS): read, then the
/// outcome written. On PostgreSQL the row is locked (`FOR UPDATE SKIP LOCKED`) in a
/// transaction held across the call, so two servers never send it twice; `None` when
/// another server holds it. On SQLite (one server, whose jobs each run once) it is read
/// on the pool and no write turn is held across the call: a slow relay never holds up
/// the payments' writes. [`CalledOut::writer`] gives the transaction for the outcome.
pub struct CalledOut<M> {
    /// The row, if it is there and not held by another server.
    pub row: Option<M>,
    locked: Option<WriteTxn>,
}

impl<M> CalledOut<M> {
    /// Reads the row of `query` (one row by its id).
    pub async fn read<E>(db: &DatabaseConnection, query: Select<E>) -> Result<Self, DbErr>
    where
        E: EntityTrait<Model = M>,
        M: FromQueryResult + Send + Sync,
    {
        if db.get_database_backend() != DbBackend::Postgres {
            let row = query.one(db).await?;
            return Ok(CalledOut { row, locked: None });
        }
        let txn = db.begin_write().await?;
        let row = query
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .one(&txn)
            .await?;
        Ok(CalledOut {
            row,
            locked: Some(txn),
        })
    }

    /// The transaction in which to write the outcome: the locking one on PostgreSQL,
    /// a new write turn on SQLite.
    pub async fn writer(self, db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
        match self.locked {
            Some(txn) => Ok(txn),
            None => db.begin_write().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_follow_the_values_before_them() {
        assert_eq!(
            renumbered(r#"UPDATE "t" SET "a" = $1 WHERE "b" = $2 AND "c" = $10"#, 3),
            r#"UPDATE "t" SET "a" = $4 WHERE "b" = $5 AND "c" = $13"#
        );
        assert_eq!(renumbered("SELECT $1", 0), "SELECT $1");
        assert_eq!(renumbered("SELECT '$' || $1", 2), "SELECT '$' || $3");
    }

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

    /// The writes made outside a transaction (a session created, a job claimed and
    /// finished, a sign-in counted) wait for the writer's turn however long it is held.
    /// On the pool they waited in SQLite's busy handler and failed with "database is
    /// locked" once the busy timeout (5 s) had passed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_outside_a_transaction_wait_for_the_writer_past_the_busy_timeout() {
        use crate::platform::jobs;
        use crate::platform::sessions::DbSessionStore;
        use crate::platform::shared_limit::SharedLimiter;
        use tower_sessions::session::{Id, Record};
        use tower_sessions::SessionStore;

        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display());
        let db = connect_and_migrate(&url).await.expect("connect");
        let due = chrono::Utc::now() - chrono::Duration::seconds(1);
        jobs::enqueue(
            &db,
            None,
            jobs::kind::WEBHOOK,
            serde_json::json!({}),
            due,
            3,
        )
        .await
        .expect("a job");

        let held = db.begin_write().await.expect("the turn");
        held.execute_unprepared("UPDATE jobs SET updated_at = updated_at")
            .await
            .expect("the write lock");
        let writes = tokio::spawn({
            let db = db.clone();
            async move {
                let store = DbSessionStore::new(db.clone(), 600);
                let mut record = Record {
                    id: Id::default(),
                    data: Default::default(),
                    expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
                };
                store.create(&mut record).await.map_err(|e| e.to_string())?;
                let one = Autocommit(&db);
                let lease = chrono::Duration::seconds(60);
                let job = jobs::claim(&one, "w#1", lease)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("no job claimed")?;
                let done = jobs::complete(&one, job.id, "w#1")
                    .await
                    .map_err(|e| e.to_string())?;
                let limiter = SharedLimiter::new("t", 5, Duration::from_secs(60));
                let allowed = limiter
                    .allow(&one, "192.0.2.1")
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>((done, allowed))
            }
        });
        tokio::time::sleep(Duration::from_millis(5_500)).await;
        assert!(!writes.is_finished(), "the writes wait for the turn");
        held.commit().await.expect("commit");
        let outcome = writes.await.expect("the task");
        assert_eq!(outcome, Ok((true, true)), "every write lands");
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
