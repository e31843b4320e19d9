//! Redirect methods (issue 16): iDEAL and Bancontact on the payment methods page and in
//! the products list, `POST payments` with `redirectPaymentMethodSpecificInput` answered
//! `REDIRECTED` with the bank page's address, the simulated bank page (approve → captured
//! with its operations and `payment.captured`, cancel → cancelled, the refusal amount),
//! an inactive method refused by `propertyName`, a double submit written once, and a
//! bank page that only ever acts on its own merchant's payment.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{get, key, post, Key};
use app::methods::MethodForm;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{operation, payment, webhook_event};

pub(crate) async fn set_method(
    app: &TestApp,
    cookie: &str,
    code: i32,
    active: bool,
    currencies: &str,
    countries: &str,
) {
    let form = MethodForm {
        code,
        active,
        currencies: currencies.into(),
        countries: countries.into(),
        ..Default::default()
    };
    app.call_json("config/method_save", &json!({ "form": form }), Some(cookie))
        .await
        .ok();
}

pub(crate) fn ideal_body(amount: i64, currency: &str) -> Value {
    json!({
        "order": {
            "amountOfMoney": { "amount": amount, "currencyCode": currency },
            "references": { "merchantReference": "ideal-it" },
            "customer": { "locale": "nl_NL", "billingAddress": { "countryCode": "NL" } },
        },
        "redirectPaymentMethodSpecificInput": {
            "paymentProductId": 809,
            "redirectionData": { "returnUrl": "https://shop.example/back" },
            "paymentProduct809SpecificInput": { "issuerId": "INGBNL2A" },
        },
    })
}

fn property(body: &Value) -> &str {
    body["errors"][0]["propertyName"]
        .as_str()
        .unwrap_or_default()
}

/// The bank page's address on the test server (its path after the public URL).
pub(crate) fn bank_path(app: &TestApp, body: &Value) -> String {
    let url = body["merchantAction"]["redirectData"]["redirectURL"]
        .as_str()
        .unwrap_or_else(|| panic!("no redirect URL: {body}"));
    let at = url.find("/pay/bank/").expect("a bank page");
    format!("{}{}", app.base, &url[at..])
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts `decision` on the bank page: (status, Location).
pub(crate) async fn decide(url: &str, decision: &str) -> (u16, String) {
    let form_url = url.split('?').next().unwrap().to_owned();
    let res = no_redirects()
        .post(form_url)
        .form(&[("decision", decision), ("lang", "en")])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), location(&res))
}

