//! The cross-tenant matrix: merchant B and support organization B (Other Corp) have
//! payments, a hosted checkout and tokenization, a token, an API key, a webhook endpoint
//! with deliveries, a shared filter template, a bound terminal with a payment, and a
//! ticket with an attachment. Merchant A's Admin, Operator and Read-only users and a
//! customer of organization A (Demo Retail) then try every page, every server function,
//! every other route and every `/v2` route with B's ids. Every cell naming B is refused,
//! no answer carries anything of B's the request did not itself name, and B's records are
//! unchanged afterwards.
//!
//! The cells come from the router and the server-function registry, not from a list kept
//! here: a page, route or server function without a case in `cases.rs` fails the test.

mod cases;
mod seed;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use app::error::AppError;
use cases::{Call, Case, Cell};
use seed::World;

/// What one cell did wrong, if anything.
fn judge(
    world: &World,
    cell: &str,
    asked: &str,
    deny: bool,
    status: u16,
    body: &str,
) -> Option<String> {
    // Markers the request itself carried may be echoed back ("payment X not found").
    let leaked: Vec<&String> = world
        .markers
        .iter()
        .filter(|m| !asked.contains(m.as_str()) && body.contains(m.as_str()))
        .collect();
    if !leaked.is_empty() {
        return Some(format!(
            "{cell}: {status}, the answer carries B's {leaked:?}"
        ));
    }
    if status >= 500 {
        return Some(format!("{cell}: server error {status}: {}", excerpt(body)));
    }
    if deny && status < 300 {
        return Some(format!("{cell}: allowed ({status}): {}", excerpt(body)));
    }
    None
}

fn excerpt(body: &str) -> &str {
    let end = body
        .char_indices()
        .nth(300)
        .map(|(i, _)| i)
        .unwrap_or(body.len());
    &body[..end]
}

/// A page or route read with the actor's cookie; an event stream is read for a moment
/// only. Redirects are not followed (to the sign-in page counts as refused).
async fn get_page(app: &TestApp, cookie: &str, url: &str) -> (u16, String) {
    let res = app
        .http
        .get(format!("{}{url}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let mut res = res;
    let mut body = Vec::new();
    let read = async {
        while let Ok(Some(chunk)) = res.chunk().await {
            body.extend_from_slice(&chunk);
            if body.len() > 4 << 20 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), read).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A v1HMAC-signed request with `key`, as the Direct SDKs sign it, from the loopback
/// address 127.0.0.`from`: the server counts failed authentications per address, and a
/// cell's refusal should be its own, not the throttle's after the cells before it.
async fn api_call(
    app: &TestApp,
    (key, secret): &(String, String),
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
    from: u8,
) -> (u16, String) {
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let content_type = if body.is_some() {
        "application/json"
    } else {
        ""
    };
    let data = format!("{method}\n{content_type}\n{date}\n{path}\n");
    let signature =
        server::platform::crypto::hmac_sha256_base64(secret.as_bytes(), data.as_bytes());
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, from]))
        .build()
        .unwrap();
    let mut req = client
        .request(method.parse().unwrap(), format!("{}{path}", app.base))
        .header("Date", date)
        .header("Authorization", format!("GCS v1HMAC:{key}:{signature}"));
    if let Some(body) = body {
        req = req
            .header("Content-Type", content_type)
            .body(body.to_string());
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Runs one cell as `actor`; a finding if it fails.
async fn run(
    from: u8,
    app: &TestApp,
    world: &World,
    actor: &(&str, String),
    name: &str,
    call: &Call,
) -> Option<String> {
    let (who, cookie) = actor;
    let cell = format!("{who} × {name}");
    match call {
        Call::Fn {
            endpoint,
            args,
            deny,
        } => {
            let form: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let res = app.call(endpoint, &form, Some(cookie)).await;
            let asked: String = args.iter().map(|(_, v)| format!("{v}\n")).collect();
            // Server functions answer their errors with 500 and an `AppError` body: a
            // refusal is any error but `Internal`; arguments the function could not read
            // mean the case tests nothing.
            let status = match serde_json::from_str::<AppError>(&res.body) {
                _ if res.status < 400 => res.status,
                Ok(AppError::Internal) | Err(_) => res.status,
                Ok(AppError::ServerFn(e)) => {
                    return Some(format!(
                        "{cell}: the case's arguments were not understood: {e}"
                    ))
                }
                Ok(_) => 403,
            };
            judge(world, &cell, &asked, *deny, status, &res.body)
        }
        Call::Get { url, deny } => {
            let (status, body) = get_page(app, cookie, url).await;
            judge(world, &cell, url, *deny, status, &body)
        }
        Call::Upload { url } => {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"note from A\n".to_vec()).file_name("a.txt"),
            );
            let res = app
                .http
                .post(format!("{}{url}", app.base))
                .header("cookie", cookie.as_str())
                .header("origin", &app.base)
                .multipart(form)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap_or("").to_owned())
                .unwrap_or_default();
            let body = res.text().await.unwrap();
            // The form answers with a redirect either way: only an `attached=` one is a success.
            let status = if location.contains("attached=") {
                200
            } else {
                status.max(400)
            };
            judge(
                world,
                &cell,
                url,
                true,
                status,
                &format!("{location}\n{body}"),
            )
        }
        Call::Api {
            method,
            path,
            body,
            deny,
        } => {
            let (status, body) =
                api_call(app, &world.a_key, method, path, body.as_ref(), from).await;
            if status == 429 {
                return Some(format!("{name}: throttled, so the cell tested nothing"));
            }
            judge(
                world,
                &format!("A's API key × {name}"),
                path,
                *deny,
                status,
                &body,
            )
        }
    }
}

