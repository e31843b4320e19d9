//! Payment methods (MB-11): the page (Admins, checked, audited), the products API that
//! follows the active methods and Direct's filters, and a card of an inactive brand (or
//! outside a method's currencies and countries) refused on every channel — S2S with
//! `propertyName`, MOTO and the hosted page next to the card number, stored cards on the
//! token — with nothing written.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{get, key, post, Key};
use app::error::{AppError, Problem};
use app::methods::{MethodForm, MethodRow};
use domain::CardError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{audit_log, payment};

const AMEX: &str = "3782 822463 10005";
const VISA: &str = "4111 1111 1111 1111";

async fn methods(app: &TestApp, cookie: &str) -> Vec<MethodRow> {
    let res = app.call("config/methods", &[], Some(cookie)).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

async fn save(app: &TestApp, cookie: &str, form: MethodForm) -> FnResponse {
    app.call_json("config/method_save", &json!({ "form": form }), Some(cookie))
        .await
}

fn form(code: i32, active: bool, currencies: &str, countries: &str) -> MethodForm {
    MethodForm {
        code,
        active,
        currencies: currencies.into(),
        countries: countries.into(),
        ..Default::default()
    }
}

async fn product_ids(app: &TestApp, k: &Key, query: &str) -> Vec<i64> {
    let (status, body) = get(app, k, &format!("/products{query}")).await;
    assert_eq!(status, 200, "{body}");
    body["paymentProducts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn property(body: &Value) -> &str {
    body["errors"][0]["propertyName"]
        .as_str()
        .unwrap_or_default()
}

/// A card payment in EUR, without a product id unless `product` names one.
fn payment_body(number: &str, cvv: &str, product: Option<i64>) -> Value {
    let mut body = json!({
        "order": { "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" },
                   "references": { "merchantReference": "methods" } },
        "cardPaymentMethodSpecificInput": {
            "card": { "cardNumber": number, "cvv": cvv, "expiryDate": "1230", "cardholderName": "Test" },
            "authorizationMode": "SALE",
        },
    });
    if let Some(p) = product {
        body["cardPaymentMethodSpecificInput"]["paymentProductId"] = json!(p);
    }
    body
}

async fn payments_of(app: &TestApp, pspid: &str) -> u64 {
    let m = server::account::provisioning::find_merchant(&app.db, pspid, domain::Environment::Test)
        .await
        .unwrap();
    payment::Entity::find()
        .filter(payment::Column::MerchantId.eq(m.id))
        .count(&app.db)
        .await
        .unwrap()
}

async fn moto(app: &TestApp, cookie: &str, number: &str, cvc: &str) -> FnResponse {
    app.call(
        "ops/moto",
        &[
            ("form[reference]", "moto-methods"),
            ("form[description]", "Phone order"),
            ("form[currency]", "EUR"),
            ("form[amount]", "10.00"),
            ("form[mode]", "SALE"),
            ("form[customer_id]", ""),
            ("form[number]", number),
            ("form[expiry]", "12/30"),
            ("form[holder]", "Ada Lovelace"),
            ("form[cvc]", cvc),
        ],
        Some(cookie),
    )
    .await
}

async fn pay(app: &TestApp, id: &str, number: &str, cvc: &str) -> FnResponse {
    app.call(
        "pay/pay",
        &[
            ("id", id),
            ("number", number),
            ("expiry", "12/30"),
            ("cvc", cvc),
            ("holder", "Pat Payer"),
        ],
        None,
    )
    .await
}

both_backends!(
    the_products_list_follows_the_active_methods_and_filters,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let other = key(&app, "other").await;
        let admin = app.session("shop", "admin").await;

        // Defaults: every card brand, the Bancontact card off.
        let rows = methods(&app, &admin).await;
        assert_eq!(rows.len(), 11);
        // iDEAL (809) and the wallets (320, 302) start off too.
        assert!(
            rows.iter()
                .all(|r| r.active == !matches!(r.code, 3012 | 809 | 320 | 302)),
            "{rows:?}"
        );
        let all = vec![1, 3, 2, 117, 128, 125, 132];
        assert_eq!(product_ids(&app, &k, "").await, all);
        assert_eq!(get(&app, &k, "/products/3012").await.0, 404);

        // Amex off: gone from the list, and 404 by id; the other merchant keeps it.
        let saved: MethodRow =
            serde_json::from_str(&save(&app, &admin, form(2, false, "", "")).await.ok().body)
                .unwrap();
        assert!(!saved.active);
        assert_eq!(product_ids(&app, &k, "").await, [1, 3, 117, 128, 125, 132]);
        let (status, body) = get(&app, &k, "/products/2").await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(product_ids(&app, &other, "").await, all);
        assert_eq!(get(&app, &other, "/products/2").await.0, 200);

        // Visa for USD in Belgium and the Netherlands only; the Bancontact card on.
        save(&app, &admin, form(1, true, "usd", "nl, be"))
            .await
            .ok();
        save(&app, &admin, form(3012, true, "EUR", "BE")).await.ok();
        let listed = methods(&app, &admin).await;
        let visa = listed.iter().find(|r| r.code == 1).unwrap();
        assert_eq!(
            (visa.currencies.as_str(), visa.countries.as_str()),
            ("USD", "BE,NL")
        );
        let ids = |q: &'static str| product_ids(&app, &k, q);
        assert!(ids("?currencyCode=USD&countryCode=NL").await.contains(&1));
        assert!(!ids("?currencyCode=EUR&countryCode=NL").await.contains(&1));
        assert!(!ids("?currencyCode=USD&countryCode=DE").await.contains(&1));
        assert!(ids("?countryCode=BE&currencyCode=EUR&amount=100")
            .await
            .contains(&3012));
        assert!(!ids("?countryCode=BE&currencyCode=EUR&amount=0")
            .await
            .contains(&3012));
        assert!(!ids("?countryCode=NL&currencyCode=EUR")
            .await
            .contains(&3012));
        assert_eq!(get(&app, &k, "/products/1?currencyCode=EUR").await.0, 404);
        let (status, body) = get(&app, &k, "/products/1?currencyCode=USD&countryCode=BE").await;
        assert_eq!((status, body["id"].as_i64()), (200, Some(1)), "{body}");
        let (status, body) = get(&app, &k, "/products/3012?amount=5").await;
        assert_eq!(status, 200, "{body}");
        assert!(body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["id"] != "cvv"));

        // Filters Direct refuses, by name.
        for (query, name) in [
            ("?currencyCode=ZZZ", "currencyCode"),
            ("?countryCode=XX", "countryCode"),
            ("?amount=-1", "amount"),
            ("?amount=ten", "amount"),
        ] {
            let (status, body) = get(&app, &k, &format!("/products{query}")).await;
            assert_eq!((status, property(&body)), (400, name), "{query}: {body}");
        }

        // Audited before → after.
        let details: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_method"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.detail)
            .collect();
        assert!(
            details.contains(&"American Express (2): active: true → false".to_owned()),
            "{details:?}"
        );
        assert!(
            details
                .contains(&"Visa (1): currencies: \"\" → USD; countries: \"\" → BE,NL".to_owned()),
            "{details:?}"
        );
        // Saving the same again writes nothing.
        save(&app, &admin, form(2, false, "", "")).await.ok();
        let count = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.payment_method"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(count, 3);

        // Bad lists are refused next to their fields, and nothing changes.
        let e = save(&app, &admin, form(2, true, "EUR,ZZZ", "BE,XX"))
            .await
            .error();
        assert_eq!(e.problem_for("currencies"), Some(&Problem::InvalidCurrency));
        assert_eq!(e.problem_for("countries"), Some(&Problem::InvalidCountry));
        assert!(!methods(&app, &admin)
            .await
            .iter()
            .any(|r| r.code == 2 && r.active));
        assert_eq!(
            save(&app, &admin, form(999, true, "", "")).await.error(),
            AppError::NotFound
        );

        // Admins only.
        let operator = app.session("shop", "operator").await;
        assert_eq!(
            app.call("config/methods", &[], Some(&operator))
                .await
                .error(),
            AppError::Forbidden
        );
        assert_eq!(
            save(&app, &operator, form(2, true, "", "")).await.error(),
            AppError::Forbidden
        );
        assert!(!methods(&app, &admin)
            .await
            .iter()
            .any(|r| r.code == 2 && r.active));
    }
);

