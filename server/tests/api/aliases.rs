//! Configuration → Aliases (MB-13) through its server functions: a card stored as an
//! alias answers and audits its masked number only and is sealed in the database; the
//! list is searched by customer id and last four digits; the expiry is changed (a past or
//! malformed one is refused next to the field); an alias is deleted; Read-only users only
//! read; another merchant sees and touches none of it; a mail order is paid with an alias.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, FnResponse, TestApp};
use crate::operations::detail;
use crate::payments::key;
use app::aliases::{AliasPage, AliasRow};
use app::error::{AppError, Problem};
use app::payments::{MotoResult, PaymentsPage};
use domain::CardError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::{audit_log, token};

const VISA: &str = "4111111111111111";
const MASTERCARD: &str = "5555555555554444";

async fn create(app: &TestApp, cookie: &str, card: [&str; 4]) -> FnResponse {
    let [number, expiry, holder, customer] = card;
    app.call(
        "aliases/create",
        &[
            ("form[number]", number),
            ("form[expiry]", expiry),
            ("form[holder]", holder),
            ("form[customer_id]", customer),
        ],
        Some(cookie),
    )
    .await
}

fn alias(res: &FnResponse) -> AliasRow {
    res.ok();
    serde_json::from_str(&res.body).unwrap()
}

async fn list(app: &TestApp, cookie: &str, search: &[(&str, &str)]) -> FnResponse {
    let mut form = vec![("filter[page]", "1")];
    form.extend_from_slice(search);
    app.call("aliases/list", &form, Some(cookie)).await
}

async fn page(app: &TestApp, cookie: &str, search: &[(&str, &str)]) -> AliasPage {
    let res = list(app, cookie, search).await;
    res.ok();
    serde_json::from_str(&res.body).unwrap()
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
}

async fn moto_with_alias(app: &TestApp, cookie: &str, alias: &str) -> FnResponse {
    app.call(
        "ops/moto",
        &[
            ("form[reference]", "phone-alias"),
            ("form[currency]", "EUR"),
            ("form[amount]", "12.00"),
            ("form[mode]", "SALE"),
            ("form[alias]", alias),
        ],
        Some(cookie),
    )
    .await
}

fn card_problem(res: &FnResponse, field: &str) -> Option<Problem> {
    res.error().problem_for(field).cloned()
}

