//! Idempotence after a crash: the windows a killed server leaves (a claim nobody renews,
//! a payment or capture committed whose response was never stored, a payment committed
//! before its acquirer answer was written) are made directly in the database, and a
//! retry with the same key must answer with what was committed, never charge twice. A
//! claim whose owner still renews its lease keeps answering 409. Also: sealed card
//! numbers are bound to their row.

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};
use crate::payments::{card_payment, key, post, signed, Key};
use chrono::Utc;
use domain::money::Money;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use server::entities::{idempotency_key, job, merchant, operation, payment, token};
use server::payments::acquirer::{Acquirer, AuthRequest, AuthResult, SimulatedAcquirer};
use server::payments::records::parse_public_id;
use std::sync::Arc;

/// POSTs `body` to `path` (under the merchant) with the idempotence key `idem`.
async fn keyed(app: &TestApp, key: &Key, path: &str, body: &Value, idem: &str) -> (u16, Value) {
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
fn request_hash(path: &str, body: &Value) -> String {
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

async fn merchant_id(app: &TestApp, pspid: &str) -> i64 {
    merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A claim as a server writes it, owned by `owner` until `lease_millis` from now.
async fn claim_row(
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

async fn operations_of(app: &TestApp, payment_id: i64) -> Vec<operation::Model> {
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

both_backends!(
    the_answer_of_the_acquirer_closes_the_payments_reconciliation_job,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = merchant_id(&app, "shop").await;
        // Answered: the job queued with the payment has nothing left to do.
        for (card, mode) in [
            ("4111111111111111", "SALE"),
            ("4111111111111111", "PRE_AUTHORIZATION"),
            ("4000000000009995", "SALE"),
        ] {
            let (s, v) = post(&app, &key, "/payments", &card_payment(800, card, mode)).await;
            assert!(s == 201 || s == 402, "{v}");
            let paid = payments_of(&app, m).await.pop().unwrap();
            let jobs = reconciliations(&app, paid.id).await;
            assert_eq!(jobs.len(), 1, "{card} {mode}");
            assert_eq!(jobs[0].state, "done", "{card} {mode}");
        }
        // Uncertain: the acquirer is still asked about it, by the job queued with the
        // answer.
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
        assert_eq!(states, ["done", "queued"]);
    }
);

/// The simulated acquirer, counting the captures, refunds and cancellations it is asked
/// for and, at each, whether a pending operation of that kind was already committed.
#[derive(Default)]
struct Watching {
    db: std::sync::OnceLock<sea_orm::DatabaseConnection>,
    calls: std::sync::atomic::AtomicUsize,
    committed_first: std::sync::atomic::AtomicUsize,
}

impl Watching {
    async fn asked(&self, kind: &str) {
        use std::sync::atomic::Ordering;
        self.calls.fetch_add(1, Ordering::SeqCst);
        let db = self.db.get().expect("the test sets the database");
        let pending = operation::Entity::find()
            .filter(operation::Column::Kind.eq(kind))
            .filter(operation::Column::Result.eq("pending"))
            .count(db)
            .await
            .unwrap();
        if pending > 0 {
            self.committed_first.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering;
        (
            self.calls.load(Ordering::SeqCst),
            self.committed_first.load(Ordering::SeqCst),
        )
    }
}

#[async_trait::async_trait]
impl Acquirer for Watching {
    async fn authorise(&self, request: AuthRequest<'_>) -> AuthResult {
        SimulatedAcquirer.authorise(request).await
    }
    async fn capture(&self, rrn: &str, amount: Money) -> Result<String, String> {
        self.asked("capture").await;
        SimulatedAcquirer.capture(rrn, amount).await
    }
    async fn refund(&self, rrn: &str, amount: Money) -> Result<String, String> {
        self.asked("refund").await;
        SimulatedAcquirer.refund(rrn, amount).await
    }
    async fn cancel(&self, rrn: &str) -> Result<(), String> {
        self.asked("cancel").await;
        SimulatedAcquirer.cancel(rrn).await
    }
    async fn inquire(&self, rrn: &str) -> Option<AuthResult> {
        SimulatedAcquirer.inquire(rrn).await
    }
}

async fn changes_of(app: &TestApp, payment_id: i64, kind: &str) -> Vec<operation::Model> {
    operations_of(app, payment_id)
        .await
        .into_iter()
        .filter(|o| o.kind == kind)
        .collect()
}

/// A capture, refund or cancellation is committed pending before the acquirer is asked;
/// a retry after a crash that finds it pending answers 409 naming it and never asks the
/// acquirer again; no other change of the payment starts meanwhile; normal changes and
/// concurrent refunds still hold the ledger to the captured amount.
async fn pending_changes(backend: Backend) {
    let watching = Arc::new(Watching::default());
    let Some(app) = spawn_app_with(backend, &[], Some(watching.clone())).await else {
        return;
    };
    let _dir = app.dir_guard();
    watching.db.set(app.db.clone()).ok();
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
    let public = created["payment"]["id"].as_str().unwrap().to_owned();
    let id = parse_public_id(&public).unwrap();
    let path = format!("/payments/{public}/capture");

    // A capture as usual: its intent is committed before the acquirer is asked.
    let (s, v) = keyed(&app, &key, &path, &json!({ "amount": 500 }), "cap-1").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        watching.counts(),
        (1, 1),
        "asked once, after the intent was committed"
    );
    let captures = changes_of(&app, id, "capture").await;
    assert_eq!(captures.len(), 1);
    assert_eq!(captures[0].result, "approved");
    assert!(
        captures[0].rrn.is_some(),
        "the acquirer's reference is kept"
    );
    assert_eq!(v["id"], format!("{public}-{}", captures[0].id));

    // What a server killed after the acquirer approved a capture of 700, before it wrote
    // the answer, leaves: the claim with a lapsed lease, the reserved ledger and the
    // pending operation carrying the claim's reference.
    let body = json!({ "amount": 700 });
    let hash = request_hash(&format!("/v2/shop{path}"), &body);
    claim_row(
        &app,
        m,
        "crash-pending",
        hash,
        "killed-process",
        -1_000,
        "ref-pending",
    )
    .await;
    let row = payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut reserve: payment::ActiveModel = row.clone().into();
    reserve.captured = Set(row.captured + 700);
    reserve.update(&app.db).await.unwrap();
    let pending = operation::ActiveModel {
        payment_id: Set(id),
        kind: Set("capture".into()),
        amount: Set(700),
        result: Set("pending".into()),
        is_final: Set(false),
        created_at: Set(Utc::now()),
        idempotence_ref: Set(Some("ref-pending".into())),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    for _ in 0..2 {
        let (s, v) = keyed(&app, &key, &path, &body, "crash-pending").await;
        assert_eq!(s, 409, "{v}");
        assert_eq!(v["errors"][0]["id"], "DUPLICATE_REQUEST_IN_PROGRESS", "{v}");
        assert_eq!(v["operationId"], format!("{public}-{}", pending.id), "{v}");
    }
    assert_eq!(watching.counts().0, 1, "the acquirer is not asked again");
    let captures = changes_of(&app, id, "capture").await;
    assert_eq!(captures.len(), 2, "no second operation");
    assert_eq!(captures[1].result, "pending");
    let row = payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.captured, 1200, "captured once");

    // No other change of the payment starts while one awaits the acquirer's answer.
    let refund =
        |amount: i64| json!({ "amountOfMoney": { "amount": amount, "currencyCode": "EUR" } });
    let refund_path = format!("/payments/{public}/refund");
    let (s, v) = keyed(&app, &key, &refund_path, &refund(100), "refund-blocked").await;
    assert_eq!(s, 502, "{v}");
    assert_eq!(watching.counts().0, 1);
    assert!(changes_of(&app, id, "refund").await.is_empty());

    // Settled against the acquirer's records: the capture stands.
    let mut settled: operation::ActiveModel = pending.into();
    settled.result = Set("approved".into());
    settled.update(&app.db).await.unwrap();

    // Concurrent refunds never exceed the 1,200 captured: two of 500 pass.
    let app = Arc::new(app);
    let key = Arc::new(key);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, key, path, body) = (app.clone(), key.clone(), refund_path.clone(), refund(500));
        tasks.push(tokio::spawn(async move {
            post(&app, &key, &path, &body).await.0
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            201 => ok += 1,
            400 | 409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, 2, "exactly what was captured can be refunded");
    let row = payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.captured, row.refunded), (1200, 1000));
    let ops = operations_of(&app, id).await;
    assert!(
        ops.iter().all(|o| o.result == "approved"),
        "none left pending"
    );
    let sum = |kind: &str| {
        ops.iter()
            .filter(|o| o.kind == kind)
            .map(|o| o.amount)
            .sum::<i64>()
    };
    assert_eq!(
        (sum("capture"), sum("refund")),
        (1200, 1000),
        "ledger = operations"
    );
    assert_eq!(watching.counts(), (3, 3), "one call per refund that passed");

    // A cancellation still works, asked once after its intent was committed.
    let (s, other) = post(
        &app,
        &key,
        "/payments",
        &card_payment(900, "4111111111111111", "PRE_AUTHORIZATION"),
    )
    .await;
    assert_eq!(s, 201, "{other}");
    let other = other["payment"]["id"].as_str().unwrap().to_owned();
    let (s, v) = post(&app, &key, &format!("/payments/{other}/cancel"), &json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["payment"]["status"], "CANCELLED", "{v}");
    assert_eq!(watching.counts(), (4, 4));
    let cancels = changes_of(&app, parse_public_id(&other).unwrap(), "cancel").await;
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].result, "approved");
}

mod a_change_is_committed_pending_first_and_a_retry_never_asks_the_acquirer_twice {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        pending_changes(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        pending_changes(Backend::Postgres).await;
    }
}
