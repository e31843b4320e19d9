//! The login page is rendered on the server only and loads no script (issue 17: the back
//! office's first page). Its forms are plain forms: a post from the page (`Accept:
//! text/html`) is answered by a redirect, on to the next page once signed in, or back to
//! the form with the error and the identifiers typed, never the password. So are the
//! other pages before a sign-in: the forgotten password and the reset link an e-mail
//! opens.

use crate::both_backends;
use crate::helpers::*;
use reqwest::header::{ACCEPT, COOKIE, SET_COOKIE};

/// Page `path`, asserted to be a plain page: found, its form posting to server function
/// `endpoint`, no script loaded; its HTML.
async fn plain_page(app: &TestApp, path: &str, endpoint: &str) -> String {
    let (status, html) = page(app, path, None).await;
    assert_eq!(status, 200, "{path}");
    assert!(
        html.contains(&format!(r#"action="/api/{endpoint}""#)),
        "{html}"
    );
    assert_no_code(&html);
    html
}

/// A form posted to the login server function.
struct Posted {
    status: u16,
    location: String,
    /// The session cookie set, if any (`name=value`).
    session: Option<String>,
    /// The cookie carrying the identifiers typed, as set (`name=value; attributes`).
    typed: Option<String>,
}

/// Posts the login form as the page does (`accept`: a page's `text/html` or a script's
/// `application/json`).
async fn post_login(app: &TestApp, accept: &str, form: &[(&str, &str)]) -> Posted {
    let res = app
        .http
        .post(format!("{}/api/login", app.base))
        .header(ACCEPT, accept)
        .header("referer", format!("{}/login", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let first = |prefix: &str| cookies.iter().find(|c| c.starts_with(prefix)).cloned();
    Posted {
        status: res.status().as_u16(),
        location: location(&res),
        session: first("openpsp_session=").map(|c| c.split(';').next().unwrap().to_owned()),
        typed: first("openpsp_login_typed="),
    }
}

const PAGE: &str = "text/html,application/xhtml+xml";

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
        plain_page(&app, "/login", "login").await;

        // A wrong password: back to the form with the error; the identifiers typed in a
        // cookie for that page, never in the address; the password nowhere.
        let form = [
            ("mode", "user"),
            ("env", "test"),
            ("user_id", "operator"),
            ("pspid", "shop"),
            ("password", "Wrong-Password-1!"),
        ];
        let refused = post_login(&app, PAGE, &form).await;
        assert_eq!(refused.status, 302);
        let back = refused.location;
        assert!(
            back.starts_with("/login?env=test&mode=user&__path="),
            "{back}"
        );
        assert_eq!(refused.session, None);
        let typed = refused.typed.expect("the identifiers' cookie");
        assert!(
            typed.starts_with("openpsp_login_typed=pspid=shop&user_id=operator; Path=/login;"),
            "{typed}"
        );
        assert!(typed.contains("HttpOnly"), "{typed}");
        assert!(
            !typed.contains("Wrong") && !back.contains("Wrong"),
            "{typed} {back}"
        );
        let cookie = typed.split(';').next().unwrap();
        let (status, html) = page(&app, &back, Some(cookie)).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("The identifier or the password is incorrect."),
            "{html}"
        );
        assert!(html.contains(r#"value="operator""#), "{html}");
        assert!(html.contains(r#"value="shop""#), "{html}");
        // Without the cookie (another browser, or two minutes later) the fields are empty.
        let (_, html) = page(&app, &back, None).await;
        assert!(!html.contains(r#"value="operator""#), "{html}");

        // An empty field: its problem next to it on the page it comes back to.
        let empty = post_login(
            &app,
            PAGE,
            &[
                ("mode", "pspid"),
                ("env", "test"),
                ("pspid", "shop"),
                ("password", ""),
            ],
        )
        .await;
        let (_, html) = page(&app, &empty.location, None).await;
        assert!(
            html.contains(
                r#"id="pspid-password-error" class="field-error">This field is required."#
            ),
            "{html}"
        );

        // A script's call (the page drawn in the browser by the back office's router) is
        // answered as data, not sent anywhere.
        let right = [
            ("mode", "pspid"),
            ("env", "test"),
            ("pspid", "shop"),
            ("password", PASSWORD),
        ];
        let wrong = [
            ("mode", "pspid"),
            ("env", "test"),
            ("pspid", "shop"),
            ("password", "x"),
        ];
        let called = post_login(&app, "application/json", &wrong).await;
        assert_ne!(called.status, 302);
        assert_eq!((called.location.as_str(), called.typed), ("", None));
        let called = post_login(&app, "application/json", &right).await;
        assert_eq!((called.status, called.location.as_str()), (200, ""));

        // The right password from the page: on to Home, signed in; the cookie cleared.
        let signed_in = post_login(&app, PAGE, &right).await;
        assert_eq!((signed_in.status, signed_in.location.as_str()), (302, "/"));
        assert!(signed_in.typed.unwrap().contains("Max-Age=0"));
        let (status, home) = page(&app, "/", signed_in.session.as_deref()).await;
        assert_eq!(status, 200);
        // Home loads no code either (`home_page.rs`); the pages after it do.
        assert!(home.contains("<h1>Home</h1>"), "{home}");
        assert_no_code(&home);
        let (_, profile) = page(&app, "/profile", signed_in.session.as_deref()).await;
        assert!(profile.contains(".wasm"), "{profile}");
    }
);

/// The login page with a lock ending `until` in its address (`__path`, `__err`), encoded
/// as the server function's refused post encodes it.
async fn login_showing(app: &TestApp, until: &str) -> (u16, String) {
    use leptos::server_fn::error::ServerFnUrlError;
    let error = app::error::AppError::Locked {
        until: until.to_owned(),
    };
    let url = ServerFnUrlError::new("/api/login", error)
        .to_url("http://page/login")
        .unwrap();
    page(app, &format!("/login?{}", url.query().unwrap()), None).await
}

both_backends!(
    an_error_forged_into_the_login_pages_address_shows_no_text_of_its_own,
    &[],
    |app: TestApp| async move {
        // A lock whose end is a sentence, in the address as a refused post carries an
        // error: it is decoded, and only the page's guard hides its text.
        let (status, html) = login_showing(&app, "never. Call +00 000 000").await;
        assert_eq!(status, 200);
        assert!(!html.contains("Call +00"), "{html}");
        assert!(
            html.contains("Something went wrong. Please try again."),
            "{html}"
        );
        // A lock's end that is a time is shown as it came.
        let (_, html) = login_showing(&app, "2026-12-04 12:00:00").await;
        assert!(html.contains("2026-12-04 12:00:00"), "{html}");
    }
);

/// Posts `form` to server function `endpoint` as the page's plain form does.
async fn post_page_form(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    post_as_page(app, &format!("/api/{endpoint}"), None, form).await
}

both_backends!(
    a_forgotten_password_is_reset_through_plain_forms_that_load_no_script,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        plain_page(&app, "/forgot-password?env=test", "request_password_reset").await;

        // No PSPID: back to the form, the problem next to its field.
        let form =
            |pspid: &'static str| [("env", "test"), ("pspid", pspid), ("user_id", "operator")];
        let (status, back) = post_page_form(&app, "request_password_reset", &form(" ")).await;
        assert_eq!(status, 302);
        assert!(
            back.starts_with("/forgot-password?env=test&__path="),
            "{back}"
        );
        let (_, html) = page(&app, &back, None).await;
        assert!(
            html.contains(r#"class="field-error">This field is required."#),
            "{html}"
        );
        // Asked: the page says a link is on its way, and the mail is in the outbox.
        let (status, sent) = post_page_form(&app, "request_password_reset", &form("shop")).await;
        assert_eq!(
            (status, sent.as_str()),
            (302, "/forgot-password?env=test&sent=1")
        );
        let (_, html) = page(&app, &sent, None).await;
        assert!(html.contains("a link is on its way"), "{html}");
        let token = crate::accounts::last_reset_token(&app).await;

        // The link's page: its checklist drawn by the server, no script.
        let link = format!("/reset-password?token={token}");
        let html = plain_page(&app, &link, "reset_password").await;
        assert!(html.contains(r#"class="rule""#), "{html}");

        // Two different passwords: back to the link's page, the problem next to the field.
        let new = "Quiet-River-2026!";
        let reset = |confirm: &'static str| {
            let (app, token) = (&app, token.clone());
            async move {
                let form = [
                    ("token", token.as_str()),
                    ("new_password", new),
                    ("confirm", confirm),
                ];
                post_page_form(app, "reset_password", &form).await
            }
        };
        let (status, back) = reset("Quiet-River-2027!").await;
        assert_eq!(status, 302);
        assert!(back.starts_with(&format!("{link}&__path=")), "{back}");
        assert!(
            !back.contains("Quiet-River"),
            "no password in the address: {back}"
        );
        let (_, html) = page(&app, &back, None).await;
        assert!(
            html.contains(r#"class="field-error">The two passwords are not the same."#),
            "{html}"
        );
        // The same twice: changed; the page it goes on to no longer carries the link.
        let (status, done) = reset(new).await;
        assert_eq!((status, done.as_str()), (302, "/reset-password?done=1"));
        let (_, html) = page(&app, &done, None).await;
        assert!(
            html.contains("Your password has been changed. You can now log in."),
            "{html}"
        );
        assert_no_code(&html);
        app.login_user("shop", "operator", new, None).await.ok();
        // The link is spent: posted again, back to its page with that message.
        let (status, back) = reset(new).await;
        assert_eq!(status, 302);
        let (_, html) = page(&app, &back, None).await;
        assert!(
            html.contains("This link is invalid, already used or expired."),
            "{html}"
        );

        // The production environment's page comes back as such.
        let production = [("env", "PROD"), ("pspid", "shop"), ("user_id", "")];
        let (_, sent) = post_page_form(&app, "request_password_reset", &production).await;
        assert_eq!(sent, "/forgot-password?env=production&sent=1");
    }
);
