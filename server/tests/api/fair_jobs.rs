//! One merchant cannot stall everyone's jobs: with a backlog of webhook deliveries to
//! endpoints that never answer, another merchant's delayed capture and webhooks still
//! run on time, and the slow merchant holds only its share of the runner. Manual
//! re-sends are capped per delivery and per merchant.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, get, key, post};
use crate::webhook_addresses::{counting_receiver, store_endpoint, webhooks_on};
use app::error::AppError;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use server::entities::{job, merchant, webhook_delivery};
use server::platform::jobs::kind;
use server::platform::worker::WEBHOOK_PER_MERCHANT;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// A TCP listener that accepts connections and never answers; its port.
async fn black_hole() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    port
}

both_backends!(
    a_merchants_silent_endpoints_do_not_delay_another_merchants_jobs,
    &[],
    |app: TestApp| async move {
        // Merchant A: ten endpoints that never answer, 60 deliveries queued first.
        // One after the other they would take 10 minutes (10 s timeout each).
        let slow = key(&app, "slow").await;
        let a = webhooks_on(&app, "slow").await;
        let hole = black_hole().await;
        for i in 0..10 {
            store_endpoint(&app, a.id, &format!("http://127.0.0.1:{hole}/hooks/{i}")).await;
        }
        for i in 0..3 {
            let (s, v) = post(
                &app,
                &slow,
                "/payments",
                &card_payment(1_000 + i, "4111111111111111", "SALE"),
            )
            .await;
            assert_eq!(s, 201, "{v}");
        }
        job::Entity::update_many()
            .col_expr(
                job::Column::RunAt,
                (Utc::now() - chrono::Duration::minutes(1)).into(),
            )
            .filter(job::Column::MerchantId.eq(a.id))
            .filter(job::Column::Kind.eq(kind::WEBHOOK))
            .exec(&app.db)
            .await
            .unwrap();
        let a_jobs = job::Entity::find()
            .filter(job::Column::MerchantId.eq(a.id))
            .filter(job::Column::Kind.eq(kind::WEBHOOK))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(a_jobs, 60);

        // Merchant B: a pre-authorisation captured by a job right away, and one endpoint
        // that answers.
        let fast = key(&app, "fast").await;
        let b = webhooks_on(&app, "fast").await;
        let (port, seen) = counting_receiver().await;
        store_endpoint(&app, b.id, &format!("http://127.0.0.1:{port}/hooks")).await;
        let mut row: merchant::ActiveModel = b.into();
        row.capture_procedure = Set("delayed".into());
        row.capture_delay_hours = Set(0);
        row.update(&app.db).await.unwrap();
        let mut body = card_payment(3_000, "4111111111111111", "PRE_AUTHORIZATION");
        body["cardPaymentMethodSpecificInput"]
            .as_object_mut()
            .unwrap()
            .remove("authorizationMode");
        let (s, v) = post(&app, &fast, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "PENDING_CAPTURE");
        let id = v["payment"]["id"].as_str().unwrap().to_owned();

        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(None);
        let started = Instant::now();
        let worker = server::platform::worker::spawn(runner);
        let bound = Duration::from_secs(8);
        let mut captured = false;
        let mut webhook_arrived = false;
        while started.elapsed() < bound && !(captured && webhook_arrived) {
            let (_, got) = get(&app, &fast, &format!("/payments/{id}")).await;
            captured = got["status"] == "CAPTURED";
            webhook_arrived = seen.load(Ordering::SeqCst) > 0;
            if !(captured && webhook_arrived) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let elapsed = started.elapsed();
        // A never holds more than its share of webhook slots.
        let running = job::Entity::find()
            .filter(job::Column::MerchantId.eq(a.id))
            .filter(job::Column::Kind.eq(kind::WEBHOOK))
            .filter(job::Column::State.eq("running"))
            .count(&app.db)
            .await
            .unwrap();
        worker.abort();
        assert!(
            captured,
            "B's delayed capture did not run within {bound:?} behind A's backlog"
        );
        assert!(
            webhook_arrived,
            "B's webhook did not arrive within {bound:?} behind A's backlog"
        );
        assert!(
            running >= 1 && running <= WEBHOOK_PER_MERCHANT as u64,
            "A had {running} webhook deliveries running at once"
        );
        eprintln!("B's capture and webhook done after {elapsed:?}");
    }
);

both_backends!(
    manual_resends_are_capped_per_delivery_and_per_merchant,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = webhooks_on(&app, "shop").await;
        store_endpoint(&app, m.id, "http://127.0.0.1:9/hooks").await;
        for i in 0..4 {
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
        assert_eq!(deliveries.len(), 8);
        let admin = app.session("shop", "admin").await;
        let resend = |id: i64| {
            let app = &app;
            let admin = admin.clone();
            async move {
                app.call(
                    "config/resend_delivery",
                    &[("id", &id.to_string())],
                    Some(&admin),
                )
                .await
            }
        };
        // Five per delivery and hour.
        for _ in 0..5 {
            resend(deliveries[0].id).await.ok();
        }
        assert_eq!(
            resend(deliveries[0].id).await.error(),
            AppError::RateLimited
        );
        // Thirty per merchant and hour, whichever deliveries.
        for d in &deliveries[1..6] {
            for _ in 0..5 {
                resend(d.id).await.ok();
            }
        }
        assert_eq!(
            resend(deliveries[6].id).await.error(),
            AppError::RateLimited
        );
        let queued = job::Entity::find()
            .filter(job::Column::MerchantId.eq(m.id))
            .filter(job::Column::Payload.like("%\"resend\":true%"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(queued, 30);
        // Another merchant's allowance is its own.
        let other = crate::payments::key(&app, "other").await;
        let o = webhooks_on(&app, "other").await;
        store_endpoint(&app, o.id, "http://127.0.0.1:9/hooks").await;
        let (s, v) = post(
            &app,
            &other,
            "/payments",
            &card_payment(500, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let theirs = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::MerchantId.eq(o.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let other_admin = app.session("other", "admin").await;
        app.call(
            "config/resend_delivery",
            &[("id", &theirs.id.to_string())],
            Some(&other_admin),
        )
        .await
        .ok();
        // And B cannot re-send A's delivery.
        assert_eq!(
            app.call(
                "config/resend_delivery",
                &[("id", &deliveries[7].id.to_string())],
                Some(&other_admin),
            )
            .await
            .error(),
            AppError::NotFound
        );
    }
);

both_backends!(
    jobs_of_no_merchant_share_one_allowance,
    &[],
    |app: TestApp| async move {
        use server::platform::jobs::{self, kind, Lane};
        for n in 0..3 {
            jobs::enqueue(
                &app.db,
                None,
                kind::SEND_EMAIL,
                serde_json::json!({ "mail": 1_000 + n }),
                chrono::Utc::now() - chrono::Duration::seconds(1),
                3,
            )
            .await
            .unwrap();
        }
        let lease = chrono::Duration::seconds(60);
        let claim = |n: u32| {
            let db = app.db.clone();
            async move {
                jobs::claim_fair(&db, &format!("runner#{n}"), lease, Lane::Others, Some(2))
                    .await
                    .unwrap()
            }
        };
        assert!(claim(1).await.is_some());
        assert!(claim(2).await.is_some());
        // Two of no merchant's jobs are running: the third waits, as a merchant's would.
        assert!(claim(3).await.is_none());
        // Without the fairness cap it is taken.
        assert!(jobs::claim(&app.db, "runner#4", lease)
            .await
            .unwrap()
            .is_some());
    }
);
