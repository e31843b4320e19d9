//! A write given up while its transaction begins (the client hung up, a timeout fired)
//! leaves no transaction open on the connection it gives back to the pool. On
//! PostgreSQL such a connection would run the next requests' statements inside a
//! transaction nobody ends: their writes stay uncommitted, holding their locks, until
//! another request's COMMIT on that connection, or are undone by its ROLLBACK.

use super::helpers::postgres_url;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use server::platform::db::{connect, BeginWrite};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the proxy holds each answer of PostgreSQL.
const ANSWER_DELAY: Duration = Duration::from_millis(40);

/// A TCP proxy to `upstream` (`host:port`) that passes what clients send at once and
/// PostgreSQL's answers after [`ANSWER_DELAY`]: a slow network, where a caller can
/// be given up while its BEGIN is on the way. Gives the proxy's address.
async fn slow_answers(upstream: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(&upstream).await else {
                continue;
            };
            let (mut client_read, mut client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match server_read.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    tokio::time::sleep(ANSWER_DELAY).await;
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    address
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("query")
        .expect("row")
        .try_get_by_index::<i64>(0)
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_write_given_up_while_it_begins_leaves_no_transaction_open() {
    let Some(url) = postgres_url().await else {
        return;
    };
    // postgres://user:password@host:port/database, reached through the slow proxy.
    let (head, rest) = url.rsplit_once('@').expect("url with a user");
    let (upstream, database) = rest.split_once('/').expect("url with a database");
    let proxy = slow_answers(upstream.to_owned()).await;
    let db = connect(&format!("{head}@{proxy}/{database}?sslmode=disable"))
        .await
        .expect("pool through the proxy");
    for _ in 0..5 {
        // A statement first, so that the next checkout is not pinged (the pool pings a
        // connection idle for a second): the write is given up during its BEGIN.
        count(&db, "SELECT 1::bigint").await;
        let begun = tokio::time::timeout(ANSWER_DELAY / 4, db.begin_write()).await;
        assert!(
            begun.is_err(),
            "the BEGIN was answered before the caller gave up"
        );
    }
    // Seen from a connection of another pool: none of this pool's connections is left
    // inside a transaction once it is back in the pool.
    let watcher = sea_orm::Database::connect(url.clone())
        .await
        .expect("watcher");
    let open_transactions = "SELECT count(*) FROM pg_stat_activity \
        WHERE datname = current_database() AND pid <> pg_backend_pid() \
        AND state LIKE 'idle in transaction%'";
    // Given up, a transaction is ended before its connection is back in the pool; a
    // connection left inside one stays so for good. Polled, for a loaded machine.
    let mut open = count(&watcher, open_transactions).await;
    for _ in 0..50 {
        if open == 0 {
            break;
        }
        tokio::time::sleep(ANSWER_DELAY).await;
        open = count(&watcher, open_transactions).await;
    }
    assert_eq!(open, 0, "connections left idle inside a transaction");
    // And the pool's next writes are committed, each by itself.
    db.execute_unprepared("CREATE TABLE seen (n BIGINT NOT NULL)")
        .await
        .expect("table");
    for n in 0..10 {
        let one = db.write_one().await.expect("turn");
        let written = one
            .execute_unprepared(&format!("INSERT INTO seen (n) VALUES ({n})"))
            .await
            .map(|_| ());
        one.end(written).await.expect("insert");
    }
    assert_eq!(count(&watcher, "SELECT count(*) FROM seen").await, 10);
}
