//! Payment settings the engine obeys (MB-14, MB-15): with two-step payment off, a
//! pre-authorisation is refused on every channel (the API naming
//! `cardPaymentMethodSpecificInput.authorizationMode`, MOTO next to its field) and the
//! settings page refuses delayed or manual capture with it; a hosted checkout created
//! without a return URL takes the merchant's default. Each change is audited.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{card_payment, key, post};
use app::configuration::PaymentSettings;
use app::error::Problem;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{audit_log, hosted_checkout};

async fn settings(app: &TestApp, cookie: &str) -> PaymentSettings {
    serde_json::from_str(
        &app.call("config/payment_settings", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap()
}

/// The page's form: every field of `s`, with the engine settings.
async fn save(app: &TestApp, cookie: &str, s: &PaymentSettings) -> FnResponse {
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
    if s.show_final_page {
        form.push(("show_final_page", "on"));
    }
    if s.two_step_allowed {
        form.push(("two_step_allowed", "on"));
    }
    if s.session_events {
        form.push(("session_events", "on"));
    }
    form.push(("notification_emails", &s.notification_emails));
    app.call("config/save_payment_settings", &form, Some(cookie))
        .await
}

fn checkout(mode: Option<&str>, return_url: Option<&str>) -> Value {
    let mut body = json!({
        "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
        "hostedCheckoutSpecificInput": { "locale": "en_GB" },
    });
    if let Some(mode) = mode {
        body["cardPaymentMethodSpecificInput"] = json!({ "authorizationMode": mode });
    }
    if let Some(url) = return_url {
        body["hostedCheckoutSpecificInput"]["returnUrl"] = json!(url);
    }
    body
}

async fn return_url_of(app: &TestApp, created: &Value) -> Option<String> {
    hosted_checkout::Entity::find_by_id(created["hostedCheckoutId"].as_str().unwrap())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .return_url
}

both_backends!(
    two_step_payment_off_refuses_pre_authorisations_everywhere,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let before = settings(&app, &admin).await;
        assert!(before.two_step_allowed, "allowed unless turned off");
        assert_eq!(before.default_return_url, "");

        // Allowed: a pre-authorisation is taken.
        let (s, body) = post(
            &app,
            &k,
            "/payments",
            &card_payment(1_000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201, "{body}");

        // Off together with delayed capture, and a return URL that is no address:
        // both refused next to their fields, nothing saved.
        let mut bad = before.clone();
        bad.two_step_allowed = false;
        bad.capture_procedure = "delayed".into();
        bad.default_return_url = "javascript:alert(1)".into();
        let e = save(&app, &admin, &bad).await.error();
        assert_eq!(
            e.problem_for("capture_procedure"),
            Some(&Problem::TwoStepNotAllowed),
            "{e:?}"
        );
        assert_eq!(
            e.problem_for("default_return_url"),
            Some(&Problem::InvalidUrl),
            "{e:?}"
        );
        assert_eq!(settings(&app, &admin).await, before, "nothing saved");

        let mut off = before.clone();
        off.two_step_allowed = false;
        off.default_return_url = "https://shop.example/back".into();
        save(&app, &admin, &off).await.ok();
        assert_eq!(settings(&app, &admin).await, off);
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            row.detail.contains("two_step_allowed: true → false"),
            "{}",
            row.detail
        );
        assert!(
            row.detail.contains("https://shop.example/back"),
            "{}",
            row.detail
        );

        // The API refuses both pre-authorisation modes, naming the property; a sale
        // goes through.
        for mode in ["PRE_AUTHORIZATION", "FINAL_AUTHORIZATION"] {
            let (s, body) = post(
                &app,
                &k,
                "/payments",
                &card_payment(1_000, "4111111111111111", mode),
            )
            .await;
            assert_eq!(s, 400, "{mode}: {body}");
            assert_eq!(
                body["errors"][0]["propertyName"],
                "cardPaymentMethodSpecificInput.authorizationMode",
                "{body}"
            );
        }
        let (s, body) = post(
            &app,
            &k,
            "/payments",
            &card_payment(1_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{body}");

        // So does a hosted checkout asking for one.
        let (s, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &checkout(Some("PRE_AUTHORIZATION"), None),
        )
        .await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["errors"][0]["propertyName"], "cardPaymentMethodSpecificInput.authorizationMode",
            "{body}"
        );

        // MOTO: next to the mode field.
        let res = app
            .call(
                "ops/moto",
                &[
                    ("form[reference]", "moto-1"),
                    ("form[description]", "Phone order"),
                    ("form[currency]", "EUR"),
                    ("form[amount]", "10.00"),
                    ("form[mode]", "PRE_AUTHORIZATION"),
                    ("form[customer_id]", ""),
                    ("form[number]", "4111 1111 1111 1111"),
                    ("form[expiry]", "12/30"),
                    ("form[holder]", "Ada Lovelace"),
                    ("form[cvc]", "123"),
                ],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("mode"),
            Some(&Problem::TwoStepNotAllowed),
            "{}",
            res.body
        );
    }
);

both_backends!(
    a_hosted_checkout_without_return_url_takes_the_default,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        // No default yet: none kept.
        let (s, created) = post(&app, &k, "/hostedcheckouts", &checkout(None, None)).await;
        assert_eq!(s, 201, "{created}");
        assert_eq!(return_url_of(&app, &created).await, None);

        let mut s = settings(&app, &admin).await;
        s.default_return_url = "https://shop.example/thanks".into();
        save(&app, &admin, &s).await.ok();
        let (status, created) = post(&app, &k, "/hostedcheckouts", &checkout(None, None)).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            return_url_of(&app, &created).await.as_deref(),
            Some("https://shop.example/thanks")
        );
        // A checkout's own return URL wins.
        let (status, created) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &checkout(None, Some("https://shop.example/own")),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            return_url_of(&app, &created).await.as_deref(),
            Some("https://shop.example/own")
        );

        // An older form without the engine settings keeps them.
        app.call(
            "config/save_payment_settings",
            &[
                ("retry_count", "3"),
                ("capture_procedure", "immediate"),
                ("capture_delay_hours", "0"),
                ("session_minutes", "30"),
                ("over_capture_percent", "0"),
                ("web_site", ""),
            ],
            Some(&admin),
        )
        .await
        .ok();
        let kept = settings(&app, &admin).await;
        assert_eq!(kept.default_return_url, "https://shop.example/thanks");
        assert!(kept.two_step_allowed);
    }
);