async fn status_of(app: &TestApp, k: &Key, id: &str) -> Value {
    let (s, v) = get(app, k, &format!("/payments/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn ops(app: &TestApp, public: &str) -> Vec<(String, String)> {
    let id = server::payments::records::parse_public_id(public).unwrap();
    operation::Entity::find()
        .filter(operation::Column::PaymentId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.kind, o.result))
        .collect()
}

async fn events(app: &TestApp, kind: &str) -> usize {
    webhook_event::Entity::find()
        .filter(webhook_event::Column::Kind.eq(kind))
        .count(&app.db)
        .await
        .unwrap() as usize
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

both_backends!(
    ideal_and_wallets_join_the_products_list_once_switched_on,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        // Off by default: the card list is unchanged.
        assert!(!product_ids(&app, &k, "").await.contains(&809));
        assert_eq!(get(&app, &k, "/products/809").await.0, 404);

        set_method(&app, &admin, 809, true, "EUR", "NL").await;
        set_method(&app, &admin, 320, true, "", "").await;
        assert!(product_ids(&app, &k, "?currencyCode=EUR&countryCode=NL")
            .await
            .contains(&809));
        assert!(!product_ids(&app, &k, "?currencyCode=USD")
            .await
            .contains(&809));
        assert!(!product_ids(&app, &k, "?countryCode=DE")
            .await
            .contains(&809));
        let (status, ideal) = get(&app, &k, "/products/809?currencyCode=EUR").await;
        assert_eq!(status, 200, "{ideal}");
        assert_eq!(ideal["paymentMethod"], "redirect");
        assert_eq!(ideal["usesRedirectionTo3rdParty"], true);
        assert_eq!(ideal["displayHints"]["label"], "iDEAL");
        let (status, gpay) = get(&app, &k, "/products/320").await;
        assert_eq!(status, 200, "{gpay}");
        assert_eq!(gpay["paymentMethod"], "mobile");

        // iDEAL exists in euros only: another currency is refused next to the field.
        let form = MethodForm {
            code: 809,
            active: true,
            currencies: "USD".into(),
            countries: "NL".into(),
            ..Default::default()
        };
        let e = app
            .call_json("config/method_save", &json!({ "form": form }), Some(&admin))
            .await
            .error();
        assert_eq!(
            e.problem_for("currencies"),
            Some(&app::error::Problem::InvalidCurrency)
        );
        // Google Pay on mobile is its own switch, audited.
        let form = MethodForm {
            code: 320,
            active: true,
            mobile_active: true,
            ..Default::default()
        };
        app.call_json("config/method_save", &json!({ "form": form }), Some(&admin))
            .await
            .ok();
        let rows: Vec<app::methods::MethodRow> = serde_json::from_str(
            &app.call("config/methods", &[], Some(&admin))
                .await
                .ok()
                .body,
        )
        .unwrap();
        let g = rows.iter().find(|r| r.code == 320).unwrap();
        assert!(g.active && g.mobile_active, "{g:?}");
        let audited = server::entities::audit_log::Entity::find()
            .filter(server::entities::audit_log::Column::Action.eq("config.payment_method"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .any(|a| a.detail == "Google Pay (320): mobile: false → true");
        assert!(audited);
    }
);

both_backends!(
    an_ideal_payment_is_approved_on_the_bank_page_and_captured_once,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "https://hooks.example/in").await;
        set_method(&app, &admin, 809, true, "EUR", "NL").await;

        let (status, body) = post(&app, &k, "/payments", &ideal_body(1250, "EUR")).await;
        assert_eq!(status, 201, "{body}");
        let id = body["payment"]["id"].as_str().unwrap().to_owned();
        assert_eq!(body["payment"]["status"], "REDIRECTED", "{body}");
        assert_eq!(body["payment"]["statusOutput"]["statusCode"], 46);
        assert_eq!(body["merchantAction"]["actionType"], "REDIRECT");
        let mac = body["merchantAction"]["redirectData"]["RETURNMAC"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!mac.is_empty());
        assert_eq!(
            body["payment"]["paymentOutput"]["redirectPaymentMethodSpecificOutput"]
                ["paymentProductId"],
            809
        );
        let url = bank_path(&app, &body);

        // The page: merchant, amount, method, in the payment's language (Dutch).
        let page = reqwest::get(&url).await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("iDEAL"), "{html}");
        assert!(html.contains("12,50"), "{html}");
        assert!(html.contains("Goedkeuren"), "{html}");
        assert!(html.contains("lang=\"nl\""), "{html}");

        let (code, location) = decide(&url, "approve").await;
        assert_eq!(code, 303);
        assert!(
            location.starts_with("https://shop.example/back?RETURNMAC=")
                && location.contains(&format!("paymentId={id}")),
            "{location}"
        );
        let v = status_of(&app, &k, &id).await;
        assert_eq!(v["status"], "CAPTURED", "{v}");
        assert_eq!(v["paymentOutput"]["acquiredAmount"]["amount"], 1250);
        let written = ops(&app, &id).await;
        assert_eq!(
            written,
            [
                ("authorise".to_owned(), "approved".to_owned()),
                ("capture".to_owned(), "approved".to_owned())
            ]
        );
        assert_eq!(events(&app, "payment.captured").await, 1);

        // A double submit: the same answer, nothing written again.
        let (again, location_again) = decide(&url, "approve").await;
        assert_eq!((again, location_again), (303, location.clone()));
        let (cancel_late, _) = decide(&url, "cancel").await;
        assert_eq!(cancel_late, 303);
        assert_eq!(status_of(&app, &k, &id).await["status"], "CAPTURED");
        assert_eq!(ops(&app, &id).await.len(), 2);
        assert_eq!(events(&app, "payment.captured").await, 1);
        // The decided page says so.
        let html = reqwest::get(&url).await.unwrap().text().await.unwrap();
        assert!(html.contains("bank-outcome"), "{html}");

        // Two submits at once: one decision.
        let (status, body) = post(&app, &k, "/payments", &ideal_body(990, "EUR")).await;
        assert_eq!(status, 201, "{body}");
        let id2 = body["payment"]["id"].as_str().unwrap().to_owned();
        let url2 = bank_path(&app, &body);
        let (a, b) = tokio::join!(decide(&url2, "approve"), decide(&url2, "approve"));
        assert_eq!((a.0, b.0), (303, 303));
        assert_eq!(ops(&app, &id2).await.len(), 2);
        assert_eq!(events(&app, "payment.captured").await, 2);
    }
);

