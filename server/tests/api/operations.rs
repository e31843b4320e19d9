//! Payments pages through their server functions: filters, roles and rights, and the
//! domain's limits on captures and refunds.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::error::{AppError, Problem};
use app::payments::{
    DashboardView, HistoryPage, ListViews, MotoResult, PaymentDetail, PaymentsPage,
};

async fn detail(res: crate::helpers::FnResponse) -> PaymentDetail {
    res.ok();
    serde_json::from_str(&res.body).unwrap()
}

both_backends!(
    operations_follow_roles_rights_and_limits,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let (_, created) = post(
            &app,
            &key,
            "/payments",
            &card_payment(10_000, "4111111111111111", "PRE_AUTHORIZATION"),
        )
        .await;
        let id = created["payment"]["id"].as_str().unwrap().to_owned();
        post(
            &app,
            &key,
            "/payments",
            &card_payment(2_500, "4000000000009995", "SALE"),
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;

        // Filters: by status label, by amount range; bad input is named.
        let list = |form: Vec<(&'static str, &'static str)>| {
            let app = &app;
            let admin = admin.clone();
            async move {
                let res = app.call("ops/payments", &form, Some(&admin)).await;
                res
            }
        };
        let res = list(vec![("filter[statuses][0]", "uncaptured")]).await;
        res.ok();
        let page: PaymentsPage = serde_json::from_str(&res.body).unwrap();
        assert_eq!((page.total, page.rows[0].id.as_str()), (1, id.as_str()));
        let res = list(vec![
            ("filter[statuses][0]", "declined"),
            ("filter[statuses][1]", "uncaptured"),
        ])
        .await;
        let page: PaymentsPage = serde_json::from_str(&res.body).unwrap();
        assert_eq!(page.total, 2);
        let res = list(vec![("filter[min_amount]", "5000")]).await;
        let page: PaymentsPage = serde_json::from_str(&res.body).unwrap();
        assert_eq!(page.total, 1);
        // Captured today: none before the capture below, one after.
        // "Today" in the users' zone (the test merchant's: Europe/Paris).
        let paris = domain::ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: true,
        };
        let today: &'static str = Box::leak(
            paris
                .localize(chrono::Utc::now())
                .format("%Y-%m-%d")
                .to_string()
                .into_boxed_str(),
        );
        let captured_today = vec![
            ("filter[date_kind]", "captured"),
            ("filter[from]", today),
            ("filter[to]", today),
        ];
        let page: PaymentsPage =
            serde_json::from_str(&list(captured_today.clone()).await.body).unwrap();
        assert_eq!(page.total, 0);
        let res = list(vec![("filter[from]", "22/11/2026")]).await;
        assert_eq!(res.error().problem_for("from"), Some(&Problem::InvalidDate));

        // The operator captures but may not refund without the right.
        let d = detail(
            app.call(
                "ops/capture",
                &[("id", &id), ("amount", "40.00")],
                Some(&operator),
            )
            .await,
        )
        .await;
        assert_eq!(d.status, "succeeded");
        assert!(!d.may_refund);
        let page: PaymentsPage = serde_json::from_str(&list(captured_today).await.body).unwrap();
        assert_eq!((page.total, page.rows[0].id.as_str()), (1, id.as_str()));
        let res = app
            .call(
                "ops/refund",
                &[("id", &id), ("amount", "1.00")],
                Some(&operator),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        // Beyond what may be captured (no over-capture allowance): refused with its field.
        let res = app
            .call(
                "ops/capture",
                &[("id", &id), ("amount", "60.01")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::ExceedsLimit)
        );
        let res = app
            .call(
                "ops/capture",
                &[("id", &id), ("amount", "1,2,3")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::InvalidAmount)
        );
        // The admin refunds more than captured: refused; then a part.
        let res = app
            .call(
                "ops/refund",
                &[("id", &id), ("amount", "40.01")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::ExceedsLimit)
        );
        let d = detail(
            app.call(
                "ops/refund",
                &[("id", &id), ("amount", "15.00")],
                Some(&admin),
            )
            .await,
        )
        .await;
        assert_eq!(d.status, "partial_refund");
        assert_eq!(d.refundable.as_deref(), Some("25.00"));
        assert_eq!(
            d.activity
                .iter()
                .map(|a| a.kind.as_str())
                .collect::<Vec<_>>(),
            ["authorise", "capture", "refund"]
        );
        // Cancelling after a capture and refund is not possible any more.
        let res = app.call("ops/cancel", &[("id", &id)], Some(&admin)).await;
        assert!(matches!(res.error(), AppError::NotAllowedNow));

        // Another merchant's payment does not exist for this user.
        app.merchant("other").await;
        let stranger = app.session("other", "admin").await;
        let res = app
            .call("ops/payment", &[("id", &id)], Some(&stranger))
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
    }
);

