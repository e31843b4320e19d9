//! API keys and their merchants kept in memory between calls (PostgreSQL): a change is
//! seen by the next call when made through the node's back office, and soon after when
//! made by any other writer or node, or when the node's listening connection is lost. A
//! change the database does not announce (triggers off) shows whether a key is kept.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, Key};
use app::configuration::ApiKeyView;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use server::entities::api_key;
use std::time::Duration;

/// Keys kept in memory (the tests' default is off: `helpers::spawn_app`).
const ON: &[(&str, &str)] = &[("OPENPSP_API_KEY_CACHE", "on")];

async fn status(app: &TestApp, key: &Key) -> u16 {
    get(app, key, "/services/testconnection").await.0
}

/// Polls until a call with `key` is refused; false after five seconds.
async fn refused_soon(app: &TestApp, key: &Key) -> bool {
    for _ in 0..100 {
        if status(app, key).await == 403 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A node on PostgreSQL keeping keys, and a key of merchant `shop`; `None` without
/// PostgreSQL here.
async fn postgres_app() -> Option<(TestApp, Key)> {
    let app = spawn_app(Backend::Postgres, ON).await?;
    let key = key(&app, "shop").await;
    Some((app, key))
}

async fn delete_in_back_office(app: &TestApp, admin: &str) {
    let res = app.call("config/api_keys", &[], Some(admin)).await;
    res.ok();
    let list: Vec<ApiKeyView> = serde_json::from_str(&res.body).unwrap();
    let id = list[0].id.to_string();
    app.call(
        "config/delete_api_key",
        &[("id", &id), ("password", crate::helpers::PASSWORD)],
        Some(admin),
    )
    .await
    .ok();
}

/// Runs `sql` on `app`'s database with the key triggers off: a change the database does
/// not announce.
async fn unannounced(app: &TestApp, sql: &str) {
    app.db
        .execute_unprepared(&format!(
            "ALTER TABLE api_keys DISABLE TRIGGER USER; {sql}; \
             ALTER TABLE api_keys ENABLE TRIGGER USER"
        ))
        .await
        .unwrap();
}

/// Waits until `app` keeps `key` (its listener is up once the node started): a call
/// still succeeds while the key's secret is changed unannounced. False after five
/// seconds.
async fn kept(app: &TestApp, key: &Key) -> bool {
    // Twice reversed: the secret as it was.
    let flip = format!(
        "UPDATE api_keys SET secret_enc = reverse(secret_enc) WHERE key_id = '{}'",
        key.id
    );
    for _ in 0..100 {
        // Refused only while a changed secret read before is still kept (below).
        if status(app, key).await != 200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        unannounced(app, &flip).await;
        let still = status(app, key).await;
        if still == 200 {
            unannounced(app, &flip).await;
            return true;
        }
        // Refused: the changed secret was read, and may have been kept if the node began
        // listening meanwhile. Changed back announced, so that it is forgotten.
        app.db.execute_unprepared(&flip).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

both_backends!(
    a_key_deleted_in_the_back_office_is_refused_by_the_next_call,
    ON,
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let postgres = app.db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            assert!(kept(&app, &key).await, "the key is kept");
            // Unannounced: only the node's own forgetting after the write refuses it.
            app.db
                .execute_unprepared("ALTER TABLE api_keys DISABLE TRIGGER USER")
                .await
                .unwrap();
        }
        delete_in_back_office(&app, &admin).await;
        if postgres {
            app.db
                .execute_unprepared("ALTER TABLE api_keys ENABLE TRIGGER USER")
                .await
                .unwrap();
        }
        assert_eq!(status(&app, &key).await, 403);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_deleted_by_another_writer_is_soon_refused() {
    let Some((app, key)) = postgres_app().await else {
        return;
    };
    assert!(kept(&app, &key).await, "the key is kept");
    // Another writer: a statement of its own, not through the node.
    api_key::Entity::delete_many()
        .filter(api_key::Column::KeyId.eq(key.id.as_str()))
        .exec(&app.db)
        .await
        .unwrap();
    assert!(refused_soon(&app, &key).await, "the deletion is heard");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_soon_refuses_a_key_deleted_on_the_first() {
    let Some((app, key)) = postgres_app().await else {
        return;
    };
    let admin = app.session("shop", "admin").await;
    let other = app.another_node().await;
    assert!(kept(&other, &key).await, "the other node keeps the key");
    delete_in_back_office(&app, &admin).await;
    assert_eq!(status(&app, &key).await, 403);
    assert!(refused_soon(&other, &key).await, "the other node hears it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listening_connection_forgets_what_is_kept() {
    let Some((app, key)) = postgres_app().await else {
        return;
    };
    assert!(kept(&app, &key).await, "the key is kept");
    // Deleted unannounced, then the node's listening connection is cut: what it kept
    // while it could not hear is forgotten.
    unannounced(
        &app,
        &format!("DELETE FROM api_keys WHERE key_id = '{}'", key.id),
    )
    .await;
    assert_eq!(status(&app, &key).await, 200, "kept, and nothing heard");
    app.db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert!(
        refused_soon(&app, &key).await,
        "forgotten once the loss is seen"
    );
}