both_backends!(
    no_user_of_merchant_a_or_organization_a_reaches_anything_of_b,
    &[("OPENPSP_WEBHOOK_ALLOW_PRIVATE", "on")],
    |app: TestApp| async move {
        let world = seed::seed(&app).await;
        let before = seed::fingerprint(&app, &world).await;
        let actors: Vec<(&str, String)> = vec![
            ("A Admin", app.session("shopa", "admin").await),
            ("A Operator", app.session("shopa", "operator").await),
            (
                "A Read-only",
                app.user_session("shopa", "reader", domain::Role::ReadOnly)
                    .await,
            ),
            (
                "organization A's customer",
                crate::support::support_session(&app, "alice@demo-retail.test").await,
            ),
        ];
        let mut findings = Vec::new();
        let mut cells = 0;
        // Every registered server function, every page, every other route.
        let (plan, missing) = cases::plan(&world);
        findings.extend(missing);
        // Each API cell calls from an address of its own (127.0.0.2 onwards).
        let mut from = 1u8;
        for Cell {
            name,
            call,
            per_actor,
        } in &plan
        {
            if *per_actor {
                for actor in &actors {
                    cells += 1;
                    findings.extend(run(1, &app, &world, actor, name, call).await);
                }
            } else {
                cells += 1;
                from += 1;
                findings.extend(run(from, &app, &world, &actors[0], name, call).await);
            }
        }
        // Signing out comes last, for every actor.
        for actor in &actors {
            for endpoint in ["logout", "support/logout"] {
                assert!(matches!(
                    cases::server_fn(endpoint, &world),
                    Some(Case::Last)
                ));
                cells += 1;
                let call = Call::Fn {
                    endpoint: endpoint.to_owned(),
                    args: vec![],
                    deny: false,
                };
                findings.extend(run(1, &app, &world, actor, endpoint, &call).await);
            }
        }
        assert!(cells > 400, "the matrix has its cells: {cells}");
        assert!(
            findings.is_empty(),
            "{} of {cells} cells failed:\n{}",
            findings.len(),
            findings.join("\n")
        );
        assert_eq!(
            seed::fingerprint(&app, &world).await,
            before,
            "B's records changed"
        );
    }
);
