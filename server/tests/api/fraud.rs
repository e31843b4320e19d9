//! Fraud detection (MB-19): rules added on the page (checked, Admins only, audited),
//! screening before the acquirer on every channel, the verdict in the API's
//! `fraudResults`, on the payment page, in the list's filter and the dashboard; velocity,
//! blocked cards kept as fingerprints, and IP countries from a MaxMind database.

use crate::both_backends;
use crate::helpers::*;
use crate::operations::detail;
use crate::payments::{card_payment, key, post};
use app::error::{AppError, Problem};
use app::fraud::{FraudPage, NewRuleForm, TestForm, TestResult};
use app::payments::{DashboardView, PaymentsPage};
use domain::fraud::RuleError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{audit_log, fraud_rule, operation, payment};

async fn page(app: &TestApp, cookie: &str) -> FraudPage {
    let res = app.call("fraud/page", &[], Some(cookie)).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

fn rule(kind: &str, action: &str) -> NewRuleForm {
    NewRuleForm {
        kind: kind.into(),
        action: action.into(),
        ..NewRuleForm::default()
    }
}

async fn add(app: &TestApp, cookie: &str, form: NewRuleForm) -> FnResponse {
    app.call_json("fraud/add", &json!({ "form": form }), Some(cookie))
        .await
}

async fn test_box(app: &TestApp, cookie: &str, form: TestForm) -> TestResult {
    let res = app
        .call_json("fraud/test", &json!({ "form": form }), Some(cookie))
        .await;
    serde_json::from_str(&res.ok().body).unwrap()
}

fn with_payer(mut body: Value, email: &str, ip: &str) -> Value {
    body["order"]["customer"] = json!({
        "contactDetails": { "emailAddress": email },
        "device": { "ipAddress": ip },
    });
    body
}

/// The fraud verdict the API gives for a payment answer (201) or a refusal (402).
fn verdict(status: u16, body: &Value) -> String {
    let payment = if status == 402 {
        &body["paymentResult"]["payment"]
    } else {
        &body["payment"]
    };
    payment["paymentOutput"]["cardPaymentMethodSpecificOutput"]["fraudResults"]
        ["fraudServiceResult"]
        .as_str()
        .unwrap_or_else(|| panic!("no fraudResults in {body}"))
        .to_owned()
}

both_backends!(
    rules_block_or_flag_payments_before_the_acquirer,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        assert!(page(&app, &admin).await.rules.is_empty());

        // Bad values are refused next to their fields, and nothing is stored.
        let e = add(
            &app,
            &admin,
            NewRuleForm {
                country: "XX".into(),
                ..rule("card_country", "block")
            },
        )
        .await
        .error();
        assert_eq!(
            e.problem_for("country"),
            Some(&Problem::FraudRule(RuleError::Country))
        );
        let e = add(
            &app,
            &admin,
            NewRuleForm {
                amount: "0".into(),
                currency: "EUR".into(),
                ..rule("max_amount", "block")
            },
        )
        .await
        .error();
        assert_eq!(
            e.problem_for("amount"),
            Some(&Problem::FraudRule(RuleError::Amount))
        );
        assert_eq!(fraud_rule::Entity::find().count(&app.db).await.unwrap(), 0);

        add(
            &app,
            &admin,
            NewRuleForm {
                amount: "100".into(),
                currency: "eur".into(),
                ..rule("max_amount", "block")
            },
        )
        .await
        .ok();
        add(
            &app,
            &admin,
            NewRuleForm {
                country: "us".into(),
                ..rule("card_country", "review")
            },
        )
        .await
        .ok();
        let p = page(&app, &admin).await;
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.rules[0].description, "maximum amount 100.00 EUR");
        assert_eq!(p.rules[1].description, "card issued in US");

        // Above the maximum: refused with 59, never approved by the acquirer.
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(15_000, "5555555555554444", "SALE"),
        )
        .await;
        assert_eq!(status, 402, "{body}");
        assert_eq!(body["errors"][0]["code"], "59", "{body}");
        assert_eq!(verdict(status, &body), "denied");
        let blocked = body["paymentResult"]["payment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let row = payment::Entity::find()
            .filter(payment::Column::Stage.eq(domain::payment::Stage::Rejected.code()))
            .one(&app.db)
            .await
            .unwrap()
            .expect("a rejected payment");
        assert_eq!(row.fraud_result.as_deref(), Some("denied"));
        assert_eq!(row.fraud_rule.as_deref(), Some("maximum amount 100.00 EUR"));
        let approved = operation::Entity::find()
            .filter(operation::Column::PaymentId.eq(row.id))
            .filter(operation::Column::Result.eq("approved"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(approved, 0);

        // A review rule lets the payment through, challenged.
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(5_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(verdict(status, &body), "challenged");
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(5_000, "5555555555554444", "SALE"),
        )
        .await;
        assert_eq!(verdict(status, &body), "accepted");

        // The payment page names the rule; the list filters by it; the dashboard counts it.
        let d = detail(
            app.call("ops/payment", &[("id", &blocked)], Some(&admin))
                .await,
        )
        .await;
        assert_eq!(
            d.fraud,
            Some(("denied".into(), "maximum amount 100.00 EUR".into()))
        );
        let list = |fraud: &'static str| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let res = app
                    .call(
                        "ops/payments",
                        &[("filter[page]", "1"), ("filter[fraud]", fraud)],
                        Some(&admin),
                    )
                    .await;
                let page: PaymentsPage = serde_json::from_str(&res.ok().body).unwrap();
                page
            }
        };
        let denied = list("denied").await;
        assert_eq!(denied.total, 1);
        assert_eq!(denied.rows[0].id, blocked);
        assert_eq!(list("challenged").await.total, 1);
        assert_eq!(list("").await.total, 3);
        let res = app
            .call("ops/dashboard", &[("query[period]", "today")], Some(&admin))
            .await;
        let dash: DashboardView = serde_json::from_str(&res.ok().body).unwrap();
        assert!(
            dash.refusals
                .iter()
                .any(|r| r.code == "59" && r.meaning.contains("maximum amount")),
            "{:?}",
            dash.refusals
        );

        // Changes are audited; deleting the rule lets the same payment through.
        let created = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("fraud_rule.create"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(created, 2);
        app.call_json(
            "fraud/delete",
            &json!({ "id": p.rules[0].id }),
            Some(&admin),
        )
        .await
        .ok();
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(15_000, "5555555555554444", "SALE"),
        )
        .await;
        assert_eq!(status, 201, "{body}");

        // Admins only, and only the merchant's own rules.
        let operator = app.session("shop", "operator").await;
        assert_eq!(
            app.call("fraud/page", &[], Some(&operator)).await.error(),
            AppError::Forbidden
        );
        assert_eq!(
            add(&app, &operator, rule("bin_range", "block"))
                .await
                .error(),
            AppError::Forbidden
        );
        app.merchant("other").await;
        let stranger = app.session("other", "admin").await;
        assert!(page(&app, &stranger).await.rules.is_empty());
        assert_eq!(
            app.call_json(
                "fraud/delete",
                &json!({ "id": p.rules[1].id }),
                Some(&stranger)
            )
            .await
            .error(),
            AppError::NotFound
        );
        assert_eq!(page(&app, &admin).await.rules.len(), 1);
    }
);

