//! The payments list's filters through the pages' server functions: filter templates,
//! per user or shared, the columns chosen in the list settings, and every filter
//! narrowing the list alone and combined.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, key, post};
use app::error::{AppError, Problem};
use app::payments::{ListViews, PaymentsPage};

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