both_backends!(
    a_card_of_an_inactive_brand_is_refused_on_every_channel,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let other = key(&app, "other").await;
        let admin = app.session("shop", "admin").await;
        // A Mastercard kept as a token while the brand is on.
        let mut tokenized = payment_body("5555 5555 5555 4444", "123", None);
        tokenized["cardPaymentMethodSpecificInput"]["tokenize"] = json!(true);
        let (status, body) = post(&app, &k, "/payments", &tokenized).await;
        assert_eq!(status, 201, "{body}");
        let token = body["creationOutput"]["token"].as_str().unwrap().to_owned();
        let before = payments_of(&app, "shop").await;

        save(&app, &admin, form(2, false, "", "")).await.ok();
        save(&app, &admin, form(3, false, "", "")).await.ok();

        // S2S: on the card number, or on the product id the caller named.
        let (status, body) = post(&app, &k, "/payments", &payment_body(AMEX, "1234", None)).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            property(&body),
            "cardPaymentMethodSpecificInput.card.cardNumber"
        );
        let (status, body) =
            post(&app, &k, "/payments", &payment_body(AMEX, "1234", Some(2))).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            property(&body),
            "cardPaymentMethodSpecificInput.paymentProductId"
        );
        // The stored card of a brand now off, on the token.
        let (status, body) = post(
            &app,
            &k,
            "/payments",
            &json!({
                "order": { "amountOfMoney": { "amount": 1000, "currencyCode": "EUR" } },
                "cardPaymentMethodSpecificInput": { "token": token, "authorizationMode": "SALE" },
            }),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(property(&body), "cardPaymentMethodSpecificInput.token");
        assert_eq!(payments_of(&app, "shop").await, before, "nothing written");
        // Another merchant's settings are its own.
        let (status, body) = post(
            &app,
            &other,
            "/payments",
            &payment_body(AMEX, "1234", Some(2)),
        )
        .await;
        assert_eq!(status, 201, "{body}");

        // MOTO: next to the card number.
        let res = moto(&app, &admin, AMEX, "1234").await;
        assert_eq!(
            res.error().problem_for("number"),
            Some(&Problem::Card(CardError::BrandNotAccepted)),
            "{}",
            res.body
        );
        moto(&app, &admin, VISA, "123").await.ok();

        // The hosted page lists only the active brands and refuses an inactive one.
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
        let id = body["hostedCheckoutId"].as_str().unwrap().to_owned();
        let view: app::checkout::CheckoutView =
            serde_json::from_str(&app.call("pay/view", &[("id", &id)], None).await.ok().body)
                .unwrap();
        assert_eq!(
            view.brands,
            ["Visa", "Maestro", "Discover", "JCB", "Diners Club"]
        );
        let res = pay(&app, &id, AMEX, "1234").await;
        assert_eq!(
            res.error().problem_for("number"),
            Some(&Problem::Card(CardError::BrandNotAccepted)),
            "{}",
            res.body
        );
        let paid: app::checkout::CheckoutView =
            serde_json::from_str(&pay(&app, &id, VISA, "123").await.ok().body).unwrap();
        assert_eq!(paid.state, app::checkout::CheckoutState::Paid);

        // A method narrowed to currencies and countries: Visa in USD, or for Dutch cards.
        save(&app, &admin, form(1, true, "USD", "")).await.ok();
        let (status, body) = post(&app, &k, "/payments", &payment_body(VISA, "123", None)).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            property(&body),
            "cardPaymentMethodSpecificInput.card.cardNumber"
        );
        save(&app, &admin, form(1, true, "", "NL")).await.ok();
        let (status, body) = post(&app, &k, "/payments", &payment_body(VISA, "123", None)).await;
        assert_eq!(
            (status, property(&body)),
            (400, "cardPaymentMethodSpecificInput.card.cardNumber"),
            "a US card: {body}"
        );
        let (status, body) = post(
            &app,
            &k,
            "/payments",
            &payment_body("4000 0000 0000 0002", "123", None),
        )
        .await;
        assert_ne!(status, 400, "a Dutch card: {body}");
    }
);

