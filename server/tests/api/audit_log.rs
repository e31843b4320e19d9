//! The audit log: an Admin reads their merchant's entries — a refund, a payment
//! settings change with each field before → after — filtered and exported as CSV; other
//! roles, other merchants and the platform's own entries stay out; entries older than 12
//! months are purged by the daily job.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::audit::{AuditFilter, AuditPage};
use app::configuration::PaymentSettings;
use app::error::{AppError, Problem};
use chrono::{Duration, Utc};
use futures_util::StreamExt;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use server::entities::{audit_log, job, merchant};

/// The audit log's page for `filter`'s URL query, as `cookie`'s user.
async fn log_page(app: &TestApp, cookie: &str, query: &str) -> Result<AuditPage, AppError> {
    let f = AuditFilter::from_query(query);
    let page = f.page.to_string();
    let size = f.size.to_string();
    let form = [
        ("filter[from]", f.from.as_str()),
        ("filter[to]", &f.to),
        ("filter[user]", &f.user),
        ("filter[family]", &f.family),
        ("filter[text]", &f.text),
        ("filter[page]", &page),
        ("filter[size]", &size),
    ];
    let res = app.call("config/audit_log", &form, Some(cookie)).await;
    if res.status >= 300 {
        return Err(res.error());
    }
    Ok(serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("{e}: {}", res.body)))
}

