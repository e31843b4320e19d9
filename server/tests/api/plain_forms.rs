//! The payer's pages post plain forms to their server functions (issue 17: the pages are
//! rendered on the server and work without script). A post from a page (`Accept:
//! text/html`) is answered by a redirect: on to the 3-D Secure page, back to the payment
//! page after the challenge, or back to the page it came from — with the error in the
//! address, the previous one taken off. The next address is built from the posting page's
//! centre and language only, never from the rest of its `Referer`.

use crate::both_backends;
use crate::helpers::{post_as_page, spawn_app, Backend, TestApp};
use crate::payments::{key, post, Key};
use serde_json::json;

/// A new hosted checkout: its id and its page's path (`/pay/{centre}/{id}`).
async fn checkout(app: &TestApp, k: &Key) -> (String, String) {
    let (s, created) = post(
        app,
        k,
        "/hostedcheckouts",
        &json!({ "order": { "amountOfMoney": { "amount": 4999, "currencyCode": "EUR" } } }),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let id = created["hostedCheckoutId"].as_str().unwrap().to_owned();
    let url = created["redirectUrl"].as_str().unwrap();
    let path = url[url.find("/pay/").unwrap()..].to_owned();
    (id, path)
}

/// Posts `form` to server function `endpoint` as a page's form does, from `referer`;
/// the status and the `Location`.
async fn form_post(
    app: &TestApp,
    endpoint: &str,
    referer: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    post_as_page(app, &format!("/api/{endpoint}"), Some(referer), form).await
}

fn card(id: &str, number: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_owned()),
        ("number", number.to_owned()),
        ("expiry", "12/30".to_owned()),
        ("cvc", "123".to_owned()),
    ]
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_backends!(
    a_plain_form_goes_on_to_3_d_secure_and_back_in_the_payers_language,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let (id, page) = checkout(&app, &k).await;
        let centre = page.split('/').nth(2).unwrap().to_owned();
        // The page's address still carries an earlier post's error: it does not count.
        let referer = format!(
            "{}{page}?lang=fr&__path=%2Fapi%2Fpay%2Fpay&__err=eyJOb3RGb3VuZCI6bnVsbH0",
            app.base
        );
        let form = card(&id, "4000 0000 0000 1091");
        let (status, location) = form_post(&app, "pay/pay", &referer, &pairs(&form)).await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/pay/{centre}/3ds/{id}?lang=fr"));

        let challenge = format!("{}{location}", app.base);
        let (status, location) = form_post(
            &app,
            "pay/challenge",
            &challenge,
            &[("id", &id), ("code", "1234")],
        )
        .await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/pay/{centre}/{id}?lang=fr"));
        let final_page = app
            .http
            .get(format!("{}{location}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(final_page.contains("Paiement réussi"), "{final_page}");
        assert!(final_page.contains("400000******1091"));
    }
);

both_backends!(
    a_refused_post_comes_back_to_its_page_with_its_own_error_next_to_the_field,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let (id, page) = checkout(&app, &k).await;
        let referer = format!(
            "{}{page}?__path=%2Fapi%2Fpay%2Fpay&__err=eyJOb3RGb3VuZCI6bnVsbH0",
            app.base
        );
        let form = card(&id, "4111 1111 1111 1112");
        let (status, location) = form_post(&app, "pay/pay", &referer, &pairs(&form)).await;
        assert_eq!(status, 302);
        assert!(
            location.starts_with(&format!("{}{page}?", app.base)),
            "{location}"
        );
        assert_eq!(location.matches("__err=").count(), 1, "{location}");
        // The page first picks its language (a redirect adding `lang`), then shows.
        let res = reqwest::get(&location).await.unwrap();
        assert_eq!(res.status(), 200, "{location}");
        let again = res.text().await.unwrap();
        assert!(
            again.contains(
                r#"id="pay-number-error" class="field-error">This number has a typing mistake."#
            ),
            "{again}"
        );
        // Nothing of the card comes back in the page or its address.
        assert!(!again.contains("4111 1111 1111 1112") && !location.contains("1112"));
    }
);

