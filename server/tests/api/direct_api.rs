//! The server API as the official SDKs see it: how each method is signed, which status an
//! authentication failure gets, Direct JSON for every `/v2` path, an acquirer outage as a
//! retryable 5xx that writes nothing, the acquirer asked once per recorded operation, and
//! the caller's address on the audit rows.

use crate::acquirers::{Before, Simulated};
use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};
use crate::payments::{card_payment, get, key, post, signed};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use server::entities::{audit_log, operation, payment};
use server::payments::engine::Initiator;
use server::payments::error::EngineError;
use server::payments::records::parse_public_id;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A Direct error body with `status` whose first error is `id`.
fn assert_direct_error(body: &Value, status: u16, id: &str) {
    crate::payments::assert_direct_error(body, status);
    assert_eq!(body["errors"][0]["id"], id, "{body}");
}

both_backends!(
    reads_signed_without_content_type_pass_and_bad_credentials_are_403,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let path = "/v2/shop/services/testconnection";
        // The Node.js SDK sends `Content-Type: application/json` on a GET but signs an
        // empty content type (the helper signs none without a body).
        let (s, v, _) = signed(
            &app,
            &key,
            "GET",
            path,
            None,
            &[("Content-Type", "application/json")],
            Utc::now(),
        )
        .await;
        assert_eq!((s, v["result"].as_str()), (200, Some("OK")), "{v}");

        // A wrong secret and an unknown key id: 403 (what the SDKs map to their
        // AuthorizationException), with one message for both.
        let wrong = crate::payments::Key::new(&key.id, "not the secret", "shop");
        let (s, wrong_body, _) = signed(&app, &wrong, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 403);
        assert_direct_error(&wrong_body, 403, "MISSING_OR_INVALID_AUTHORIZATION");
        let unknown = crate::payments::Key::new("0000000000000000dead", "x", "shop");
        let (s, unknown_body, _) = signed(&app, &unknown, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 403);
        assert_eq!(
            wrong_body["errors"][0]["message"],
            unknown_body["errors"][0]["message"]
        );
        // No Authorization header at all.
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
    }
);

both_backends!(
    every_v2_path_answers_direct_json,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        // Unknown resources, signed or not: 404 with `errors[]`, never the login page's
        // redirect or the HTML "not found".
        let (s, v, _) = signed(
            &app,
            &key,
            "GET",
            "/v2/shop/payouts/123",
            None,
            &[],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 404, "{v}");
        assert_direct_error(&v, 404, "UNKNOWN_RESOURCE");
        for path in ["/v2/nothing", "/v2/shop/no/such/thing", "/v2"] {
            for method in ["GET", "POST"] {
                let res = app
                    .http
                    .request(method.parse().unwrap(), format!("{}{path}", app.base))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 404, "{method} {path}");
                let body: Value = res.json().await.unwrap();
                assert_direct_error(&body, 404, "UNKNOWN_RESOURCE");
            }
        }
        // A served path with a method it does not take: 405 in Direct JSON.
        let (s, v, _) = signed(
            &app,
            &key,
            "DELETE",
            "/v2/shop/payments",
            None,
            &[],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 405, "{v}");
        assert_direct_error(&v, 405, "METHOD_NOT_ALLOWED");
        // Pages keep their own answers.
        let res = app
            .http
            .get(format!("{}/no-such-page", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status().as_u16(),
            303,
            "the sign-in gate still guards pages"
        );
    }
);

/// The simulated acquirer, counting the captures and refunds it is asked for, and
/// failing them all while `down` is set.
#[derive(Default)]
struct Counting {
    captures: AtomicUsize,
    refunds: AtomicUsize,
    down: std::sync::atomic::AtomicBool,
}

impl Counting {
    /// Counts a call in `calls`; refused while `down`.
    fn asked(&self, calls: &AtomicUsize) -> Option<Result<String, String>> {
        calls.fetch_add(1, Ordering::SeqCst);
        self.down
            .load(Ordering::SeqCst)
            .then(|| Err("connection refused".into()))
    }
}

#[async_trait::async_trait]
impl Before for Counting {
    async fn capture(&self, _reference: &str) -> Option<Result<String, String>> {
        self.asked(&self.captures)
    }
    async fn refund(&self, _reference: &str) -> Option<Result<String, String>> {
        self.asked(&self.refunds)
    }
}

