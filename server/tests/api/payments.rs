//! The server API and engine: authentication, idempotence, ledger integrity under
//! concurrency, validation errors and saved cards. Its helpers (signed requests, API
//! keys, card payments) serve other tests too.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::entities::{idempotency_key, merchant, operation, payment};
use std::sync::Arc;

/// An API key of a test merchant.
pub(crate) struct Key {
    pub(crate) id: String,
    secret: String,
    pub(crate) pspid: String,
}

impl Key {
    /// A key as a caller might present it (right or wrong).
    pub(crate) fn new(id: &str, secret: &str, pspid: &str) -> Key {
        Key {
            id: id.to_owned(),
            secret: secret.to_owned(),
            pspid: pspid.to_owned(),
        }
    }
}

pub(crate) async fn key(app: &TestApp, pspid: &str) -> Key {
    app.merchant(pspid).await;
    let m = server::account::provisioning::find_merchant(&app.db, pspid, domain::Environment::Test)
        .await
        .unwrap();
    let (row, secret) =
        server::configuration::keys::create_api_key(&app.db, &app.config, m.id, "it", None)
            .await
            .unwrap();
    Key {
        id: row.key_id,
        secret,
        pspid: pspid.to_owned(),
    }
}

fn http_date(at: chrono::DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Sends a v1HMAC-signed request like the Direct SDKs do.
pub(crate) async fn signed(
    app: &TestApp,
    key: &Key,
    method: &str,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
    date: chrono::DateTime<Utc>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let date = http_date(date);
    let content_type = if body.is_some() {
        "application/json"
    } else {
        ""
    };
    let mut gcs: Vec<(String, String)> = extra
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-gcs"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    gcs.sort();
    let mut data = format!("{method}\n{content_type}\n{date}\n");
    for (k, v) in &gcs {
        data.push_str(&format!("{k}:{v}\n"));
    }
    data.push_str(path);
    data.push('\n');
    let signature =
        server::platform::crypto::hmac_sha256_base64(key.secret.as_bytes(), data.as_bytes());
    let mut req = app
        .http
        .request(method.parse().unwrap(), format!("{}{path}", app.base))
        .header("Date", date)
        .header(
            "Authorization",
            format!("GCS v1HMAC:{}:{signature}", key.id),
        );
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    // A caller that asked for gzip (`extra`) reads the answer unpacked.
    let text = if headers.get("content-encoding").is_some_and(|e| e == "gzip") {
        use std::io::Read;
        let mut out = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut out)
            .unwrap_or_else(|e| panic!("not gzip ({e})"));
        out
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, value, headers)
}

pub(crate) async fn post(app: &TestApp, key: &Key, path: &str, body: &Value) -> (u16, Value) {
    let (s, v, _) = signed(
        app,
        key,
        "POST",
        &format!("/v2/{}{path}", key.pspid),
        Some(body),
        &[],
        Utc::now(),
    )
    .await;
    (s, v)
}

pub(crate) async fn get(app: &TestApp, key: &Key, path: &str) -> (u16, Value) {
    let (s, v, _) = signed(
        app,
        key,
        "GET",
        &format!("/v2/{}{path}", key.pspid),
        None,
        &[],
        Utc::now(),
    )
    .await;
    (s, v)
}

pub(crate) fn card_payment(amount: i64, number: &str, mode: &str) -> Value {
    json!({
        "order": { "amountOfMoney": { "amount": amount, "currencyCode": "EUR" },
                   "references": { "merchantReference": "it" } },
        "cardPaymentMethodSpecificInput": {
            "card": { "cardNumber": number, "cvv": "123", "expiryDate": "1230", "cardholderName": "Test" },
            "authorizationMode": mode,
            "paymentProductId": 1,
        },
    })
}

pub(crate) fn assert_direct_error(body: &Value, status: u16) {
    assert!(
        body["errorId"].as_str().is_some_and(|s| !s.is_empty()),
        "{body}"
    );
    let error = &body["errors"][0];
    assert_eq!(error["httpStatusCode"], status, "{body}");
    for field in ["code", "errorCode", "category", "id", "message"] {
        assert!(
            error[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} in {body}"
        );
    }
}

