//! Home, the back office's first page once signed in, is rendered on the server only and
//! loads no script (issue 17: the first page within 300 KiB of code). What it offers works
//! as plain links and forms: the menus, the dashboard's periods, the language, the time
//! zone (a link to Home with the dialog open, its form answered by a redirect) and the
//! logout. The other pages still load the back office's code and hydrate.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{ACCEPT, COOKIE};

/// Page `path` as a browser asks for it, with `cookie`: its status, `Location` and HTML.
async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String, String) {
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let (status, to) = (res.status().as_u16(), location(&res));
    (status, to, res.text().await.unwrap())
}

/// Posts `form` to server function `endpoint` as a plain form of Home does, with
/// `cookie`: the status and the `Location`.
async fn post_from_home(
    app: &TestApp,
    endpoint: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    let (status, to, _) = post_from_home_cookies(app, endpoint, cookie, form).await;
    (status, to)
}

/// [`post_from_home`], with the cookies the answer sets (`name=value`).
async fn post_from_home_cookies(
    app: &TestApp,
    endpoint: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String, Vec<String>) {
    let home = format!("{}/", app.base);
    let path = format!("/api/{endpoint}");
    post_as_signed_in_page(app, &path, Some(&home), Some(cookie), form).await
}

/// The user's zone as the profile menu shows it (the time-zone dialog's link).
fn zone_shown(html: &str) -> &str {
    html.split(r#"class="link-button profile-time-zone">"#)
        .nth(1)
        .and_then(|after| after.split('<').next())
        .unwrap_or_default()
}

both_backends!(
    home_loads_no_script_and_its_menus_and_forms_work_as_plain_ones,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "admin").await;

        // Home: the shell, the set-up steps and the dashboard, drawn whole; no code.
        let (status, _, home) = page(&app, "/", &cookie).await;
        assert_eq!(status, 200);
        assert_no_code(&home);
        for part in [
            "<h1>Home</h1>",
            r#"id="setup-title""#,
            r#"id="dashboard-title""#,
            r#"href="/operations/payments""#,
            r#"action="/api/logout""#,
            r#"action="/api/set_language""#,
            // The zone is a link to Home with its dialog open.
            r#"href="?time-zone""#,
        ] {
            assert!(home.contains(part), "{part} in {home}");
        }
        assert!(!home.contains(r#"role="dialog""#), "{home}");
        // Every other back-office page loads the code and hydrates.
        let (status, _, payments) = page(&app, "/operations/payments", &cookie).await;
        assert_eq!(status, 200);
        assert!(payments.contains(".wasm"), "{payments}");

        // The time-zone dialog, open from the address; Cancel leads to Home.
        let (_, _, dialog) = page(&app, "/?time-zone", &cookie).await;
        assert_no_code(&dialog);
        assert!(dialog.contains(r#"role="dialog""#), "{dialog}");
        assert!(
            dialog.contains(r#"action="/api/set_time_zone""#),
            "{dialog}"
        );
        assert!(
            dialog.contains(r#"<option value="America/New_York""#),
            "{dialog}"
        );
        assert!(
            dialog.contains(r#"<a href="/" class="button ghost">Cancel</a>"#),
            "{dialog}"
        );

        // A zone that does not exist: back to Home, the dialog open with the problem next
        // to its field; nothing saved.
        let (status, back) = post_from_home(
            &app,
            "set_time_zone",
            &cookie,
            &[("zone", "Mars/Olympus_Mons"), ("auto_dst", "on")],
        )
        .await;
        assert_eq!(status, 302);
        assert!(back.starts_with("/?time-zone&__path="), "{back}");
        let (_, _, refused) = page(&app, &back, &cookie).await;
        assert!(refused.contains(r#"role="dialog""#), "{refused}");
        let field_error = refused
            .split(r#"<select id="tz-zone""#)
            .nth(1)
            .and_then(|after| after.split(r#"class="field-error">"#).nth(1))
            .and_then(|error| error.split('<').next())
            .unwrap_or_default();
        assert!(!field_error.is_empty(), "{refused}");
        assert!(
            zone_shown(&refused).starts_with("Europe/Paris ("),
            "{refused}"
        );

        // A zone saved: on to Home, which shows it.
        let (status, to) = post_from_home(
            &app,
            "set_time_zone",
            &cookie,
            &[("zone", "America/New_York")],
        )
        .await;
        assert_eq!((status, to.as_str()), (302, "/"));
        let (_, _, home) = page(&app, "/", &cookie).await;
        assert_eq!(zone_shown(&home), "America/New_York (UTC-05:00)");
        // "Back to default".
        let (status, to) = post_from_home(
            &app,
            "set_time_zone",
            &cookie,
            &[("zone", "America/New_York"), ("reset", "1")],
        )
        .await;
        assert_eq!((status, to.as_str()), (302, "/"));
        let (_, _, home) = page(&app, "/", &cookie).await;
        assert!(zone_shown(&home).starts_with("Europe/Paris ("), "{home}");

        // The language: back to the page it came from, in the language chosen.
        let (status, to, set) =
            post_from_home_cookies(&app, "set_language", &cookie, &[("lang", "fr")]).await;
        assert_eq!((status, to.as_str()), (302, "/"));
        let lang = set
            .iter()
            .find(|c| c.starts_with("openpsp_lang="))
            .expect("the language cookie");
        let (_, _, home) = page(&app, "/", &format!("{cookie}; {lang}")).await;
        assert!(home.contains(r#"<html lang="fr""#), "{home}");
        assert!(home.contains("<h1>Accueil</h1>"), "{home}");

        // Chosen while the time-zone dialog was open: back to the page, the dialog
        // closed; the page's other parameters kept; never another site.
        for (from, back) in [
            (format!("{}/?time-zone", app.base), "/"),
            (
                format!("{}/operations/payments?status=9&time-zone", app.base),
                "/operations/payments?status=9",
            ),
            (
                "https://elsewhere.example//elsewhere.example/x".to_owned(),
                "/",
            ),
            (format!("{}/\\elsewhere.example/x", app.base), "/"),
        ] {
            let (status, to, _) = post_as_signed_in_page(
                &app,
                "/api/set_language",
                Some(&from),
                Some(&cookie),
                &[("lang", "en")],
            )
            .await;
            assert_eq!((status, to.as_str()), (302, back), "from {from}");
        }

        // The logout: on to the login page, the session over.
        let (status, to) = post_from_home(&app, "logout", &cookie, &[]).await;
        assert_eq!((status, to.as_str()), (302, "/login"));
        let (status, to, _) = page(&app, "/", &cookie).await;
        assert!((300..400).contains(&status), "{status}");
        assert_eq!(to, "/login");
        // A script's logout (a page drawn in the browser) is answered as data.
        let cookie = app.session("shop", "operator").await;
        let called = app.call("logout", &[], Some(&cookie)).await;
        assert_eq!(called.status, 200, "{}", called.body);
    }
);