both_backends!(
    the_acquirer_is_asked_once_per_recorded_operation,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let (s, created) = post(
            &app,
            &key,
            "/payments",
            &card_payment(10_000, "5555555555554444", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201, "{created}");
        let id = parse_public_id(created["payment"]["id"].as_str().unwrap()).unwrap();
        let merchant = server::account::provisioning::find_merchant(
            &app.db,
            "shop",
            domain::Environment::Test,
        )
        .await
        .unwrap();
        let counting = Arc::new(Simulated(Counting::default()));
        let engine = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .acquirer(counting.clone())
            .build()
            .engine;
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (engine, merchant) = (engine.clone(), merchant.clone());
            tasks.push(tokio::spawn(async move {
                engine
                    .capture(&merchant, id, Some(1_000), false, &Initiator::System)
                    .await
                    .is_ok()
            }));
        }
        let mut approved = 0;
        for t in tasks {
            approved += usize::from(t.await.unwrap());
        }
        assert_eq!(approved, 10, "exactly the authorised amount is captured");
        let recorded = operation::Entity::find()
            .filter(operation::Column::Kind.eq("capture"))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        assert_eq!(recorded, 10);
        assert_eq!(
            counting.captures.load(Ordering::SeqCst),
            recorded,
            "one acquirer call per recorded capture, none for retries or refusals"
        );

        // The acquirer goes down: the refund is refused as retryable and writes nothing.
        counting.down.store(true, Ordering::SeqCst);
        let before = payment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let refused = engine
            .refund(&merchant, id, Some(500), &Initiator::System)
            .await;
        assert!(
            matches!(refused, Err(EngineError::Acquirer(_))),
            "{refused:?}"
        );
        let after = payment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.refunded, before.refunded);
        assert_eq!(after.stage, before.stage);
        let refunds = operation::Entity::find()
            .filter(operation::Column::Kind.eq("refund"))
            .all(&app.db)
            .await
            .unwrap();
        assert!(refunds.is_empty(), "nothing half-written");
        // As the API answers it: a 5xx the SDKs treat as a platform error, retriable.
        let api = server::direct::ApiError::from(refused.unwrap_err());
        assert_eq!(api.status().as_u16(), 502);
        let body = api.body();
        assert_eq!(body["errors"][0]["id"], "ACQUIRER_UNAVAILABLE");
        assert_eq!(body["errors"][0]["retriable"], true);
        assert_eq!(body["errors"][0]["category"], "IO_ERROR");
        let (_, got) = get(
            &app,
            &key,
            &format!("/payments/{}", created["payment"]["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(got["status"], "CAPTURED");
    }
);

both_backends!(
    audit_rows_carry_the_callers_address,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let mut body = card_payment(10_000, "4111111111111111", "PRE_AUTHORIZATION");
        body["order"]["customer"] = json!({ "device": { "ipAddress": "203.0.113.9" } });
        let (s, created) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 201, "{created}");
        let public = created["payment"]["id"].as_str().unwrap().to_owned();
        let id = parse_public_id(&public).unwrap();
        let row = payment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.customer_ip.as_deref(),
            Some("203.0.113.9"),
            "the payer's address stays on the payment"
        );
        let admin = app.session("shop", "admin").await;
        for (endpoint, amount) in [("ops/capture", "40.00"), ("ops/refund", "10.00")] {
            app.call(
                endpoint,
                &[("id", &public), ("amount", amount)],
                Some(&admin),
            )
            .await
            .ok();
        }
        let (_, other) = post(
            &app,
            &key,
            "/payments",
            &card_payment(5_000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        let other = other["payment"]["id"].as_str().unwrap().to_owned();
        let (s, v) = post(&app, &key, &format!("/payments/{other}/cancel"), &json!({})).await;
        assert_eq!(s, 200, "{v}");
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Action.starts_with("payment."))
            .order_by_asc(audit_log::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let actions: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.action.as_str(), r.ip.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("payment.create", "127.0.0.1"),
                ("payment.capture", "127.0.0.1"),
                ("payment.refund", "127.0.0.1"),
                ("payment.create", "127.0.0.1"),
                ("payment.cancel", "127.0.0.1"),
            ],
            "the caller's address, never the payer's"
        );
    }
);