both_backends!(
    v1hmac_refuses_what_it_must,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let _other = key_for_other(&app).await;
        let path = "/v2/shop/services/testconnection";
        let (s, v, _) = signed(&app, &key, "GET", path, None, &[], Utc::now()).await;
        assert_eq!((s, v["result"].as_str()), (200, Some("OK")));

        // Wrong secret.
        let wrong = Key {
            id: key.id.clone(),
            secret: "not the secret".into(),
            pspid: "shop".into(),
        };
        let (s, v, _) = signed(&app, &wrong, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 403);
        assert_direct_error(&v, 403);
        // Unknown key.
        let unknown = Key {
            id: "0000000000000000dead".into(),
            secret: key.secret.clone(),
            pspid: "shop".into(),
        };
        let (s, _, _) = signed(&app, &unknown, "GET", path, None, &[], Utc::now()).await;
        assert_eq!(s, 403);
        // Date more than 15 minutes away, either way.
        for skew in [-16, 16] {
            let (s, v, _) = signed(
                &app,
                &key,
                "GET",
                path,
                None,
                &[],
                Utc::now() + chrono::Duration::minutes(skew),
            )
            .await;
            assert_eq!(s, 403, "skew {skew}");
            assert!(v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("15 minutes"));
        }
        let (s, _, _) = signed(
            &app,
            &key,
            "GET",
            path,
            None,
            &[],
            Utc::now() - chrono::Duration::minutes(14),
        )
        .await;
        assert_eq!(s, 200, "14 minutes is within the window");
        // A valid key used for another merchant's path.
        let (s, v, _) = signed(
            &app,
            &key,
            "GET",
            "/v2/other/services/testconnection",
            None,
            &[],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 403);
        assert_direct_error(&v, 403);
        // The signature covers the path: replaying it on another path fails.
        let res = app
            .http
            .get(format!("{}/v2/shop/payments/0000000001_0", app.base))
            .header("Date", http_date(Utc::now()))
            .header("Authorization", format!("GCS v1HMAC:{}:AAAA", key.id))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        // No Authorization at all.
        let res = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        // The OpenAPI document is public and lists the endpoints.
        let doc: Value = app
            .http
            .get(format!("{}/v2/openapi.json", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/v2/{merchantId}/payments/{paymentId}/capture"]["post"].is_object());
    }
);

async fn key_for_other(app: &TestApp) -> Key {
    key(app, "other").await
}

both_backends!(
    idempotence_replays_refuses_other_bodies_and_conflicts_in_flight,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let body = card_payment(1500, "4111111111111111", "SALE");
        let headers = [("X-GCS-Idempotence-Key", "order-42")];
        let (s1, first, h1) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &headers,
            Utc::now(),
        )
        .await;
        assert_eq!(s1, 201, "{first}");
        assert!(h1.get("x-gcs-idempotence-request-timestamp").is_none());
        let (s2, second, h2) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &headers,
            Utc::now(),
        )
        .await;
        assert_eq!(s2, 201);
        assert_eq!(first, second, "the replay is the first response");
        let stamp: i64 = h2["x-gcs-idempotence-request-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((Utc::now().timestamp_millis() - stamp).abs() < 60_000);
        let count = payment::Entity::find().all(&app.db).await.unwrap().len();
        assert_eq!(count, 1, "one payment for two calls");

        // Same key, other body.
        let other = card_payment(1600, "4111111111111111", "SALE");
        let (s, v, _) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&other),
            &headers,
            Utc::now(),
        )
        .await;
        assert_eq!(s, 400, "{v}");
        assert_direct_error(&v, 400);

        // A key whose first request is still running.
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        idempotency_key::ActiveModel {
            merchant_id: Set(m.id),
            key: Set("running".into()),
            request_hash: Set("x".into()),
            first_request_millis: Set(Utc::now().timestamp_millis()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let (s, v, h) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &[("X-GCS-Idempotence-Key", "running")],
            Utc::now(),
        )
        .await;
        // The hash differs from "x", so it is the other-body error; with the same hash it is 409.
        assert_eq!(s, 400, "{v}");
        let _ = h;
        let hash_of_body = {
            use sha2::Digest;
            let mut hasher = sha2::Sha256::new();
            hasher.update(b"/v2/shop/payments");
            hasher.update([0]);
            hasher.update(body.to_string().as_bytes());
            hex::encode(hasher.finalize())
        };
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::RequestHash, hash_of_body.into())
            .filter(idempotency_key::Column::Key.eq("running"))
            .exec(&app.db)
            .await
            .unwrap();
        let (s, v, h) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &[("X-GCS-Idempotence-Key", "running")],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 409, "{v}");
        assert_eq!(v["errors"][0]["code"], "1409");
        assert!(h.get("x-gcs-idempotence-request-timestamp").is_some());
        // Keys over 40 characters are refused.
        let long = "k".repeat(41);
        let (s, _, _) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &[("X-GCS-Idempotence-Key", long.as_str())],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 400);
    }
);