both_backends!(
    dashboard_counts_the_period_per_currency,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let mut usd = card_payment(7_000, "4111111111111111", "SALE");
        usd["order"]["amountOfMoney"]["currencyCode"] = "USD".into();
        for body in [
            card_payment(10_000, "4111111111111111", "SALE"),
            card_payment(4_000, "4111111111111111", "PRE_AUTHORIZATION"),
            card_payment(2_500, "4000000000009995", "SALE"),
            card_payment(1_500, "4000000000009995", "SALE"),
            card_payment(900, "4000000000000002", "SALE"),
            usd,
        ] {
            post(&app, &key, "/payments", &body).await;
        }
        let admin = app.session("shop", "admin").await;
        // Refund 25.00 of the captured 100.00; cancel the pre-authorisation.
        let page: PaymentsPage = serde_json::from_str(
            &app.call(
                "ops/payments",
                &[("filter[min_amount]", "10000")],
                Some(&admin),
            )
            .await
            .body,
        )
        .unwrap();
        let sale = page.rows[0].id.clone();
        detail(
            app.call(
                "ops/refund",
                &[("id", &sale), ("amount", "25.00")],
                Some(&admin),
            )
            .await,
        )
        .await;
        let page: PaymentsPage = serde_json::from_str(
            &app.call(
                "ops/payments",
                &[("filter[statuses][0]", "uncaptured")],
                Some(&admin),
            )
            .await
            .body,
        )
        .unwrap();
        detail(
            app.call("ops/cancel", &[("id", &page.rows[0].id)], Some(&admin))
                .await,
        )
        .await;

        let dashboard = |form: Vec<(&'static str, &'static str)>| {
            let (app, admin) = (&app, admin.clone());
            async move { app.call("ops/dashboard", &form, Some(&admin)).await }
        };
        let res = dashboard(vec![("query[period]", "today")]).await;
        res.ok();
        let v: DashboardView = serde_json::from_str(&res.body).unwrap();
        // The busiest currency is shown first; USD is offered.
        assert_eq!(v.currency, "EUR");
        assert_eq!(v.currencies, ["EUR", "USD"]);
        assert_eq!(v.days.len(), 1);
        let t = &v.totals;
        assert_eq!((t.all, t.successful), (5, 2));
        assert_eq!(t.conversion_permille(), Some(400));
        assert_eq!(t.gross_successful, 14_000);
        assert_eq!(t.gross_cancelled, 4_000);
        assert_eq!((t.captured, t.refunded, t.net()), (10_000, 2_500, 7_500));
        let causes: Vec<(&str, u64)> = v
            .refusals
            .iter()
            .map(|r| (r.code.as_str(), r.count))
            .collect();
        assert_eq!(causes, [("51", 2), ("05", 1)]);
        assert_eq!(v.refusals[0].meaning, "Insufficient funds");

        let v: DashboardView = serde_json::from_str(
            &dashboard(vec![("query[period]", "7d"), ("query[currency]", "usd")])
                .await
                .body,
        )
        .unwrap();
        assert_eq!((v.currency.as_str(), v.days.len()), ("USD", 7));
        assert_eq!((v.totals.all, v.totals.gross_successful), (1, 7_000));
        // Yesterday had nothing.
        let v: DashboardView =
            serde_json::from_str(&dashboard(vec![("query[period]", "yesterday")]).await.body)
                .unwrap();
        assert_eq!(v.totals.all, 0);
        // A custom range is checked and named by field.
        let res = dashboard(vec![
            ("query[period]", "custom"),
            ("query[from]", "2026-02-01"),
            ("query[to]", "2026-01-01"),
        ])
        .await;
        assert_eq!(res.error().problem_for("to"), Some(&Problem::OutOfRange));
        let res = dashboard(vec![
            ("query[period]", "custom"),
            ("query[from]", "first of may"),
            ("query[to]", "2026-01-01"),
        ])
        .await;
        assert_eq!(res.error().problem_for("from"), Some(&Problem::InvalidDate));
        // Another merchant sees none of it.
        app.merchant("other").await;
        let stranger = app.session("other", "admin").await;
        let res = app
            .call(
                "ops/dashboard",
                &[("query[period]", "today")],
                Some(&stranger),
            )
            .await;
        let v: DashboardView = serde_json::from_str(&res.body).unwrap();
        assert_eq!(v.totals.all, 0);
    }
);

