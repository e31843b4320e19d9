//! The job runner and webhook delivery: a job whose worker died runs again exactly once
//! after its lease, two servers deliver each webhook once with its signature, and jobs
//! resolve payments of unknown status and capture delayed pre-authorisations.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, get, key, post};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::entities::{job, merchant, webhook_delivery};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

both_backends!(
    a_job_claimed_by_a_dead_worker_runs_again_exactly_once,
    &[],
    |app: TestApp| async move {
        use server::platform::jobs;
        let id = jobs::enqueue(&app.db, None, "test_job", json!({}), Utc::now(), 5)
            .await
            .unwrap();
        let first = jobs::claim(&app.db, "worker-a", chrono::Duration::milliseconds(300))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.id, id);
        // While the lease runs, nobody else gets it.
        assert!(
            jobs::claim(&app.db, "worker-b", chrono::Duration::seconds(60))
                .await
                .unwrap()
                .is_none()
        );
        // worker-a dies; its lease expires.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        let again = jobs::claim(&app.db, "worker-b", chrono::Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, id);
        assert_eq!(again.attempts, 2);
        // The dead worker cannot finish what it lost; the new holder can, once.
        assert!(!jobs::complete(&app.db, id, "worker-a").await.unwrap());
        assert!(jobs::complete(&app.db, id, "worker-b").await.unwrap());
        assert!(!jobs::complete(&app.db, id, "worker-b").await.unwrap());
        assert!(
            jobs::claim(&app.db, "worker-c", chrono::Duration::seconds(60))
                .await
                .unwrap()
                .is_none()
        );
        let row = job::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.state, "done");
    }
);

/// Counts webhook POSTs by event id and checks their signatures.
async fn receiver(secret: String) -> (String, Arc<Mutex<HashMap<String, usize>>>) {
    use axum::routing::post as on_post;
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counter = seen.clone();
    let router = axum::Router::new().route(
        "/hooks",
        on_post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let counter = counter.clone();
                let secret = secret.clone();
                async move {
                    let signature = headers["x-gcs-signature"].to_str().unwrap();
                    assert!(server::platform::crypto::hmac_sha256_verify(
                        secret.as_bytes(),
                        &body,
                        signature
                    ));
                    let event: Value = serde_json::from_slice(&body).unwrap();
                    *counter
                        .lock()
                        .unwrap()
                        .entry(event["id"].as_str().unwrap().to_owned())
                        .or_default() += 1;
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/hooks"), seen)
}

both_backends!(
    two_servers_deliver_each_webhook_once,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        // The signing key is made first so the receiver knows it.
        let (_, secret) = server::configuration::keys::rotate_webhook_key(&app.db, &app.config, &m)
            .await
            .unwrap();
        let (url, seen) = receiver(secret).await;
        let m = merchant::Entity::find_by_id(m.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        server::configuration::keys::add_webhook(&app.db, &app.config, &m, &url)
            .await
            .unwrap();
        for i in 0..6 {
            let (s, v) = post(
                &app,
                &key,
                "/payments",
                &card_payment(1_000 + i, "4111111111111111", "SALE"),
            )
            .await;
            assert_eq!(s, 201, "{v}");
        }
        let deliveries = webhook_delivery::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(deliveries.len(), 12, "created + captured for each payment");
        // Two `openpsp serve` processes on the same database (and data key) run their
        // job runners side by side.
        let servers: Vec<tokio::process::Child> = (0..2)
            .map(|_| {
                tokio::process::Command::new(env!("CARGO_BIN_EXE_openpsp"))
                    .arg("serve")
                    .env_clear()
                    .env("PATH", std::env::var("PATH").unwrap_or_default())
                    .env("OPENPSP_DATA_DIR", &app.config.data_dir)
                    .env("DATABASE_URL", &app.config.database_url)
                    .env("OPENPSP_LISTEN", "127.0.0.1:0")
                    .env("OPENPSP_TERMINAL_LISTEN", "off")
                    .env("OPENPSP_WEBHOOK_ALLOW_PRIVATE", "on")
                    .env("OPENPSP_LOG", "warn")
                    .kill_on_drop(true)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .expect("start openpsp serve")
            })
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let delivered = webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::Status.eq("delivered"))
                .all(&app.db)
                .await
                .unwrap()
                .len();
            if delivered == 12 || std::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // A moment more: a second delivery of the same event would show up now.
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        drop(servers);
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 12, "every event arrived");
        assert!(
            seen.values().all(|n| *n == 1),
            "each exactly once: {seen:?}"
        );
        let delivered = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq("delivered"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(delivered.len(), 12);
    }
);

both_backends!(
    jobs_resolve_uncertain_payments_and_auto_capture,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(None);
        // Timeout card: status unknown (92) until the job asks the acquirer.
        let (s, v) = post(
            &app,
            &key,
            "/payments",
            &card_payment(2_000, "4000000000000119", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["statusOutput"]["statusCode"], 92);
        let id = v["payment"]["id"].as_str().unwrap().to_owned();
        job::Entity::update_many()
            .col_expr(job::Column::RunAt, Utc::now().into())
            .exec(&app.db)
            .await
            .unwrap();
        while runner.run_once().await.unwrap() {}
        let (_, got) = get(&app, &key, &format!("/payments/{id}")).await;
        assert_eq!(got["status"], "CAPTURED", "{got}");

        // Delayed capture procedure: a pre-authorisation is captured by a job.
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: merchant::ActiveModel = m.into();
        row.capture_procedure = Set("delayed".into());
        row.capture_delay_hours = Set(0);
        row.update(&app.db).await.unwrap();
        let mut body = card_payment(3_000, "4111111111111111", "PRE_AUTHORIZATION");
        body["cardPaymentMethodSpecificInput"]
            .as_object_mut()
            .unwrap()
            .remove("authorizationMode");
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "PENDING_CAPTURE");
        let id = v["payment"]["id"].as_str().unwrap().to_owned();
        while runner.run_once().await.unwrap() {}
        let (_, got) = get(&app, &key, &format!("/payments/{id}")).await;
        assert_eq!(got["status"], "CAPTURED", "{got}");
        assert_eq!(got["paymentOutput"]["acquiredAmount"]["amount"], 3_000);
    }
);