both_backends!(
    concurrent_captures_never_exceed_the_authorisation,
    &[],
    |app: TestApp| async move {
        let key = Arc::new(key(&app, "shop").await);
        let (s, created) = post(
            &app,
            &key,
            "/payments",
            &card_payment(10_000, "5555555555554444", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201, "{created}");
        assert_eq!(created["payment"]["status"], "PENDING_CAPTURE");
        let id = created["payment"]["id"].as_str().unwrap().to_owned();
        let app = Arc::new(app);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (app, key, id) = (app.clone(), key.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                post(
                    &app,
                    &key,
                    &format!("/payments/{id}/capture"),
                    &json!({ "amount": 1_000, "isFinal": false }),
                )
                .await
                .0
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                200 => ok += 1,
                400 | 409 => {}
                other => panic!("unexpected status {other}"),
            }
        }
        assert_eq!(ok, 10, "exactly the authorised amount is captured");
        let row = payment::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.captured, 10_000);
        let ops = operation::Entity::find()
            .filter(operation::Column::Kind.eq("capture"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(
            ops.iter().map(|o| o.amount).sum::<i64>(),
            row.captured,
            "ledger = operations"
        );
        let (_, got) = get(&app, &key, &format!("/payments/{id}")).await;
        assert_eq!(got["status"], "CAPTURED");
        assert_eq!(got["statusOutput"]["statusCode"], 9);
    }
);

both_backends!(
    validation_errors_name_the_property_and_cards_never_leak,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let mut body = card_payment(1_000, "4111111111111112", "SALE");
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400);
        assert_eq!(
            v["errors"][0]["propertyName"],
            "cardPaymentMethodSpecificInput.card.cardNumber"
        );
        body["cardPaymentMethodSpecificInput"]["card"]["cardNumber"] = json!("4111111111111111");
        body["cardPaymentMethodSpecificInput"]["card"]["expiryDate"] = json!("0120");
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400);
        assert_eq!(
            v["errors"][0]["propertyName"],
            "cardPaymentMethodSpecificInput.card.expiryDate"
        );
        body["cardPaymentMethodSpecificInput"]["card"]["expiryDate"] = json!("1230");
        body["order"]["amountOfMoney"]["currencyCode"] = json!("XXQ");
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400);
        assert_eq!(
            v["errors"][0]["propertyName"],
            "order.amountOfMoney.currencyCode"
        );
        body["order"]["amountOfMoney"]["currencyCode"] = json!("EUR");
        body["order"]["shoppingCart"] = json!({ "items": [
            { "amountOfMoney": { "amount": 600, "currencyCode": "EUR" }, "orderLineDetails": { "productName": "A", "productPrice": 300, "quantity": 2 } },
            { "amountOfMoney": { "amount": 300, "currencyCode": "EUR" }, "orderLineDetails": { "productName": "B", "productPrice": 300, "quantity": 1 } },
        ]});
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 400, "cart total 900 ≠ amount 1000");
        assert_eq!(v["errors"][0]["propertyName"], "order.amountOfMoney.amount");
        body["order"]["amountOfMoney"]["amount"] = json!(900);
        body["cardPaymentMethodSpecificInput"]["tokenize"] = json!(true);
        let (s, v) = post(&app, &key, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
        assert!(!v.to_string().contains("4111111111111111"));
        // Nothing in the database holds the number in clear.
        let rows = payment::Entity::find().all(&app.db).await.unwrap();
        assert!(!format!("{rows:?}").contains("4111111111111111"));
        let tokens = server::entities::token::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(tokens.len(), 1);
        assert!(!format!("{tokens:?}").contains("4111111111111111"));
        let audit = server::entities::audit_log::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(!format!("{audit:?}").contains("4111111111111111"));
        assert!(!format!("{audit:?}").contains("\"123\""));
        // Declines answer 402 with the payment result.
        let (s, v) = post(
            &app,
            &key,
            "/payments",
            &card_payment(1_000, "4000000000009995", "SALE"),
        )
        .await;
        assert_eq!(s, 402);
        assert_eq!(v["paymentResult"]["payment"]["status"], "REJECTED");
        assert_eq!(v["errors"][0]["code"], "51");
    }
);

