//! Payments pages through their server functions: roles and rights, the dashboard, the
//! domain's limits on captures and refunds, and the virtual terminal.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::error::{AppError, Problem};
use app::payments::{DashboardView, MotoResult, PaymentDetail, PaymentsPage};

pub(crate) async fn detail(res: crate::helpers::FnResponse) -> PaymentDetail {
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

both_backends!(
    dashboard_days_end_at_the_users_local_midnight,
    &[],
    |app: TestApp| async move {
        use chrono::{Duration, Utc};
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        use server::entities::payment;
        let key = key(&app, "shop").await;
        // Declined for insufficient funds today and yesterday (one cause counted over two
        // days), approved six days ago and just before the period.
        for card in [
            "4000000000009995",
            "4000000000009995",
            "4111111111111111",
            "4111111111111111",
        ] {
            post(&app, &key, "/payments", &card_payment(1_000, card, "SALE")).await;
        }
        let admin = app.session("shop", "admin").await;
        // India: UTC+5:30 all year, so local midnights are not whole UTC hours.
        app.call("set_time_zone", &[("zone", "Asia/Kolkata")], Some(&admin))
            .await
            .ok();
        let offset = Duration::minutes(330);
        let local_today = (Utc::now() + offset).date_naive();
        let midnight = local_today.and_hms_opt(0, 0, 0).unwrap().and_utc() - offset;
        // Just after today's local midnight, just before it (yesterday), the first minute
        // of six days ago (the period's first day), and just before that (outside).
        let times = [
            midnight + Duration::minutes(1),
            midnight - Duration::minutes(1),
            midnight - Duration::days(6),
            midnight - Duration::days(6) - Duration::seconds(1),
        ];
        let ids: Vec<i64> = payment::Entity::find()
            .order_by_asc(payment::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids.len(), 4);
        for (id, at) in ids.iter().zip(times) {
            payment::Entity::update_many()
                .col_expr(payment::Column::CreatedAt, Expr::value(at))
                .filter(payment::Column::Id.eq(*id))
                .exec(&app.db)
                .await
                .unwrap();
        }
        let res = app
            .call("ops/dashboard", &[("query[period]", "7d")], Some(&admin))
            .await;
        let v: DashboardView = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(v.zone, "Asia/Kolkata");
        let per_day: Vec<u64> = v.days.iter().map(|d| d.figures.all).collect();
        assert_eq!(per_day, [1, 0, 0, 0, 0, 1, 1], "{:?}", v.days);
        assert_eq!(v.days[6].day, local_today.format("%Y-%m-%d").to_string());
        assert_eq!((v.totals.all, v.totals.gross_successful), (3, 1_000));
        let causes: Vec<(&str, u64)> = v
            .refusals
            .iter()
            .map(|r| (r.code.as_str(), r.count))
            .collect();
        assert_eq!(causes, [("51", 2)]);
        assert_eq!(v.refusals[0].meaning, "Insufficient funds");
    }
);
