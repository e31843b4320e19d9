//! The processing mode (MB-14), with the test card whose acquirer cannot be reached on a
//! payment's first attempt (4000 0000 0000 9102): online always refuses it (REJECTED,
//! 91) and queues nothing; online with fallback to offline (the default) queues its
//! authorisation (AUTHORIZATION_REQUESTED) and the job captures it; offline queues every
//! card payment (S2S and hosted checkout, whose payer sees the pending page), which the
//! job then captures or rejects. The mode is checked and
//! audited on the settings page. A queued authorisation the acquirer never answers is
//! rejected 91 on its job's last attempt, its card forgotten.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{card_payment, get, key, post, Key};
use app::configuration::PaymentSettings;
use app::error::Problem;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use server::entities::{audit_log, job, payment, webhook_event};
use server::payments::acquirer::{Acquirer, AuthRequest, AuthResult, ChangeInquiry};
use server::platform::jobs::kind;
use std::sync::Arc;

const UNREACHABLE: &str = "4000000000009102";

async fn settings(app: &TestApp, cookie: &str) -> PaymentSettings {
    serde_json::from_str(
        &app.call("config/payment_settings", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap()
}

/// Saves the settings page's form with `mode` and `days`, the rest as stored.
async fn save_mode(app: &TestApp, cookie: &str, mode: &str, days: &str) -> FnResponse {
    let s = settings(app, cookie).await;
    let numbers = [
        ("retry_count", s.retry_count.to_string()),
        ("capture_delay_hours", s.capture_delay_hours.to_string()),
        ("session_minutes", s.session_minutes.to_string()),
        ("over_capture_percent", s.over_capture_percent.to_string()),
    ];
    let mut form: Vec<(&str, &str)> = numbers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("capture_procedure", &s.capture_procedure));
    form.push(("web_site", &s.web_site));
    form.push(("report_format", &s.report_format));
    form.push(("engine_settings", "on"));
    form.push(("default_return_url", &s.default_return_url));
    form.push(("notification_emails", &s.notification_emails));
    form.push(("processing_mode", mode));
    form.push(("reservation_days", days));
    if s.show_final_page {
        form.push(("show_final_page", "on"));
    }
    if s.two_step_allowed {
        form.push(("two_step_allowed", "on"));
    }
    if s.session_events {
        form.push(("session_events", "on"));
    }
    app.call("config/save_payment_settings", &form, Some(cookie))
        .await
}

/// Queued authorisations of the payment `row`.
async fn queued(app: &TestApp, row: i64) -> u64 {
    job::Entity::find()
        .filter(job::Column::Kind.eq(kind::AUTHORISE_QUEUED))
        .filter(job::Column::Payload.contains(format!("\"payment\":{row}")))
        .count(&app.db)
        .await
        .unwrap()
}

/// Runs the due jobs now, as the job runner does.
async fn run_jobs(app: &TestApp) {
    run_jobs_with(app, None).await
}

/// Runs the due jobs now, asking `acquirer` (the simulated one when `None`).
async fn run_jobs_with(app: &TestApp, acquirer: Option<Arc<dyn Acquirer>>) {
    job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(chrono::Utc::now()))
        .filter(job::Column::Kind.eq(kind::AUTHORISE_QUEUED))
        .filter(job::Column::State.eq("queued"))
        .exec(&app.db)
        .await
        .unwrap();
    let mut builder = server::state::AppState::builder(app.db.clone(), app.config.clone());
    if let Some(acquirer) = acquirer {
        builder = builder.acquirer(acquirer);
    }
    let runner = builder.build().worker(None);
    while runner.run_once().await.unwrap() {}
}