/// An acquirer outage seen from outside: the API answers a retriable 502 and the back
/// office a clear message; the payment is left as it was.
async fn an_acquirer_outage_changes_nothing(backend: Backend) {
    let counting = Arc::new(Simulated(Counting::default()));
    let Some(app) = spawn_app_with(backend, &[], Some(counting.clone())).await else {
        return;
    };
    let _dir = app.dir_guard();
    let key = key(&app, "shop").await;
    let (s, created) = post(
        &app,
        &key,
        "/payments",
        &card_payment(10_000, "5555555555554444", "PRE_AUTHORIZATION"),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let public = created["payment"]["id"].as_str().unwrap().to_owned();
    counting.down.store(true, Ordering::SeqCst);
    let (s, v) = post(
        &app,
        &key,
        &format!("/payments/{public}/capture"),
        &json!({ "amount": 1_000 }),
    )
    .await;
    assert_eq!(s, 502, "{v}");
    assert_direct_error(&v, 502, "ACQUIRER_UNAVAILABLE");
    assert_eq!(v["errors"][0]["retriable"], true);
    let admin = app.session("shop", "admin").await;
    let res = app
        .call(
            "ops/capture",
            &[("id", &public), ("amount", "10.00")],
            Some(&admin),
        )
        .await;
    assert_eq!(res.error(), app::error::AppError::Unavailable);
    let (_, got) = get(&app, &key, &format!("/payments/{public}")).await;
    assert_eq!(got["status"], "PENDING_CAPTURE", "{got}");
    let captures = operation::Entity::find()
        .filter(operation::Column::Kind.eq("capture"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(captures.is_empty(), "nothing half-written");
    // Back up: the same capture goes through.
    counting.down.store(false, Ordering::SeqCst);
    let (s, v) = post(
        &app,
        &key,
        &format!("/payments/{public}/capture"),
        &json!({ "amount": 1_000 }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acquirer_outage_changes_nothing_sqlite() {
    an_acquirer_outage_changes_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acquirer_outage_changes_nothing_postgres() {
    an_acquirer_outage_changes_nothing(Backend::Postgres).await;
}

both_backends!(
    return_urls_are_http_or_https_only,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        for url in [
            "javascript:alert(1)",
            "data:text/html,x",
            "/relative",
            "https://",
        ] {
            let mut body = card_payment(1_000, "4111111111111111", "SALE");
            body["cardPaymentMethodSpecificInput"]["threeDSecure"] =
                json!({ "redirectionData": { "returnUrl": url } });
            let (s, v) = post(&app, &key, "/payments", &body).await;
            assert_eq!(s, 400, "{url}: {v}");
            assert_eq!(
                v["errors"][0]["propertyName"],
                "cardPaymentMethodSpecificInput.threeDSecure.redirectionData.returnUrl"
            );
            let (s, v) = post(
                &app,
                &key,
                "/hostedcheckouts",
                &json!({
                    "order": { "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" } },
                    "hostedCheckoutSpecificInput": { "returnUrl": url },
                }),
            )
            .await;
            assert_eq!(s, 400, "{url}: {v}");
        }
        let mut body = card_payment(1_000, "4111111111111111", "SALE");
        body["cardPaymentMethodSpecificInput"]["threeDSecure"] =
            json!({ "redirectionData": { "returnUrl": "https://shop.example/back?x=1" } });
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
    }
);

both_backends!(
    a_control_character_in_a_text_field_is_refused_on_its_property_and_nothing_is_written,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let count = || async {
            (
                payment::Entity::find().all(&app.db).await.unwrap().len(),
                server::entities::hosted_checkout::Entity::find()
                    .all(&app.db)
                    .await
                    .unwrap()
                    .len(),
            )
        };
        let before = count().await;
        // A NUL cannot be stored in PostgreSQL: it was a 500 there (found by the fuzzer).
        let (s, v) = post(
            &app,
            &key,
            "/hostedcheckouts",
            &json!({
                "order": {
                    "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" },
                    "customer": { "merchantCustomerId": "2b\u{0}w" },
                },
            }),
        )
        .await;
        assert_direct_error(&v, 400, "PARAMETER_NOT_FOUND_IN_REQUEST");
        assert_eq!(s, 400, "{v}");
        assert_eq!(
            v["errors"][0]["propertyName"],
            "order.customer.merchantCustomerId"
        );
        let mut body = card_payment(1_000, "4111111111111111", "SALE");
        body["order"]["references"] = json!({ "merchantReference": "order\u{1b}[31m 7" });
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400, "{v}");
        assert_eq!(
            v["errors"][0]["propertyName"],
            "order.references.merchantReference"
        );
        body["order"]["references"] = json!({ "merchantReference": "order 7" });
        body["order"]["shoppingCart"] = json!({ "items": [{
            "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" },
            "orderLineDetails": { "productName": "mug\u{7}", "productPrice": 1000, "quantity": 1 },
        }] });
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400, "{v}");
        assert_eq!(
            v["errors"][0]["propertyName"],
            "order.shoppingCart.items[0].orderLineDetails.productName"
        );
        body["order"]
            .as_object_mut()
            .expect("the order")
            .remove("shoppingCart");
        assert_eq!(count().await, before, "nothing is written");

        // In the address: a lookup with a NUL failed as a 500 on PostgreSQL.
        for path in [
            "/paymentlinks/ab%00c",
            "/tokens/ab%07c",
            "/hostedcheckouts/%00",
        ] {
            let (s, v) = get(&app, &key, path).await;
            assert_eq!(s, 404, "{path}: {v}");
        }
        let (s, v, _) = signed(
            &app,
            &key,
            "GET",
            "/v2/shop/services/testconnection?probe=a%00b",
            None,
            &[],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 400, "{v}");
        assert_eq!(v["errors"][0]["propertyName"], "probe");

        // Tabs and line ends are text.
        body["order"]["references"] = json!({ "merchantReference": "order 7\tbox 2\r\n" });
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
    }
);

