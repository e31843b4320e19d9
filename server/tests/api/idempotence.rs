//! Idempotence after a crash: the windows a killed server leaves (a claim nobody renews,
//! a payment or capture committed whose response was never stored, a payment committed
//! before its acquirer answer was written) are made directly in the database, and a
//! retry with the same key must answer with what was committed, never charge twice. A
//! claim whose owner still renews its lease keeps answering 409. Also: sealed card
//! numbers are bound to their row.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post, signed, Key};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use server::entities::{idempotency_key, job, merchant, operation, payment, token};

/// POSTs `body` to `path` (under the merchant) with the idempotence key `idem`.
pub(crate) async fn keyed(
    app: &TestApp,
    key: &Key,
    path: &str,
    body: &Value,
    idem: &str,
) -> (u16, Value) {
    let (s, v, _) = signed(
        app,
        key,
        "POST",
        &format!("/v2/{}{path}", key.pspid),
        Some(body),
        &[("X-GCS-Idempotence-Key", idem)],
        Utc::now(),
    )
    .await;
    (s, v)
}

/// The record's hash of a request, as the server computes it.
pub(crate) fn request_hash(path: &str, body: &Value) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// Makes the record of `idem` look like its server was killed before it stored the
/// response: no response, an owner that no longer runs, a lease that ran out.
async fn lose_response(app: &TestApp, idem: &str) {
    let changed = idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::StatusCode,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(
            idempotency_key::Column::ResponseBody,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            idempotency_key::Column::Owner,
            Expr::value("killed-process".to_owned()),
        )
        .col_expr(
            idempotency_key::Column::LeaseUntilMillis,
            Expr::value(Utc::now().timestamp_millis() - 1_000),
        )
        .filter(idempotency_key::Column::Key.eq(idem))
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected, 1);
}