both_backends!(
    the_next_page_is_never_taken_from_a_foreign_or_odd_referer,
    &[],
    |app: TestApp| async move {
        // Another site's address: the next page is ours, by path only.
        let k = key(&app, "shop").await;
        let (id, _) = checkout(&app, &k).await;
        let form = card(&id, "4000 0000 0000 1091");
        let (status, location) = form_post(
            &app,
            "pay/pay",
            "https://evil.example/pay/europe/x?lang=de&next=https://evil.example",
            &pairs(&form),
        )
        .await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/pay/europe/3ds/{id}?lang=de"));

        // A centre that is not a plain name: no page is built from it.
        let (id, _) = checkout(&app, &k).await;
        let form = card(&id, "4000 0000 0000 1091");
        let referer = format!("{}/pay/..%2F..%2Fadmin/x", app.base);
        let (_, location) = form_post(&app, "pay/pay", &referer, &pairs(&form)).await;
        assert!(!location.contains("/3ds/"), "{location}");
    }
);

/// Posts `form` to server function `endpoint` as a page's form does in a browser that
/// sends no `Referer`: the page is named in the action's `from`.
async fn form_post_without_referer(
    app: &TestApp,
    endpoint: &str,
    from: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let path = format!("/api/{endpoint}?from={}", app::url::encode(from));
    post_as_page(app, &path, None, form).await
}

both_backends!(
    a_browser_that_sends_no_referer_is_sent_back_to_the_page_its_form_names,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let (id, page) = checkout(&app, &k).await;
        let centre = page.split('/').nth(2).unwrap().to_owned();
        // The page's forms name it in their action.
        let html = app
            .http
            .get(format!("{}{page}?lang=fr", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let named = format!(
            "/api/pay/pay?from={}",
            app::url::encode(&format!("{page}?lang=fr"))
        );
        assert!(html.contains(&named), "{named} in {html}");

        // A refusal: back to the page, in its language, with the error.
        let form = card(&id, "4111 1111 1111 1112");
        let from = format!("{page}?lang=fr&__err=old");
        let (status, location) =
            form_post_without_referer(&app, "pay/pay", &from, &pairs(&form)).await;
        assert_eq!(status, 302);
        // On this server's public address.
        assert!(
            location.starts_with(&format!(
                "{}{page}?lang=fr&",
                app.config.public_url.trim_end_matches('/')
            )),
            "{location}"
        );
        assert_eq!(location.matches("__err=").count(), 1, "{location}");
        assert!(!location.contains("__err=old"), "{location}");

        // On to 3-D Secure and back to the payment page.
        let form = card(&id, "4000 0000 0000 1091");
        let (status, location) =
            form_post_without_referer(&app, "pay/pay", &from, &pairs(&form)).await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/pay/{centre}/3ds/{id}?lang=fr"));
        let (status, location) = form_post_without_referer(
            &app,
            "pay/challenge",
            &location,
            &[("id", &id), ("code", "1234")],
        )
        .await;
        assert_eq!(status, 302);
        assert_eq!(location, format!("/pay/{centre}/{id}?lang=fr"));
    }
);

both_backends!(
    a_form_naming_anything_but_a_payer_page_is_never_followed,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        for from in [
            "https://evil.example/pay/europe/x",
            "//evil.example/pay/europe/x",
            "/pay/europe/../../admin",
            "/pay/europe/x/y/z",
            "/users",
            "/pay/europe/x\r\nSet-Cookie: a=b",
        ] {
            let (id, _) = checkout(&app, &k).await;
            let form = card(&id, "4111 1111 1111 1112");
            let (_, location) =
                form_post_without_referer(&app, "pay/pay", from, &pairs(&form)).await;
            // Answered as a post without any page: nowhere but this site's root.
            assert!(
                location.is_empty() || location == "/",
                "{from:?} was followed to {location:?}"
            );
        }
    }
);