/// The CSV download for `query`: status and body.
async fn export(app: &TestApp, cookie: Option<&str>, query: &str) -> (u16, String) {
    let mut req = app.http.get(format!(
        "{}/configuration/audit-log/export.csv?{query}",
        app.base
    ));
    if let Some(cookie) = cookie {
        req = req.header(reqwest::header::COOKIE, cookie);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A CSV body's rows, the header first (a cut file's last line has one cell).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
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

/// An entry written straight into the table, `age` ago.
async fn entry(app: &TestApp, merchant: Option<i64>, action: &str, detail: &str, age: Duration) {
    audit_log::ActiveModel {
        merchant_id: Set(merchant),
        user_id: Set(None),
        actor: Set("seed".to_owned()),
        action: Set(action.to_owned()),
        detail: Set(detail.to_owned()),
        ip: Set("192.0.2.7".to_owned()),
        created_at: Set(Utc::now() - age),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// Saves the payment settings as loaded, with `retry_count` changed.
async fn change_retries(app: &TestApp, cookie: &str, retry_count: i32) -> PaymentSettings {
    let before: PaymentSettings = serde_json::from_str(
        &app.call("config/payment_settings", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap();
    let numbers = [
        ("retry_count", retry_count.to_string()),
        (
            "capture_delay_hours",
            before.capture_delay_hours.to_string(),
        ),
        ("session_minutes", before.session_minutes.to_string()),
        (
            "over_capture_percent",
            before.over_capture_percent.to_string(),
        ),
    ];
    let columns: Vec<String> = before
        .report_columns
        .iter()
        .map(|c| format!("report_columns[{c}]"))
        .collect();
    let mut form: Vec<(&str, &str)> = numbers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("capture_procedure", &before.capture_procedure));
    form.push(("web_site", &before.web_site));
    form.push(("report_format", &before.report_format));
    if before.show_final_page {
        form.push(("show_final_page", "on"));
    }
    for c in &columns {
        form.push((c.as_str(), "on"));
    }
    app.call("config/save_payment_settings", &form, Some(cookie))
        .await
        .ok();
    before
}

both_backends!(
    an_admin_reads_refunds_and_settings_changes_of_their_merchant_only,
    &[],
    |app: TestApp| async move {
        let key_a = key(&app, "shopa").await;
        let key_b = key(&app, "shopb").await;
        let (a, b) = (
            merchant_id(&app, "shopa").await,
            merchant_id(&app, "shopb").await,
        );
        let admin = app.session("shopa", "admin").await;
        let operator = app.session("shopa", "operator").await;
        let b_admin = app.session("shopb", "admin").await;

        // A refund from the back office and a payment settings change.
        let (status, v) = post(
            &app,
            &key_a,
            "/payments",
            &card_payment(5_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        let paid = v["payment"]["id"].as_str().unwrap().to_owned();
        app.call(
            "ops/refund",
            &[("id", &paid), ("amount", "12.50")],
            Some(&admin),
        )
        .await
        .ok();
        let before = change_retries(&app, &admin, 1).await;
        assert_ne!(before.retry_count, 1);
        // Saving again without a change writes nothing.
        change_retries(&app, &admin, 1).await;
        // B's own life: a payment and a settings change naming B's web site.
        post(
            &app,
            &key_b,
            "/payments",
            &card_payment(1_000, "4111111111111111", "SALE"),
        )
        .await;
        let b_before = change_retries(&app, &b_admin, 2).await;
        let b_change = format!("retry_count: {} → 2", b_before.retry_count);
        entry(
            &app,
            Some(b),
            "config.secret",
            "B-only-secret detail",
            Duration::zero(),
        )
        .await;
        // The platform's own entries (no merchant): an unknown user's failed sign-in.
        entry(
            &app,
            None,
            "login.failure",
            "platform-only unknown user",
            Duration::zero(),
        )
        .await;
        // Entries of A's that a spreadsheet would run, and one two days old.
        entry(
            &app,
            Some(a),
            "config.note",
            "=HYPERLINK(\"http://evil.example\")",
            Duration::zero(),
        )
        .await;
        entry(
            &app,
            Some(a),
            "something.new",
            "100% off_line",
            Duration::zero(),
        )
        .await;
        entry(
            &app,
            Some(a),
            "login.success",
            "two days ago",
            Duration::days(2),
        )
        .await;

        let page = log_page(&app, &admin, "").await.unwrap();
        assert_eq!(page.zone, "Europe/Paris");
        assert!(
            page.users.contains(&"admin".to_owned()) && page.users.contains(&"operator".to_owned())
        );
        let refund = page
            .rows
            .iter()
            .find(|r| r.action == "payment.refund")
            .expect("the refund is logged");
        assert!(
            refund.detail.contains(&paid) && refund.detail.contains("12.50"),
            "{refund:?}"
        );
        assert_eq!(
            (refund.actor.as_str(), refund.family.as_deref()),
            ("admin", Some("payment"))
        );
        assert!(!refund.ip.is_empty());
        let settings: Vec<_> = page
            .rows
            .iter()
            .filter(|r| r.action == "config.payment_settings")
            .collect();
        assert_eq!(
            settings.len(),
            1,
            "one row per change, none for a save that changed nothing"
        );
        assert_eq!(
            settings[0].detail,
            format!("retry_count: {} → 1", before.retry_count)
        );
        assert_eq!(settings[0].family.as_deref(), Some("config"));
        // Unknown actions are shown as they are, without a family.
        let unknown = page
            .rows
            .iter()
            .find(|r| r.action == "something.new")
            .unwrap();
        assert_eq!(unknown.family, None);
        // Newest first; nothing of B's, nothing of the platform's.
        assert_eq!(page.rows.last().unwrap().detail, "two days ago");
        let all = serde_json::to_string(&page).unwrap();
        for foreign in ["B-only-secret", "platform-only", &b_change, "shopb"] {
            assert!(!all.contains(foreign), "A's log shows {foreign}");
        }
        let b_page = log_page(&app, &b_admin, "").await.unwrap();
        assert!(b_page.rows.iter().all(|r| !r.detail.contains(&paid)));
        assert!(b_page
            .rows
            .iter()
            .any(|r| r.detail.contains("B-only-secret")));

        // Only Admins, only signed in.
        assert!(matches!(
            log_page(&app, &operator, "").await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            app.call("config/audit_log", &[("filter[page]", "1")], None)
                .await
                .error(),
            AppError::Unauthenticated
        ));

        // Filters: family, user, words of the detail (taken literally), period, pages.
        let payments = log_page(&app, &admin, "family=payment").await.unwrap();
        assert!(!payments.rows.is_empty());
        assert!(
            payments
                .rows
                .iter()
                .all(|r| r.action.starts_with("payment.")),
            "{payments:?}"
        );
        assert!(payments.rows.iter().any(|r| r.action == "payment.refund"));
        let config = log_page(&app, &admin, "family=config&text=RETRY_count")
            .await
            .unwrap();
        assert_eq!(config.total, 1);
        assert_eq!(config.rows[0].action, "config.payment_settings");
        let literal = log_page(&app, &admin, "text=0%25%20off_").await.unwrap();
        assert_eq!(literal.total, 1);
        assert_eq!(log_page(&app, &admin, "text=0_%25").await.unwrap().total, 0);
        let by_operator = log_page(&app, &admin, "user=operator").await.unwrap();
        // The operator only signed in (as `PSPID/login`).
        assert_eq!(by_operator.total, 1, "{by_operator:?}");
        assert_eq!(by_operator.rows[0].action, "login.success");
        assert_eq!(by_operator.rows[0].actor, "shopa/operator");
        let by_admin = log_page(&app, &admin, "user=admin&family=login")
            .await
            .unwrap();
        assert!(by_admin.rows.iter().any(|r| r.action == "login.success"));
        let zone = domain::ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: true,
        };
        let today = zone.localize(Utc::now()).format("%Y-%m-%d").to_string();
        let yesterday = zone
            .localize(Utc::now() - Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let old = log_page(&app, &admin, &format!("to={yesterday}"))
            .await
            .unwrap();
        assert_eq!(old.total, 1);
        assert_eq!(old.rows[0].detail, "two days ago");
        let recent = log_page(&app, &admin, &format!("from={today}"))
            .await
            .unwrap();
        assert_eq!(recent.total, page.total - 1);
        let second = log_page(&app, &admin, "size=2&page=2").await.unwrap();
        assert_eq!((second.rows.len(), second.page), (2, 2));
        assert_eq!(second.pages as u64, page.total.div_ceil(2));
        assert_eq!(second.rows[0], page.rows[2]);
        let beyond = log_page(&app, &admin, "size=2&page=9999").await.unwrap();
        assert_eq!(beyond.page, beyond.pages);
        // Bad filters answer next to their field.
        let bad = log_page(&app, &admin, "from=2026-13-40&user=nobody&family=nope")
            .await
            .unwrap_err();
        assert_eq!(bad.problem_for("from"), Some(&Problem::InvalidDate));
        assert_eq!(bad.problem_for("user"), Some(&Problem::InvalidIdentifier));
        assert_eq!(bad.problem_for("family"), Some(&Problem::OutOfRange));
        let long = "x".repeat(201);
        assert_eq!(
            log_page(&app, &admin, &format!("text={long}"))
                .await
                .unwrap_err()
                .problem_for("text"),
            Some(&Problem::TooLong)
        );

        // The download: the filtered rows, dates in the user's zone, formulas defused.
        let (status, body) = export(&app, Some(&admin), "family=config").await;
        assert_eq!(status, 200, "{body}");
        let rows = csv_rows(&body);
        assert_eq!(
            rows[0],
            [
                "date (Europe/Paris)",
                "user",
                "ip",
                "action",
                "action_label",
                "detail"
            ]
        );
        assert!(
            rows[1..].iter().all(|r| r[3].starts_with("config.")),
            "{rows:?}"
        );
        let changed = rows
            .iter()
            .find(|r| r[3] == "config.payment_settings")
            .unwrap();
        assert_eq!(
            changed[5],
            format!("retry_count: {} → 1", before.retry_count)
        );
        assert_eq!(changed[4], "Configuration");
        assert_eq!(changed[0], settings[0].date);
        let formula = rows.iter().find(|r| r[3] == "config.note").unwrap();
        assert_eq!(formula[5], "'=HYPERLINK(\"http://evil.example\")");
        let (_, whole) = export(&app, Some(&admin), "").await;
        assert_eq!(csv_rows(&whole).len() as u64, page.total + 1);
        for foreign in ["B-only-secret", "platform-only", "shopb"] {
            assert!(!whole.contains(foreign), "A's download shows {foreign}");
        }
        let (_, theirs) = export(&app, Some(&b_admin), "").await;
        assert!(!theirs.contains(&paid) && theirs.contains("B-only-secret"));
        assert_eq!(export(&app, Some(&operator), "").await.0, 403);
        assert_eq!(export(&app, None, "").await.0, 401);
        assert_eq!(export(&app, Some(&admin), "from=yesterday").await.0, 400);

        // A longer log than the cap ends with a line saying where it was cut.
        let zone_a = domain::ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: true,
        };
        let select = server::audit::filtered(&app.db, a, &zone_a, &AuditFilter::default())
            .await
            .unwrap();
        let chunks: Vec<_> =
            server::audit::export::csv_stream(app.db.clone(), select, zone_a, domain::Lang::En, 3)
                .collect()
                .await;
        let text: String = chunks
            .into_iter()
            .map(|c| String::from_utf8(c.unwrap().to_vec()).unwrap())
            .collect();
        let cut = csv_rows(&text);
        assert_eq!(cut.len(), 1 + 3 + 1, "{text}");
        assert_eq!(
            cut.last().unwrap(),
            &["# Cut at 3 rows: narrow the period to export the rest.".to_owned()]
        );
    }
);

both_backends!(
    webhook_settings_and_their_key_are_logged_before_and_after,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        app.call(
            "config/save_webhooks",
            &[
                ("enabled", "true"),
                ("events", "payment.created,payment.refunded"),
            ],
            Some(&admin),
        )
        .await
        .ok();
        app.call(
            "config/add_endpoint",
            &[("url", "http://127.0.0.1:9/hooks")],
            Some(&admin),
        )
        .await
        .ok();
        app.call(
            "config/save_webhooks",
            &[("enabled", "true"), ("events", "payment.created")],
            Some(&admin),
        )
        .await
        .ok();
        app.call("config/rotate_webhook_key", &[], Some(&admin))
            .await
            .ok();
        let page = log_page(&app, &admin, "family=webhook").await.unwrap();
        let details: Vec<&str> = page.rows.iter().rev().map(|r| r.detail.as_str()).collect();
        assert_eq!(details.len(), 4, "{details:?}");
        assert!(details[0].starts_with(
            "enabled: false → true; events: \"\" → payment.created,payment.refunded; signing_key: \"\" → "
        ), "{details:?}");
        assert_eq!(details[1], "endpoint: \"\" → http://127.0.0.1:9/hooks");
        assert_eq!(
            details[2],
            "events: payment.created,payment.refunded → payment.created"
        );
        assert!(details[3].starts_with("signing_key: "), "{details:?}");
        assert!(details[3].contains(" → "), "{details:?}");
    }
);

both_backends!(
    the_daily_purge_deletes_entries_older_than_twelve_months,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let m = merchant_id(&app, "shop").await;
        entry(
            &app,
            Some(m),
            "login.success",
            "thirteen months",
            Duration::days(396),
        )
        .await;
        entry(
            &app,
            None,
            "login.failure",
            "thirteen months, no merchant",
            Duration::days(396),
        )
        .await;
        entry(
            &app,
            Some(m),
            "login.success",
            "eleven months",
            Duration::days(335),
        )
        .await;
        // The job runner's housekeeping queues the purge once, however often it runs.
        let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .worker(None);
        runner.housekeeping().await;
        runner.housekeeping().await;
        let purges = || {
            job::Entity::find()
                .filter(job::Column::Kind.eq(server::platform::jobs::kind::AUDIT_PURGE))
                .filter(job::Column::State.eq("queued"))
        };
        assert_eq!(purges().count(&app.db).await.unwrap(), 1);
        while runner.run_once().await.unwrap() {}
        let left: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.ne("audit.purge"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.detail)
            .collect();
        assert!(left.contains(&"eleven months".to_owned()), "{left:?}");
        assert!(!left.iter().any(|d| d.starts_with("thirteen")), "{left:?}");
        // One platform entry with the count, seen by no merchant.
        let purged = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("audit.purge"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(purged.len(), 1);
        assert_eq!(purged[0].merchant_id, None);
        assert!(
            purged[0]
                .detail
                .starts_with("2 audit entries older than 12 months"),
            "{}",
            purged[0].detail
        );
        // The next run is queued for the next day, once.
        let next = purges().all(&app.db).await.unwrap();
        assert_eq!(next.len(), 1);
        assert!(
            next[0].run_at > Utc::now() + Duration::hours(23),
            "{:?}",
            next[0].run_at
        );
        runner.housekeeping().await;
        assert_eq!(purges().count(&app.db).await.unwrap(), 1);
        let admin = app.session("shop", "admin").await;
        let page = log_page(&app, &admin, "").await.unwrap();
        assert!(page.rows.iter().all(|r| r.action != "audit.purge"));
    }
);
