//! Pay by link: an invoice from issue to refund by line, link templates with the payer's
//! fields and their checks on both sides, one payment for a single-use link opened many
//! times at once, expiry and cancellation, and the Payment Links API.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, post};
use app::checkout::{CheckoutState, CheckoutView};
use app::error::{AppError, Problem};
use app::paylinks::{IssuedInvoice, LinkDetail, PrepayState, PrepayView};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{json, Value};
use server::entities::{email_outbox, hosted_checkout, job, merchant, payment, payment_link};
use std::sync::Arc;

fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn invoice_form(lines: Value, amount: &str) -> Value {
    json!({ "form": {
        "reference": "", "customer_name": "Camille Client", "email": "camille@client.example",
        "language": "fr", "due": in_days(10), "payable_until": "", "customer_id": "cust-7",
        "description": "Order 42", "currency": "EUR", "amount": amount, "lines": lines,
        "hold_back": false, "remind": true,
    } })
}

fn link_form(fields: Value) -> Value {
    json!({ "form": {
        "id": "", "name": "Donation", "internal_note": "merchant only", "title": "Support us",
        "description": "Any amount helps", "currency": "EUR", "amount": "",
        "payer_amount": true, "min_amount": "5.00", "max_amount": "50.00", "ends_on": "",
        "indefinite": true, "reusable": false, "ask_address": false, "ask_email": true,
        "ask_name": false, "ask_phone": false, "fields": fields,
    } })
}

