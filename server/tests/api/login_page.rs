//! The login page is rendered on the server only and loads no script (issue 17: the back
//! office's first page). Its forms are plain forms: a post from the page (`Accept:
//! text/html`) is answered by a redirect, on to the next page once signed in, or back to
//! the form with the error and the identifiers typed, never the password.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{ACCEPT, COOKIE, SET_COOKIE};

/// Posts the login form as the page does: the status, the `Location` and the session
/// cookie set, if any.
async fn post_login(app: &TestApp, form: &[(&str, &str)]) -> (u16, String, Option<String>) {
    let res = app
        .http
        .post(format!("{}/api/login", app.base))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .header("referer", format!("{}/login", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with("openpsp_session="));
    (res.status().as_u16(), location(&res), cookie)
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(cookie) = cookie {
        req = req.header(COOKIE, cookie);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

both_backends!(
    the_login_page_is_a_plain_form_that_loads_no_script,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let (status, html) = page(&app, "/login", None).await;
        assert_eq!(status, 200);
        assert!(html.contains(r#"action="/api/login""#), "{html}");
        // No script file, no module preload, no texts for a script to read.
        for code in ["<script src", ".wasm", "modulepreload", "/static/texts/"] {
            assert!(!html.contains(code), "{code} in {html}");
        }

        // A wrong password: back to the form, with the identifier and the error only.
        let form = [
            ("mode", "user"),
            ("env", "test"),
            ("user_id", "operator"),
            ("pspid", "shop"),
            ("password", "Wrong-Password-1!"),
        ];
        let (status, back, cookie) = post_login(&app, &form).await;
        assert_eq!(status, 302);
        assert!(
            back.starts_with("/login?env=test&mode=user&pspid=shop&user_id=operator&__path="),
            "{back}"
        );
        assert!(!back.contains("Wrong"), "{back}");
        assert_eq!(cookie, None);
        let (status, html) = page(&app, &back, None).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("The identifier or the password is incorrect."),
            "{html}"
        );
        assert!(html.contains(r#"value="operator""#), "{html}");

        // An empty field: its problem next to it on the page it comes back to.
        let (_, back, _) = post_login(
            &app,
            &[
                ("mode", "pspid"),
                ("env", "test"),
                ("pspid", "shop"),
                ("password", ""),
            ],
        )
        .await;
        let (_, html) = page(&app, &back, None).await;
        assert!(
            html.contains(
                r#"id="pspid-password-error" class="field-error">This field is required."#
            ),
            "{html}"
        );

        // The right one: on to Home, signed in.
        let (status, next, cookie) = post_login(
            &app,
            &[
                ("mode", "pspid"),
                ("env", "test"),
                ("pspid", "shop"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!((status, next.as_str()), (302, "/"));
        let (status, home) = page(&app, "/", cookie.as_deref()).await;
        assert_eq!(status, 200);
        // Home, unlike the login page, loads the back office's code.
        assert!(home.contains(".wasm"), "{home}");
    }
);

both_backends!(
    an_error_forged_into_the_login_pages_address_shows_no_text_of_its_own,
    &[],
    |app: TestApp| async move {
        // `{"Locked":{"until":"never. Call +00 000 000"}}`, as a refused post would carry it.
        let forged = "eyJMb2NrZWQiOnsidW50aWwiOiJuZXZlci4gQ2FsbCArMDAgMDAwIDAwMCJ9fQ";
        let (status, html) = page(
            &app,
            &format!("/login?__path=%2Fapi%2Flogin&__err={forged}"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert!(!html.contains("Call +00"), "{html}");
        assert!(
            html.contains("Something went wrong. Please try again."),
            "{html}"
        );
        // A lock's end that is a time is shown as it came.
        let real = "eyJMb2NrZWQiOnsidW50aWwiOiIyMDI2LTEyLTA0IDEyOjAwOjAwIn19";
        let (_, html) = page(
            &app,
            &format!("/login?__path=%2Fapi%2Flogin&__err={real}"),
            None,
        )
        .await;
        assert!(html.contains("2026-12-04 12:00:00"), "{html}");
    }
);
