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
//!
//! A refusal only counts while the actor is still signed in: each actor (and A's API key)
//! reads something of A's own before its cells and again after them, and an actor sent
//! to its own sign-in (`Unauthenticated`, a redirect to its sign-in page, a 401), or A's
//! key refused as a credential, fails the cell instead of passing it. Signing out is the
//! exception: it runs last, after the closing check.

mod cases;
mod seed;
mod users;

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use app::error::AppError;
use cases::{Call, Case, Cell};
use seed::World;

/// Where a person signs in: the back office (merchant users) or the support portal
/// (support organizations' customers). Each has its own sign-in in the session.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Realm {
    BackOffice,
    Support,
}

impl Realm {
    /// The realm a server function (`support/...`) or a path (`/support...`) belongs to.
    fn of(name: &str) -> Realm {
        if name.trim_start_matches('/').starts_with("support") {
            Realm::Support
        } else {
            Realm::BackOffice
        }
    }

    /// The sign-in page a signed-out visitor of the realm's pages is sent to.
    fn sign_in(self) -> &'static str {
        match self {
            Realm::BackOffice => "/login",
            Realm::Support => "/support/login",
        }
    }
}

/// A signed-in user of A.
struct Actor {
    who: &'static str,
    cookie: String,
    realm: Realm,
}