both_backends!(
    cancel_refusal_and_bad_input_on_redirect_payments,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;

        // Inactive (the default): refused by name, nothing written.
        let (status, body) = post(&app, &k, "/payments", &ideal_body(1000, "EUR")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            property(&body),
            "redirectPaymentMethodSpecificInput.paymentProductId"
        );
        assert_eq!(payment::Entity::find().count(&app.db).await.unwrap(), 0);

        set_method(&app, &admin, 809, true, "EUR", "NL").await;
        // Cancel on the bank page.
        let (status, body) = post(&app, &k, "/payments", &ideal_body(1000, "EUR")).await;
        assert_eq!(status, 201, "{body}");
        let id = body["payment"]["id"].as_str().unwrap().to_owned();
        let (code, location) = decide(&bank_path(&app, &body), "cancel").await;
        assert_eq!(code, 303);
        assert!(location.contains("RETURNMAC="), "{location}");
        assert_eq!(status_of(&app, &k, &id).await["status"], "CANCELLED");
        assert_eq!(
            ops(&app, &id).await,
            [("cancel".to_owned(), "approved".to_owned())]
        );

        // The bank refuses an amount ending in .05.
        let (status, body) = post(&app, &k, "/payments", &ideal_body(1205, "EUR")).await;
        assert_eq!(status, 201, "{body}");
        let id = body["payment"]["id"].as_str().unwrap().to_owned();
        decide(&bank_path(&app, &body), "approve").await;
        let v = status_of(&app, &k, &id).await;
        assert_eq!(v["status"], "REJECTED", "{v}");
        assert_eq!(
            ops(&app, &id).await,
            [("authorise".to_owned(), "declined".to_owned())]
        );

        // Bad and missing fields, each by name.
        let mut no_return = ideal_body(1000, "EUR");
        no_return["redirectPaymentMethodSpecificInput"]
            .as_object_mut()
            .unwrap()
            .remove("redirectionData");
        let mut bad_return = ideal_body(1000, "EUR");
        bad_return["redirectPaymentMethodSpecificInput"]["redirectionData"]["returnUrl"] =
            json!("javascript:alert(1)");
        let mut no_product = ideal_body(1000, "EUR");
        no_product["redirectPaymentMethodSpecificInput"]
            .as_object_mut()
            .unwrap()
            .remove("paymentProductId");
        let mut a_card = ideal_body(1000, "EUR");
        a_card["redirectPaymentMethodSpecificInput"]["paymentProductId"] = json!(1);
        let mut bad_issuer = ideal_body(1000, "EUR");
        bad_issuer["redirectPaymentMethodSpecificInput"]["paymentProduct809SpecificInput"]
            ["issuerId"] = json!("<script>");
        let before = payment::Entity::find().count(&app.db).await.unwrap();
        for (body, name) in [
            (
                no_return,
                "redirectPaymentMethodSpecificInput.redirectionData.returnUrl",
            ),
            (
                bad_return,
                "redirectPaymentMethodSpecificInput.redirectionData.returnUrl",
            ),
            (
                no_product,
                "redirectPaymentMethodSpecificInput.paymentProductId",
            ),
            (
                a_card,
                "redirectPaymentMethodSpecificInput.paymentProductId",
            ),
            (
                bad_issuer,
                "redirectPaymentMethodSpecificInput.paymentProduct809SpecificInput.issuerId",
            ),
            (
                ideal_body(1000, "USD"),
                "redirectPaymentMethodSpecificInput.paymentProductId",
            ),
            (
                json!({ "order": { "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } },
                        "mobilePaymentMethodSpecificInput": { "paymentProductId": 320 } }),
                "mobilePaymentMethodSpecificInput",
            ),
        ] {
            let (status, res) = post(&app, &k, "/payments", &body).await;
            assert_eq!((status, property(&res)), (400, name), "{res}");
        }
        assert_eq!(
            payment::Entity::find().count(&app.db).await.unwrap(),
            before
        );

        // Bancontact on the bank page once its method is on.
        set_method(&app, &admin, 3012, true, "", "").await;
        let mut bancontact = ideal_body(700, "EUR");
        bancontact["redirectPaymentMethodSpecificInput"]["paymentProductId"] = json!(3012);
        let (status, body) = post(&app, &k, "/payments", &bancontact).await;
        assert_eq!(status, 201, "{body}");
        let id = body["payment"]["id"].as_str().unwrap().to_owned();
        decide(&bank_path(&app, &body), "approve").await;
        assert_eq!(status_of(&app, &k, &id).await["status"], "CAPTURED");
    }
);