/// A SALE of 3 × 3.33 and 2 × 10.00 (29.99 EUR), or a pre-authorisation of it.
fn cart_payment(mode: &str) -> serde_json::Value {
    let mut body = card_payment(2_999, "4111111111111111", mode);
    body["order"]["shoppingCart"] = serde_json::json!({ "items": [
        { "orderLineDetails": { "productName": "Socks", "productPrice": 333, "quantity": 3 } },
        { "orderLineDetails": { "productName": "Hat", "productPrice": 1000, "quantity": 2 } },
    ]});
    body
}

both_backends!(
    refunds_by_cart_line_never_exceed_what_was_captured,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let (_, created) = post(&app, &key, "/payments", &cart_payment("SALE")).await;
        let id = created["payment"]["id"].as_str().unwrap().to_owned();
        let admin = app.session("shop", "admin").await;
        let refund = |quantities: [&'static str; 2]| {
            let (app, admin, id) = (&app, admin.clone(), id.clone());
            async move {
                app.call(
                    "ops/refund-lines",
                    &[
                        ("id", id.as_str()),
                        ("quantities[0]", quantities[0]),
                        ("quantities[1]", quantities[1]),
                    ],
                    Some(&admin),
                )
                .await
            }
        };
        // One sock: 3.33, computed by the domain's cart math.
        let d = detail(refund(["1", ""]).await).await;
        assert_eq!(d.status, "partial_refund");
        assert_eq!(d.refundable.as_deref(), Some("26.66"));
        assert_eq!(d.cart[0].state.unwrap().refunded, 1000);
        assert_eq!(d.activity.last().unwrap().kind, "refund");
        // More socks than are left: refused on that line, nothing written.
        let res = refund(["3", "1"]).await;
        assert_eq!(
            res.error().problem_for("qty-0"),
            Some(&Problem::ExceedsLimit)
        );
        let res = refund(["", ""]).await;
        assert_eq!(res.error().problem_for("lines"), Some(&Problem::Required));
        let res = refund(["x", ""]).await;
        assert_eq!(
            res.error().problem_for("qty-0"),
            Some(&Problem::InvalidAmount)
        );
        // Two refunds of both hats race: exactly one wins.
        let (a, b) = tokio::join!(refund(["", "2"]), refund(["", "2"]));
        let wins = [&a, &b].iter().filter(|r| r.status == 200).count();
        assert_eq!(wins, 1, "{} / {}", a.body, b.body);
        let loser = if a.status == 200 { &b } else { &a };
        assert!(
            loser.error().problem_for("qty-1") == Some(&Problem::ExceedsLimit)
                || loser.error().problem_for("amount") == Some(&Problem::ExceedsLimit),
            "{}",
            loser.body
        );
        // The remaining two socks: exactly the line's rest, and the payment is refunded.
        let d = detail(refund(["2", ""]).await).await;
        assert_eq!(d.status, "refunded");
        assert_eq!(d.refunded, d.captured);
        assert!(d.refundable.is_none());
        let refunds: Vec<&str> = d
            .activity
            .iter()
            .filter(|a| a.kind == "refund")
            .map(|a| a.amount.as_str())
            .collect();
        assert_eq!(refunds.len(), 3);

        // A cart pre-authorisation captured with an edited cart, within the allowance.
        let (_, created) = post(&app, &key, "/payments", &cart_payment("PRE_AUTHORIZATION")).await;
        let id = created["payment"]["id"].as_str().unwrap().to_owned();
        let capture = |prices: [&'static str; 2], quantities: [&'static str; 2]| {
            let (app, admin, id) = (&app, admin.clone(), id.clone());
            async move {
                app.call(
                    "ops/capture-cart",
                    &[
                        ("id", id.as_str()),
                        ("prices[0]", prices[0]),
                        ("prices[1]", prices[1]),
                        ("quantities[0]", quantities[0]),
                        ("quantities[1]", quantities[1]),
                    ],
                    Some(&admin),
                )
                .await
            }
        };
        // 3 × 3.33 + 3 × 10.00 = 39.99 > 29.99 with no over-capture allowance.
        let res = capture(["3.33", "10.00"], ["3", "3"]).await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::ExceedsLimit)
        );
        let res = capture(["-1", "10.00"], ["3", "zero"]).await;
        assert_eq!(
            res.error().problem_for("price-0"),
            Some(&Problem::InvalidAmount)
        );
        assert_eq!(
            res.error().problem_for("qty-1"),
            Some(&Problem::InvalidAmount)
        );
        // One hat out of stock: 19.99 captured, the cart says so.
        let d = detail(capture(["3.33", "10.00"], ["3", "1"]).await).await;
        assert_eq!(d.status, "succeeded");
        assert_eq!(
            d.captured,
            d.amount.replace("29,99", "19,99").replace("29.99", "19.99")
        );
        assert_eq!(d.cart[1].state.unwrap().quantity, 1000);
        assert!(d.capturable.is_none());

        // A read-only user and an operator without the right are refused by the server.
        let reader = app
            .user_session("shop", "reader", domain::Role::ReadOnly)
            .await;
        let res = app
            .call(
                "ops/refund-lines",
                &[
                    ("id", id.as_str()),
                    ("quantities[0]", "1"),
                    ("quantities[1]", ""),
                ],
                Some(&reader),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let operator = app.session("shop", "operator").await;
        let res = app
            .call(
                "ops/refund-lines",
                &[
                    ("id", id.as_str()),
                    ("quantities[0]", "1"),
                    ("quantities[1]", ""),
                ],
                Some(&operator),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
    }
);