async fn status(app: &TestApp, k: &Key, id: &str) -> Value {
    let (s, v) = get(app, k, &format!("/payments/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Pays `number` by S2S (a sale): the answer's status and the payment's ids.
async fn pay(app: &TestApp, k: &Key, number: &str) -> (u16, Value, String, i64) {
    let (s, v) = post(app, k, "/payments", &card_payment(1_500, number, "SALE")).await;
    let payment = if s == 402 {
        &v["paymentResult"]["payment"]
    } else {
        &v["payment"]
    };
    let id = payment["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_owned();
    let row = server::payments::records::parse_public_id(&id).unwrap();
    (s, v, id, row)
}

async fn sealed_card(app: &TestApp, row: i64) -> bool {
    payment::Entity::find_by_id(row)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .pending_card_enc
        .is_some()
}

both_backends!(
    the_processing_mode_decides_what_an_unreachable_acquirer_does,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "http://127.0.0.1:9/hooks").await;
        assert_eq!(
            settings(&app, &admin).await.processing_mode,
            "online_fallback",
            "online with fallback to offline unless chosen"
        );

        // Online with fallback: queued, then captured by the job; the card forgotten.
        let (s, v, id, row) = pay(&app, &k, UNREACHABLE).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "AUTHORIZATION_REQUESTED", "{v}");
        assert_eq!(queued(&app, row).await, 1);
        assert!(sealed_card(&app, row).await, "kept sealed until answered");
        run_jobs(&app).await;
        let got = status(&app, &k, &id).await;
        assert_eq!(got["status"], "CAPTURED", "{got}");
        assert!(!sealed_card(&app, row).await, "forgotten once answered");
        let captured = webhook_event::Entity::find()
            .filter(webhook_event::Column::Kind.eq("payment.captured"))
            .filter(webhook_event::Column::Body.contains(id.as_str()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(captured, 1, "the job's answer sends its webhook");

        // An unknown mode is refused next to its field; the change is audited.
        let e = save_mode(&app, &admin, "sometimes", "7").await.error();
        assert_eq!(
            e.problem_for("processing_mode"),
            Some(&Problem::OutOfRange),
            "{e:?}"
        );
        save_mode(&app, &admin, "online", "7").await.ok();
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            audit
                .detail
                .contains("processing_mode: online_fallback → online"),
            "{}",
            audit.detail
        );

        // Online always: refused at once with 91, nothing queued.
        let (s, v, id, row) = pay(&app, &k, UNREACHABLE).await;
        assert_eq!(s, 402, "{v}");
        assert_eq!(v["errors"][0]["code"], "91", "{v}");
        assert_eq!(v["paymentResult"]["payment"]["status"], "REJECTED", "{v}");
        assert_eq!(queued(&app, row).await, 0);
        assert!(!sealed_card(&app, row).await);
        assert_eq!(status(&app, &k, &id).await["status"], "REJECTED");

        // Offline: every card payment is queued, then answered by the job.
        save_mode(&app, &admin, "offline", "7").await.ok();
        let (s, v, approved, approved_row) = pay(&app, &k, "4111111111111111").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "AUTHORIZATION_REQUESTED", "{v}");
        let (s, v, declined, declined_row) = pay(&app, &k, "4000000000009995").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "AUTHORIZATION_REQUESTED", "{v}");
        assert_eq!(queued(&app, approved_row).await, 1);
        assert_eq!(queued(&app, declined_row).await, 1);
        run_jobs(&app).await;
        assert_eq!(status(&app, &k, &approved).await["status"], "CAPTURED");
        let got = status(&app, &k, &declined).await;
        assert_eq!(got["status"], "REJECTED", "{got}");
        let row = payment::Entity::find_by_id(declined_row)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.refusal_code.as_deref(), Some("51"));
        assert!(row.pending_card_enc.is_none());

        // A hosted checkout in offline mode: the payer sees the pending page, then the
        // job pays it.
        let (status, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &serde_json::json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
                "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let checkout = body["hostedCheckoutId"].as_str().unwrap().to_owned();
        let paid: app::checkout::CheckoutView = serde_json::from_str(
            &app.call(
                "pay/pay",
                &[
                    ("id", checkout.as_str()),
                    ("number", "4111 1111 1111 1111"),
                    ("expiry", "12/30"),
                    ("cvc", "123"),
                    ("holder", "Pat Payer"),
                ],
                None,
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert_eq!(paid.state, app::checkout::CheckoutState::Pending);
        run_jobs(&app).await;
        let view: app::checkout::CheckoutView = serde_json::from_str(
            &app.call("pay/view", &[("id", checkout.as_str())], None)
                .await
                .ok()
                .body,
        )
        .unwrap();
        assert_eq!(view.state, app::checkout::CheckoutState::Paid);
    }
);

/// An acquirer that is never reached, and knows nothing when asked.
struct Down;

#[async_trait::async_trait]
impl Acquirer for Down {
    async fn authorise(&self, _request: AuthRequest<'_>) -> AuthResult {
        AuthResult::NotReached
    }
    async fn capture(
        &self,
        _rrn: &str,
        _amount: domain::money::Money,
        _reference: &str,
    ) -> Result<String, String> {
        Err("unreachable".into())
    }
    async fn refund(
        &self,
        _rrn: &str,
        _amount: domain::money::Money,
        _reference: &str,
    ) -> Result<String, String> {
        Err("unreachable".into())
    }
    async fn cancel(&self, _rrn: &str, _reference: &str) -> Result<(), String> {
        Err("unreachable".into())
    }
    async fn inquire(&self, _reference: &str) -> Option<AuthResult> {
        None
    }
    async fn inquire_change(&self, _reference: &str) -> ChangeInquiry {
        ChangeInquiry::Unknown
    }
}

both_backends!(
    a_queued_authorisation_never_answered_is_rejected_at_the_jobs_end,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "http://127.0.0.1:9/hooks").await;
        save_mode(&app, &admin, "offline", "7").await.ok();
        let (s, v, id, row) = pay(&app, &k, "4111111111111111").await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["payment"]["status"], "AUTHORIZATION_REQUESTED", "{v}");

        // Not the last attempt: the payment keeps waiting, its card sealed.
        run_jobs_with(&app, Some(Arc::new(Down))).await;
        assert_eq!(
            status(&app, &k, &id).await["status"],
            "AUTHORIZATION_REQUESTED"
        );
        assert!(sealed_card(&app, row).await);
        let waiting = job::Entity::find()
            .filter(job::Column::Kind.eq(kind::AUTHORISE_QUEUED))
            .filter(job::Column::Payload.contains(format!("\"payment\":{row}")))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(waiting.state, "queued");
        assert_eq!(waiting.attempts, 1);

        // The last attempt (about three days on): rejected 91, the card forgotten.
        job::Entity::update_many()
            .col_expr(job::Column::Attempts, Expr::value(waiting.max_attempts - 1))
            .filter(job::Column::Id.eq(waiting.id))
            .exec(&app.db)
            .await
            .unwrap();
        run_jobs_with(&app, Some(Arc::new(Down))).await;
        let got = status(&app, &k, &id).await;
        assert_eq!(got["status"], "REJECTED", "{got}");
        let stored = payment::Entity::find_by_id(row)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.refusal_code.as_deref(), Some("91"));
        assert!(stored.pending_card_enc.is_none(), "forgotten once rejected");
        let done = job::Entity::find_by_id(waiting.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.state, "done");
        let rejected = webhook_event::Entity::find()
            .filter(webhook_event::Column::Kind.eq("payment.rejected"))
            .filter(webhook_event::Column::Body.contains(id.as_str()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(rejected, 1, "the rejection sends its webhook");

        // A queued card that cannot be read any more is rejected at once, not retried.
        let (_, _, id, row) = pay(&app, &k, "4111111111111111").await;
        payment::Entity::update_many()
            .col_expr(
                payment::Column::PendingCardEnc,
                Expr::value("not a sealed card"),
            )
            .filter(payment::Column::Id.eq(row))
            .exec(&app.db)
            .await
            .unwrap();
        run_jobs(&app).await;
        assert_eq!(status(&app, &k, &id).await["status"], "REJECTED");
        let stored = payment::Entity::find_by_id(row)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.refusal_code.as_deref(), Some("96"));
        assert!(stored.pending_card_enc.is_none());
    }
);
