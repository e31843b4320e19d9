//! API keys and their merchants kept in memory between calls (PostgreSQL): a change is
//! seen by the next call when made through the node, and soon after when made by any
//! other writer; a change the database does not announce is not seen until the node
//! forgets, which shows the keys are kept.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, Key};
use app::configuration::ApiKeyView;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
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

both_backends!(
    a_key_deleted_in_the_back_office_is_refused_by_the_next_call,
    ON,
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        assert_eq!(status(&app, &key).await, 200);
        assert_eq!(status(&app, &key).await, 200);
        delete_in_back_office(&app, &admin).await;
        assert_eq!(status(&app, &key).await, 403);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_deleted_by_another_writer_is_soon_refused() {
    let Some((app, key)) = postgres_app().await else {
        return;
    };
    assert_eq!(status(&app, &key).await, 200);
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
    assert_eq!(status(&other, &key).await, 200);
    assert_eq!(status(&other, &key).await, 200);
    delete_in_back_office(&app, &admin).await;
    assert_eq!(status(&app, &key).await, 403);
    assert!(refused_soon(&other, &key).await, "the other node hears it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_kept_until_a_change_is_heard_or_the_back_office_writes() {
    let Some((app, key)) = postgres_app().await else {
        return;
    };
    let admin = app.session("shop", "admin").await;
    // The first call writes the key's last use, which the database announces: the key
    // is forgotten once, and kept again by the next call.
    for _ in 0..2 {
        assert_eq!(status(&app, &key).await, 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // A deletion the database does not announce: the node still has the key.
    app.db
        .execute_unprepared(
            "ALTER TABLE api_keys DISABLE TRIGGER api_keys_directory; \
             DELETE FROM api_keys; \
             ALTER TABLE api_keys ENABLE TRIGGER api_keys_directory",
        )
        .await
        .unwrap();
    assert_eq!(status(&app, &key).await, 200, "kept in memory");
    // Any back-office write through the node forgets what it keeps.
    app.call("set_language", &[("lang", "fr")], Some(&admin))
        .await
        .ok();
    assert_eq!(status(&app, &key).await, 403);
}