pub(crate) async fn merchant_id(app: &TestApp, pspid: &str) -> i64 {
    merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A claim as a server writes it, owned by `owner` until `lease_millis` from now.
pub(crate) async fn claim_row(
    app: &TestApp,
    merchant_id: i64,
    idem: &str,
    hash: String,
    owner: &str,
    lease_millis: i64,
    reference: &str,
) {
    let now = Utc::now();
    idempotency_key::ActiveModel {
        merchant_id: Set(merchant_id),
        key: Set(idem.to_owned()),
        request_hash: Set(hash),
        first_request_millis: Set(now.timestamp_millis() - 60_000),
        created_at: Set(now - chrono::Duration::minutes(1)),
        owner: Set(Some(owner.to_owned())),
        lease_until_millis: Set(Some(now.timestamp_millis() + lease_millis)),
        reference: Set(Some(reference.to_owned())),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn payments_of(app: &TestApp, merchant_id: i64) -> Vec<payment::Model> {
    payment::Entity::find()
        .filter(payment::Column::MerchantId.eq(merchant_id))
        .order_by_asc(payment::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

pub(crate) async fn operations_of(app: &TestApp, payment_id: i64) -> Vec<operation::Model> {
    operation::Entity::find()
        .filter(operation::Column::PaymentId.eq(payment_id))
        .order_by_asc(operation::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

both_backends!(
    a_retry_after_a_crash_answers_the_committed_payment_without_charging_again,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        let body = card_payment(1500, "4111111111111111", "SALE");
        let (s, first) = keyed(&app, &key, "/payments", &body, "crash-create").await;
        assert_eq!(s, 201, "{first}");
        // Killed after the payment was committed, before its response was stored.
        lose_response(&app, "crash-create").await;
        let (s, again) = keyed(&app, &key, "/payments", &body, "crash-create").await;
        assert_eq!(s, 201, "{again}");
        assert_eq!(again["payment"]["id"], first["payment"]["id"], "{again}");
        assert_eq!(
            again["payment"]["status"], first["payment"]["status"],
            "{again}"
        );
        let payments = payments_of(&app, m).await;
        assert_eq!(payments.len(), 1, "one payment, not two");
        assert_eq!(payments[0].captured, 1500);
        let ops = operations_of(&app, payments[0].id).await;
        assert_eq!(
            ops.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
            ["authorise", "capture"],
            "authorised and captured once"
        );
        // The answer is stored now: a third try replays it.
        let (s, third, headers) = signed(
            &app,
            &key,
            "POST",
            "/v2/shop/payments",
            Some(&body),
            &[("X-GCS-Idempotence-Key", "crash-create")],
            Utc::now(),
        )
        .await;
        assert_eq!(s, 201);
        assert_eq!(third["payment"]["id"], first["payment"]["id"]);
        assert!(headers.contains_key("x-gcs-idempotence-request-timestamp"));
        assert_eq!(payments_of(&app, m).await.len(), 1);
    }
);

both_backends!(
    a_retry_after_a_crash_answers_the_committed_capture_and_refund_once,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        let (s, created) = post(
            &app,
            &key,
            "/payments",
            &card_payment(2000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201, "{created}");
        let id = created["payment"]["id"].as_str().unwrap().to_owned();
        let capture = json!({ "amount": 700 });
        let path = format!("/payments/{id}/capture");
        let (s, first) = keyed(&app, &key, &path, &capture, "crash-capture").await;
        assert_eq!(s, 200, "{first}");
        lose_response(&app, "crash-capture").await;
        let (s, again) = keyed(&app, &key, &path, &capture, "crash-capture").await;
        assert_eq!(s, 200, "{again}");
        assert_eq!(again["id"], first["id"], "the same capture: {again}");

        let refund = json!({ "amountOfMoney": { "amount": 300, "currencyCode": "EUR" } });
        let path = format!("/payments/{id}/refund");
        let (s, first) = keyed(&app, &key, &path, &refund, "crash-refund").await;
        assert_eq!(s, 201, "{first}");
        lose_response(&app, "crash-refund").await;
        let (s, again) = keyed(&app, &key, &path, &refund, "crash-refund").await;
        assert_eq!(s, 201, "{again}");
        assert_eq!(again["id"], first["id"], "the same refund: {again}");

        let payments = payments_of(&app, m).await;
        assert_eq!(payments.len(), 1);
        assert_eq!((payments[0].captured, payments[0].refunded), (700, 300));
        let ops = operations_of(&app, payments[0].id).await;
        assert_eq!(
            ops.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(),
            ["authorise", "capture", "refund"]
        );
    }
);

both_backends!(
    a_payment_committed_before_its_acquirer_answer_becomes_uncertain_not_a_second_charge,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        let body = card_payment(1200, "4111111111111111", "SALE");
        let hash = request_hash("/v2/shop/payments", &body);
        claim_row(
            &app,
            m,
            "crash-intent",
            hash,
            "killed-process",
            -1_000,
            "ref-intent",
        )
        .await;
        // What the killed server had committed: the payment, before the acquirer answered.
        let now = Utc::now();
        let intent = payment::ActiveModel {
            merchant_id: Set(m),
            channel: Set("ECOMMERCE".into()),
            merchant_reference: Set("it".into()),
            description: Set(String::new()),
            currency: Set("EUR".into()),
            amount: Set(1200),
            authorised: Set(0),
            captured: Set(0),
            refunded: Set(0),
            stage: Set("created".into()),
            capture_closed: Set(false),
            authorization_mode: Set("SALE".into()),
            masked_card: Set(Some("411111******1111".into())),
            rrn: Set(Some("000011112222".into())),
            attempts: Set(0),
            locale: Set("en".into()),
            created_at: Set(now),
            updated_at: Set(now),
            idempotence_ref: Set(Some("ref-intent".into())),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let (s, v) = keyed(&app, &key, "/payments", &body, "crash-intent").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(
            v["payment"]["id"],
            server::payments::records::public_id(intent.id),
            "{v}"
        );
        let payments = payments_of(&app, m).await;
        assert_eq!(payments.len(), 1, "no second payment");
        assert_eq!(payments[0].stage, "uncertain");
        assert_eq!(payments[0].captured, 0, "not charged again");
        assert_eq!(payments[0].rrn.as_deref(), Some("000011112222"));
        let ops = operations_of(&app, intent.id).await;
        assert_eq!(ops.len(), 1);
        assert_eq!(
            (ops[0].kind.as_str(), ops[0].result.as_str()),
            ("authorise", "uncertain")
        );
        // The acquirer is asked about the payment's own reference by a job.
        let resolving = job::Entity::find()
            .filter(job::Column::Kind.eq("resolve_uncertain"))
            .filter(job::Column::Payload.contains(format!("\"payment\":{}", intent.id)))
            .count(&app.db)
            .await
            .unwrap();
        assert!(resolving >= 1);
    }
);

both_backends!(
    an_abandoned_claim_is_taken_over_and_a_live_one_still_answers_409,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        let body = card_payment(900, "4111111111111111", "SALE");
        let hash = request_hash("/v2/shop/payments", &body);
        // Claimed by a server that was killed before it committed anything.
        claim_row(
            &app,
            m,
            "abandoned",
            hash.clone(),
            "killed-process",
            -1_000,
            "ref-a",
        )
        .await;
        let (s, v) = keyed(&app, &key, "/payments", &body, "abandoned").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(payments_of(&app, m).await.len(), 1);
        let (s, again) = keyed(&app, &key, "/payments", &body, "abandoned").await;
        assert_eq!((s, &again["payment"]["id"]), (201, &v["payment"]["id"]));
        assert_eq!(payments_of(&app, m).await.len(), 1);

        // Claimed by a server that is still running it (its lease is being renewed).
        claim_row(&app, m, "running", hash, "live-process", 15_000, "ref-b").await;
        let (s, v) = keyed(&app, &key, "/payments", &body, "running").await;
        assert_eq!(s, 409, "{v}");
        assert_eq!(v["errors"][0]["id"], "DUPLICATE_REQUEST_IN_PROGRESS");
        assert_eq!(payments_of(&app, m).await.len(), 1, "nothing ran");
    }
);

both_backends!(
    a_sealed_card_number_swapped_between_two_tokens_does_not_open,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let mut tokens = Vec::new();
        for number in ["4111111111111111", "5555555555554444"] {
            let (s, t) = post(
                &app,
                &key,
                "/tokens",
                &json!({ "paymentProductId": 1, "card": {
                    "data": { "cardWithoutCvv": { "cardNumber": number, "expiryDate": "1230" } } } }),
            )
            .await;
            assert_eq!(s, 201, "{t}");
            tokens.push(t["token"].as_str().unwrap().to_owned());
        }
        let pay_with = |token: &str| {
            json!({
                "order": { "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } },
                "cardPaymentMethodSpecificInput": { "token": token, "authorizationMode": "SALE" },
            })
        };
        let (s, v) = post(&app, &key, "/payments", &pay_with(&tokens[0])).await;
        assert_eq!(s, 201, "the token works in its own row: {v}");
        // Someone with write access to the database swaps the sealed numbers.
        let a = token::Entity::find_by_id(tokens[0].clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let b = token::Entity::find_by_id(tokens[1].clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        for (row, sealed) in [(&a, &b.card_enc), (&b, &a.card_enc)] {
            let mut row: token::ActiveModel = row.clone().into();
            row.card_enc = Set(sealed.clone());
            row.update(&app.db).await.unwrap();
        }
        for token in &tokens {
            let (s, v) = post(&app, &key, "/payments", &pay_with(token)).await;
            assert_eq!(s, 400, "a swapped ciphertext must not open: {v}");
            assert_eq!(
                v["errors"][0]["propertyName"],
                "cardPaymentMethodSpecificInput.token"
            );
        }
    }
);

/// The reconciliation jobs of payment `id`, oldest first.
async fn reconciliations(app: &TestApp, id: i64) -> Vec<job::Model> {
    let payloads: Vec<String> = [true, false]
        .into_iter()
        .map(|sale| json!({ "payment": id, "sale": sale }).to_string())
        .collect();
    job::Entity::find()
        .filter(job::Column::Kind.eq("resolve_uncertain"))
        .filter(job::Column::Payload.is_in(payloads))
        .order_by_asc(job::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// A payment committed by a process that stopped before the acquirer answered: it has
/// awaited its answer for `waited` seconds.
async fn unanswered(app: &TestApp, m: i64, waited: i64) -> payment::Model {
    let now = Utc::now();
    payment::ActiveModel {
        merchant_id: Set(m),
        channel: Set("ECOMMERCE".into()),
        merchant_reference: Set(format!("lost-{waited}")),
        description: Set(String::new()),
        currency: Set("EUR".into()),
        amount: Set(700),
        authorised: Set(0),
        captured: Set(0),
        refunded: Set(0),
        stage: Set("created".into()),
        capture_closed: Set(false),
        authorization_mode: Set("SALE".into()),
        masked_card: Set(Some("411111******1111".into())),
        rrn: Set(Some(format!("0000{waited:08}"))),
        attempts: Set(0),
        locale: Set("en".into()),
        created_at: Set(now),
        updated_at: Set(now),
        awaiting_since: Set(Some(now - chrono::Duration::seconds(waited))),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
}

both_backends!(
    an_answered_payment_leaves_nothing_to_reconcile_and_the_sweep_finds_a_lost_answer,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        // Answered: nothing is left waiting, and no job was queued for it.
        for (card, mode) in [
            ("4111111111111111", "SALE"),
            ("4111111111111111", "PRE_AUTHORIZATION"),
            ("4000000000009995", "SALE"),
        ] {
            let (s, v) = post(&app, &key, "/payments", &card_payment(800, card, mode)).await;
            assert!(s == 201 || s == 402, "{v}");
            let paid = payments_of(&app, m).await.pop().unwrap();
            assert!(paid.awaiting_since.is_none(), "{card} {mode}");
            assert!(
                reconciliations(&app, paid.id).await.is_empty(),
                "{card} {mode}"
            );
        }
        // Uncertain: the acquirer is asked about it by the job queued with the answer.
        let (s, v) = post(
            &app,
            &key,
            "/payments",
            &card_payment(800, "4000000000000119", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let uncertain = payments_of(&app, m).await.pop().unwrap();
        assert_eq!(uncertain.stage, "uncertain");
        let states: Vec<String> = reconciliations(&app, uncertain.id)
            .await
            .into_iter()
            .map(|j| j.state)
            .collect();
        assert_eq!(states, ["queued"]);
        // Answers lost in a crash: the sweep marks uncertain the one past the grace and
        // leaves the one whose answer may still come.
        let lost = unanswered(&app, m, 120).await;
        let recent = unanswered(&app, m, 10).await;
        server::payments::engine::reconcile::ensure_scheduled(&app.db)
            .await
            .unwrap();
        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(None);
        while runner.run_once().await.unwrap() {}
        let lost = payment::Entity::find_by_id(lost.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lost.stage, "uncertain");
        assert!(lost.awaiting_since.is_none());
        let states: Vec<String> = reconciliations(&app, lost.id)
            .await
            .into_iter()
            .map(|j| j.state)
            .collect();
        assert_eq!(states, ["queued"], "the acquirer is asked about it next");
        let recent = payment::Entity::find_by_id(recent.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(recent.stage, "created");
        assert!(recent.awaiting_since.is_some());
        // The sweep queued its next run.
        let next = job::Entity::find()
            .filter(job::Column::Kind.eq("reconcile_intents"))
            .filter(job::Column::State.eq("queued"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(next, 1);
    }
);

both_backends!(
    a_retry_after_a_crash_answers_the_committed_checkout_token_and_tokenization,
    &[],
    |app: TestApp| async move {
        use server::entities::{hosted_checkout, hosted_tokenization};
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        let checkout = json!({
            "order": { "amountOfMoney": { "amount": 990, "currencyCode": "EUR" } },
            "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
        });
        let token = json!({ "paymentProductId": 1, "card": { "data": { "cardWithoutCvv": {
            "cardNumber": "4111111111111111", "expiryDate": "1230", "cardholderName": "Pat"
        } } } });
        let tokenization = json!({});
        for (path, body, idem, id) in [
            (
                "/hostedcheckouts",
                &checkout,
                "crash-checkout",
                "hostedCheckoutId",
            ),
            ("/tokens", &token, "crash-token", "token"),
            (
                "/hostedtokenizations",
                &tokenization,
                "crash-tokenization",
                "hostedTokenizationId",
            ),
        ] {
            let (s, first) = keyed(&app, &key, path, body, idem).await;
            assert_eq!(s, 201, "{path}: {first}");
            // Killed after it was committed, before its response was stored.
            lose_response(&app, idem).await;
            let (s, again) = keyed(&app, &key, path, body, idem).await;
            assert_eq!(s, 201, "{path}: {again}");
            assert_eq!(again[id], first[id], "{path}: the same one, not a second");
            // At the same data centre (PL-4): the centre is stored with it.
            assert_eq!(
                again["partialRedirectUrl"], first["partialRedirectUrl"],
                "{path}"
            );
            // Another key makes another one.
            let (s, other) = keyed(&app, &key, path, body, &format!("{idem}-2")).await;
            assert_eq!(s, 201, "{path}: {other}");
            assert_ne!(other[id], first[id]);
        }
        let checkouts = hosted_checkout::Entity::find()
            .filter(hosted_checkout::Column::MerchantId.eq(m))
            .count(&app.db)
            .await
            .unwrap();
        let tokens = token::Entity::find()
            .filter(token::Column::MerchantId.eq(m))
            .count(&app.db)
            .await
            .unwrap();
        let tokenizations = hosted_tokenization::Entity::find()
            .filter(hosted_tokenization::Column::MerchantId.eq(m))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!((checkouts, tokens, tokenizations), (2, 2, 2));
    }
);

both_backends!(
    a_payments_answer_is_stored_with_its_outcome_and_replayed_as_it_was_sent,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        for (number, status, idem) in [
            ("4111111111111111", 201, "stored-approved"),
            ("4000000000009995", 402, "stored-declined"),
        ] {
            let body = card_payment(1_200, number, "SALE");
            let (s, first) = keyed(&app, &key, "/payments", &body, idem).await;
            assert_eq!(s, status, "{first}");
            // The record holds the answer the client got, error id included.
            let record = idempotency_key::Entity::find()
                .filter(idempotency_key::Column::MerchantId.eq(m))
                .filter(idempotency_key::Column::Key.eq(idem))
                .one(&app.db)
                .await
                .unwrap()
                .expect("record");
            assert_eq!(record.status_code, Some(i32::from(status)));
            let stored: Value =
                serde_json::from_str(&record.response_body.expect("answer")).unwrap();
            assert_eq!(stored, first);
            // A repeat is answered with it, not made again.
            let (s, again) = keyed(&app, &key, "/payments", &body, idem).await;
            assert_eq!((s, &again), (status, &first));
        }
        let payments = payments_of(&app, m).await;
        assert_eq!(payments.len(), 2, "one payment per key");
        assert_eq!(payments[0].captured, 1_200, "the sale is captured once");
        assert_eq!(payments[1].stage, "rejected", "{:?}", payments[1]);
    }
);
