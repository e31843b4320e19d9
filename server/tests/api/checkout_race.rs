//! Hosted checkouts under parallel pay requests: one approved payment at most, the
//! retry count bounding every attempt, parallel ones included, and the pay endpoints
//! throttled per checkout and per client address.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{key, post, Key};
use app::checkout::{CheckoutState, CheckoutView};
use app::error::AppError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use server::entities::{hosted_checkout, merchant, operation, payment};
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

async fn set_retry_count(app: &TestApp, pspid: &str, retries: i32) {
    let m = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: merchant::ActiveModel = m.into();
    m.retry_count = Set(retries);
    m.update(&app.db).await.unwrap();
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