both_backends!(
    a_bank_page_acts_only_on_its_own_merchants_payment,
    &[],
    |app: TestApp| async move {
        let a = key(&app, "shop").await;
        let b = key(&app, "other").await;
        let admin_a = app.session("shop", "admin").await;
        let admin_b = app.session("other", "admin").await;
        set_method(&app, &admin_a, 809, true, "EUR", "NL").await;
        set_method(&app, &admin_b, 809, true, "EUR", "NL").await;
        let (_, body_a) = post(&app, &a, "/payments", &ideal_body(1000, "EUR")).await;
        let (_, body_b) = post(&app, &b, "/payments", &ideal_body(2000, "EUR")).await;
        let id_a = body_a["payment"]["id"].as_str().unwrap().to_owned();
        let id_b = body_b["payment"]["id"].as_str().unwrap().to_owned();
        // B cannot read A's payment.
        assert_eq!(get(&app, &b, &format!("/payments/{id_a}")).await.0, 404);
        // A's bank page shows and decides A's payment only.
        let url_a = bank_path(&app, &body_a);
        let html = reqwest::get(&url_a).await.unwrap().text().await.unwrap();
        assert!(html.contains("10,00") || html.contains("10.00"), "{html}");
        assert!(!html.contains("20,00") && !html.contains("20.00"), "{html}");
        decide(&url_a, "approve").await;
        assert_eq!(status_of(&app, &a, &id_a).await["status"], "CAPTURED");
        assert_eq!(status_of(&app, &b, &id_b).await["status"], "REDIRECTED");
        // A made-up token finds nothing and changes nothing.
        let fake = format!("{}/pay/bank/{}", app.base, "0".repeat(32));
        assert_eq!(reqwest::get(&fake).await.unwrap().status(), 404);
        assert_eq!(decide(&fake, "approve").await.0, 404);
        assert_eq!(status_of(&app, &b, &id_b).await["status"], "REDIRECTED");
        // The stored token is a hash: the address's token is not in the table.
        let token = url_a.rsplit('/').next().unwrap().split('?').next().unwrap();
        let stored = server::entities::bank_redirect::Entity::find()
            .filter(server::entities::bank_redirect::Column::Token.eq(token))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(stored, 0);
    }
);

