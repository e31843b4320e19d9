//! Hosted checkouts under parallel pay requests: one approved payment at most, the
//! retry count bounding every attempt, parallel ones included, and the pay endpoints
//! throttled per checkout and per client address.

use crate::acquirers::{Before, Simulated};
use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, get, key, post, Key};
use app::checkout::{CheckoutState, CheckoutView};
use app::error::AppError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use server::entities::{hosted_checkout, merchant, operation, payment};
use server::payments::acquirer::{AuthRequest, AuthResult};
use std::sync::Arc;

async fn new_checkout(app: &TestApp, key: &Key) -> String {
    let (status, body) = post(
        app,
        key,
        "/hostedcheckouts",
        &json!({
            "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
            "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["hostedCheckoutId"].as_str().unwrap().to_owned()
}

/// Changes `pspid`'s settings with `change`.
async fn set_merchant(app: &TestApp, pspid: &str, change: impl FnOnce(&mut merchant::ActiveModel)) {
    let m = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: merchant::ActiveModel = m.into();
    change(&mut m);
    m.update(&app.db).await.unwrap();
}

async fn set_retry_count(app: &TestApp, pspid: &str, retries: i32) {
    set_merchant(app, pspid, |m| m.retry_count = Set(retries)).await;
}

/// Makes `pspid` capture every authorisation at once (sales).
async fn capture_at_once(app: &TestApp, pspid: &str) {
    set_merchant(app, pspid, |m| {
        m.capture_procedure = Set("immediate".into())
    })
    .await;
}

/// Fires `n` pay requests with `card` at once; their responses.
async fn pay_all_at_once(
    app: &Arc<TestApp>,
    checkout: &str,
    card: &str,
    n: usize,
) -> Vec<crate::helpers::FnResponse> {
    let barrier = Arc::new(tokio::sync::Barrier::new(n));
    let mut tasks = Vec::new();
    for _ in 0..n {
        let (app, barrier, checkout, card) = (
            app.clone(),
            barrier.clone(),
            checkout.to_owned(),
            card.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            app.call(
                "pay/pay",
                &[
                    ("id", checkout.as_str()),
                    ("number", card.as_str()),
                    ("expiry", "12/30"),
                    ("cvc", "123"),
                    ("holder", "Pat Payer"),
                ],
                None,
            )
            .await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn checkout_row(app: &TestApp, id: &str) -> hosted_checkout::Model {
    hosted_checkout::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn authorisations(app: &TestApp) -> Vec<operation::Model> {
    operation::Entity::find()
        .filter(operation::Column::Kind.eq("authorise"))
        .all(&app.db)
        .await
        .unwrap()
}

both_backends!(
    twenty_parallel_pay_requests_approve_one_payment,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let checkout = new_checkout(&app, &key).await;
        let app = Arc::new(app);
        let answers = pay_all_at_once(&app, &checkout, "4111111111111111", 20).await;
        let paid = answers
            .iter()
            .filter(|r| r.status < 300)
            .map(|r| serde_json::from_str::<CheckoutView>(&r.body).unwrap())
            .filter(|v| v.state == CheckoutState::Paid)
            .count();
        assert_eq!(paid, 1, "exactly one request pays");
        for r in answers.iter().filter(|r| r.status >= 300) {
            assert_eq!(r.error(), AppError::NotAllowedNow, "{}", r.body);
        }
        let payments = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(payments.len(), 1, "one payment for the checkout");
        assert_eq!(payments[0].stage, "authorised");
        assert_eq!(payments[0].authorised, 1250);
        let approved: Vec<_> = authorisations(&app)
            .await
            .into_iter()
            .filter(|o| o.result == "approved")
            .collect();
        assert_eq!(approved.len(), 1, "the acquirer approved once");
        let row = checkout_row(&app, &checkout).await;
        assert_eq!(row.status, "PAYMENT_CREATED");
        assert_eq!(row.attempts, 1);
        assert_eq!(row.busy_until, None);
        // Paid is final: one more request changes nothing.
        let again = pay_all_at_once(&app, &checkout, "5555555555554444", 1).await;
        assert_eq!(again[0].error(), AppError::NotAllowedNow);
        assert_eq!(payment::Entity::find().all(&app.db).await.unwrap().len(), 1);
    }
);

both_backends!(
    the_retry_count_bounds_parallel_and_later_attempts,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        set_retry_count(&app, "shop", 3).await;
        let checkout = new_checkout(&app, &key).await;
        let app = Arc::new(app);
        // Declined cards: every request that reaches the acquirer is one attempt.
        pay_all_at_once(&app, &checkout, "4000000000009995", 20).await;
        let row = checkout_row(&app, &checkout).await;
        assert!(row.attempts <= 3, "{} attempts", row.attempts);
        assert!(authorisations(&app).await.len() <= 3);
        // The payer goes on, one request at a time, until refused.
        for _ in 0..5 {
            pay_all_at_once(&app, &checkout, "4000000000009995", 1).await;
        }
        let row = checkout_row(&app, &checkout).await;
        assert_eq!(row.attempts, 3);
        let tried = authorisations(&app).await;
        assert_eq!(tried.len(), 3, "three tries reached the acquirer");
        assert!(tried.iter().all(|o| o.result == "declined"));
        let payments = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(payments.len(), 1, "every attempt is on the one payment");
        assert_eq!(payments[0].stage, "rejected");
        // An approving card after the last try is refused too.
        let late = pay_all_at_once(&app, &checkout, "4111111111111111", 1).await;
        assert_eq!(late[0].error(), AppError::NotAllowedNow);
        assert!(authorisations(&app)
            .await
            .iter()
            .all(|o| o.result == "declined"));
    }
);

both_backends!(
    a_mistyped_card_does_not_use_up_an_attempt,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        set_retry_count(&app, "shop", 1).await;
        let checkout = new_checkout(&app, &key).await;
        let app = Arc::new(app);
        let typo = pay_all_at_once(&app, &checkout, "4111111111111112", 1).await;
        assert!(matches!(typo[0].error(), AppError::Invalid(_)));
        let row = checkout_row(&app, &checkout).await;
        assert_eq!((row.attempts, row.busy_until), (0, None));
        let paid = pay_all_at_once(&app, &checkout, "4111111111111111", 1).await;
        let view: CheckoutView = serde_json::from_str(&paid[0].ok().body).unwrap();
        assert_eq!(view.state, CheckoutState::Paid);
    }
);

both_backends!(
    pay_requests_are_throttled_per_checkout_and_per_address,
    &[],
    |app: TestApp| async move {
        use server::checkout::port::{PAY_PER_ADDRESS, PAY_PER_CHECKOUT};
        let key = key(&app, "shop").await;
        let first = new_checkout(&app, &key).await;
        let app = Arc::new(app);
        // Mistyped cards cost the payer no attempt, but each request counts.
        for _ in 0..PAY_PER_CHECKOUT {
            let r = pay_all_at_once(&app, &first, "4111111111111112", 1).await;
            assert!(
                matches!(r[0].error(), AppError::Invalid(_)),
                "{}",
                r[0].body
            );
        }
        let r = pay_all_at_once(&app, &first, "4111111111111111", 1).await;
        assert_eq!(r[0].error(), AppError::RateLimited);
        let challenge = app
            .call(
                "pay/challenge",
                &[("id", first.as_str()), ("code", "1234")],
                None,
            )
            .await;
        assert_eq!(challenge.error(), AppError::RateLimited);
        assert!(payment::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty());
        // Other checkouts from the same address, until the address's own limit.
        let used = PAY_PER_CHECKOUT + 2;
        let mut sent = used;
        while sent < PAY_PER_ADDRESS {
            let other = new_checkout(&app, &key).await;
            for _ in 0..(PAY_PER_ADDRESS - sent).min(PAY_PER_CHECKOUT) {
                let r = pay_all_at_once(&app, &other, "4111111111111112", 1).await;
                assert!(
                    matches!(r[0].error(), AppError::Invalid(_)),
                    "{}",
                    r[0].body
                );
                sent += 1;
            }
        }
        let fresh = new_checkout(&app, &key).await;
        let r = pay_all_at_once(&app, &fresh, "4111111111111111", 1).await;
        assert_eq!(r[0].error(), AppError::RateLimited);
        assert!(payment::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty());
    }
);

/// The simulated acquirer, counting authorisations; it fails the next `failing_captures`
/// captures (a sale's capture that errors after the approval), and while `gated` it
/// holds every authorisation until the test lets it through.
struct Flaky {
    authorisations: std::sync::atomic::AtomicUsize,
    failing_captures: std::sync::atomic::AtomicUsize,
    gated: std::sync::atomic::AtomicBool,
    /// Captures wait at the gate too.
    gated_captures: std::sync::atomic::AtomicBool,
    /// Cancels (and releases of expired authorisations) wait at the gate too.
    gated_cancels: std::sync::atomic::AtomicBool,
    entered: tokio::sync::Notify,
    gate: tokio::sync::Semaphore,
}

impl Default for Flaky {
    fn default() -> Self {
        Flaky {
            authorisations: Default::default(),
            failing_captures: Default::default(),
            gated: Default::default(),
            gated_captures: Default::default(),
            gated_cancels: Default::default(),
            entered: Default::default(),
            gate: tokio::sync::Semaphore::new(0),
        }
    }
}

impl Flaky {
    /// Waits at the gate when `gated`, telling the test it is there.
    async fn pass(&self, gated: &std::sync::atomic::AtomicBool) {
        if gated.load(std::sync::atomic::Ordering::SeqCst) {
            self.entered.notify_one();
            let _ = self.gate.acquire().await;
        }
    }
}

#[async_trait::async_trait]
impl Before for Flaky {
    async fn authorise(&self, _request: &AuthRequest<'_>) -> Option<AuthResult> {
        use std::sync::atomic::Ordering;
        self.authorisations.fetch_add(1, Ordering::SeqCst);
        self.pass(&self.gated).await;
        None
    }
    async fn capture(&self, _reference: &str) -> Option<Result<String, String>> {
        use std::sync::atomic::Ordering;
        let failing = self.failing_captures.load(Ordering::SeqCst);
        if failing > 0 {
            self.failing_captures.store(failing - 1, Ordering::SeqCst);
            return Some(Err("connection reset".into()));
        }
        self.pass(&self.gated_captures).await;
        None
    }
    async fn cancel(&self, _reference: &str) -> Option<Result<(), String>> {
        self.pass(&self.gated_cancels).await;
        None
    }
}

/// Runs every queued job of `kind` now, as the job runner would once their time came.
async fn run_now(app: &TestApp, acquirer: Arc<Simulated<Flaky>>, kind: &str) {
    use server::entities::job;
    if kind == "reconcile_intents" {
        server::payments::engine::reconcile::ensure_scheduled(&app.db)
            .await
            .unwrap();
    }
    let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .acquirer(acquirer)
        .build()
        .worker(None);
    job::Entity::update_many()
        .col_expr(
            job::Column::RunAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::State.eq("queued"))
        .exec(&app.db)
        .await
        .unwrap();
    while runner.run_once().await.unwrap() {}
}

/// A sale whose capture fails after the acquirer approved it leaves the checkout as a
/// crash would: its payment committed and linked, never answered, the hold running. When
/// the hold is over the payer cannot pay a second time: the page shows the payment
/// pending, the merchant sees it on the checkout, and the reconciliation settles both.
async fn a_lost_answer_is_never_paid_twice(backend: Backend) {
    use std::sync::atomic::Ordering;
    let acquirer = Arc::new(Simulated(Flaky::default()));
    acquirer.failing_captures.store(1, Ordering::SeqCst);
    let Some(app) = crate::helpers::spawn_app_with(backend, &[], Some(acquirer.clone())).await
    else {
        return;
    };
    let _dir = app.dir_guard();
    let key = key(&app, "shop").await;
    capture_at_once(&app, "shop").await;
    let checkout = new_checkout(&app, &key).await;
    let app = Arc::new(app);
    let first = pay_all_at_once(&app, &checkout, "4111111111111111", 1).await;
    assert!(first[0].status >= 500, "{}", first[0].body);
    let payments = payment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(payments.len(), 1);
    let paid = payments[0].clone();
    assert_eq!((paid.stage.as_str(), paid.attempts), ("created", 0));
    let row = checkout_row(&app, &checkout).await;
    assert_eq!(
        row.payment_id,
        Some(paid.id),
        "linked before the acquirer answered"
    );
    assert_eq!(row.status, "IN_PROGRESS");
    // The request's hold runs out.
    let mut expired: hosted_checkout::ActiveModel = row.into();
    expired.busy_until = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
    expired.update(&app.db).await.unwrap();

    let again = pay_all_at_once(&app, &checkout, "5555555555554444", 1).await;
    assert_eq!(
        again[0].error(),
        AppError::NotAllowedNow,
        "{}",
        again[0].body
    );
    assert_eq!(payment::Entity::find().all(&app.db).await.unwrap().len(), 1);
    assert_eq!(acquirer.authorisations.load(Ordering::SeqCst), 1);
    let row = checkout_row(&app, &checkout).await;
    assert_eq!(row.attempts, 1, "the refused request took no attempt");
    let view = app
        .call("pay/view", &[("id", checkout.as_str())], None)
        .await;
    let view: CheckoutView = serde_json::from_str(&view.ok().body).unwrap();
    assert_eq!(view.state, CheckoutState::Pending);
    let public = server::payments::records::public_id(paid.id);
    let (s, got) = crate::payments::get(&app, &key, &format!("/hostedcheckouts/{checkout}")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(
        got["createdPaymentOutput"]["payment"]["id"], public,
        "{got}"
    );
    // The session ends meanwhile: the payment is not expired over an answer that may
    // exist, the checkout waits for it.
    run_now(&app, acquirer.clone(), "expire_checkout").await;
    assert_eq!(checkout_row(&app, &checkout).await.status, "IN_PROGRESS");
    let row = payment::Entity::find_by_id(paid.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.stage, "created");

    // The reconciliation: the answer is lost for good once the grace is over.
    let mut old: payment::ActiveModel = paid.clone().into();
    old.awaiting_since = Set(Some(chrono::Utc::now() - chrono::Duration::minutes(2)));
    old.update(&app.db).await.unwrap();
    run_now(&app, acquirer.clone(), "reconcile_intents").await;
    assert_eq!(
        payment::Entity::find_by_id(paid.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .stage,
        "uncertain"
    );
    assert_eq!(
        checkout_row(&app, &checkout).await.status,
        "PAYMENT_CREATED"
    );
    run_now(&app, acquirer.clone(), "resolve_uncertain").await;
    let (s, got) = crate::payments::get(&app, &key, &format!("/hostedcheckouts/{checkout}")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["status"], "PAYMENT_CREATED", "{got}");
    assert_eq!(
        got["createdPaymentOutput"]["payment"]["id"], public,
        "{got}"
    );
    assert_eq!(
        got["createdPaymentOutput"]["paymentStatusCategory"], "SUCCESSFUL",
        "{got}"
    );
    let last = pay_all_at_once(&app, &checkout, "5555555555554444", 1).await;
    assert_eq!(last[0].error(), AppError::NotAllowedNow);
    let payments = payment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(payments.len(), 1, "one payment for the checkout");
    assert_eq!(payments[0].captured, 1250, "captured once");
    assert_eq!(acquirer.authorisations.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_never_paid_twice_sqlite() {
    a_lost_answer_is_never_paid_twice(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_never_paid_twice_postgres() {
    a_lost_answer_is_never_paid_twice(Backend::Postgres).await;
}

/// The same for a payer's second card after a decline: the attempt is committed before
/// the acquirer is asked, so an answer lost after the acquirer approved it (here: the
/// sale's capture fails, as a crash would leave it) leaves the payment awaiting that
/// answer; the payer's next card is refused until the reconciliation settles it, and the
/// payer is charged once.
async fn a_lost_answer_to_a_retry_is_never_paid_twice(backend: Backend) {
    use std::sync::atomic::Ordering;
    let acquirer = Arc::new(Simulated(Flaky::default()));
    let Some(app) = crate::helpers::spawn_app_with(backend, &[], Some(acquirer.clone())).await
    else {
        return;
    };
    let _dir = app.dir_guard();
    let key = key(&app, "shop").await;
    set_retry_count(&app, "shop", 3).await;
    capture_at_once(&app, "shop").await;
    let checkout = new_checkout(&app, &key).await;
    let app = Arc::new(app);
    // Declined first (insufficient funds), then a second card whose answer is lost.
    let first = pay_all_at_once(&app, &checkout, "4000000000009995", 1).await;
    assert!(first[0].status < 300, "{}", first[0].body);
    acquirer.failing_captures.store(1, Ordering::SeqCst);
    let second = pay_all_at_once(&app, &checkout, "4111111111111111", 1).await;
    assert!(second[0].status >= 500, "{}", second[0].body);
    assert_eq!(acquirer.authorisations.load(Ordering::SeqCst), 2);
    let paid = payment::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(
        paid.awaiting_since.is_some(),
        "the attempt was committed first"
    );
    assert_eq!(paid.card_last4.as_deref(), Some("1111"));
    let row = checkout_row(&app, &checkout).await;
    let mut expired: hosted_checkout::ActiveModel = row.into();
    expired.busy_until = Set(Some(chrono::Utc::now() - chrono::Duration::seconds(1)));
    expired.update(&app.db).await.unwrap();

    let third = pay_all_at_once(&app, &checkout, "5555555555554444", 1).await;
    assert_eq!(
        third[0].error(),
        AppError::NotAllowedNow,
        "{}",
        third[0].body
    );
    assert_eq!(
        acquirer.authorisations.load(Ordering::SeqCst),
        2,
        "the acquirer is not asked for a third authorisation"
    );
    let view = app
        .call("pay/view", &[("id", checkout.as_str())], None)
        .await;
    let view: CheckoutView = serde_json::from_str(&view.ok().body).unwrap();
    assert_eq!(view.state, CheckoutState::Pending);

    // The reconciliation asks the acquirer about the attempt's reference once its answer
    // is overdue, and settles the payment and the checkout.
    let mut old: payment::ActiveModel = paid.clone().into();
    old.awaiting_since = Set(Some(chrono::Utc::now() - chrono::Duration::minutes(2)));
    old.update(&app.db).await.unwrap();
    run_now(&app, acquirer.clone(), "reconcile_intents").await;
    run_now(&app, acquirer.clone(), "resolve_uncertain").await;
    let (s, got) = crate::payments::get(&app, &key, &format!("/hostedcheckouts/{checkout}")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["status"], "PAYMENT_CREATED", "{got}");
    assert_eq!(
        got["createdPaymentOutput"]["paymentStatusCategory"], "SUCCESSFUL",
        "{got}"
    );
    let payments = payment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(payments.len(), 1, "one payment for the checkout");
    assert_eq!(payments[0].captured, 1250, "captured once");
    assert!(payments[0].awaiting_since.is_none());
    assert_eq!(acquirer.authorisations.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_a_retry_is_never_paid_twice_sqlite() {
    a_lost_answer_to_a_retry_is_never_paid_twice(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_a_retry_is_never_paid_twice_postgres() {
    a_lost_answer_to_a_retry_is_never_paid_twice(Backend::Postgres).await;
}

/// A request that outlived its hold settles nothing of another's: the hold taken since
/// stays, and a checkout cancelled meanwhile stays cancelled.
async fn a_late_request_keeps_to_its_own_hold(backend: Backend) {
    use std::sync::atomic::Ordering;
    let acquirer = Arc::new(Simulated(Flaky::default()));
    acquirer.gated.store(true, Ordering::SeqCst);
    let Some(app) = crate::helpers::spawn_app_with(backend, &[], Some(acquirer.clone())).await
    else {
        return;
    };
    let _dir = app.dir_guard();
    let key = key(&app, "shop").await;
    let checkout = new_checkout(&app, &key).await;
    let app = Arc::new(app);
    let late = {
        let (app, checkout) = (app.clone(), checkout.clone());
        tokio::spawn(async move { pay_all_at_once(&app, &checkout, "4111111111111111", 1).await })
    };
    acquirer.entered.notified().await;
    // Meanwhile the request's lease ran out, another request took the checkout, and
    // the payer cancelled it.
    let other_hold = chrono::Utc::now() + chrono::Duration::minutes(10);
    let mut row: hosted_checkout::ActiveModel = checkout_row(&app, &checkout).await.into();
    row.busy_until = Set(Some(other_hold));
    row.status = Set("CANCELLED_BY_CONSUMER".into());
    row.update(&app.db).await.unwrap();
    acquirer.gate.add_permits(1);
    late.await.unwrap();
    let row = checkout_row(&app, &checkout).await;
    assert_eq!(row.status, "CANCELLED_BY_CONSUMER");
    let held = row.busy_until.expect("the other request's hold stays");
    assert!(
        (held - other_hold).num_milliseconds().abs() < 2,
        "{held} {other_hold}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_request_keeps_to_its_own_hold_sqlite() {
    a_late_request_keeps_to_its_own_hold(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_request_keeps_to_its_own_hold_postgres() {
    a_late_request_keeps_to_its_own_hold(Backend::Postgres).await;
}

/// A sale's capture is asked before the write turn is taken: while the acquirer takes its
/// time over it, other requests write (on SQLite a turn held across the call would hold
/// up every write of the process).
async fn a_capture_the_acquirer_takes_its_time_over_holds_up_no_other_write(backend: Backend) {
    use std::sync::atomic::Ordering;
    let acquirer = Arc::new(Simulated(Flaky::default()));
    acquirer.gated_captures.store(true, Ordering::SeqCst);
    let Some(app) = crate::helpers::spawn_app_with(backend, &[], Some(acquirer.clone())).await
    else {
        return;
    };
    let _dir = app.dir_guard();
    let key = Arc::new(key(&app, "shop").await);
    let app = Arc::new(app);
    let sale = {
        let (app, key) = (app.clone(), key.clone());
        tokio::spawn(async move {
            post(
                &app,
                &key,
                "/payments",
                &card_payment(900, "4111111111111111", "SALE"),
            )
            .await
        })
    };
    acquirer.entered.notified().await;
    // The capture is being asked: another payment is written meanwhile.
    let other = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        post(
            &app,
            &key,
            "/payments",
            &card_payment(300, "4000000000009995", "SALE"),
        ),
    )
    .await
    .expect("another payment is written while the capture is asked");
    assert_eq!(other.0, 402, "{}", other.1);
    acquirer.gate.add_permits(1);
    let (s, v) = sale.await.unwrap();
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["payment"]["status"], "CAPTURED", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_the_acquirer_takes_its_time_over_holds_up_no_other_write_sqlite() {
    a_capture_the_acquirer_takes_its_time_over_holds_up_no_other_write(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_the_acquirer_takes_its_time_over_holds_up_no_other_write_postgres() {
    a_capture_the_acquirer_takes_its_time_over_holds_up_no_other_write(Backend::Postgres).await;
}

/// The hourly release of expired authorisations asks the acquirer to cancel outside any
/// write transaction: while the acquirer takes its time, other payments are written.
async fn an_expiry_the_acquirer_takes_its_time_over_holds_up_no_other_write(backend: Backend) {
    use std::sync::atomic::Ordering;
    let acquirer = Arc::new(Simulated(Flaky::default()));
    let Some(app) = crate::helpers::spawn_app_with(backend, &[], Some(acquirer.clone())).await
    else {
        return;
    };
    let _dir = app.dir_guard();
    let key = Arc::new(key(&app, "shop").await);
    let (s, v) = post(
        &app,
        &key,
        "/payments",
        &card_payment(900, "4111111111111111", "PRE_AUTHORIZATION"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["payment"]["id"].as_str().unwrap().to_owned();
    let row_id = server::payments::records::parse_public_id(&id).unwrap();
    let row = payment::Entity::find_by_id(row_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: payment::ActiveModel = row.into();
    row.authorised_at = Set(Some(chrono::Utc::now() - chrono::Duration::days(30)));
    row.update(&app.db).await.unwrap();
    server::payments::engine::expiry::ensure_scheduled(&app.db)
        .await
        .unwrap();
    acquirer.gated_cancels.store(true, Ordering::SeqCst);
    let app = Arc::new(app);
    let release = {
        let (app, acquirer) = (app.clone(), acquirer.clone());
        tokio::spawn(async move {
            run_now(
                &app,
                acquirer,
                server::platform::jobs::kind::EXPIRE_AUTHORISATIONS,
            )
            .await
        })
    };
    acquirer.entered.notified().await;
    // The acquirer is being asked to release the funds: another payment is written.
    let other = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        post(
            &app,
            &key,
            "/payments",
            &card_payment(300, "4000000000009995", "SALE"),
        ),
    )
    .await
    .expect("another payment is written while the release is asked");
    assert_eq!(other.0, 402, "{}", other.1);
    acquirer.gate.add_permits(1);
    release.await.unwrap();
    let (s, v) = get(&app, &key, &format!("/payments/{id}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "CANCELLED", "{v}");
    let expired = operation::Entity::find()
        .filter(operation::Column::PaymentId.eq(row_id))
        .filter(operation::Column::Kind.eq("expire"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].result, "approved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_the_acquirer_takes_its_time_over_holds_up_no_other_write_sqlite() {
    an_expiry_the_acquirer_takes_its_time_over_holds_up_no_other_write(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_the_acquirer_takes_its_time_over_holds_up_no_other_write_postgres() {
    an_expiry_the_acquirer_takes_its_time_over_holds_up_no_other_write(Backend::Postgres).await;
}