both_backends!(
    velocity_bin_ranges_and_blocked_cards,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        add(
            &app,
            &admin,
            NewRuleForm {
                attempts: "2".into(),
                window_minutes: "60".into(),
                ..rule("velocity_email", "block")
            },
        )
        .await
        .ok();
        let pay = |email: &'static str| {
            let (app, key) = (&app, &key);
            async move {
                let body = with_payer(
                    card_payment(1_000, "4000000000000002", "SALE"),
                    email,
                    "198.51.100.4",
                );
                let (status, body) = post(app, key, "/payments", &body).await;
                verdict(status, &body)
            }
        };
        // Two attempts are allowed, the third in the hour is blocked; another e-mail is not.
        assert_ne!(pay("mallory@example.com").await, "denied");
        assert_ne!(pay("mallory@example.com").await, "denied");
        assert_eq!(pay("mallory@example.com").await, "denied");
        assert_ne!(pay("alice@example.com").await, "denied");

        // A blocked card is kept only as a fingerprint, shown masked.
        add(
            &app,
            &admin,
            NewRuleForm {
                card_number: "5555 5555 5555 4444".into(),
                ..rule("card_number", "block")
            },
        )
        .await
        .ok();
        let stored = fraud_rule::Entity::find()
            .filter(fraud_rule::Column::Kind.eq("card_number"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!stored.value.contains("5555555555554444"));
        assert!(!stored.value.contains("555555"));
        assert_eq!(stored.shown, "555555******4444");
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(1_000, "5555555555554444", "SALE"),
        )
        .await;
        assert_eq!(verdict(status, &body), "denied");

        // A BIN range blocks before 3-D Secure is asked.
        add(
            &app,
            &admin,
            NewRuleForm {
                bins: "520000-520000".into(),
                ..rule("bin_range", "block")
            },
        )
        .await
        .ok();
        let (status, body) = post(
            &app,
            &key,
            "/payments",
            &card_payment(1_000, "5200000000001096", "SALE"),
        )
        .await;
        assert_eq!(status, 402, "{body}");
        assert_eq!(verdict(status, &body), "denied");

        // The test box screens typed values and records nothing.
        let before = payment::Entity::find().count(&app.db).await.unwrap();
        let r = test_box(
            &app,
            &admin,
            TestForm {
                amount: "10".into(),
                currency: "EUR".into(),
                card_number: "5200000000001096".into(),
                ..TestForm::default()
            },
        )
        .await;
        assert_eq!(r.result, "denied");
        assert_eq!(r.hits[0].1, "BIN 520000");
        assert_eq!(r.card_country.as_deref(), Some("DE"));
        let r = test_box(
            &app,
            &admin,
            TestForm {
                amount: "10".into(),
                currency: "EUR".into(),
                email: "mallory@example.com".into(),
                ..TestForm::default()
            },
        )
        .await;
        assert_eq!(r.result, "denied", "{r:?}");
        assert_eq!(
            payment::Entity::find().count(&app.db).await.unwrap(),
            before
        );
        let e = app
            .call_json(
                "fraud/test",
                &json!({ "form": TestForm { amount: "x".into(), currency: "EUR".into(), ip: "nope".into(), ..TestForm::default() } }),
                Some(&admin),
            )
            .await
            .error();
        assert_eq!(e.problem_for("amount"), Some(&Problem::InvalidAmount));
        assert_eq!(e.problem_for("ip"), Some(&Problem::OutOfRange));
    }
);