fn id_of(url: &str) -> String {
    url.split('/')
        .next_back()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn prepay(app: &TestApp, id: &str) -> PrepayView {
    let res = app.call("prepay/view", &[("id", id)], None).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

/// Posts the pre-payment form as the page does: `amount`, and `fields[name]` for each
/// `[name, value]` of `values`.
async fn start(app: &TestApp, id: &str, amount: &str, values: Value) -> crate::helpers::FnResponse {
    let fields: Vec<(String, String)> = values
        .as_array()
        .into_iter()
        .flatten()
        .map(|pair| {
            (
                format!("fields[{}]", pair[0].as_str().unwrap()),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut form = vec![("id", id), ("amount", amount)];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    app.call("prepay/start", &form, None).await
}

async fn pay(app: &TestApp, checkout: &str, card: &str) -> CheckoutView {
    let res = app
        .call(
            "pay/pay",
            &[
                ("id", checkout),
                ("number", card),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("holder", "Camille Client"),
            ],
            None,
        )
        .await;
    serde_json::from_str(&res.ok().body).unwrap()
}

async fn link_row(app: &TestApp, id: &str) -> payment_link::Model {
    payment_link::Entity::find()
        .filter(payment_link::Column::PublicId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// Runs the queued jobs of `kind` now.
async fn run_jobs(app: &TestApp, kind: &str) {
    job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(chrono::Utc::now()))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::State.eq("queued"))
        .exec(&app.db)
        .await
        .unwrap();
    let runner = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .build()
        .worker(None);
    while runner.run_once().await.unwrap() {}
}

fn problem(res: &crate::helpers::FnResponse, field: &str) -> Option<Problem> {
    res.error().problem_for(field).cloned()
}

both_backends!(
    an_invoice_is_mailed_paid_once_and_refunded_by_line,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let m = merchant::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut am: merchant::ActiveModel = m.into();
        am.capture_procedure = Set("immediate".into());
        am.update(&app.db).await.unwrap();
        let admin = app.session("shop", "admin").await;
        let lines = json!([
            { "id": "1", "name": "Coffee beans 1 kg", "price": "24.90", "quantity": "2", "measure": "pcs", "article": "CB-1000" },
            { "id": "2", "name": "Milk", "price": "1.25", "quantity": "1.5", "measure": "L", "article": "" },
        ]);
        // The amount must be the cart's total (49.80 + 1.88 = 51.68).
        let res = app
            .call_json(
                "invoices/issue",
                &invoice_form(lines.clone(), "50.00"),
                Some(&admin),
            )
            .await;
        assert_eq!(problem(&res, "amount"), Some(Problem::CartTotalMismatch));
        let bad = json!([{ "id": "1", "name": "", "price": "x", "quantity": "1.2345", "measure": "", "article": "" }]);
        let res = app
            .call_json("invoices/issue", &invoice_form(bad, "1.00"), Some(&admin))
            .await;
        assert_eq!(problem(&res, "lines.0.name"), Some(Problem::Required));
        assert_eq!(problem(&res, "lines.0.price"), Some(Problem::InvalidAmount));
        assert_eq!(problem(&res, "lines.0.quantity"), Some(Problem::OutOfRange));
        assert_eq!(
            payment_link::Entity::find().count(&app.db).await.unwrap(),
            0,
            "nothing half-written"
        );

        let res = app
            .call_json(
                "invoices/issue",
                &invoice_form(lines, "51.68"),
                Some(&admin),
            )
            .await;
        let issued: IssuedInvoice = serde_json::from_str(&res.ok().body).unwrap();
        assert!(issued.sent);
        assert!(issued.reference.starts_with("INV-"), "{}", issued.reference);
        assert!(issued.url.contains(&format!("/link/{}?lang=fr", issued.id)));
        let mail = email_outbox::Entity::find()
            .filter(email_outbox::Column::ToAddress.eq("camille@client.example"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the invoice is mailed");
        assert!(mail.subject.contains(&issued.reference), "{}", mail.subject);
        assert!(
            mail.subject.starts_with("Facture"),
            "in the customer's language: {}",
            mail.subject
        );
        assert!(
            mail.body_text.contains(&issued.url) && mail.body_text.contains("Coffee beans 1 kg")
        );
        assert!(mail.body_text.contains("51,68"), "{}", mail.body_text);

        let view = prepay(&app, &issued.id).await;
        assert_eq!(view.state, PrepayState::Open);
        assert_eq!(view.lines.len(), 2);
        let res = start(&app, &issued.id, "", json!([])).await;
        let url: String = serde_json::from_str(&res.ok().body).unwrap();
        let checkout = id_of(&url);
        let paid = pay(&app, &checkout, "4111111111111111").await;
        assert_eq!(paid.state, CheckoutState::Paid);

        let row = link_row(&app, &issued.id).await;
        assert_eq!(row.status, "PAID");
        let p = payment::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.payment_id, Some(p.id));
        assert_eq!(p.payment_link_id, Some(row.id));
        assert_eq!(p.amount, 5168);
        assert_eq!(p.merchant_customer_id.as_deref(), Some("cust-7"));
        let list = app
            .call_json(
                "invoices/list",
                &json!({ "filter": { "q": "", "status": "paid" } }),
                Some(&admin),
            )
            .await;
        let rows: Vec<app::paylinks::InvoiceRow> = serde_json::from_str(&list.ok().body).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].payment_id.as_deref(),
            Some(server::payments::records::public_id(p.id).as_str())
        );
        // Paid: the page says so, and a second payment cannot start.
        assert_eq!(prepay(&app, &issued.id).await.state, PrepayState::Paid);
        assert_eq!(
            start(&app, &issued.id, "", json!([])).await.error(),
            AppError::NotAllowedNow
        );
        // Refund one line of the paid invoice.
        let res = app
            .call(
                "ops/refund-lines",
                &[
                    ("id", server::payments::records::public_id(p.id).as_str()),
                    ("quantities[0]", "1"),
                    ("quantities[1]", ""),
                ],
                Some(&admin),
            )
            .await;
        res.ok();
        let p = payment::Entity::find_by_id(p.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.refunded, 2490);
        // The reminder job was queued for the day before the due date.
        let reminders = job::Entity::find()
            .filter(job::Column::Kind.eq("payment_link_deadline"))
            .all(&app.db)
            .await
            .unwrap();
        assert!(reminders.iter().any(|j| j.payload.contains("\"remind\"")));
    }
);

both_backends!(
    link_settings_and_payer_entries_are_checked_field_by_field,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let field = |name: &str, pattern: &str| {
            json!({
                "label": "Order number", "name": name, "placeholder": "ABC-1234",
                "pattern": pattern, "fixed": "", "required": true,
            })
        };
        let mut form = link_form(json!([field("order", "[A-Z]{3}-("), field("amount", "")]));
        form["form"]["min_amount"] = json!("60.00");
        let res = app.call_json("links/save", &form, Some(&admin)).await;
        assert_eq!(
            problem(&res, "fields.0.pattern"),
            Some(Problem::InvalidPattern)
        );
        assert_eq!(
            problem(&res, "fields.1.name"),
            Some(Problem::InvalidFieldName)
        );
        assert_eq!(problem(&res, "max_amount"), Some(Problem::BelowMinimum));
        assert_eq!(
            payment_link::Entity::find().count(&app.db).await.unwrap(),
            0
        );
        // A pattern that would make a backtracking engine take ages is linear here.
        let form = link_form(json!([
            field("order", "[A-Z]{3}-[0-9]{4}"),
            field("slow", "(a+)+b")
        ]));
        let res = app.call_json("links/save", &form, Some(&admin)).await;
        let link: LinkDetail = serde_json::from_str(&res.ok().body).unwrap();
        assert!(link.qr_svg.starts_with("<?xml") || link.qr_svg.contains("<svg"));
        let id = link.form.id.clone();

        let view = prepay(&app, &id).await;
        assert_eq!(view.amount, None);
        assert_eq!(
            (view.min_amount.as_str(), view.max_amount.as_str()),
            ("5.00", "50.00")
        );
        assert_eq!(
            view.fields
                .iter()
                .map(|f| f.spec.name.as_str())
                .collect::<Vec<_>>(),
            ["email", "order", "slow"]
        );
        let slow = format!("{}c", "a".repeat(150));
        let res = start(
            &app,
            &id,
            "60",
            json!([["email", "x@y"], ["order", "abc-12"], ["slow", slow]]),
        )
        .await;
        assert_eq!(problem(&res, "amount"), Some(Problem::AboveMaximum));
        assert_eq!(problem(&res, "email"), Some(Problem::PatternMismatch));
        assert_eq!(problem(&res, "order"), Some(Problem::PatternMismatch));
        assert_eq!(problem(&res, "slow"), Some(Problem::PatternMismatch));
        assert_eq!(
            hosted_checkout::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            0
        );
        let res = start(
            &app,
            &id,
            "12.50",
            json!([
                ["email", "pat@payer.example"],
                ["order", "ABC-1234"],
                ["slow", "aab"]
            ]),
        )
        .await;
        let url: String = serde_json::from_str(&res.ok().body).unwrap();
        let paid = pay(&app, &id_of(&url), "4111111111111111").await;
        assert_eq!(paid.state, CheckoutState::Paid);
        let p = payment::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(p.amount, 1250);
        let values: Value = serde_json::from_str(p.payer_fields.as_deref().unwrap()).unwrap();
        assert_eq!(
            values,
            json!({ "email": "pat@payer.example", "order": "ABC-1234", "slow": "aab" })
        );
        // The payment's Direct JSON (API and webhooks) carries them.
        let wire = server::payments::wire::payment(&p);
        let carried: Value = serde_json::from_str(
            wire["paymentOutput"]["references"]["merchantParameters"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(carried["order"], "ABC-1234");
        // The back office shows them on the payment's page and in downloads.
        let detail = app
            .call(
                "ops/payment",
                &[("id", server::payments::records::public_id(p.id).as_str())],
                Some(&admin),
            )
            .await;
        let detail: app::payments::PaymentDetail = serde_json::from_str(&detail.ok().body).unwrap();
        assert!(detail
            .payer_fields
            .contains(&("order".to_owned(), "ABC-1234".to_owned())));
        assert_eq!(
            detail.paid_through.as_ref().map(|t| t.1.as_str()),
            Some(format!("/operations/links/{id}").as_str())
        );
        let csv = app
            .http
            .get(format!("{}/operations/payments/export/csv", app.base))
            .header(reqwest::header::COOKIE, &admin)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            csv.contains("payer_fields") && csv.contains("order=ABC-1234"),
            "{csv}"
        );
    }
);

both_backends!(
    a_single_use_link_opened_many_times_at_once_is_paid_once,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "https://hooks.example/openpsp").await;
        let (status, v) = post(
            &app,
            &key,
            "/paymentlinks",
            &json!({
                "order": { "amountOfMoney": { "amount": 4200, "currencyCode": "EUR" } },
            }),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        let id = v["paymentLinkId"].as_str().unwrap().to_owned();
        let app = Arc::new(app);
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (app, barrier, id) = (app.clone(), barrier.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                start(&app, &id, "", json!([])).await
            }));
        }
        let mut urls = Vec::new();
        for t in tasks {
            let res = t.await.unwrap();
            urls.push(id_of(
                &serde_json::from_str::<String>(&res.ok().body).unwrap(),
            ));
        }
        urls.sort();
        urls.dedup();
        assert_eq!(
            urls.len(),
            1,
            "every payer is sent to one checkout: {urls:?}"
        );
        let open = hosted_checkout::Entity::find()
            .filter(hosted_checkout::Column::Status.eq("IN_PROGRESS"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(open, 1, "the other checkouts were given up");
        assert_eq!(
            pay(&app, &urls[0], "4111111111111111").await.state,
            CheckoutState::Paid
        );
        // A checkout of the link made before it was paid can no longer pay.
        let others = hosted_checkout::Entity::find()
            .filter(hosted_checkout::Column::Id.ne(urls[0].as_str()))
            .all(&app.db)
            .await
            .unwrap();
        for c in others {
            let res = app
                .call(
                    "pay/pay",
                    &[
                        ("id", c.id.as_str()),
                        ("number", "4111111111111111"),
                        ("expiry", "12/30"),
                        ("cvc", "123"),
                    ],
                    None,
                )
                .await;
            assert!(res.status >= 400);
        }
        assert_eq!(payment::Entity::find().count(&app.db).await.unwrap(), 1);
        let (_, v) = get(&app, &key, &format!("/paymentlinks/{id}")).await;
        assert_eq!(v["status"], "PAID", "{v}");
        assert_eq!(
            v["paymentId"],
            json!(server::payments::records::public_id(1))
        );
        run_jobs(&app, "payment_link_paid").await;
        let kinds: Vec<String> = server::entities::webhook_event::Entity::find()
            .filter(server::entities::webhook_event::Column::Kind.starts_with("paymentlink."))
            .order_by_asc(server::entities::webhook_event::Column::CreatedAt)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["paymentlink.created", "paymentlink.paid"]);
        let paid = server::entities::webhook_event::Entity::find()
            .filter(server::entities::webhook_event::Column::Kind.eq("paymentlink.paid"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let body: Value = serde_json::from_str(&paid.body).unwrap();
        assert_eq!(body["paymentLink"]["status"], "PAID");
        assert_eq!(body["paymentLink"]["paymentLinkId"], json!(id));
    }
);

both_backends!(
    links_expire_at_their_end_and_cancelled_links_refuse_payers,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let far = (chrono::Utc::now() + chrono::Duration::days(200)).to_rfc3339();
        let (status, v) = post(
            &app,
            &key,
            "/paymentlinks",
            &json!({
                "order": { "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } },
                "paymentLinkSpecificInput": { "expirationDate": far },
            }),
        )
        .await;
        assert_eq!(status, 400, "{v}");
        assert_eq!(
            v["errors"][0]["propertyName"],
            "paymentLinkSpecificInput.expirationDate"
        );
        let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let (status, v) = post(
            &app,
            &key,
            "/paymentlinks",
            &json!({
                "order": { "amountOfMoney": { "amount": 100, "currencyCode": "EUR" },
                           "references": { "merchantReference": "ORDER-9" } },
                "paymentLinkSpecificInput": { "expirationDate": soon, "recipientName": "Sam" },
                "isReusableLink": true,
                "displayQRCode": true,
            }),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["status"], "ACTIVE");
        assert_eq!(v["isReusableLink"], true);
        assert_eq!(v["recipientName"], "Sam");
        assert_eq!(v["paymentLinkOrder"]["merchantReference"], "ORDER-9");
        assert!(v["qrCodeBase64"].as_str().is_some_and(|q| q.len() > 100));
        let id = v["paymentLinkId"].as_str().unwrap().to_owned();
        // Opened before its end, paid after it: refused (PE-6).
        let res = start(&app, &id, "", json!([])).await;
        let checkout = id_of(&serde_json::from_str::<String>(&res.ok().body).unwrap());
        let past = chrono::Utc::now() - chrono::Duration::seconds(5);
        let row = link_row(&app, &id).await;
        payment_link::Entity::update_many()
            .col_expr(payment_link::Column::ExpiresAt, Expr::value(past))
            .filter(payment_link::Column::Id.eq(row.id))
            .exec(&app.db)
            .await
            .unwrap();
        // The queued job carries the old end: it does nothing; the new end's job expires it.
        run_jobs(&app, "payment_link_deadline").await;
        assert_eq!(link_row(&app, &id).await.status, "ACTIVE");
        let res = app
            .call(
                "pay/pay",
                &[
                    ("id", checkout.as_str()),
                    ("number", "4111111111111111"),
                    ("expiry", "12/30"),
                    ("cvc", "123"),
                ],
                None,
            )
            .await;
        assert_eq!(res.error(), AppError::NotAllowedNow);
        assert_eq!(prepay(&app, &id).await.state, PrepayState::Expired);
        let (_, v) = get(&app, &key, &format!("/paymentlinks/{id}")).await;
        assert_eq!(v["status"], "EXPIRED");
        // The job of the end it has now marks it, once, with its event.
        let engine = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .engine;
        let service = server::paylinks::PaylinkService::new(engine);
        let at = link_row(&app, &id).await.expires_at.unwrap().timestamp();
        service.deadline(row.id, "expire", at).await.unwrap();
        service.deadline(row.id, "expire", at).await.unwrap();
        assert_eq!(link_row(&app, &id).await.status, "EXPIRED");
        let (_, v) = get(&app, &key, &format!("/paymentlinks/{id}")).await;
        let expired = v["paymentLinkEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "EXPIRED")
            .count();
        assert_eq!(expired, 1, "{v}");
        // Cancel: once; the page refuses; cancelling again is a conflict.
        let (status, v) = post(
            &app,
            &key,
            "/paymentlinks",
            &json!({
                "order": { "amountOfMoney": { "amount": 300, "currencyCode": "EUR" } },
            }),
        )
        .await;
        assert_eq!(status, 201);
        let other = v["paymentLinkId"].as_str().unwrap().to_owned();
        let (status, v) = post(
            &app,
            &key,
            &format!("/paymentlinks/{other}/share"),
            &json!({ "channel": "EMAIL", "recipient": "not-an-address" }),
        )
        .await;
        assert_eq!(status, 400, "{v}");
        assert_eq!(v["errors"][0]["propertyName"], "recipient");
        let (status, _) = post(
            &app,
            &key,
            &format!("/paymentlinks/{other}/share"),
            &json!({ "channel": "EMAIL", "recipient": "sam@payer.example", "locale": "de_DE" }),
        )
        .await;
        assert_eq!(status, 204);
        let mail = email_outbox::Entity::find()
            .order_by_desc(email_outbox::Column::Id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(mail.to_address, "sam@payer.example");
        assert!(mail.subject.contains("Zahlungslink"), "{}", mail.subject);
        let (status, _) = post(
            &app,
            &key,
            &format!("/paymentlinks/{other}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 204);
        let (status, v) = post(
            &app,
            &key,
            &format!("/paymentlinks/{other}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 409, "{v}");
        assert_eq!(prepay(&app, &other).await.state, PrepayState::Disabled);
        assert_eq!(
            start(&app, &other, "", json!([])).await.error(),
            AppError::NotAllowedNow
        );
        let (_, v) = get(&app, &key, &format!("/paymentlinks/{other}")).await;
        assert_eq!(v["status"], "CANCELLED");
        let kinds: Vec<&str> = v["paymentLinkEvents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["CREATED", "SENT", "CANCELLED"]);
        // Another merchant's key sees nothing of it.
        let theirs = crate::payments::key(&app, "other").await;
        let (status, _) = get(&app, &theirs, &format!("/paymentlinks/{other}")).await;
        assert_eq!(status, 404);
    }
);