both_backends!(
    the_virtual_terminal_pays_mail_and_telephone_orders,
    &[],
    |app: TestApp| async move {
        key(&app, "shop").await;
        let operator = app.session("shop", "operator").await;
        let moto = |number: &'static str, amount: &'static str, reference: &'static str| {
            let (app, operator) = (&app, operator.clone());
            async move {
                app.call(
                    "ops/moto",
                    &[
                        ("form[reference]", reference),
                        ("form[description]", "Phone order"),
                        ("form[currency]", "EUR"),
                        ("form[amount]", amount),
                        ("form[mode]", "PRE_AUTHORIZATION"),
                        ("form[customer_id]", "cust-7"),
                        ("form[number]", number),
                        ("form[expiry]", "12/30"),
                        ("form[holder]", "Ada Lovelace"),
                        ("form[cvc]", "123"),
                    ],
                    Some(&operator),
                )
                .await
            }
        };
        let res = moto("4111 1111 1111 1111", "42.50", "").await;
        res.ok();
        let r: MotoResult = serde_json::from_str(&res.body).unwrap();
        assert!(r.approved);
        assert_eq!(r.status, "uncaptured");
        assert!(r.reference.starts_with("MOTO-"), "{}", r.reference);
        assert!(!r.authorisation_code.is_empty());
        let d = detail(
            app.call("ops/payment", &[("id", &r.payment_id)], Some(&operator))
                .await,
        )
        .await;
        assert_eq!(
            (d.channel.as_str(), d.holder.as_str()),
            ("MOTO", "Ada Lovelace")
        );
        assert_eq!(d.activity[0].by, "operator");
        // Declined with its reason; a 3-D Secure card is not challenged on the phone.
        let r: MotoResult =
            serde_json::from_str(&moto("4000000000009995", "10", "phone-2").await.body).unwrap();
        assert!(!r.approved);
        assert_eq!(
            (r.refusal.as_str(), r.reference.as_str()),
            ("51 Insufficient funds", "phone-2")
        );
        let r: MotoResult =
            serde_json::from_str(&moto("4000000000001091", "10", "").await.body).unwrap();
        assert!(r.approved, "{r:?}");
        // Bad input is named by field, and nothing is created.
        let res = moto("4111111111111112", "10", "").await;
        assert!(matches!(
            res.error().problem_for("number"),
            Some(Problem::Card(_))
        ));
        let res = moto("4111111111111111", "ten", "").await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::InvalidAmount)
        );
        let admin = app.session("shop", "admin").await;
        let page: PaymentsPage = serde_json::from_str(
            &app.call("ops/payments", &[("filter[page]", "1")], Some(&admin))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(page.total, 3);
        // Read-only users may not take payments.
        let reader = app
            .user_session("shop", "reader", domain::Role::ReadOnly)
            .await;
        let res = app
            .call(
                "ops/moto",
                &[("form[amount]", "1"), ("form[currency]", "EUR")],
                Some(&reader),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        // Mail and telephone orders are audited with the user's address.
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let created = server::entities::audit_log::Entity::find()
            .filter(server::entities::audit_log::Column::Action.eq("payment.create"))
            .all(&app.db)
            .await
            .unwrap();
        assert!(!created.is_empty());
        assert!(created.iter().all(|r| r.ip == "127.0.0.1"), "{created:?}");
    }
);

