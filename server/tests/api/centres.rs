//! Data centres of hosted pages (PL-4): a hosted checkout and a hosted tokenization are
//! created in one of the cluster's centres, store it, and their pages are served only at
//! that centre's address; another centre of the cluster, or one of another cluster, gets
//! a plain "not found" page that shows nothing of the checkout.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{key, post};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use server::entities::{hosted_checkout, hosted_tokenization};

/// The centre and id of a `…/pay/{centre}/…/{id}` address.
fn centre_of(url: &str) -> String {
    let at = url.find("/pay/").expect("a payer page") + "/pay/".len();
    url[at..].split('/').next().unwrap().to_owned()
}

/// GET `path` on the server: status and body.
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn assert_not_here(status: u16, html: &str, what: &str) {
    assert_eq!(status, 404, "{what}: {html}");
    assert!(html.contains("Payment page not found"), "{what}: {html}");
    assert!(
        !html.contains("12.50") && !html.contains("12,50"),
        "{what}: {html}"
    );
}

both_backends!(
    hosted_pages_are_served_only_at_their_data_centre,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let (status, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
                "hostedCheckoutSpecificInput": { "returnUrl": "https://shop.example/back", "locale": "en_GB" },
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["hostedCheckoutId"].as_str().unwrap().to_owned();
        let centre = centre_of(body["redirectUrl"].as_str().unwrap());
        assert!(
            ["pay3", "pay4"].contains(&centre.as_str()),
            "the Europe cluster's (the default): {centre}"
        );
        let row = hosted_checkout::Entity::find_by_id(id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.data_centre.as_deref(), Some(centre.as_str()));

        // Its own centre serves it.
        let (status, html) = page(&app, &format!("/pay/{centre}/{id}?lang=en")).await;
        assert_eq!(status, 200, "{html}");
        // The cluster's other centre, and a centre of another cluster, do not.
        let other = if centre == "pay3" { "pay4" } else { "pay3" };
        for wrong in [other, "pay1", "pay7"] {
            let (status, html) = page(&app, &format!("/pay/{wrong}/{id}?lang=en")).await;
            assert_not_here(status, &html, wrong);
            let (status, html) = page(&app, &format!("/pay/{wrong}/3ds/{id}?lang=en")).await;
            assert_not_here(status, &html, wrong);
        }
        // In the payer's language.
        let (_, html) = page(&app, &format!("/pay/{other}/{id}?lang=fr")).await;
        assert!(html.contains("Page de paiement introuvable"), "{html}");

        // A checkout made before centres were stored: any of the cluster's centres.
        let mut old: hosted_checkout::ActiveModel = row.into();
        old.data_centre = Set(None);
        old.update(&app.db).await.unwrap();
        let (status, html) = page(&app, &format!("/pay/{other}/{id}?lang=en")).await;
        assert_eq!(status, 200, "{html}");
        let (status, html) = page(&app, &format!("/pay/pay1/{id}?lang=en")).await;
        assert_not_here(status, &html, "pay1");

        // A tokenization page likewise.
        let (status, body) = post(
            &app,
            &k,
            "/hostedtokenizations",
            &json!({ "locale": "en_GB" }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["hostedTokenizationId"].as_str().unwrap().to_owned();
        let url = body["partialRedirectUrl"].as_str().unwrap();
        let centre = centre_of(url);
        let stored = hosted_tokenization::Entity::find_by_id(id.clone())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.data_centre.as_deref(), Some(centre.as_str()));
        let (status, html) = page(&app, &format!("/pay/{centre}/tokenize/{id}?lang=en")).await;
        assert_eq!(status, 200, "{html}");
        let other = if centre == "pay3" { "pay4" } else { "pay3" };
        let (status, html) = page(&app, &format!("/pay/{other}/tokenize/{id}?lang=en")).await;
        assert_eq!(status, 404, "{html}");
    }
);

both_backends!(
    a_world_deployment_makes_checkouts_in_its_own_centres,
    &[("OPENPSP_CLUSTER", "world")],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let (status, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &json!({ "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } } }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["hostedCheckoutId"].as_str().unwrap().to_owned();
        let centre = centre_of(body["partialRedirectUrl"].as_str().unwrap());
        assert!(["pay1", "pay2"].contains(&centre.as_str()), "{centre}");
        let (status, html) = page(&app, &format!("/pay/pay3/{id}?lang=en")).await;
        assert_not_here(status, &html, "pay3");
    }
);
