//! Configuration → Account (MB-10): the details checked field by field, audited before →
//! after; accepted currencies refused elsewhere; the data retention's purge on a year of
//! demo payments.

use crate::both_backends;
use crate::helpers::*;
use app::company::{AccountForm, AccountPage};
use app::error::{AppError, Problem};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use server::entities::{audit_log, merchant, payment, purged_total};

async fn page(app: &TestApp, cookie: &str) -> AccountPage {
    serde_json::from_str(
        &app.call("config/account", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap()
}

fn save(form: &AccountForm) -> serde_json::Value {
    json!({ "form": form })
}

both_backends!(
    the_account_details_are_checked_and_audited,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let p = page(&app, &admin).await;
        assert_eq!(p.form.retention_days, "540", "540 days unless chosen");
        assert_eq!(p.form.languages.len(), 6);

        // Everything wrong at once: every field says so, and nothing is saved.
        let mut bad = p.form.clone();
        bad.country = "DE".into();
        bad.vat_number = "DE1234".into();
        bad.phone = "call me".into();
        bad.currencies = "EUR,ZZZ".into();
        bad.retention_days = "44".into();
        bad.languages = vec![];
        bad.general_conditions_url = "javascript:alert(1)".into();
        bad.email = "not an address".into();
        let e = app
            .call_json("config/account_save", &save(&bad), Some(&admin))
            .await
            .error();
        for (field, problem) in [
            ("vat_number", Problem::InvalidVatNumber),
            ("phone", Problem::InvalidPhone),
            ("currencies", Problem::InvalidCurrency),
            ("retention_days", Problem::OutOfRange),
            ("languages", Problem::NoLanguage),
            ("general_conditions_url", Problem::InvalidUrl),
            ("email", Problem::InvalidEmail),
        ] {
            assert_eq!(e.problem_for(field), Some(&problem), "{field}: {e:?}");
        }
        assert_eq!(page(&app, &admin).await.form, p.form, "nothing saved");

        let mut good = p.form.clone();
        good.legal_name = "Shop SAS".into();
        good.country = "FR".into();
        good.vat_number = "fr 40 303 265 045".into();
        good.phone = "+33 1 23 45 67 89".into();
        good.currencies = "eur, usd".into();
        good.retention_days = "45".into();
        good.languages = vec!["fr".into(), "en".into()];
        good.general_conditions_url = "https://shop.example/terms".into();
        app.call_json("config/account_save", &save(&good), Some(&admin))
            .await
            .ok();
        let saved = page(&app, &admin).await.form;
        assert_eq!(saved.vat_number, "FR40303265045");
        assert_eq!(saved.currencies, "EUR,USD");
        assert_eq!(saved.languages, vec!["en".to_string(), "fr".to_string()]);
        assert_eq!(saved.retention_days, "45");
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.account"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            row.detail.contains("retention_days: 540 → 45"),
            "{}",
            row.detail
        );
        assert!(
            row.detail.contains("vat_number: \"\" → FR40303265045"),
            "{}",
            row.detail
        );

        // Admins only.
        let operator = app.session("shop", "operator").await;
        assert_eq!(
            app.call("config/account", &[], Some(&operator))
                .await
                .error(),
            AppError::Forbidden
        );
        assert_eq!(
            app.call_json("config/account_save", &save(&good), Some(&operator))
                .await
                .error(),
            AppError::Forbidden
        );

        // A currency the account does not accept is refused next to the field (MOTO).
        let res = app
            .call(
                "ops/moto",
                &[
                    ("form[reference]", "gbp-1"),
                    ("form[description]", "Phone order"),
                    ("form[currency]", "GBP"),
                    ("form[amount]", "10.00"),
                    ("form[mode]", "SALE"),
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
            res.error().problem_for("currency"),
            Some(&Problem::CurrencyNotAccepted),
            "{}",
            res.body
        );
    }
);

both_backends!(
    the_retention_purge_deletes_a_year_of_payments_down_to_45_days,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let now = chrono::Utc::now();
        let written = server::demo::payments::seed_year(&app.db, &m, now)
            .await
            .unwrap();
        assert!(written > 1000, "a year of demo payments: {written}");
        let cutoff = now - chrono::Duration::days(45);
        let old = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(m.id))
            .filter(payment::Column::CreatedAt.lt(cutoff))
            .all(&app.db)
            .await
            .unwrap();
        let recent = payment::Entity::find()
            .filter(payment::Column::CreatedAt.gte(cutoff))
            .count(&app.db)
            .await
            .unwrap();
        assert!(!old.is_empty() && recent > 0);
        // Stored cards: one unused for 100 days, one as old but used yesterday, one new.
        for (id, created, used) in [
            ("tok-old-unused", 100, None),
            ("tok-old-used", 100, Some(1)),
            ("tok-new", 2, None),
        ] {
            server::entities::token::ActiveModel {
                id: Set(id.into()),
                merchant_id: Set(m.id),
                merchant_customer_id: Set(None),
                card_enc: Set("sealed".into()),
                brand: Set("Visa".into()),
                payment_product_id: Set(1),
                masked_card: Set("411111******1111".into()),
                expiry: Set("1230".into()),
                card_holder: Set("Holder".into()),
                created_at: Set(now - chrono::Duration::days(created)),
                last_used_at: Set(used.map(|d| now - chrono::Duration::days(d))),
            }
            .insert(&app.db)
            .await
            .unwrap();
        }
        let mut active = m.clone().into_active_model();
        active.retention_days = Set(45);
        active.update(&app.db).await.unwrap();

        server::company::retention::run(&app.db).await.unwrap();
        let mut aliases: Vec<String> = server::entities::token::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        aliases.sort();
        assert_eq!(
            aliases,
            ["tok-new", "tok-old-used"],
            "an alias unused for 100 days goes"
        );

        let left_old = payment::Entity::find()
            .filter(payment::Column::CreatedAt.lt(cutoff - chrono::Duration::minutes(5)))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(left_old, 0, "nothing older than 45 days is left");
        let kept = payment::Entity::find()
            .filter(payment::Column::CreatedAt.gte(cutoff))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(kept, recent, "the last 45 days are kept");
        // The totals of what was deleted are kept per day and currency.
        let totals = purged_total::Entity::find().all(&app.db).await.unwrap();
        let sum = |f: fn(&purged_total::Model) -> i64| totals.iter().map(f).sum::<i64>();
        assert_eq!(sum(|t| t.payments) as usize, old.len());
        assert_eq!(
            sum(|t| t.captured),
            old.iter().map(|p| p.captured).sum::<i64>()
        );
        assert_eq!(
            sum(|t| t.refunded),
            old.iter().map(|p| p.refunded).sum::<i64>()
        );
        assert_eq!(
            sum(|t| t.authorised),
            old.iter().map(|p| p.authorised).sum::<i64>()
        );

        // The account page shows the last run's counts and the next run.
        let admin = app.session("shop", "admin").await;
        let p = page(&app, &admin).await;
        assert!(p.retention.last_run.is_some());
        assert!(
            p.retention
                .last_counts
                .contains(&format!("payments {}", old.len())),
            "{}",
            p.retention.last_counts
        );
        assert!(p.retention.next_run.is_some(), "the next run is queued");
        // A second run finds nothing more.
        server::company::retention::run(&app.db).await.unwrap();
        let p = page(&app, &admin).await;
        assert!(
            p.retention.last_counts.contains("payments 0,"),
            "{}",
            p.retention.last_counts
        );
    }
);