/// Downloads an export with the session's cookie: the status and the bytes.
async fn download(app: &TestApp, cookie: &str, path: &str) -> (u16, Vec<u8>) {
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

/// Rows of an export in `format`, read back with a CSV reader, an XLSX reader or an XML
/// parser; each row as its cells.
fn parse_export(format: &str, bytes: &[u8], row_element: &str) -> Vec<Vec<String>> {
    match format {
        "csv" => {
            let mut reader = csv::Reader::from_reader(bytes);
            reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect()
        }
        "xlsx" => {
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let name = book.sheet_names()[0].clone();
            let range = book.worksheet_range(&name).unwrap();
            range
                .rows()
                .skip(1)
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect()
        }
        _ => {
            let mut reader = quick_xml::Reader::from_reader(bytes);
            let (mut rows, mut row, mut text) = (Vec::new(), Vec::new(), String::new());
            let mut buf = Vec::new();
            loop {
                match reader.read_event_into(&mut buf).unwrap() {
                    quick_xml::events::Event::Eof => break,
                    quick_xml::events::Event::Start(_) => text.clear(),
                    quick_xml::events::Event::Text(t) => text.push_str(&t.decode().unwrap()),
                    quick_xml::events::Event::GeneralRef(r) => {
                        let name = String::from_utf8_lossy(&r);
                        text.push_str(match name.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            _ => "\"",
                        });
                    }
                    quick_xml::events::Event::End(e) => {
                        if e.name().as_ref() == row_element.as_bytes() {
                            rows.push(std::mem::take(&mut row));
                        } else {
                            row.push(std::mem::take(&mut text));
                        }
                    }
                    _ => {}
                }
                buf.clear();
            }
            rows
        }
    }
}

