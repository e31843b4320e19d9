//! Authorisations expire: an uncaptured authorisation older than the merchant's card
//! reservation period is released by the hourly job (Expired in the back office,
//! CANCELLED 6 in the API, an `expire` operation and a `payment.cancelled` event); a
//! captured one and a recent one are untouched; an automatic capture due within the
//! period holds the release; a changed period (checked and audited on the settings page)
//! applies to earlier authorisations; a capture after expiry is refused.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{assert_direct_error, card_payment, get, key, post, Key};
use app::configuration::PaymentSettings;
use app::error::Problem;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;
use server::entities::{audit_log, job, operation, payment, webhook_event};
use server::platform::jobs::kind;

async fn settings(app: &TestApp, cookie: &str) -> PaymentSettings {
    serde_json::from_str(
        &app.call("config/payment_settings", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap()
}

/// The settings page's form with `s`'s values.
async fn save(app: &TestApp, cookie: &str, s: &PaymentSettings) -> FnResponse {
    let numbers = [
        ("retry_count", s.retry_count.to_string()),
        ("capture_delay_hours", s.capture_delay_hours.to_string()),
        ("session_minutes", s.session_minutes.to_string()),
        ("over_capture_percent", s.over_capture_percent.to_string()),
        ("reservation_days", s.reservation_days.to_string()),
    ];
    let mut form: Vec<(&str, &str)> = numbers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("capture_procedure", &s.capture_procedure));
    form.push(("web_site", &s.web_site));
    form.push(("report_format", &s.report_format));
    form.push(("engine_settings", "on"));
    form.push(("default_return_url", &s.default_return_url));
    form.push(("notification_emails", &s.notification_emails));
    form.push(("processing_mode", &s.processing_mode));
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

/// A pre-authorisation of `amount`: its public id and row id.
async fn authorise(app: &TestApp, k: &Key, amount: i64) -> (String, i64) {
    let (s, v) = post(
        app,
        k,
        "/payments",
        &card_payment(amount, "4111111111111111", "PRE_AUTHORIZATION"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["payment"]["status"], "PENDING_CAPTURE", "{v}");
    let id = v["payment"]["id"].as_str().unwrap().to_owned();
    let row = server::payments::records::parse_public_id(&id).unwrap();
    (id, row)
}

/// Moves the payment's authorisation `hours` into the past.
async fn authorised_ago(app: &TestApp, id: i64, hours: i64) {
    let row = payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut row: payment::ActiveModel = row.into();
    row.authorised_at = Set(Some(Utc::now() - Duration::hours(hours)));
    row.update(&app.db).await.unwrap();
}

/// Runs the release of expired authorisations as the job runner does.
async fn run_release(app: &TestApp) {
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value("done"))
        .filter(job::Column::Kind.eq(kind::EXPIRE_AUTHORISATIONS))
        .filter(job::Column::State.eq("queued"))
        .exec(&app.db)
        .await
        .unwrap();
    server::payments::engine::expiry::ensure_scheduled(&app.db)
        .await
        .unwrap();
    let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .build()
        .worker(None);
    while runner.run_once().await.unwrap() {}
    let next = job::Entity::find()
        .filter(job::Column::Kind.eq(kind::EXPIRE_AUTHORISATIONS))
        .filter(job::Column::State.eq("queued"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the next run is queued");
    assert!(
        next.run_at > Utc::now() + Duration::minutes(30),
        "in an hour"
    );
}

async fn status(app: &TestApp, k: &Key, id: &str) -> Value {
    let (s, v) = get(app, k, &format!("/payments/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v
}

both_backends!(
    uncaptured_authorisations_expire_after_the_reservation_period,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "http://127.0.0.1:9/hooks").await;
        let before = settings(&app, &admin).await;
        assert_eq!(before.reservation_days, 7, "7 days unless chosen");

        let (old, old_row) = authorise(&app, &k, 1_000).await;
        let (captured, captured_row) = authorise(&app, &k, 2_000).await;
        let (recent, recent_row) = authorise(&app, &k, 3_000).await;
        let (held, held_row) = authorise(&app, &k, 4_000).await;
        let (s, v) = post(
            &app,
            &k,
            &format!("/payments/{captured}/capture"),
            &serde_json::json!({ "amount": 500 }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        authorised_ago(&app, old_row, 8 * 24).await;
        authorised_ago(&app, captured_row, 8 * 24).await;
        authorised_ago(&app, recent_row, 2 * 24).await;

        run_release(&app).await;
        let v = status(&app, &k, &old).await;
        assert_eq!(v["status"], "CANCELLED", "{v}");
        assert_eq!(v["statusOutput"]["statusCode"], 6, "{v}");
        assert_eq!(v["statusOutput"]["statusCategory"], "UNSUCCESSFUL", "{v}");
        let row = payment::Entity::find_by_id(old_row)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            server::payments::records::ledger(&row).unwrap().label(),
            domain::payment::Label::Expired,
            "the back office shows Expired"
        );
        let ops = operation::Entity::find()
            .filter(operation::Column::PaymentId.eq(old_row))
            .filter(operation::Column::Kind.eq("expire"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(ops, 1, "one expire operation");
        let events = webhook_event::Entity::find()
            .filter(webhook_event::Column::Kind.eq("payment.cancelled"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(events[0].body.contains(&old), "{}", events[0].body);
        let v = status(&app, &k, &captured).await;
        assert_eq!(v["status"], "CAPTURED", "a captured one is untouched: {v}");
        let v = status(&app, &k, &recent).await;
        assert_eq!(v["status"], "PENDING_CAPTURE", "{v}");

        // A capture after expiry is refused, the Direct way.
        let (s, v) = post(
            &app,
            &k,
            &format!("/payments/{old}/capture"),
            &serde_json::json!({ "amount": 1_000 }),
        )
        .await;
        assert_eq!(s, 409, "{v}");
        assert_direct_error(&v, 409);
        assert_eq!(v["errors"][0]["id"], "ACTION_NOT_ALLOWED_ON_TARGET", "{v}");

        // The period is checked next to its field and audited.
        for bad in [0, 31] {
            let mut form = before.clone();
            form.reservation_days = bad;
            let e = save(&app, &admin, &form).await.error();
            assert_eq!(
                e.problem_for("reservation_days"),
                Some(&Problem::OutOfRange),
                "{bad}: {e:?}"
            );
        }
        let mut shorter = before.clone();
        shorter.reservation_days = 1;
        save(&app, &admin, &shorter).await.ok();
        assert_eq!(settings(&app, &admin).await.reservation_days, 1);
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            audit.detail.contains("reservation_days: 7 → 1"),
            "{}",
            audit.detail
        );

        // An automatic capture due within the period captures first: the release waits.
        authorised_ago(&app, held_row, 30).await;
        let row = payment::Entity::find_by_id(held_row)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: payment::ActiveModel = row.into();
        row.capture_after = Set(Some(Utc::now() - Duration::hours(7)));
        row.update(&app.db).await.unwrap();

        // The shorter period applies to the authorisation given before the change.
        run_release(&app).await;
        let v = status(&app, &k, &recent).await;
        assert_eq!(v["status"], "CANCELLED", "{v}");
        let v = status(&app, &k, &held).await;
        assert_eq!(v["status"], "PENDING_CAPTURE", "{v}");
        let (s, v) = post(
            &app,
            &k,
            &format!("/payments/{held}/capture"),
            &serde_json::json!({ "amount": 4_000 }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let v = status(&app, &k, &captured).await;
        assert_eq!(v["status"], "CAPTURED", "{v}");
    }
);
