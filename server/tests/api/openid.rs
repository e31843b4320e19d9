//! The OpenID token (MB-15): entered (at least 32 characters) or generated, shown masked
//! and audited masked, sealed in the database; it signs the `sessionToken` a payer brings
//! back to the merchant's return URL (HS256, with iss, sub, paymentId, status, iat, exp).
//! Without a token, no `sessionToken`.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{key, post, Key};
use crate::sms::customer;
use app::checkout::CheckoutView;
use app::error::Problem;
use app::template::CustomerSaved;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use server::entities::{audit_log, merchant};

const TOKEN: &str = "merchant-openid-token-0123456789-abcdefgh";

/// Pays a new hosted checkout returning to the shop; the checkout id and where the payer
/// is sent back.
async fn paid_checkout(app: &TestApp, k: &Key) -> (String, String) {
    let (s, created) = post(
        app,
        k,
        "/hostedcheckouts",
        &json!({
            "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
            "hostedCheckoutSpecificInput": {
                "returnUrl": "https://shop.example/back?order=7",
                "showResultPage": false,
            },
        }),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let id = created["hostedCheckoutId"].as_str().unwrap().to_owned();
    let res = app
        .call(
            "pay/pay",
            &[
                ("id", id.as_str()),
                ("number", "4111111111111111"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("holder", "Pat Payer"),
            ],
            None,
        )
        .await;
    let view: CheckoutView = serde_json::from_str(&res.ok().body).unwrap();
    (id, view.return_to.expect("a return URL"))
}

fn session_token(url: &str) -> Option<String> {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix("sessionToken="))
        .map(str::to_owned)
}

both_backends!(
    the_session_token_is_signed_with_the_merchants_openid_token,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        assert_eq!(customer(&app, &admin).await.openid_hint, "");

        // Without a token: no sessionToken.
        let (_, back) = paid_checkout(&app, &k).await;
        assert!(
            back.starts_with("https://shop.example/back?order=7&RETURNMAC="),
            "{back}"
        );
        assert!(session_token(&back).is_none(), "{back}");

        // Too short: refused next to the field.
        let e = app
            .call(
                "template/save_customer",
                &[("openid_token", "too-short")],
                Some(&admin),
            )
            .await
            .error();
        assert_eq!(e.problem_for("openid_token"), Some(&Problem::TokenTooShort));

        app.call(
            "template/save_customer",
            &[("openid_token", TOKEN)],
            Some(&admin),
        )
        .await
        .ok();
        // Masked on the page and in the audit row; sealed in the database.
        assert_eq!(customer(&app, &admin).await.openid_hint, "mer…fgh");
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.customer_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(row.detail.contains("openid_token"), "{}", row.detail);
        assert!(!row.detail.contains(TOKEN), "{}", row.detail);
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!m.openid_token_enc.clone().unwrap().contains(TOKEN));

        let (checkout, back) = paid_checkout(&app, &k).await;
        let jwt = session_token(&back).expect("a session token");
        let mut rules = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        rules.set_issuer(&[app.config.public_url.as_str()]);
        rules.set_required_spec_claims(&["exp", "iss", "sub"]);
        let claims: serde_json::Value = jsonwebtoken::decode(
            &jwt,
            &jsonwebtoken::DecodingKey::from_secret(TOKEN.as_bytes()),
            &rules,
        )
        .expect("verifies with the merchant's token")
        .claims;
        assert_eq!(claims["sub"], checkout.as_str());
        assert_eq!(claims["status"], "CAPTURED", "{claims}");
        assert!(
            claims["paymentId"].as_str().is_some_and(|p| !p.is_empty()),
            "{claims}"
        );
        let (iat, exp) = (
            claims["iat"].as_i64().unwrap(),
            claims["exp"].as_i64().unwrap(),
        );
        assert_eq!(exp - iat, 600);
        // Another key does not verify it.
        assert!(jsonwebtoken::decode::<serde_json::Value>(
            &jwt,
            &jsonwebtoken::DecodingKey::from_secret(b"another-token-another-token-another"),
            &rules,
        )
        .is_err());

        // Generate: shown once whole, masked after; the old token no longer verifies.
        let saved: CustomerSaved = serde_json::from_str(
            &app.call(
                "template/save_customer",
                &[("generate", "on")],
                Some(&admin),
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        let generated = saved.generated.expect("shown once");
        assert_eq!(generated.len(), 43, "32 bytes, base64url");
        let hint = customer(&app, &admin).await.openid_hint;
        assert_eq!(hint, format!("{}…{}", &generated[..3], &generated[40..]));
        let (_, back) = paid_checkout(&app, &k).await;
        let jwt = session_token(&back).unwrap();
        assert!(jsonwebtoken::decode::<serde_json::Value>(
            &jwt,
            &jsonwebtoken::DecodingKey::from_secret(generated.as_bytes()),
            &rules,
        )
        .is_ok());

        // Removed: no sessionToken again.
        app.call(
            "template/save_customer",
            &[("remove_openid", "on")],
            Some(&admin),
        )
        .await
        .ok();
        assert_eq!(customer(&app, &admin).await.openid_hint, "");
        let (_, back) = paid_checkout(&app, &k).await;
        assert!(session_token(&back).is_none(), "{back}");

        // Another merchant's Admin sees its own (none); an Operator is refused.
        key(&app, "other").await;
        let other = app.session("other", "admin").await;
        assert_eq!(customer(&app, &other).await.openid_hint, "");
        let op = app.session("shop", "operator").await;
        let e = app.call("template/customer", &[], Some(&op)).await.error();
        assert_eq!(e, app::error::AppError::Forbidden);
    }
);