both_backends!(
    session_creation_events_are_sent_when_asked,
    &[],
    |app: TestApp| async move {
        use sea_orm::PaginatorTrait;
        use server::entities::webhook_event;
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "https://hooks.example/in").await;
        let sessions = || async {
            webhook_event::Entity::find()
                .filter(webhook_event::Column::MerchantId.eq(m.id))
                .filter(webhook_event::Column::Kind.eq("hostedcheckout.created"))
                .all(&app.db)
                .await
                .unwrap()
        };
        // Off unless asked: no event.
        let (s, _) = post(&app, &k, "/hostedcheckouts", &checkout(None, None)).await;
        assert_eq!(s, 201);
        assert!(sessions().await.is_empty());

        let mut on = settings(&app, &admin).await;
        assert!(!on.session_events);
        on.session_events = true;
        save(&app, &admin, &on).await.ok();
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            row.detail.contains("session_events: false → true"),
            "{}",
            row.detail
        );
        let (s, created) = post(&app, &k, "/hostedcheckouts", &checkout(None, None)).await;
        assert_eq!(s, 201, "{created}");
        let events = sessions().await;
        assert_eq!(events.len(), 1);
        let body: Value = serde_json::from_str(&events[0].body).unwrap();
        assert_eq!(body["type"], "hostedcheckout.created");
        assert_eq!(body["hostedCheckout"]["id"], created["hostedCheckoutId"]);
        assert_eq!(body["hostedCheckout"]["amountOfMoney"]["amount"], 1250);
        // Through the webhook outbox: one delivery for the endpoint.
        let deliveries = server::entities::webhook_delivery::Entity::find()
            .filter(server::entities::webhook_delivery::Column::EventId.eq(events[0].id.clone()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(deliveries, 1);
    }
);

both_backends!(
    notification_emails_get_a_mail_per_successful_payment_and_refund,
    &[],
    |app: TestApp| async move {
        use server::entities::email_outbox;
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let mails = || async {
            email_outbox::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.to_address.ends_with("@shop.example"))
                .collect::<Vec<_>>()
        };
        // None chosen: a payment mails nobody.
        let (s, _) = post(
            &app,
            &k,
            "/payments",
            &card_payment(1_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201);
        assert!(mails().await.is_empty());

        let mut bad = settings(&app, &admin).await;
        bad.notification_emails = "ops@shop.example, not an address".into();
        let e = save(&app, &admin, &bad).await.error();
        assert_eq!(
            e.problem_for("notification_emails"),
            Some(&Problem::InvalidEmail),
            "{e:?}"
        );

        let mut good = bad.clone();
        good.notification_emails =
            " Ops@Shop.example ; finance@shop.example, ops@shop.example".into();
        save(&app, &admin, &good).await.ok();
        assert_eq!(
            settings(&app, &admin).await.notification_emails,
            "Ops@shop.example,finance@shop.example"
        );
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(row.detail.contains("notification_emails"), "{}", row.detail);

        // A sale: one mail to each address.
        let (s, sale) = post(
            &app,
            &k,
            "/payments",
            &card_payment(2_500, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{sale}");
        let sent = mails().await;
        assert_eq!(sent.len(), 2, "{sent:?}");
        let id = sale["payment"]["id"].as_str().unwrap();
        for m in &sent {
            assert!(m.subject.starts_with("Successful payment"), "{}", m.subject);
            assert!(m.subject.contains(id), "{}", m.subject);
        }
        // An authorisation waiting for capture is not a successful payment yet.
        let (s, _) = post(
            &app,
            &k,
            "/payments",
            &card_payment(1_000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        assert_eq!(s, 201);
        assert_eq!(mails().await.len(), 2);
        // A refund: one more mail to each.
        app.call(
            "ops/refund",
            &[("id", id), ("amount", "5.00")],
            Some(&admin),
        )
        .await
        .ok();
        let sent = mails().await;
        assert_eq!(sent.len(), 4, "{sent:?}");
        assert_eq!(
            sent.iter()
                .filter(|m| m.subject.starts_with("Refund"))
                .count(),
            2
        );
    }
);