async fn hosted_checkout(app: &TestApp, k: &Key, amount: i64) -> String {
    let (status, body) = post(
        app,
        k,
        "/hostedcheckouts",
        &json!({
            "order": { "amountOfMoney": { "amount": amount, "currencyCode": "EUR" },
                       "references": { "merchantReference": "hosted-ideal" } },
            "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back", "showResultPage": true },
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["hostedCheckoutId"].as_str().unwrap().to_owned()
}

async fn options(
    app: &TestApp,
    id: &str,
    user_agent: &str,
) -> app::checkout::alternatives::PayOptions {
    let res = app
        .http
        .post(format!("{}/api/pay/options", app.base))
        .header("accept", "application/json")
        .header("user-agent", user_agent)
        .form(&[("id", id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    serde_json::from_str(&res.text().await.unwrap()).unwrap()
}

const DESKTOP: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
const PHONE: &str =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";

both_backends!(
    the_hosted_page_sends_the_payer_to_the_bank_and_back,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let id = hosted_checkout(&app, &k, 1500).await;
        // Nothing offered while iDEAL is off.
        assert!(options(&app, &id, DESKTOP).await.redirects.is_empty());
        set_method(&app, &admin, 809, true, "EUR", "NL").await;
        let offered = options(&app, &id, DESKTOP).await;
        assert_eq!(offered.redirects.len(), 1, "{offered:?}");
        assert_eq!(offered.redirects[0].code, 809);

        // A method not offered is refused; iDEAL sends the payer to the bank.
        let res = app
            .call("pay/redirect", &[("id", &id), ("code", "3012")], None)
            .await;
        assert_eq!(res.error(), app::error::AppError::Forbidden);
        let res = app
            .call("pay/redirect", &[("id", &id), ("code", "809")], None)
            .await;
        let url: String = serde_json::from_str(&res.ok().body).unwrap();
        let at = url.find("/pay/bank/").unwrap();
        let bank = format!("{}{}", app.base, &url[at..]);
        // The checkout holds its payment: a second click is refused.
        let again = app
            .call("pay/redirect", &[("id", &id), ("code", "809")], None)
            .await;
        assert_eq!(again.error(), app::error::AppError::NotAllowedNow);

        let (code, location) = decide(&bank, "approve").await;
        assert_eq!(code, 303);
        assert!(location.contains(&format!("/{id}?lang=")), "{location}");
        // Back to the checkout's own data centre, which serves its page (PL-4).
        let centre = server::entities::hosted_checkout::Entity::find_by_id(id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .data_centre
            .unwrap();
        assert!(
            location.contains(&format!("/pay/{centre}/{id}?")),
            "{location}"
        );
        let at = location.find("/pay/").unwrap();
        let back = app
            .http
            .get(format!("{}{}", app.base, &location[at..]))
            .send()
            .await
            .unwrap();
        assert_eq!(back.status(), 200, "{location}");
        let view: app::checkout::CheckoutView =
            serde_json::from_str(&app.call("pay/view", &[("id", &id)], None).await.ok().body)
                .unwrap();
        assert_eq!(view.state, app::checkout::CheckoutState::Paid, "{view:?}");
        let (_, checkout) = get(&app, &k, &format!("/hostedcheckouts/{id}")).await;
        let payment_id = checkout["createdPaymentOutput"]["payment"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{checkout}"))
            .to_owned();
        assert_eq!(status_of(&app, &k, &payment_id).await["status"], "CAPTURED");
    }
);

both_backends!(
    a_simulated_wallet_pays_with_the_test_card_as_its_switch_allows,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let id = hosted_checkout(&app, &k, 2500).await;
        assert!(options(&app, &id, DESKTOP).await.wallets.is_empty());
        // Google Pay in the browser only; Apple Pay on.
        set_method(&app, &admin, 320, true, "", "").await;
        set_method(&app, &admin, 302, true, "", "").await;
        let desktop: Vec<i32> = options(&app, &id, DESKTOP)
            .await
            .wallets
            .iter()
            .map(|w| w.code)
            .collect();
        assert_eq!(desktop, [320, 302]);
        let phone: Vec<i32> = options(&app, &id, PHONE)
            .await
            .wallets
            .iter()
            .map(|w| w.code)
            .collect();
        assert_eq!(phone, [302], "the mobile switch is off");

        // A phone cannot pay with Google Pay; the desktop browser can.
        let res = app
            .http
            .post(format!("{}/api/pay/wallet", app.base))
            .header("accept", "application/json")
            .header("user-agent", PHONE)
            .form(&[("id", id.as_str()), ("code", "320")])
            .send()
            .await
            .unwrap();
        assert!(res.status().as_u16() >= 400);
        let refused: app::error::AppError =
            serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(refused, app::error::AppError::Forbidden);
        assert_eq!(
            payment::Entity::find().count(&app.db).await.unwrap(),
            0,
            "nothing paid"
        );
        let res = app
            .http
            .post(format!("{}/api/pay/wallet", app.base))
            .header("accept", "application/json")
            .header("user-agent", DESKTOP)
            .form(&[("id", id.as_str()), ("code", "320")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let view: app::checkout::CheckoutView =
            serde_json::from_str(&res.text().await.unwrap()).unwrap();
        assert_eq!(view.state, app::checkout::CheckoutState::Paid, "{view:?}");
        let p = payment::Entity::find()
            .filter(payment::Column::HostedCheckoutId.eq(id.as_str()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.payment_product_id, p.brand.as_deref()),
            (Some(320), Some("Google Pay"))
        );
        assert_eq!(p.masked_card.as_deref(), Some("411111******1111"));
        assert_eq!(p.fraud_result.as_deref(), Some("accepted"));
    }
);

both_backends!(
    a_wallet_payment_is_the_wallets_product_from_its_first_event,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        let m = crate::webhook_addresses::webhooks_on(&app, "shop").await;
        crate::webhook_addresses::store_endpoint(&app, m.id, "https://hooks.example/in").await;
        set_method(&app, &admin, 320, true, "", "").await;
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
        let checkout = body["hostedCheckoutId"].as_str().unwrap().to_owned();
        let paid: app::checkout::CheckoutView = serde_json::from_str(
            &app.call(
                "pay/wallet",
                &[("id", checkout.as_str()), ("code", "320")],
                None,
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert_eq!(paid.state, app::checkout::CheckoutState::Paid);

        // Every event of the payment, the first included, names Google Pay.
        let sent = webhook_event::Entity::find()
            .filter(webhook_event::Column::MerchantId.eq(m.id))
            .all(&app.db)
            .await
            .unwrap();
        let kinds: Vec<&str> = sent.iter().map(|e| e.kind.as_str()).collect();
        assert!(kinds.contains(&"payment.created"), "{kinds:?}");
        for event in sent.iter().filter(|e| e.kind.starts_with("payment.")) {
            let v: Value = serde_json::from_str(&event.body).unwrap();
            assert!(
                event.body.contains("\"paymentProductId\":320"),
                "{}: {v}",
                event.kind
            );
            assert!(!event.body.contains("\"paymentProductId\":1,"), "{v}");
        }
        let row = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(m.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.payment_product_id, Some(320));
        assert_eq!(row.brand.as_deref(), Some("Google Pay"));
        assert_eq!(row.masked_card.as_deref(), Some("411111******1111"));
    }
);
