//! The payment page template (MB-14): colours checked (#rrggbb, readable at 4.5:1) next
//! to their field, a PNG or JPEG logo only (an SVG or a 1 MB file refused), both applied
//! to the payer's page through a stylesheet and a logo under an opaque id, served with
//! their types, `nosniff` and a version in the URL; reset to the default; audited.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{key, post};
use app::error::Problem;
use app::template::TemplateView;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use server::entities::audit_log;

/// A 1 × 1 PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

async fn save(app: &TestApp, cookie: &str, colours: [&str; 4]) -> FnResponse {
    app.call(
        "template/save",
        &[
            ("primary_colour", colours[0]),
            ("button_text_colour", colours[1]),
            ("background_colour", colours[2]),
            ("text_colour", colours[3]),
        ],
        Some(cookie),
    )
    .await
}

async fn load(app: &TestApp, cookie: &str) -> TemplateView {
    serde_json::from_str(&app.call("template/load", &[], Some(cookie)).await.ok().body).unwrap()
}

/// Uploads `bytes` as the logo like the page's plain form; the redirect's location.
pub(crate) async fn upload(app: &TestApp, cookie: &str, name: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let res = app
        .http
        .post(format!("{}/configuration/template/logo", app.base))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .multipart(reqwest::multipart::Form::new().part("logo", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "a redirect back to the page");
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// The HTML of a new hosted checkout's payment page.
pub(crate) async fn pay_page(app: &TestApp, k: &crate::payments::Key) -> String {
    let (s, created) = post(
        app,
        k,
        "/hostedcheckouts",
        &json!({
            "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" } },
            "hostedCheckoutSpecificInput": { "locale": "en_GB" },
        }),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let url = created["redirectUrl"].as_str().unwrap();
    let path = url.split_once("://").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The `href` of the page's theme stylesheet.
fn theme_href(html: &str) -> Option<String> {
    let at = html.find("/pay/theme/")?;
    let end = at + html[at..].find('"')?;
    Some(html[at..end].replace("&amp;", "&"))
}

fn logo_src(html: &str) -> Option<String> {
    let at = html.find("/pay/theme/")?;
    let rest = &html[at..];
    let logo = rest.find("/logo?v=")?;
    let start = at + rest[..logo].rfind("/pay/theme/")?;
    let end = at + logo + rest[logo..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

both_backends!(
    colours_and_logo_reach_the_payers_page_within_the_csp,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        // Without a template the page links none.
        let html = pay_page(&app, &k).await;
        assert!(theme_href(&html).is_none(), "no template yet");
        assert!(!load(&app, &admin).await.customised);

        // Unreadable pairs and a non-colour: refused next to their fields, nothing kept.
        let e = save(&app, &admin, ["#ffff00", "#ffffff", "#ffffff", "#eeeeee"])
            .await
            .error();
        assert!(
            matches!(e.problem_for("primary_colour"), Some(Problem::LowContrast(r)) if *r < 45),
            "{e:?}"
        );
        assert!(
            matches!(e.problem_for("text_colour"), Some(Problem::LowContrast(_))),
            "{e:?}"
        );
        let e = save(
            &app,
            &admin,
            ["#123456;}body{x", "#ffffff", "#ffffff", "#000000"],
        )
        .await
        .error();
        assert_eq!(e.problem_for("primary_colour"), Some(&Problem::NotAColour));
        assert!(!load(&app, &admin).await.customised, "nothing saved");

        save(&app, &admin, ["#0A5C36", "#ffffff", "#fdfcf7", "#111111"])
            .await
            .ok();
        let view = load(&app, &admin).await;
        assert_eq!(view.primary_colour, "#0a5c36");
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.template"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            row.detail.contains("primary_colour: #1f4fd1 → #0a5c36"),
            "{}",
            row.detail
        );

        // The page links the stylesheet, which holds the colours.
        let html = pay_page(&app, &k).await;
        let css_url = theme_href(&html).expect("the page links the theme");
        assert!(css_url.contains(".css?v="), "{css_url}");
        let res = app
            .http
            .get(format!("{}{css_url}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age"));
        let css = res.text().await.unwrap();
        assert!(css.contains("--primary: #0a5c36;"), "{css}");
        assert!(css.contains("--bg: #fdfcf7;"), "{css}");
        assert!(css.contains("--text: #111111;"), "{css}");

        // An SVG (it can carry script) and a 1 MB PNG are refused; a small PNG is kept.
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let to = upload(&app, &admin, "logo.svg", svg.to_vec()).await;
        assert!(to.ends_with("logo_error=type"), "{to}");
        let mut big = PNG.to_vec();
        big.resize(1024 * 1024, 0);
        let to = upload(&app, &admin, "logo.png", big).await;
        assert!(to.ends_with("logo_error=too_large"), "{to}");
        assert!(load(&app, &admin).await.logo_url.is_none());
        let to = upload(&app, &admin, "logo.png", PNG.to_vec()).await;
        assert!(to.ends_with("logo=saved"), "{to}");
        let logged = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.template"))
            .filter(audit_log::Column::Detail.contains("logo"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the logo is audited");
        assert!(
            logged
                .detail
                .contains(&format!("{} bytes, sha256 ", PNG.len())),
            "{}",
            logged.detail
        );

        // A new version: the page's URLs change, and the logo is served with its type.
        let html = pay_page(&app, &k).await;
        let css_after = theme_href(&html).unwrap();
        assert_ne!(css_after, css_url, "a change shows at once");
        let logo = logo_src(&html).expect("the page shows the logo");
        let res = app
            .http
            .get(format!("{}{logo}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
        // The page's CSP still allows only its own styles and images.
        let res = app
            .http
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("style-src 'self'"), "{csp}");

        // Reset: back to the defaults, the page links nothing, the old URLs are gone.
        app.call("template/reset", &[], Some(&admin)).await.ok();
        assert!(!load(&app, &admin).await.customised);
        let html = pay_page(&app, &k).await;
        assert!(theme_href(&html).is_none());
        let res = app
            .http
            .get(format!("{}{logo}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }
);

both_backends!(
    another_merchants_theme_id_serves_only_its_own_template,
    &[],
    |app: TestApp| async move {
        let ka = key(&app, "shopa").await;
        let kb = key(&app, "shopb").await;
        let a = app.session("shopa", "admin").await;
        let b = app.session("shopb", "admin").await;
        save(&app, &a, ["#0a5c36", "#ffffff", "#ffffff", "#000000"])
            .await
            .ok();
        upload(&app, &a, "a.png", PNG.to_vec()).await;
        save(&app, &b, ["#5c0a36", "#ffffff", "#ffffff", "#000000"])
            .await
            .ok();
        let a_css = theme_href(&pay_page(&app, &ka).await).unwrap();
        let b_css = theme_href(&pay_page(&app, &kb).await).unwrap();
        // Opaque ids: neither the merchant's id nor its PSPID.
        let id = |url: &str| {
            url.trim_start_matches("/pay/theme/")
                .split('.')
                .next()
                .unwrap()
                .to_owned()
        };
        let (a_id, b_id) = (id(&a_css), id(&b_css));
        assert!(a_id.len() >= 32 && b_id.len() >= 32, "{a_id} {b_id}");
        assert!(!a_id.contains("shopa"));
        // B's id serves B's colours and no logo (B has none); guessed ids serve nothing.
        let res = app
            .http
            .get(format!("{}/pay/theme/{b_id}/logo", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            404,
            "B has no logo, and A's is not served under B's id"
        );
        let res = app
            .http
            .get(format!("{}/pay/theme/{a_id}/logo", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        for guess in ["1", "2", "shopa", "00000000000000000000000000000000"] {
            let res = app
                .http
                .get(format!("{}/pay/theme/{guess}/logo", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404, "{guess}");
            let res = app
                .http
                .get(format!("{}/pay/theme/{guess}.css", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404, "{guess}");
        }
        let css = app
            .http
            .get(format!("{}{b_css}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(css.contains("#5c0a36") && !css.contains("#0a5c36"), "{css}");
        // B's Admin sees B's template only; an Operator is refused.
        let seen: TemplateView =
            serde_json::from_str(&app.call("template/load", &[], Some(&b)).await.ok().body)
                .unwrap();
        assert_eq!(seen.primary_colour, "#5c0a36");
        assert!(seen.logo_url.is_none());
        let op = app.session("shopa", "operator").await;
        let e = app.call("template/load", &[], Some(&op)).await.error();
        assert_eq!(e, app::error::AppError::Forbidden);
        let e = save(&app, &op, ["#000000", "#ffffff", "#ffffff", "#000000"])
            .await
            .error();
        assert_eq!(e, app::error::AppError::Forbidden);
        let part = reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("a.png");
        let res = app
            .http
            .post(format!("{}/configuration/template/logo", app.base))
            .header("cookie", &op)
            .header("origin", &app.base)
            .multipart(reqwest::multipart::Form::new().part("logo", part))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "an Operator may not change the logo");
    }
);