both_backends!(
    a_card_of_an_inactive_brand_is_not_stored,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        save(&app, &admin, form(2, false, "", "")).await.ok();
        let token_body = |number: &str| {
            json!({ "paymentProductId": 1, "card": { "data": { "cardWithoutCvv": {
                "cardNumber": number, "expiryDate": "1230" } } } })
        };
        let stored = || async {
            server::entities::token::Entity::find()
                .count(&app.db)
                .await
                .unwrap()
        };
        let before = stored().await;

        // The API refuses it on the card number and stores nothing.
        let (status, body) = post(&app, &k, "/tokens", &token_body(AMEX)).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(property(&body), "card.data.card.cardNumber");
        assert_eq!(stored().await, before);

        // The aliases page, next to the number.
        let res = app
            .call(
                "aliases/create",
                &[
                    ("form[number]", AMEX),
                    ("form[expiry]", "12/30"),
                    ("form[holder]", "A Holder"),
                    ("form[customer_id]", ""),
                ],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("number"),
            Some(&Problem::Card(CardError::BrandNotAccepted)),
            "{}",
            res.body
        );
        assert_eq!(stored().await, before);

        // An active brand is stored, and so is the inactive one for another merchant.
        let (status, body) = post(&app, &k, "/tokens", &token_body(VISA)).await;
        assert_eq!(status, 201, "{body}");
        let other = key(&app, "other").await;
        let (status, body) = post(&app, &other, "/tokens", &token_body(AMEX)).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(stored().await, before + 2);
    }
);