both_backends!(
    exports_hold_every_matching_row_and_the_history_lists_money_moves,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        // 1,003 payments: more than one export batch of 1,000.
        let mut ids = Vec::new();
        for i in 0..1_003 {
            let mut body = card_payment(1_000 + i, "4111111111111111", "PRE_AUTHORIZATION");
            body["order"]["references"]["merchantReference"] =
                format!("bulk-{i}{}", if i == 7 { ",\"=cmd\"" } else { "" }).into();
            let (_, v) = post(&app, &key, "/payments", &body).await;
            ids.push(v["payment"]["id"].as_str().unwrap().to_owned());
        }
        post(
            &app,
            &key,
            "/payments",
            &card_payment(500, "4000000000009995", "SALE"),
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let page: PaymentsPage = serde_json::from_str(
            &app.call(
                "ops/payments",
                &[("filter[reference]", "bulk-")],
                Some(&admin),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(page.total, 1_003);
        for format in ["csv", "xlsx", "xml"] {
            let (status, bytes) = download(
                &app,
                &admin,
                &format!("/operations/payments/export/{format}?reference=bulk-"),
            )
            .await;
            assert_eq!(status, 200, "{format}");
            let rows = parse_export(format, &bytes, "payment");
            assert_eq!(rows.len(), 1_003, "{format}");
            let mut got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
            got.sort_unstable();
            let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
            want.sort_unstable();
            assert_eq!(got, want, "{format}: every id once");
            assert!(
                rows.iter().any(|r| r[3] == "bulk-7,\"=cmd\""),
                "{format}: text survives quoting"
            );
            assert!(!String::from_utf8_lossy(&bytes).contains("4111111111111111"));
        }
        let (status, _) = download(&app, &admin, "/operations/payments/export/pdf").await;
        assert_eq!(status, 404);
        // Without a session: sent to the login page, nothing exported.
        let (status, bytes) = download(
            &app,
            "openpsp_session=nobody",
            "/operations/payments/export/csv",
        )
        .await;
        assert!(matches!(status, 303 | 401), "{status}");
        assert!(!String::from_utf8_lossy(&bytes).contains("bulk-"));

        // The financial history: captures by the operator, a refund and a cancel by the admin.
        for id in &ids[..3] {
            detail(
                app.call(
                    "ops/capture",
                    &[("id", id), ("amount", "5.00")],
                    Some(&operator),
                )
                .await,
            )
            .await;
        }
        detail(
            app.call(
                "ops/refund",
                &[("id", &ids[0]), ("amount", "1.00")],
                Some(&admin),
            )
            .await,
        )
        .await;
        detail(
            app.call("ops/cancel", &[("id", &ids[5])], Some(&admin))
                .await,
        )
        .await;
        let history = |form: Vec<(&'static str, &'static str)>| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let res = app.call("ops/history", &form, Some(&admin)).await;
                res
            }
        };
        let all: HistoryPage =
            serde_json::from_str(&history(vec![("filter[page]", "1")]).await.body).unwrap();
        assert_eq!(
            all.total, 5,
            "authorisations and declines are not money moves"
        );
        assert_eq!(all.rows[0].kind, "cancel", "newest first");
        let captures: HistoryPage = serde_json::from_str(
            &history(vec![
                ("filter[kind]", "capture"),
                ("filter[user]", "operator"),
            ])
            .await
            .body,
        )
        .unwrap();
        assert_eq!(captures.total, 3);
        assert!(captures.rows.iter().all(|r| r.by == "operator"));
        let by_admin: HistoryPage =
            serde_json::from_str(&history(vec![("filter[user]", "admin")]).await.body).unwrap();
        assert_eq!(by_admin.total, 2);
        assert_eq!(
            history(vec![("filter[user]", "nobody")])
                .await
                .error()
                .problem_for("user"),
            Some(&Problem::InvalidIdentifier)
        );
        assert_eq!(
            history(vec![("filter[kind]", "authorise")])
                .await
                .error()
                .problem_for("kind"),
            Some(&Problem::OutOfRange)
        );
        for format in ["csv", "xlsx", "xml"] {
            let (status, bytes) = download(
                &app,
                &admin,
                &format!("/operations/history/export/{format}?kind=capture&user=operator"),
            )
            .await;
            assert_eq!(status, 200);
            let rows = parse_export(format, &bytes, "operation");
            assert_eq!(rows.len(), 3, "{format}");
            assert!(
                rows.iter().all(|r| r[1] == "capture" && r[6] == "operator"),
                "{format}"
            );
        }
        // Another merchant's user sees none of it.
        app.merchant("other").await;
        let stranger = app.session("other", "admin").await;
        let (_, bytes) = download(&app, &stranger, "/operations/history/export/csv").await;
        assert_eq!(parse_export("csv", &bytes, "").len(), 0);
    }
);