both_backends!(
    without_an_ip_database_ip_country_rules_are_unavailable,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        add(
            &app,
            &admin,
            NewRuleForm {
                country: "NL".into(),
                ..rule("ip_country", "block")
            },
        )
        .await
        .ok();
        let p = page(&app, &admin).await;
        assert!(!p.ip_database);
        assert!(p.rules[0].unavailable);
        let r = test_box(
            &app,
            &admin,
            TestForm {
                amount: "10".into(),
                currency: "EUR".into(),
                ip: "203.0.113.7".into(),
                ..TestForm::default()
            },
        )
        .await;
        assert_eq!(r.result, "accepted");
        assert_eq!(r.unchecked, vec!["payer's IP address in NL".to_string()]);
        let body = with_payer(
            card_payment(1_000, "4111111111111111", "SALE"),
            "a@example.com",
            "203.0.113.7",
        );
        let (status, body) = post(&app, &key, "/payments", &body).await;
        assert_eq!(status, 201, "{body}");
    }
);

/// A MaxMind DB with 203.0.113.0/24 in NL and 198.51.100.0/24 in US.
fn geoip_file() -> String {
    use maxminddb_writer::{paths::IpAddrWithMask, Database};
    let path = std::env::temp_dir().join("openpsp-it-geoip.mmdb");
    let mut db = Database::default();
    db.metadata.database_type = "OpenPSP-Test-Country".into();
    db.metadata.binary_format_major_version = 2;
    for (net, country) in [("203.0.113.0/24", "NL"), ("198.51.100.0/24", "US")] {
        let data = db
            .insert_value(json!({ "country": { "iso_code": country } }))
            .unwrap();
        db.insert_node(net.parse::<IpAddrWithMask>().unwrap(), data);
    }
    let file = std::fs::File::create(&path).unwrap();
    db.write_to(file).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_country_rules_read_the_operators_database() {
    let file = geoip_file();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_app(backend, &[("OPENPSP_GEOIP_DB", &file)]).await else {
            continue;
        };
        let _dir = app.dir_guard();
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        add(
            &app,
            &admin,
            NewRuleForm {
                country: "NL".into(),
                ..rule("ip_country", "block")
            },
        )
        .await
        .ok();
        let p = page(&app, &admin).await;
        assert!(p.ip_database && !p.rules[0].unavailable);
        let pay = |ip: &'static str| {
            let (app, key) = (&app, &key);
            async move {
                let body = with_payer(
                    card_payment(1_000, "4111111111111111", "SALE"),
                    "a@example.com",
                    ip,
                );
                let (status, body) = post(app, key, "/payments", &body).await;
                verdict(status, &body)
            }
        };
        assert_eq!(pay("203.0.113.7").await, "denied");
        assert_eq!(pay("198.51.100.9").await, "accepted");
        assert_eq!(
            pay("192.0.2.1").await,
            "accepted",
            "no country: not blocked"
        );
    }
}

both_backends!(
    terminals_are_screened_before_and_after_the_card,
    &[],
    |app: TestApp| async move {
        use crate::terminals::{bind, finished, pay, simulate, wait_connected};
        let key = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let _sim = simulate(&app, "T1000001");
        wait_connected(&app, "T1000001").await;
        bind(&app, "shop", "T1000001").await;
        add(
            &app,
            &admin,
            NewRuleForm {
                amount: "50".into(),
                currency: "EUR".into(),
                ..rule("max_amount", "block")
            },
        )
        .await
        .ok();
        // Above the maximum: the terminal is never asked.
        let (status, body) = post(
            &app,
            &key,
            "/terminals/T1000001/payments",
            &json!({ "amountOfMoney": { "amount": 5001, "currencyCode": "EUR" } }),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errors"][0]["propertyName"], "amountOfMoney.amount");
        // The simulator's card (476173…) is in a blocked BIN range: the terminal approved
        // it before the card was known here, so the payment is flagged for review.
        add(
            &app,
            &admin,
            NewRuleForm {
                bins: "476100-476199".into(),
                ..rule("bin_range", "block")
            },
        )
        .await
        .ok();
        let done = finished(&app, &key, &pay(&app, &key, "T1000001", 1234).await).await;
        assert_eq!(done["result"], "APPROVED", "{done}");
        let id = server::payments::records::parse_public_id(done["paymentId"].as_str().unwrap())
            .unwrap();
        let row = payment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.fraud_result.as_deref(), Some("challenged"));
        assert_eq!(row.fraud_rule.as_deref(), Some("BIN range 476100–476199"));
    }
);