both_backends!(
    aliases_are_stored_masked_searched_changed_and_deleted,
    &[],
    |app: TestApp| async move {
        key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;

        // Stored: the answer shows the card masked 6+4, never the number.
        let res = create(
            &app,
            &admin,
            ["4111 1111 1111 1111", "12/30", "Ada Lovelace", "cust-7"],
        )
        .await;
        assert!(!res.body.contains(VISA), "{}", res.body);
        let visa = alias(&res);
        assert_eq!(
            (
                visa.masked_card.as_str(),
                visa.brand.as_str(),
                visa.expiry.as_str()
            ),
            ("411111******1111", "Visa", "12/30")
        );
        assert_eq!(
            (visa.customer_id.as_str(), visa.card_holder.as_str()),
            ("cust-7", "Ada Lovelace")
        );
        assert_eq!(visa.last_used, None);
        let master = alias(
            &create(
                &app,
                &operator,
                [MASTERCARD, "01/31", "Grace Hopper", "CUST-8"],
            )
            .await,
        );
        assert_eq!(master.masked_card, "555555******4444");

        // In the database the number is sealed, not in clear.
        let row = token::Entity::find_by_id(visa.id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!row.card_enc.contains(VISA), "{}", row.card_enc);
        assert!(!row.card_enc.contains("1111 1111"));
        assert_eq!(row.masked_card, "411111******1111");

        // Audited with the alias and the masked card, no other card data.
        let created = audit_rows(&app, "alias.create").await;
        assert_eq!(created.len(), 2, "{created:?}");
        for entry in &created {
            for secret in [VISA, MASTERCARD, "Ada", "Grace", "12/30", "1230", "0131"] {
                assert!(!entry.detail.contains(secret), "{}", entry.detail);
            }
        }
        assert!(created
            .iter()
            .any(|e| e.detail.contains("411111******1111") && e.detail.contains(&visa.id)));
        assert!(created.iter().all(|e| e.ip == "127.0.0.1"));

        // Bad input is named by field; nothing is stored.
        let res = create(&app, &admin, ["4111111111111112", "13/30", "", ""]).await;
        assert_eq!(
            card_problem(&res, "number"),
            Some(Problem::Card(CardError::Luhn))
        );
        assert_eq!(
            card_problem(&res, "expiry"),
            Some(Problem::Card(CardError::ExpiryFormat))
        );
        assert_eq!(card_problem(&res, "holder"), Some(Problem::Required));
        assert!(!res.body.contains("4111111111111112"));
        let res = create(&app, &admin, [VISA, "01/20", "Ada", &"c".repeat(51)]).await;
        assert_eq!(
            card_problem(&res, "expiry"),
            Some(Problem::Card(CardError::Expired))
        );
        assert_eq!(card_problem(&res, "customer_id"), Some(Problem::TooLong));

        // The list, newest first; searched by customer id (any case) or last 4.
        let all = page(&app, &admin, &[]).await;
        assert_eq!(all.total, 2);
        assert!(all.may_edit);
        assert_eq!(all.rows[0].id, master.id);
        assert!(!serde_json::to_string(&all).unwrap().contains(VISA));
        let found = page(&app, &admin, &[("filter[customer]", "cust-8")]).await;
        assert_eq!(
            (found.total, found.rows[0].id.as_str()),
            (1, master.id.as_str())
        );
        let found = page(&app, &admin, &[("filter[customer]", "T-7")]).await;
        assert_eq!(
            (found.total, found.rows[0].id.as_str()),
            (1, visa.id.as_str())
        );
        let found = page(&app, &admin, &[("filter[last4]", "4444")]).await;
        assert_eq!(
            (found.total, found.rows[0].id.as_str()),
            (1, master.id.as_str())
        );
        let found = page(
            &app,
            &admin,
            &[("filter[last4]", "1111"), ("filter[customer]", "cust-8")],
        )
        .await;
        assert_eq!(found.total, 0);
        let res = list(&app, &admin, &[("filter[last4]", "44")]).await;
        assert_eq!(card_problem(&res, "last4"), Some(Problem::OutOfRange));
        let res = list(&app, &admin, &[("filter[customer]", "%")]).await;
        let none: AliasPage = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(none.total, 0);

        // A new expiry: a past or malformed one is refused next to the field.
        let update = |id: String, expiry: &'static str| {
            let (app, admin) = (&app, admin.clone());
            async move {
                app.call(
                    "aliases/update_expiry",
                    &[("id", id.as_str()), ("expiry", expiry)],
                    Some(&admin),
                )
                .await
            }
        };
        let res = update(visa.id.clone(), "01/20").await;
        assert_eq!(
            card_problem(&res, "expiry"),
            Some(Problem::Card(CardError::Expired))
        );
        let res = update(visa.id.clone(), "1/3").await;
        assert_eq!(
            card_problem(&res, "expiry"),
            Some(Problem::Card(CardError::ExpiryFormat))
        );
        let res = update(visa.id.clone(), "").await;
        assert_eq!(card_problem(&res, "expiry"), Some(Problem::Required));
        let changed = alias(&update(visa.id.clone(), "03/32").await);
        assert_eq!(changed.expiry, "03/32");
        let updated = audit_rows(&app, "alias.update").await;
        assert_eq!(updated.len(), 1);
        assert!(updated[0].detail.contains("411111******1111"));
        assert!(!updated[0].detail.contains("03/32") && !updated[0].detail.contains("0332"));
        let res = update("no-such-alias".into(), "03/32").await;
        assert!(matches!(res.error(), AppError::NotFound));

        // Read-only users read the list and change nothing.
        let reader = app
            .user_session("shop", "reader", domain::Role::ReadOnly)
            .await;
        let seen = page(&app, &reader, &[]).await;
        assert_eq!((seen.total, seen.may_edit), (2, false));
        let res = create(&app, &reader, [VISA, "12/30", "Ada Lovelace", ""]).await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let res = app
            .call("aliases/delete", &[("id", &visa.id)], Some(&reader))
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let res = app
            .call(
                "aliases/update_expiry",
                &[("id", visa.id.as_str()), ("expiry", "04/33")],
                Some(&reader),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));

        // Deleted after confirmation: gone from the list, audited with the masked card.
        app.call("aliases/delete", &[("id", &master.id)], Some(&operator))
            .await
            .ok();
        let left = page(&app, &admin, &[]).await;
        assert_eq!(
            (left.total, left.rows[0].id.as_str()),
            (1, visa.id.as_str())
        );
        let deleted = audit_rows(&app, "alias.delete").await;
        assert_eq!(deleted.len(), 1);
        assert!(deleted[0].detail.contains("555555******4444"));
        assert!(!deleted[0].detail.contains(MASTERCARD));
        let res = app
            .call("aliases/delete", &[("id", &master.id)], Some(&operator))
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        assert_eq!(audit_rows(&app, "alias.delete").await.len(), 1);
    }
);