/// Whether a redirect to `location` is to the sign-in page of `realm`.
fn to_sign_in(location: &str, realm: Realm) -> bool {
    let page = realm.sign_in();
    location == page || location.starts_with(&format!("{page}?"))
}

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
/// only. Redirects are not followed: the answer's `Location` comes back with it.
async fn get_page(app: &TestApp, cookie: &str, url: &str) -> (u16, String, String) {
    let res = app
        .http
        .get(format!("{}{url}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or("").to_owned())
        .unwrap_or_default();
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
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
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
    actor: &Actor,
    name: &str,
    call: &Call,
) -> Option<String> {
    let Actor { who, cookie, realm } = actor;
    let cell = format!("{who} × {name}");
    let signed_out = || Some(format!("{cell}: signed out, so the cell tested nothing"));
    match call {
        Call::Fn {
            endpoint,
            args,
            deny,
        } => {
            let form: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let res = match form.as_slice() {
                [(cases::JSON_BODY, body)] => {
                    let body: serde_json::Value = serde_json::from_str(body).expect("JSON");
                    app.call_json(endpoint, &body, Some(cookie)).await
                }
                _ => app.call(endpoint, &form, Some(cookie)).await,
            };
            let asked: String = args.iter().map(|(_, v)| format!("{v}\n")).collect();
            // Signing out runs last and may find the realm signed out already.
            let last = matches!(cases::server_fn(endpoint, world), Some(Case::Last));
            // Server functions answer their errors with 500 and an `AppError` body: a
            // refusal is any error but `Internal`, and `Unauthenticated` only in the realm
            // the actor is not signed in to; arguments the function could not read mean
            // the case tests nothing.
            let status = match serde_json::from_str::<AppError>(&res.body) {
                _ if res.status < 400 => res.status,
                Ok(AppError::Internal) | Err(_) => res.status,
                Ok(AppError::ServerFn(e)) => {
                    return Some(format!(
                        "{cell}: the case's arguments were not understood: {e}"
                    ))
                }
                Ok(AppError::Unauthenticated) if Realm::of(endpoint) == *realm && !last => {
                    return signed_out()
                }
                Ok(_) => 403,
            };
            judge(world, &cell, &asked, *deny, status, &res.body)
        }
        Call::Get { url, deny } => {
            let (status, location, body) = get_page(app, cookie, url).await;
            if to_sign_in(&location, *realm) || (status == 401 && Realm::of(url) == *realm) {
                return signed_out();
            }
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
            if to_sign_in(&location, *realm) || (status == 401 && Realm::of(url) == *realm) {
                return signed_out();
            }
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
            // A's key itself refused (unknown, revoked, a bad signature) is no refusal of
            // B's data: another merchant in the path answers `ACCESS_TO_MERCHANT_NOT_ALLOWED`.
            let refused_key = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/errors/0/id").cloned())
                .is_some_and(|id| id == "MISSING_OR_INVALID_AUTHORIZATION");
            if refused_key {
                return Some(format!(
                    "A's API key × {name}: the key was not accepted, so the cell tested nothing"
                ));
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

/// The positive control: `actor` reads something of A's own (a payment in the back
/// office, a ticket in the portal) and gets it. A finding if not.
async fn control(app: &TestApp, world: &World, actor: &Actor, when: &str) -> Option<String> {
    let (endpoint, args, expected) = match actor.realm {
        Realm::BackOffice => (
            "ops/payment",
            [("id", world.a_payment.as_str())],
            [world.a_payment.as_str(), seed::A_OWN_REFERENCE],
        ),
        Realm::Support => (
            "support/request",
            [("reference", world.a_ticket.as_str())],
            [world.a_ticket.as_str(), seed::A_OWN_SUMMARY],
        ),
    };
    let res = app.call(endpoint, &args, Some(&actor.cookie)).await;
    (res.status >= 300 || expected.iter().any(|e| !res.body.contains(e))).then(|| {
        format!(
            "{} {when}: A's own {endpoint} answered {}: {}",
            actor.who,
            res.status,
            excerpt(&res.body)
        )
    })
}

/// The positive control of A's API key, from the loopback address 127.0.0.`from`: it
/// reads A's own payment.
async fn api_control(app: &TestApp, world: &World, from: u8, when: &str) -> Option<String> {
    let path = format!("/v2/shopa/payments/{}", world.a_payment);
    let (status, body) = api_call(app, &world.a_key, "GET", &path, None, from).await;
    (status != 200 || !body.contains(&world.a_payment)).then(|| {
        format!(
            "A's API key {when}: GET {path} answered {status}: {}",
            excerpt(&body)
        )
    })
}

/// The loopback addresses of the API key's two controls; the cells use those below.
const CONTROL_FROM: [u8; 2] = [250, 251];

both_backends!(
    no_user_of_merchant_a_or_organization_a_reaches_anything_of_b,
    &[("OPENPSP_WEBHOOK_ALLOW_PRIVATE", "on")],
    |app: TestApp| async move {
        let world = seed::seed(&app).await;
        let before = seed::fingerprint(&app, &world).await;
        let actors = vec![
            Actor {
                who: "A Admin",
                cookie: app.session("shopa", "admin").await,
                realm: Realm::BackOffice,
            },
            Actor {
                who: "A Operator",
                cookie: app.session("shopa", "operator").await,
                realm: Realm::BackOffice,
            },
            Actor {
                who: "A Read-only",
                cookie: app
                    .user_session("shopa", "reader", domain::Role::ReadOnly)
                    .await,
                realm: Realm::BackOffice,
            },
            Actor {
                who: "organization A's customer",
                cookie: crate::support::support_session(&app, "alice@demo-retail.test").await,
                realm: Realm::Support,
            },
        ];
        let mut findings = Vec::new();
        let mut cells = 0;
        // Before any cell, every actor and the key reach A's own data.
        for actor in &actors {
            findings.extend(control(&app, &world, actor, "before its cells").await);
        }
        findings.extend(api_control(&app, &world, CONTROL_FROM[0], "before its cells").await);
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
                assert!(
                    from < CONTROL_FROM[0],
                    "too many API cells for the addresses"
                );
                findings.extend(run(from, &app, &world, &actors[0], name, call).await);
            }
        }
        // After the cells, every actor and the key still reach A's own data: the
        // refusals above were not a signed-out actor's.
        for actor in &actors {
            findings.extend(control(&app, &world, actor, "after its cells").await);
        }
        findings.extend(api_control(&app, &world, CONTROL_FROM[1], "after its cells").await);
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