both_backends!(
    filter_templates_are_per_user_or_shared_and_settings_choose_columns,
    &[],
    |app: TestApp| async move {
        key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let views = |res: crate::helpers::FnResponse| -> ListViews {
            res.ok();
            serde_json::from_str(&res.body).unwrap()
        };
        let fresh = views(app.call("ops/list-views", &[], Some(&admin)).await);
        assert!(fresh.templates.is_empty());
        assert_eq!(fresh.settings.columns.len(), 7, "default columns");
        let save = |who: String, name: &'static str, query: &'static str, shared: bool| {
            let app = &app;
            async move {
                let mut form = vec![("name", name), ("query", query)];
                if shared {
                    form.push(("shared", "on"));
                }
                app.call("ops/save-template", &form, Some(&who)).await
            }
        };
        views(
            save(
                admin.clone(),
                "Refunds",
                "status=refunded&status=partial_refund",
                false,
            )
            .await,
        );
        let v = views(save(admin.clone(), "Big ones", "min_amount=100000", true).await);
        assert_eq!(
            v.templates
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["Big ones", "Refunds"]
        );
        // Saving under the same name replaces it.
        let v = views(save(admin.clone(), "Refunds", "status=refunded", false).await);
        assert_eq!(v.templates.len(), 2);
        assert_eq!(v.templates[1].query, "status=refunded");
        // Bad input is named; an invalid filter is never saved.
        let res = save(admin.clone(), " ", "status=refunded", false).await;
        assert_eq!(res.error().problem_for("name"), Some(&Problem::Required));
        let res = save(admin.clone(), "Broken", "from=yesterday", false).await;
        assert_eq!(res.error().problem_for("from"), Some(&Problem::InvalidDate));
        // The operator sees only the shared one and may not delete it.
        let theirs = views(app.call("ops/list-views", &[], Some(&operator)).await);
        assert_eq!(theirs.templates.len(), 1);
        let shared = &theirs.templates[0];
        assert_eq!(
            (shared.name.as_str(), shared.owner.as_str(), shared.mine),
            ("Big ones", "admin", false)
        );
        let id = shared.id.to_string();
        let res = app
            .call(
                "ops/delete-template",
                &[("id", id.as_str())],
                Some(&operator),
            )
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        let v = views(
            app.call("ops/delete-template", &[("id", id.as_str())], Some(&admin))
                .await,
        );
        assert_eq!(v.templates.len(), 1);
        // Filter settings: known names only, at least one of each.
        let v = views(
            app.call(
                "ops/list-settings",
                &[
                    ("settings[filters][0]", "reference"),
                    ("settings[filters][1]", "status"),
                    ("settings[columns][0]", "id"),
                    ("settings[columns][1]", "email"),
                ],
                Some(&operator),
            )
            .await,
        );
        assert_eq!(v.settings.filters, ["reference", "status"]);
        assert_eq!(v.settings.columns, ["id", "email"]);
        let res = app
            .call(
                "ops/list-settings",
                &[
                    ("settings[filters][0]", "reference"),
                    ("settings[columns][0]", "secret"),
                ],
                Some(&operator),
            )
            .await;
        assert_eq!(
            res.error().problem_for("columns"),
            Some(&Problem::OutOfRange)
        );
        // Another user's settings are untouched.
        let mine = views(app.call("ops/list-views", &[], Some(&admin)).await);
        assert_eq!(mine.settings.columns.len(), 7);
    }
);

both_backends!(
    electronic_reporting_sets_the_download_defaults,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        post(
            &app,
            &key,
            "/payments",
            &card_payment(1_250, "4111111111111111", "SALE"),
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let settings = |format: &'static str, columns: Vec<(&'static str, &'static str)>| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let mut form = vec![
                    ("retry_count", "3"),
                    ("capture_procedure", "immediate"),
                    ("capture_delay_hours", "0"),
                    ("session_minutes", "30"),
                    ("over_capture_percent", "0"),
                    ("web_site", ""),
                    ("report_format", format),
                ];
                form.extend(columns);
                app.call("config/save_payment_settings", &form, Some(&admin))
                    .await
            }
        };
        let res = settings("pdf", vec![]).await;
        assert_eq!(
            res.error().problem_for("report_format"),
            Some(&Problem::OutOfRange)
        );
        let res = settings("xlsx", vec![("report_columns[card_number]", "on")]).await;
        assert_eq!(
            res.error().problem_for("report_columns"),
            Some(&Problem::OutOfRange)
        );
        settings(
            "xlsx",
            vec![
                ("report_columns[amount]", "on"),
                ("report_columns[payment_id]", "on"),
            ],
        )
        .await
        .ok();
        let page: PaymentsPage = serde_json::from_str(
            &app.call("ops/payments", &[("filter[page]", "1")], Some(&admin))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(page.report_format, "xlsx");
        let (_, bytes) = download(&app, &admin, "/operations/payments/export/csv").await;
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("payment_id,amount"),
            "in the download's order"
        );
        assert!(text.contains(",12.50"));
        let (_, bytes) = download(&app, &admin, "/operations/payments/export/xlsx").await;
        assert_eq!(parse_export("xlsx", &bytes, "")[0].len(), 2);
    }
);