both_backends!(
    another_merchant_neither_sees_nor_touches_nor_pays_with_an_alias,
    &[],
    |app: TestApp| async move {
        key(&app, "shopa").await;
        key(&app, "shopb").await;
        let a = app.session("shopa", "admin").await;
        let b = app.session("shopb", "admin").await;
        let a_alias = alias(&create(&app, &a, [VISA, "12/30", "Ada Lovelace", "cust-a"]).await);
        let b_alias = alias(&create(&app, &b, [MASTERCARD, "12/30", "Bea", "cust-b"]).await);

        let b_sees = page(&app, &b, &[]).await;
        assert_eq!(
            (b_sees.total, b_sees.rows[0].id.as_str()),
            (1, b_alias.id.as_str())
        );
        let b_searches = page(&app, &b, &[("filter[customer]", "cust-a")]).await;
        assert_eq!(b_searches.total, 0);
        let res = app
            .call(
                "aliases/update_expiry",
                &[("id", a_alias.id.as_str()), ("expiry", "04/33")],
                Some(&b),
            )
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        let res = app
            .call("aliases/delete", &[("id", &a_alias.id)], Some(&b))
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        let res = moto_with_alias(&app, &b, &a_alias.id).await;
        assert_eq!(card_problem(&res, "alias"), Some(Problem::OutOfRange));
        assert!(!res.body.contains("411111"));

        // A's alias is as it was, and unused.
        let a_sees = page(&app, &a, &[]).await;
        assert_eq!(a_sees.rows, vec![a_alias]);
        let b_payments: PaymentsPage = serde_json::from_str(
            &app.call("ops/payments", &[("filter[page]", "1")], Some(&b))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(b_payments.total, 0);
    }
);

both_backends!(
    a_mail_order_is_paid_with_an_alias,
    &[],
    |app: TestApp| async move {
        key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let visa = alias(&create(&app, &admin, [VISA, "12/30", "Ada Lovelace", "cust-7"]).await);

        // No card typed: the alias's stored card pays.
        let res = moto_with_alias(&app, &operator, &visa.id).await;
        res.ok();
        let r: MotoResult = serde_json::from_str(&res.body).unwrap();
        assert!(r.approved, "{r:?}");
        assert_eq!(r.status, "succeeded");
        let d = detail(
            app.call("ops/payment", &[("id", &r.payment_id)], Some(&operator))
                .await,
        )
        .await;
        assert_eq!(
            (
                d.channel.as_str(),
                d.masked_card.as_str(),
                d.holder.as_str()
            ),
            ("MOTO", "411111******1111", "Ada Lovelace")
        );
        // The payments list finds it by the alias; the alias shows when it last paid.
        let by_alias: PaymentsPage = serde_json::from_str(
            &app.call(
                "ops/payments",
                &[("filter[page]", "1"), ("filter[alias]", &visa.id)],
                Some(&admin),
            )
            .await
            .body,
        )
        .unwrap();
        assert_eq!(
            (by_alias.total, by_alias.rows[0].id.as_str()),
            (1, r.payment_id.as_str())
        );
        let listed = page(&app, &admin, &[]).await;
        assert!(listed.rows[0].last_used.is_some(), "{listed:?}");

        // An unknown alias, or none, is named next to the field.
        let res = moto_with_alias(&app, &operator, "no-such-alias").await;
        assert_eq!(card_problem(&res, "alias"), Some(Problem::OutOfRange));
        let res = moto_with_alias(&app, &operator, "").await;
        assert_eq!(card_problem(&res, "number"), Some(Problem::Required));

        // A deleted alias pays no more; the payment keeps its masked card.
        app.call("aliases/delete", &[("id", &visa.id)], Some(&admin))
            .await
            .ok();
        let res = moto_with_alias(&app, &operator, &visa.id).await;
        assert_eq!(card_problem(&res, "alias"), Some(Problem::OutOfRange));
        let d = detail(
            app.call("ops/payment", &[("id", &r.payment_id)], Some(&operator))
                .await,
        )
        .await;
        assert_eq!(d.masked_card, "411111******1111");
    }
);