both_backends!(
    a_payer_can_only_use_the_cards_saved_for_the_checkouts_customer,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let (s, token) = post(
        &app,
        &key,
        "/tokens",
        &json!({ "paymentProductId": 1, "card": {
            "customer": { "merchantCustomerId": "bob" },
            "data": { "cardWithoutCvv": { "cardNumber": "4111111111111111", "expiryDate": "1230" } } } }),
    )
    .await;
        assert_eq!(s, 201, "{token}");
        let token = token["token"].as_str().unwrap().to_owned();
        let checkout_for = |customer: &str| {
            json!({
                "order": { "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" },
                           "customer": { "merchantCustomerId": customer } },
                "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
            })
        };
        let (_, alice) = post(&app, &key, "/hostedcheckouts", &checkout_for("alice")).await;
        let alice = alice["hostedCheckoutId"].as_str().unwrap().to_owned();
        let res = app
            .call(
                "pay/pay",
                &[("id", alice.as_str()), ("saved", token.as_str())],
                None,
            )
            .await;
        assert!(matches!(res.error(), app::error::AppError::Forbidden));
        assert!(
            payment::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .is_empty(),
            "nothing was paid"
        );
        let (_, bob) = post(&app, &key, "/hostedcheckouts", &checkout_for("bob")).await;
        let bob = bob["hostedCheckoutId"].as_str().unwrap().to_owned();
        let res = app
            .call(
                "pay/pay",
                &[("id", bob.as_str()), ("saved", token.as_str())],
                None,
            )
            .await;
        res.ok();
        let view: app::checkout::CheckoutView = serde_json::from_str(&res.body).unwrap();
        assert_eq!(view.state, app::checkout::CheckoutState::Paid);
    }
);

both_backends!(
    a_created_payments_answer_is_the_stored_payment,
    &[],
    |app: TestApp| async move {
        // The engine answers from the row it wrote, without reading it back
        // (`records::guarded_update_held`): what a later read gives must be the same.
        let key = key(&app, "shop").await;
        for (card, mode, status) in [
            ("4111111111111111", "SALE", 201),
            ("5555555555554444", "PRE_AUTHORIZATION", 201),
            ("4000000000000002", "SALE", 402),
            ("4000000000009995", "FINAL_AUTHORIZATION", 402),
        ] {
            let (s, created) =
                post(&app, &key, "/payments", &card_payment(2_000, card, mode)).await;
            assert_eq!(s, status, "{created}");
            let answered = if s == 201 {
                &created["payment"]
            } else {
                &created["paymentResult"]["payment"]
            };
            let id = answered["id"].as_str().expect("a payment id").to_owned();
            let (s, stored) = get(&app, &key, &format!("/payments/{id}")).await;
            assert_eq!(s, 200, "{stored}");
            assert_eq!(answered, &stored, "{card} {mode}");
        }
    }
);
