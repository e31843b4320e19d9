//! Webhooks reach public addresses only: endpoints naming or resolving to loopback,
//! private or link-local addresses are refused on the webhooks page, and an endpoint
//! stored before is refused again when its delivery connects — unless
//! `OPENPSP_WEBHOOK_ALLOW_PRIVATE=on` (the test servers' default). A merchant has at most
//! ten endpoints.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::error::Problem;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use server::entities::{merchant, webhook_delivery, webhook_endpoint};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const PRIVATE_OFF: &[(&str, &str)] = &[("OPENPSP_WEBHOOK_ALLOW_PRIVATE", "off")];

/// A receiver on 127.0.0.1 counting the POSTs it gets; its port.
pub(crate) async fn counting_receiver() -> (u16, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (port, seen)
}

/// Turns webhooks on for `pspid` with a signing key; the merchant.
pub(crate) async fn webhooks_on(app: &TestApp, pspid: &str) -> merchant::Model {
    let m = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    server::configuration::keys::rotate_webhook_key(&app.db, &app.config, &m)
        .await
        .unwrap();
    let m = merchant::Entity::find_by_id(m.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: merchant::ActiveModel = m.into();
    row.webhooks_enabled = Set(true);
    row.update(&app.db).await.unwrap()
}

/// Stores an endpoint directly, as one saved before the rule (or while it was off).
pub(crate) async fn store_endpoint(app: &TestApp, merchant_id: i64, url: &str) {
    webhook_endpoint::ActiveModel {
        merchant_id: Set(merchant_id),
        url: Set(url.to_owned()),
        active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

both_backends!(
    internal_endpoint_addresses_are_refused_when_saved,
    PRIVATE_OFF,
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        for url in [
            "http://127.0.0.1/hooks",
            "http://10.1.2.3",
            "http://[::1]/hooks",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:192.168.1.1]/",
            "http://2130706433/",
            "http://localhost:8080/hooks",
        ] {
            let res = app
                .call("config/add_endpoint", &[("url", url)], Some(&admin))
                .await;
            assert_eq!(
                res.error().problem_for("url"),
                Some(&Problem::OutOfRange),
                "{url}: {}",
                res.body
            );
        }
        let stored = webhook_endpoint::Entity::find()
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(stored, 0, "no refused endpoint is stored");
        // Public addresses are accepted, up to ten endpoints.
        for i in 0..10 {
            let url = format!("https://93.184.216.34/hooks/{i}");
            app.call("config/add_endpoint", &[("url", &url)], Some(&admin))
                .await
                .ok();
        }
        let res = app
            .call(
                "config/add_endpoint",
                &[("url", "https://93.184.216.34/hooks/11")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("url"),
            Some(&Problem::ExceedsLimit),
            "{}",
            res.body
        );
        // Removing one makes room again.
        let first = webhook_endpoint::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        app.call(
            "config/remove_endpoint",
            &[("id", &first.id.to_string())],
            Some(&admin),
        )
        .await
        .ok();
        app.call(
            "config/add_endpoint",
            &[("url", "https://93.184.216.34/hooks/11")],
            Some(&admin),
        )
        .await
        .ok();
    }
);

both_backends!(
    loopback_endpoints_are_accepted_when_private_addresses_are_allowed,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        for url in ["http://127.0.0.1:9/hooks", "http://localhost:9/hooks"] {
            app.call("config/add_endpoint", &[("url", url)], Some(&admin))
                .await
                .ok();
        }
    }
);

/// Delivers the events of one payment to a receiver on 127.0.0.1 named by address and
/// by `localhost`, through endpoints stored directly; asserts they arrive only when
/// `allowed`.
async fn deliveries_to_loopback(app: TestApp, allowed: bool) {
    let key = key(&app, "shop").await;
    let m = webhooks_on(&app, "shop").await;
    let (port, seen) = counting_receiver().await;
    let literal = format!("http://127.0.0.1:{port}/hooks");
    let named = format!("http://localhost:{port}/hooks");
    store_endpoint(&app, m.id, &literal).await;
    store_endpoint(&app, m.id, &named).await;
    let (s, v) = post(
        &app,
        &key,
        "/payments",
        &card_payment(1_000, "4111111111111111", "SALE"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .build()
        .worker(None);
    while runner.run_once().await.unwrap() {}
    let deliveries = webhook_delivery::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(deliveries.len(), 4, "two events to two endpoints");
    if allowed {
        assert_eq!(seen.load(Ordering::SeqCst), 4);
        assert!(deliveries.iter().all(|d| d.status == "delivered"));
        return;
    }
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "nothing reached the receiver"
    );
    let endpoints = webhook_endpoint::Entity::find().all(&app.db).await.unwrap();
    for d in &deliveries {
        let url = &endpoints
            .iter()
            .find(|e| e.id == d.endpoint_id)
            .unwrap()
            .url;
        let error = d.last_error.clone().unwrap_or_default();
        assert!(error.contains("not allowed"), "{url}: {error}");
        assert_eq!(d.attempts, 1);
        assert!(d.delivered_at.is_none());
        // An address in the URL never changes: given up. A name may resolve elsewhere
        // later: retried, and checked again then.
        let expected = if *url == literal {
            "failed"
        } else {
            "retrying"
        };
        assert_eq!(d.status, expected, "{url}");
    }
}

both_backends!(
    stored_loopback_endpoints_are_refused_at_connection_time,
    PRIVATE_OFF,
    |app: TestApp| deliveries_to_loopback(app, false)
);

both_backends!(
    stored_loopback_endpoints_are_delivered_when_allowed,
    &[],
    |app: TestApp| deliveries_to_loopback(app, true)
);

both_backends!(
    parallel_endpoint_additions_stop_at_the_cap,
    &[],
    |app: TestApp| async move {
        use server::webhooks::events::MAX_ENDPOINTS;
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let tries = 3 * MAX_ENDPOINTS as usize;
        let urls: Vec<String> = (0..tries)
            .map(|i| format!("http://127.0.0.1:9/hooks/{i}"))
            .collect();
        let answers = futures_util::future::join_all(urls.iter().map(|url| {
            let admin = &admin;
            let app = &app;
            async move {
                app.call("config/add_endpoint", &[("url", url)], Some(admin))
                    .await
            }
        }))
        .await;
        let added = answers.iter().filter(|r| r.status < 300).count();
        for refused in answers.iter().filter(|r| r.status >= 300) {
            assert_eq!(
                refused.error().problem_for("url"),
                Some(&Problem::ExceedsLimit),
                "{}",
                refused.body
            );
        }
        assert_eq!(added as u64, MAX_ENDPOINTS);
        let stored = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Active.eq(true))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(stored, MAX_ENDPOINTS);
    }
);

both_backends!(
    parallel_resends_stop_at_the_cap,
    &[],
    |app: TestApp| async move {
        use server::entities::job;
        use server::webhooks::events::RESENDS_PER_DELIVERY_PER_HOUR;
        let key = key(&app, "shop").await;
        let m = webhooks_on(&app, "shop").await;
        store_endpoint(&app, m.id, "http://127.0.0.1:9/hooks").await;
        let (s, v) = post(
            &app,
            &key,
            "/payments",
            &card_payment(1_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let delivery = webhook_delivery::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let admin = app.session("shop", "admin").await;
        let id = delivery.id.to_string();
        let answers =
            futures_util::future::join_all((0..4 * RESENDS_PER_DELIVERY_PER_HOUR).map(|_| {
                let (app, admin, id) = (&app, &admin, &id);
                async move {
                    app.call("config/resend_delivery", &[("id", id)], Some(admin))
                        .await
                }
            }))
            .await;
        let queued = answers.iter().filter(|r| r.status < 300).count();
        for refused in answers.iter().filter(|r| r.status >= 300) {
            assert_eq!(refused.error(), app::error::AppError::RateLimited);
        }
        assert_eq!(queued as u64, RESENDS_PER_DELIVERY_PER_HOUR);
        let jobs = job::Entity::find()
            .filter(job::Column::MerchantId.eq(m.id))
            .filter(job::Column::Payload.like("%\"resend\":true%"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(jobs, RESENDS_PER_DELIVERY_PER_HOUR);
    }
);
