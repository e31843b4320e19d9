//! A capture, refund or cancellation is committed pending (with our reference for the
//! acquirer and what it reserved) before the acquirer is asked. After a crash, the change
//! is settled by asking the acquirer about that reference — by a retry that takes the
//! request over, by the next change of the payment once the answer is overdue, or by its
//! job — and never by asking the acquirer to do it again.

use crate::acquirers::{Before, Simulated};
use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::idempotence::{claim_row, keyed, merchant_id, operations_of, request_hash};
use crate::payments::{card_payment, key, post};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use server::entities::{operation, payment};
use server::payments::acquirer::ChangeInquiry;
use server::payments::records::parse_public_id;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The simulated acquirer, counting the captures, refunds and cancellations it is asked
/// for and, at each, whether a pending operation of that kind was already committed. It
/// remembers the references it did, and answers inquiries from them.
#[derive(Default)]
struct Watching {
    db: std::sync::OnceLock<sea_orm::DatabaseConnection>,
    calls: std::sync::atomic::AtomicUsize,
    committed_first: std::sync::atomic::AtomicUsize,
    done: Mutex<HashSet<String>>,
}

impl Watching {
    async fn asked(&self, kind: &str, reference: &str) {
        use std::sync::atomic::Ordering;
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.done.lock().unwrap().insert(reference.to_owned());
        let db = self.db.get().expect("the test sets the database");
        let pending = operation::Entity::find()
            .filter(operation::Column::Kind.eq(kind))
            .filter(operation::Column::Result.eq("pending"))
            .filter(operation::Column::Reference.eq(reference))
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
impl Before for Watching {
    async fn capture(&self, reference: &str) -> Option<Result<String, String>> {
        self.asked("capture", reference).await;
        None
    }
    async fn refund(&self, reference: &str) -> Option<Result<String, String>> {
        self.asked("refund", reference).await;
        None
    }
    async fn cancel(&self, reference: &str) -> Option<Result<(), String>> {
        self.asked("cancel", reference).await;
        None
    }
    async fn inquire_change(&self, reference: &str) -> Option<ChangeInquiry> {
        Some(if reference.starts_with("UNKNOWN") {
            ChangeInquiry::Unknown
        } else if self.done.lock().unwrap().contains(reference) {
            ChangeInquiry::Done(format!("ACQ-{reference}"))
        } else {
            ChangeInquiry::NotDone("no such request".into())
        })
    }
}

async fn changes_of(app: &TestApp, payment_id: i64, kind: &str) -> Vec<operation::Model> {
    operations_of(app, payment_id)
        .await
        .into_iter()
        .filter(|o| o.kind == kind)
        .collect()
}

async fn stored(app: &TestApp, id: i64) -> payment::Model {
    payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// What a server killed while the acquirer was asked for a capture of `amount` leaves:
/// the reserved ledger and the pending operation, with the acquirer reference
/// `reference` and, when `request` is set, the API request's reference. `age` backdates
/// the operation.
async fn crashed_capture(
    app: &TestApp,
    id: i64,
    amount: i64,
    reference: Option<&str>,
    request: Option<&str>,
    age: chrono::Duration,
) -> operation::Model {
    let row = stored(app, id).await;
    let reservation = json!({
        "stage": row.stage, "authorised": row.authorised, "captured": row.captured,
        "refunded": row.refunded, "capture_closed": row.capture_closed, "lines": [],
    });
    let mut reserve: payment::ActiveModel = row.clone().into();
    reserve.captured = Set(row.captured + amount);
    reserve.update(&app.db).await.unwrap();
    operation::ActiveModel {
        payment_id: Set(id),
        kind: Set("capture".into()),
        amount: Set(amount),
        result: Set("pending".into()),
        is_final: Set(false),
        created_at: Set(Utc::now() - age),
        idempotence_ref: Set(request.map(str::to_owned)),
        reference: Set(reference.map(str::to_owned)),
        reservation: Set(reference.map(|_| reservation.to_string())),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
}

async fn pending_changes(backend: Backend) {
    let watching = Arc::new(Simulated(Watching::default()));
    let Some(app) = spawn_app_with(backend, &[], Some(watching.clone())).await else {
        return;
    };
    let _dir = app.dir_guard();
    watching.db.set(app.db.clone()).ok();
    let engine = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .acquirer(watching.clone())
        .build()
        .engine;
    let key = key(&app, "shop").await;
    let m = merchant_id(&app, "shop").await;
    let (s, created) = post(
        &app,
        &key,
        "/payments",
        &card_payment(5000, "4111111111111111", "PRE_AUTHORIZATION"),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let public = created["payment"]["id"].as_str().unwrap().to_owned();
    let id = parse_public_id(&public).unwrap();
    let path = format!("/payments/{public}/capture");
    let none = chrono::Duration::zero();

    // A capture as usual: its intent is committed before the acquirer is asked, with the
    // reference the acquirer is given.
    let (s, v) = keyed(&app, &key, &path, &json!({ "amount": 500 }), "cap-1").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(watching.counts(), (1, 1), "asked once, after the intent");
    let captures = changes_of(&app, id, "capture").await;
    assert_eq!(captures.len(), 1);
    assert_eq!(captures[0].result, "approved");
    assert!(captures[0].reference.is_some(), "sent with our reference");
    assert!(
        captures[0].rrn.is_some(),
        "the acquirer's reference is kept"
    );
    assert_eq!(v["id"], format!("{public}-{}", captures[0].id));

    // Killed after the acquirer did a capture of 700, before its answer was written: the
    // retry that takes the request over asks the acquirer about it and answers with it.
    let body = json!({ "amount": 700 });
    let hash = request_hash(&format!("/v2/shop{path}"), &body);
    claim_row(&app, m, "crash-done", hash, "killed", -1_000, "ref-done").await;
    watching.done.lock().unwrap().insert("DONE-700".into());
    let lost = crashed_capture(&app, id, 700, Some("DONE-700"), Some("ref-done"), none).await;
    let (s, v) = keyed(&app, &key, &path, &body, "crash-done").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"], format!("{public}-{}", lost.id), "{v}");
    assert_eq!(
        watching.counts().0,
        1,
        "the acquirer is not asked to do it again"
    );
    let op = operation::Entity::find_by_id(lost.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(op.result, "approved");
    assert_eq!(op.rrn.as_deref(), Some("ACQ-DONE-700"));
    assert_eq!(stored(&app, id).await.captured, 1200, "captured once");

    // Killed before the acquirer got a capture of 300: the retry finds it was never done,
    // gives its reservation back and does it, once.
    let body = json!({ "amount": 300 });
    let hash = request_hash(&format!("/v2/shop{path}"), &body);
    claim_row(&app, m, "crash-lost", hash, "killed", -1_000, "ref-lost").await;
    let never = crashed_capture(&app, id, 300, Some("LOST-300"), Some("ref-lost"), none).await;
    let (s, v) = keyed(&app, &key, &path, &body, "crash-lost").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(watching.counts(), (2, 2), "asked once, for the retry");
    assert!(
        operation::Entity::find_by_id(never.id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none(),
        "the change that never reached the acquirer is gone"
    );
    assert_eq!(stored(&app, id).await.captured, 1500, "captured once");

    // While the acquirer does not know yet, the retry answers 409 naming the change, and
    // no other change starts; the job leaves a young change to its request.
    let body = json!({ "amount": 100 });
    let hash = request_hash(&format!("/v2/shop{path}"), &body);
    claim_row(&app, m, "crash-unknown", hash, "killed", -1_000, "ref-unk").await;
    let unknown = crashed_capture(&app, id, 100, Some("UNKNOWN-100"), Some("ref-unk"), none).await;
    for _ in 0..2 {
        let (s, v) = keyed(&app, &key, &path, &body, "crash-unknown").await;
        assert_eq!(s, 409, "{v}");
        assert_eq!(v["errors"][0]["id"], "DUPLICATE_REQUEST_IN_PROGRESS", "{v}");
        assert_eq!(v["operationId"], format!("{public}-{}", unknown.id), "{v}");
    }
    let refund =
        |amount: i64| json!({ "amountOfMoney": { "amount": amount, "currencyCode": "EUR" } });
    let refund_path = format!("/payments/{public}/refund");
    let (s, v) = keyed(&app, &key, &refund_path, &refund(100), "refund-blocked").await;
    assert_eq!(s, 502, "{v}");
    assert!(changes_of(&app, id, "refund").await.is_empty());
    assert!(!engine.settle_change(unknown.id, false).await.unwrap());
    assert_eq!(watching.counts().0, 2, "nothing was asked to be done");
    // Overdue and still unknown to the acquirer: the next change asks once and is
    // refused at once, without waiting for an answer nobody is waiting for.
    let mut overdue: operation::ActiveModel = unknown.clone().into();
    overdue.created_at = Set(Utc::now() - chrono::Duration::minutes(2));
    let unknown = overdue.update(&app.db).await.unwrap();
    let (s, v) = keyed(&app, &key, &refund_path, &refund(100), "refund-overdue").await;
    assert_eq!(s, 502, "{v}");
    assert!(changes_of(&app, id, "refund").await.is_empty());
    // The acquirer learns it did it: the settlement job finds it out once it is due.
    let mut overdue: operation::ActiveModel = unknown.clone().into();
    overdue.reference = Set(Some("DONE-100".into()));
    overdue.update(&app.db).await.unwrap();
    watching.done.lock().unwrap().insert("DONE-100".into());
    assert!(engine.settle_change(unknown.id, false).await.unwrap());
    assert_eq!(changes_of(&app, id, "capture").await.len(), 4);
    assert_eq!(stored(&app, id).await.captured, 1600);

    // An overdue change another request left is settled by the next change of the
    // payment: the acquirer never got this capture of 400, so a refund finds it given back.
    let hours = chrono::Duration::hours(1);
    let stale = crashed_capture(&app, id, 400, Some("LOST-400"), None, hours).await;
    let (s, v) = keyed(&app, &key, &refund_path, &refund(100), "refund-after").await;
    assert_eq!(s, 201, "{v}");
    assert!(operation::Entity::find_by_id(stale.id)
        .one(&app.db)
        .await
        .unwrap()
        .is_none());
    let row = stored(&app, id).await;
    assert_eq!((row.captured, row.refunded), (1600, 100));

    // Concurrent refunds never exceed what was captured: of 8 refunds of 500, three pass.
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
    assert_eq!(ok, 3, "exactly what was captured can be refunded");
    let row = stored(&app, id).await;
    assert_eq!((row.captured, row.refunded), (1600, 1600));
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
        (1600, 1600),
        "ledger = operations"
    );
    assert_eq!(watching.counts(), (6, 6), "one call per change that passed");

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
    assert_eq!(watching.counts(), (7, 7));
    let cancels = changes_of(&app, parse_public_id(&other).unwrap(), "cancel").await;
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].result, "approved");
}

mod a_change_whose_answer_was_lost_is_asked_about_never_asked_again {
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