both_backends!(
    every_payments_filter_narrows_alone_and_combined,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let pay = |amount: i64,
                   number: &'static str,
                   reference: &'static str,
                   email: &'static str,
                   tokenize: bool| {
            let (app, key) = (&app, &key);
            async move {
                let mut body = card_payment(amount, number, "SALE");
                body["order"]["references"]["merchantReference"] = reference.into();
                body["order"]["customer"] =
                    serde_json::json!({ "contactDetails": { "emailAddress": email } });
                body["cardPaymentMethodSpecificInput"]["tokenize"] = tokenize.into();
                post(app, key, "/payments", &body).await.1
            }
        };
        let a = pay(
            1_000,
            "4111111111111111",
            "shoes-1",
            "ada@example.com",
            true,
        )
        .await;
        let token = a["creationOutput"]["token"].as_str().unwrap().to_owned();
        pay(
            2_000,
            "5555555555554444",
            "shoes-2",
            "grace@example.org",
            false,
        )
        .await;
        pay(
            3_000,
            "5555555555554444",
            "hats-1",
            "ada@example.com",
            false,
        )
        .await;
        pay(
            4_000,
            "4000000000009995",
            "hats-2",
            "alan@example.net",
            false,
        )
        .await;
        let admin = app.session("shop", "admin").await;
        let count = |form: Vec<(&'static str, String)>| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = app.call("ops/payments", &form, Some(&admin)).await;
                res.ok();
                let page: PaymentsPage = serde_json::from_str(&res.body).unwrap();
                page.total
            }
        };
        let id_a = a["payment"]["id"].as_str().unwrap().to_owned();
        let f = |k: &'static str, v: &str| (k, v.to_owned());
        assert_eq!(count(vec![f("filter[page]", "1")]).await, 4);
        assert_eq!(count(vec![f("filter[reference]", "shoes")]).await, 2);
        assert_eq!(count(vec![f("filter[last4]", "4444")]).await, 2);
        assert_eq!(count(vec![f("filter[email]", "ada@")]).await, 2);
        assert_eq!(count(vec![f("filter[payment_id]", &id_a)]).await, 1);
        assert_eq!(count(vec![f("filter[alias]", &token)]).await, 1);
        assert_eq!(
            count(vec![
                f("filter[min_amount]", "2000"),
                f("filter[max_amount]", "3000")
            ])
            .await,
            2
        );
        assert_eq!(count(vec![f("filter[statuses][0]", "declined")]).await, 1);
        // Combined: every filter must hold.
        assert_eq!(
            count(vec![
                f("filter[reference]", "shoes"),
                f("filter[last4]", "4444")
            ])
            .await,
            1
        );
        assert_eq!(
            count(vec![
                f("filter[email]", "ada@"),
                f("filter[min_amount]", "2000")
            ])
            .await,
            1
        );
        assert_eq!(
            count(vec![
                f("filter[reference]", "hats"),
                f("filter[statuses][0]", "succeeded"),
                f("filter[last4]", "4444"),
                f("filter[email]", "ada@"),
            ])
            .await,
            1
        );
        assert_eq!(
            count(vec![
                f("filter[reference]", "hats"),
                f("filter[statuses][0]", "refunded")
            ])
            .await,
            0
        );
        assert_eq!(count(vec![f("filter[alias]", "no-such-token")]).await, 0);
    }
);
