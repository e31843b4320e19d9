//! Prometheus metrics on their own address: request latency by route template and
//! status, payment attempts by channel and outcome, the job queue by kind, webhook
//! deliveries by outcome, terminal connections and the database pool; nothing of it on
//! the public listener.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use crate::webhook_addresses::{counting_receiver, store_endpoint, webhooks_on};
use sea_orm::DbBackend;
use serde_json::json;

both_backends!(
    metrics_scrape_on_their_own_address,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let (port, _) = counting_receiver().await;
        let shop = webhooks_on(&app, "shop").await;
        store_endpoint(&app, shop.id, &format!("http://127.0.0.1:{port}/hooks")).await;
        let (s, v) = post(
            &app,
            &key,
            "/payments",
            &card_payment(1000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let (s, v) = post(
            &app,
            &key,
            "/hostedcheckouts",
            &json!({
                "order": { "amountOfMoney": { "amount": 500, "currencyCode": "EUR" } },
                "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
            }),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let login = app
            .http
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);

        let state = server::state::AppState::builder(app.db.clone(), app.config.clone()).build();
        // The payment's events go out (the checkout's expiry is not due yet).
        let runner = state.worker(None);
        while runner.run_once().await.unwrap() {}
        let sources = server::platform::metrics::Sources {
            db: app.db.clone(),
            terminals: state.terminals.clone(),
        };
        let bound = server::platform::metrics::spawn("127.0.0.1:0", sources)
            .await
            .unwrap();
        let res = app
            .http
            .get(format!("http://{bound}/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"));
        let text = res.text().await.unwrap();
        for expected in [
            r#"openpsp_http_request_duration_seconds_count{method="POST",route="/v2/{merchant_id}/payments",status="201"} 1"#,
            r#"openpsp_http_request_duration_seconds_count{method="GET",route="/login",status="200"} 1"#,
            r#"openpsp_payment_attempts_total{channel="ECOMMERCE",outcome="approved"} 1"#,
            r#"openpsp_jobs_queued{kind="expire_checkout"} 1"#,
            r#"openpsp_jobs_oldest_due_seconds{kind="expire_checkout"} 0"#,
            r#"openpsp_webhook_deliveries_total{outcome="delivered"} "#,
            "openpsp_terminal_connections 0",
            r#"openpsp_db_pool_connections{state="open"}"#,
            "# EOF",
        ] {
            assert!(text.contains(expected), "missing {expected} in:\n{text}");
        }
        // SQLite's writer committed the payment; PostgreSQL has no such writer.
        let commits = text
            .lines()
            .find_map(|l| l.strip_prefix("openpsp_sqlite_commit_seconds_count "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no SQLite commit count in:\n{text}"));
        if app.db.get_database_backend() == DbBackend::Sqlite {
            assert!(commits >= 1, "{text}");
        } else {
            assert_eq!(commits, 0, "{text}");
        }
        for histogram in ["sqlite_wal_restart_seconds", "sqlite_checkpoint_seconds"] {
            assert!(
                text.contains(&format!("# TYPE openpsp_{histogram} histogram")),
                "{text}"
            );
        }
        // Ids never become labels.
        assert!(!text.contains("/v2/shop/"), "{text}");

        // Not on the public listener.
        let public = app
            .http
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap();
        let status = public.status();
        let body = public.text().await.unwrap();
        assert!(!body.contains("openpsp_http_request"), "{status}: {body}");
    }
);
