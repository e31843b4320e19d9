//! What every response carries, the sign-in gate and cross-site protection.

use crate::both_backends;
use crate::helpers::*;

both_backends!(
    pages_need_a_session_and_carry_security_headers,
    &[],
    |app: TestApp| async move {
        let res = app.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/login");

        let res = app
            .http
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
        let html = res.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\""));
        assert!(html.contains("Identification (TEST)"));
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "inline scripts carry the nonce"
        );

        let fr = app
            .http
            .get(format!("{}/login?env=production", app.base))
            .header("cookie", "openpsp_lang=fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(fr.contains("<html lang=\"fr\""));
        assert!(fr.contains("Identification (Production)"));
        assert!(fr.contains("Mot de passe"));

        app.merchant("shop").await;
        let cookie = app.session("shop", "admin").await;
        let res = app
            .http
            .get(format!("{}/", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let res = app
            .http
            .get(format!("{}/login", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signed-in users skip the login page");
    }
);

/// Posts the PSPID login form of `shop` with extra headers.
async fn post_login(app: &TestApp, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.post(format!("{}/api/login", app.base)).form(&[
        ("mode", "pspid"),
        ("env", "test"),
        ("pspid", "shop"),
        ("password", PASSWORD),
    ]);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

both_backends!(
    cross_site_posts_are_refused,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let res = post_login(&app, &[("origin", "https://evil.example")]).await;
        assert_eq!(res.status(), 403);
        let res = post_login(&app, &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(res.status(), 403);
        let res = post_login(
            &app,
            &[
                ("sec-fetch-site", "same-origin"),
                ("accept", "application/json"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200, "the page's own requests pass");
    }
);

both_backends!(
    oversized_bodies_are_refused,
    &[],
    |app: TestApp| async move {
        let big = "x".repeat(200 * 1024);
        let res = app
            .http
            .post(format!("{}/api/login", app.base))
            .form(&[
                ("mode", "pspid"),
                ("env", "test"),
                ("pspid", big.as_str()),
                ("password", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        // The server closes a connection whose body it refused without reading it; a
        // pooled client could try to reuse that connection before it sees the close. The
        // question is whether the server is up, so ask on a new connection.
        let res = reqwest::Client::new()
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "the server is still up");
    }
);

both_backends!(health_and_readiness, &[], |app: TestApp| async move {
    use sea_orm::ConnectionTrait;
    for path in ["healthz", "readyz"] {
        let res = app
            .http
            .get(format!("{}/{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    // A schema missing a migration this build knows: alive, not ready.
    app.db
        .execute_unprepared(
            "DELETE FROM seaql_migrations WHERE version = \
             (SELECT MAX(version) FROM seaql_migrations)",
        )
        .await
        .unwrap();
    let res = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "1 migrations pending");
    let res = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
});

both_backends!(
    every_answer_names_its_request,
    &[],
    |app: TestApp| async move {
        // Pages, the server API, static files and health checks alike.
        for path in [
            "login",
            "v2/shop/payments/1",
            "favicon.svg",
            "healthz",
            "no-such-page",
        ] {
            let res = app
                .http
                .get(format!("{}/{path}", app.base))
                .send()
                .await
                .unwrap();
            let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
            assert!(
                server::platform::request_id::acceptable(&id),
                "{path}: {id}"
            );
            let sent = app
                .http
                .get(format!("{}/{path}", app.base))
                .header("x-request-id", "lb-7f3a.2")
                .send()
                .await
                .unwrap();
            assert_eq!(sent.headers()["x-request-id"], "lb-7f3a.2", "{path}");
        }
        let forged = app
            .http
            .get(format!("{}/healthz", app.base))
            .header("x-request-id", "a\tb level=ERROR")
            .send()
            .await
            .unwrap();
        assert_ne!(forged.headers()["x-request-id"], "a\tb level=ERROR");
    }
);

/// `OPENPSP_LOG_FORMAT=json` (PL-6), set up by the binary itself: `openpsp serve` writes
/// one JSON object per line and nothing else on its output, and a line written while a
/// request runs names the request's id in its span.
#[tokio::test]
async fn json_logs_name_the_request_in_each_line() {
    use tokio::io::{AsyncBufReadExt, BufReader, Lines};
    use tokio::process::ChildStdout;
    let dir = TempDir(std::env::temp_dir().join(format!("openpsp-it-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_openpsp"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("OPENPSP_DATA_DIR", &dir.0)
        .env("OPENPSP_LISTEN", "127.0.0.1:0")
        .env("OPENPSP_TERMINAL_LISTEN", "off")
        .env("OPENPSP_LOG_FORMAT", "json")
        .env("OPENPSP_LOG", "info")
        // Built by cargo-leptos, the binary knows it; a test build reads it at start.
        .env("LEPTOS_OUTPUT_NAME", "openpsp")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start openpsp serve");
    let mut output = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut read = Vec::new();
    // The next log line whose message is `message`; every line before it must be JSON.
    async fn until(
        output: &mut Lines<BufReader<ChildStdout>>,
        read: &mut Vec<String>,
        message: &str,
    ) -> serde_json::Value {
        let within = std::time::Duration::from_secs(60);
        tokio::time::timeout(within, async {
            while let Some(line) = output.next_line().await.unwrap() {
                let entry: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
                read.push(line);
                if entry["fields"]["message"] == message {
                    return entry;
                }
            }
            panic!("the server stopped; it wrote: {read:?}");
        })
        .await
        .unwrap_or_else(|_| panic!("no {message:?} in a minute"))
    }
    let listening = until(&mut output, &mut read, "OpenPSP listening").await;
    let address = listening["fields"]["listen"].as_str().unwrap().to_owned();

    // A request that writes a warning: a post another site's page sent.
    let res = reqwest::Client::new()
        .post(format!("http://{address}/api/login"))
        .header("origin", "https://elsewhere.example")
        .header("x-request-id", "json-logs-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let refused = until(&mut output, &mut read, "cross-site request refused").await;
    assert_eq!(refused["level"], "WARN", "{refused}");
    assert_eq!(refused["span"]["name"], "request", "{refused}");
    assert_eq!(refused["span"]["id"], "json-logs-1", "{refused}");
    assert_eq!(refused["span"]["method"], "POST", "{refused}");
}

async fn raw_session_cookie(app: &TestApp) -> String {
    app.merchant("shop").await;
    let res = post_login(app, &[("accept", "application/json")]).await;
    assert_eq!(res.status(), 200);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("openpsp_session="))
        .expect("session cookie")
}

both_backends!(
    session_cookie_is_http_only_and_lax,
    &[],
    |app: TestApp| async move {
        let cookie = raw_session_cookie(&app).await;
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Max-Age=900"), "15 minutes idle: {cookie}");
        assert!(
            !cookie.contains("Secure"),
            "plain http keeps cookies usable: {cookie}"
        );
    }
);

both_backends!(
    session_cookie_is_secure_behind_https,
    &[("OPENPSP_PUBLIC_URL", "https://pay.example.com")],
    |app: TestApp| async move {
        let cookie = raw_session_cookie(&app).await;
        assert!(cookie.contains("Secure"), "{cookie}");
    }
);

both_backends!(
    behind_https_browsers_are_told_to_stay_and_every_cookie_is_secure,
    &[("OPENPSP_PUBLIC_URL", "https://pay.example")],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000; includeSubDomains")
        );
        // The language cookie is written by a page's server function without any
        // attribute of its own: the platform adds `Secure`.
        let res = app
            .http
            .post(format!("{}/api/set_language", app.base))
            .header("accept", "application/json")
            .form(&[("lang", "fr")])
            .send()
            .await
            .unwrap();
        let cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(!cookies.is_empty(), "{:?}", res.status());
        for cookie in &cookies {
            assert!(cookie.contains("; Secure"), "{cookie}");
        }
    }
);

both_backends!(
    over_plain_http_there_is_no_hsts,
    &[],
    |app: TestApp| async move {
        let res = app
            .http
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("strict-transport-security").is_none());
    }
);
