//! Payments pages through their server functions: filters, roles and rights, and the
//! domain's limits on captures and refunds.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::model::{AppError, PaymentDetail, PaymentsPage, Problem};

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