both_backends!(
    failed_authentications_are_throttled_per_address,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let path = "/v2/shop/services/testconnection";
        let wrong = crate::payments::Key::new(&key.id, "not the secret", "shop");
        for _ in 0..server::direct::auth::MAX_FAILURES {
            let (s, v, _) = signed(&app, &wrong, "GET", path, None, &[], Utc::now()).await;
            assert_direct_error(&v, 403, "MISSING_OR_INVALID_AUTHORIZATION");
            assert_eq!(s, 403);
        }
        // The address used up its failures: refused without a check, even with the
        // right secret, until the window has passed.
        let (s, v, _) = signed(&app, &wrong, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 429, "{v}");
        assert_direct_error(&v, 429, "TOO_MANY_FAILED_AUTHENTICATIONS");
        let (s, v, _) = signed(&app, &key, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 429, "{v}");
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 429);
        assert_eq!(res.headers()["retry-after"], "60");
        // Another server instance does not share the count.
        let other = spawn_app(Backend::Sqlite, &[]).await.unwrap();
        let other_key = crate::payments::key(&other, "shop").await;
        let (s, v, _) = signed(&other, &other_key, "GET", path, None, &[], Utc::now()).await;
        assert_eq!((s, v["result"].as_str()), (200, Some("OK")), "{v}");
    }
);

both_backends!(
    an_api_keys_last_use_is_written_once_a_minute_beside_the_request,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ActiveModelTrait, Set};
        use server::entities::api_key;
        let key = key(&app, "shop").await;
        let path = "/v2/shop/services/testconnection";
        let row = || async {
            api_key::Entity::find()
                .filter(api_key::Column::KeyId.eq(key.id.as_str()))
                .one(&app.db)
                .await
                .unwrap()
                .expect("the key")
        };
        // Written beside the request, which does not wait for it: polled.
        let used_after = |since: chrono::DateTime<Utc>| async move {
            for _ in 0..100 {
                if row().await.last_used_at.is_some_and(|t| t >= since) {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            false
        };
        let call = || async {
            let (s, v, _) = signed(&app, &key, "GET", path, None, &[], Utc::now()).await;
            assert_eq!((s, v["result"].as_str()), (200, Some("OK")), "{v}");
        };
        assert_eq!(row().await.last_used_at, None);
        let before = Utc::now() - chrono::Duration::seconds(1);
        call().await;
        assert!(used_after(before).await, "the first use is written");

        // Used 30 s ago: not stale, not written again.
        let recent = Utc::now() - chrono::Duration::seconds(30);
        let mut stored: api_key::ActiveModel = row().await.into();
        stored.last_used_at = Set(Some(recent));
        stored.update(&app.db).await.unwrap();
        call().await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let kept = row().await.last_used_at.expect("kept");
        assert!(
            (kept - recent).num_milliseconds().abs() < 5,
            "{kept} {recent}"
        );

        // Used two minutes ago: stale, written again.
        let mut stored: api_key::ActiveModel = row().await.into();
        stored.last_used_at = Set(Some(Utc::now() - chrono::Duration::minutes(2)));
        stored.update(&app.db).await.unwrap();
        let before = Utc::now() - chrono::Duration::seconds(1);
        call().await;
        assert!(used_after(before).await, "a stale use is written again");
    }
);