both_backends!(
    hosted_pages_offer_the_accounts_languages_and_currencies,
    &[],
    |app: TestApp| async move {
        use crate::payments::{key, post};
        let k = key(&app, "shop").await;
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active = m.into_active_model();
        active.languages = Set("fr,nl".into());
        active.currencies = Set("EUR".into());
        active.general_conditions_url = Set("https://shop.example/terms".into());
        active.update(&app.db).await.unwrap();
        let checkout = |locale: &str, currency: &str| {
            json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": currency } },
                "hostedCheckoutSpecificInput": {
                    "returnUrl": "https://shop.example/back",
                    "locale": locale,
                },
            })
        };
        // German is not offered: the page speaks the account's first language.
        let (status, body) = post(&app, &k, "/hostedcheckouts", &checkout("de_DE", "EUR")).await;
        assert_eq!(status, 201, "{body}");
        assert!(
            body["redirectUrl"].as_str().unwrap().ends_with("?lang=fr"),
            "{body}"
        );
        // The payment page links the general conditions.
        let id = body["hostedCheckoutId"].as_str().unwrap();
        let view: app::checkout::CheckoutView =
            serde_json::from_str(&app.call("pay/view", &[("id", id)], None).await.ok().body)
                .unwrap();
        assert_eq!(
            view.terms_url.as_deref(),
            Some("https://shop.example/terms")
        );
        let (_, body) = post(&app, &k, "/hostedcheckouts", &checkout("nl_BE", "EUR")).await;
        assert!(
            body["redirectUrl"].as_str().unwrap().ends_with("?lang=nl"),
            "{body}"
        );
        assert_eq!(view.languages, ["fr", "nl"], "the page's language switch");
        // Without a locale, the page opens in the browser's language among the account's.
        let (status, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
                "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back" },
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let page = body["redirectUrl"].as_str().unwrap().to_owned();
        assert!(!page.contains("lang="), "{page}");
        let path = page.split_once("://").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        for (accept, lang) in [
            ("de-DE,nl;q=0.8,fr;q=0.5", "nl"),
            ("de-DE,en;q=0.9", "fr"),
            ("", "fr"),
        ] {
            let res = app
                .http
                .get(format!("{}{path}", app.base))
                .header("accept-language", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303, "{accept}");
            assert_eq!(
                res.headers()["location"].to_str().unwrap(),
                format!("{path}?lang={lang}"),
                "{accept}"
            );
        }
        // Asked with a language, the page itself answers.
        let res = app
            .http
            .get(format!("{}{path}?lang=nl", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        // A currency the account does not accept: a Direct error naming the property.
        let (status, body) = post(&app, &k, "/hostedcheckouts", &checkout("fr_FR", "USD")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["errors"][0]["propertyName"], "order.amountOfMoney.currencyCode",
            "{body}"
        );
        let (status, body) = post(
            &app,
            &k,
            "/payments",
            &json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "USD" } },
                "cardPaymentMethodSpecificInput": {
                    "card": { "cardNumber": "4111111111111111", "expiryDate": "1230", "cvv": "123", "cardholderName": "A B" },
                    "paymentProductId": 1,
                },
            }),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["errors"][0]["propertyName"],
            "order.amountOfMoney.currencyCode"
        );
    }
);
