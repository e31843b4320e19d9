//! The HTTP server: Leptos pages and server functions, health endpoints, sessions, and
//! the protections every response gets (headers, CSRF, body limit, sign-in gate).

use crate::direct::key_cache::KeyCache;
use crate::platform::sessions::DbSessionStore;
use crate::state::AppState;
use app::ports::Ports;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// Largest request body accepted (forms and server-function calls).
const BODY_LIMIT: usize = 64 * 1024;
/// Largest upload of ticket attachments: as many files as one upload takes, each at its
/// largest, and the form around them.
const UPLOAD_LIMIT: usize =
    domain::attachment::MAX_FILES * domain::attachment::MAX_BYTES + BODY_LIMIT;

/// How one route is answered, given the method it is mounted for.
type Mount = fn(MethodFilter) -> MethodRouter<AppState>;

/// The feature endpoints that are not pages, as (method, path, handler): the router is
/// built from this table and [`routes`] lists it, so the list cannot drift.
const FEATURE_ROUTES: &[(&str, &str, Mount)] = &[
    ("GET", "/healthz", |m| on(m, || async { "ok" })),
    ("GET", "/readyz", |m| on(m, readyz)),
    ("GET", "/operations/payments/export/{format}", |m| {
        on(m, crate::payments::export::payments)
    }),
    ("GET", "/operations/history/export/{format}", |m| {
        on(m, crate::payments::export::history)
    }),
    ("GET", "/configuration/audit-log/export.csv", |m| {
        on(m, crate::audit::export::download)
    }),
    ("GET", "/operations/invoice/cart-template.csv", |m| {
        on(m, crate::paylinks::cart_template)
    }),
    ("GET", "/operations/pos/events/{id}", |m| {
        on(m, crate::terminals::events::pos_events)
    }),
    ("GET", "/support/status.json", |m| {
        on(m, crate::support::status::status_json)
    }),
    ("GET", "/support/attachments/{id}", |m| {
        on(m, crate::support::attachments::download)
    }),
    ("GET", "/pay/bank/{token}", |m| on(m, crate::bank::show)),
    ("POST", "/pay/bank/{token}", |m| on(m, crate::bank::decide)),
    ("GET", "/pay/theme/{file}", |m| {
        on(m, crate::template::theme::stylesheet)
    }),
    ("GET", "/pay/theme/{id}/logo", |m| {
        on(m, crate::template::theme::logo)
    }),
    ("GET", "/static/{version}/pkg/{*file}", |m| {
        on(m, super::assets::handler)
    }),
    ("GET", "/static/texts/{file}", |m| {
        on(m, super::assets::texts)
    }),
    ("GET", "/api/{*fn_name}", |m| on(m, server_fn_handler)),
    ("POST", "/api/{*fn_name}", |m| on(m, server_fn_handler)),
];

/// Attachments are the one form larger than a page's body limit.
const UPLOAD_ROUTES: &[(&str, &str, Mount)] = &[
    ("POST", "/support/requests/{reference}/attachments", |m| {
        on(m, crate::support::attachments::upload)
    }),
    ("POST", "/configuration/template/logo", |m| {
        on(m, crate::template::theme::upload)
    }),
];

/// Every (method, path) the router mounts besides the pages ([`page_paths`]) and the
/// server functions' handlers: the feature endpoints, the upload and the `/v2` API.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    FEATURE_ROUTES
        .iter()
        .chain(UPLOAD_ROUTES)
        .map(|(method, path, _)| (*method, *path))
        .chain(crate::direct::routes())
}

/// The paths of the Leptos pages the router mounts (GET), in axum's path syntax.
pub fn page_paths() -> Vec<String> {
    page_routes()
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

/// The Leptos pages: the back office's and the support portal's ([`App`]) and the
/// payer's ([`app::PayerApp`]); the shell renders each path with its own application.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    let mut routes = generate_route_list(App);
    routes.extend(generate_route_list(app::PayerApp));
    routes
}

fn mount(table: &[(&str, &str, Mount)]) -> Router<AppState> {
    table
        .iter()
        .fold(Router::new(), |router, (method, path, handler)| {
            let method = Method::from_bytes(method.as_bytes()).expect("HTTP method");
            let filter = MethodFilter::try_from(method).expect("a method axum routes");
            router.route(path, handler(filter))
        })
}

/// The whole application router over `state`: pages and server functions, the feature
/// endpoints that are not pages (exports, live point-of-sale events, attachments, the
/// status JSON), and the server API.
pub fn router(state: &AppState) -> Router {
    let (db, config) = (state.db.clone(), state.config.clone());
    let https = config.https();
    let mailbox = config.dev_mailbox();
    let leptos_options = state.leptos_options.clone();
    let ports = state.ports.clone();
    let state = state.clone();
    let routes = page_routes();
    let assets = std::sync::Arc::new(super::assets::Assets::load(
        &leptos_options.site_root,
        &leptos_options.site_pkg_dir,
    ));
    let asset_root = app::AssetRoot(assets.root());

    let store = DbSessionStore::new(db.clone(), config.session_idle_seconds);
    let sessions = SessionManagerLayer::new(store)
        .with_name("openpsp_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            config.session_idle_seconds,
        )))
        // Every request pushes the idle deadline back.
        .with_always_save(true)
        .with_signed(Key::from(&config.session_key));

    let context_ports = ports.clone();
    let sessions_for_uploads = sessions.clone();
    let state_for_uploads = state.clone();
    let keys = KeyCache::start(&db, config.api_key_cache);
    let direct = crate::direct::router(crate::direct::DirectState {
        engine: state.engine.clone(),
        db: db.clone(),
        config: config.clone(),
        terminals: state.terminals.clone(),
        keys: keys.clone(),
    });
    let pages = mount(FEATURE_ROUTES)
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let asset_root = asset_root.clone();
                move || {
                    provide_context(context_ports.clone());
                    provide_context(asset_root.clone());
                    // The signed-in actor read once for the whole page. Server functions
                    // share this closure; only a page render has a router `Method`.
                    if use_context::<leptos_router::Method>().is_some() {
                        provide_context(<crate::account::service::PageActor>::default());
                    }
                }
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback({
            let asset_root = asset_root.clone();
            move |uri, state, req| fallback(uri, state, req, asset_root.clone())
        })
        .layer(middleware::from_fn({
            let keys = keys.clone();
            move |session: Session, req: Request, next: Next| {
                forget_kept_keys(keys.clone(), session, req, next)
            }
        }))
        .layer(middleware::from_fn(sign_in_gate))
        .layer(middleware::from_fn(|req: Request, next: Next| async move {
            if !req.uri().path().starts_with("/api/") {
                return next.run(req).await;
            }
            match super::form_text::checked(req, BODY_LIMIT).await {
                Ok(req) => next.run(req).await,
                Err(refused) => refused,
            }
        }))
        .layer(middleware::map_request({
            let base = config.public_url.trim_end_matches('/').to_owned();
            move |req: Request| std::future::ready(forget_posted_error(&base, req))
        }))
        .layer(middleware::from_fn({
            let db = db.clone();
            move |req: Request, next: Next| crate::checkout::language::choose(db.clone(), req, next)
        }))
        .layer(middleware::from_fn({
            let (db, cluster) = (db.clone(), config.cluster.clone());
            move |req: Request, next: Next| {
                crate::checkout::centre::gate(db.clone(), cluster.clone(), req, next)
            }
        }))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            closed_mailbox(mailbox, req, next)
        }))
        .layer(sessions)
        .layer(middleware::from_fn(csrf_guard))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .with_state(state);
    let uploads = mount(UPLOAD_ROUTES)
        .layer(middleware::from_fn(
            move |session: Session, req: Request, next: Next| {
                forget_kept_keys(keys.clone(), session, req, next)
            },
        ))
        .layer(sessions_for_uploads)
        .layer(middleware::from_fn(csrf_guard))
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        .with_state(state_for_uploads);
    // The server API has its own authentication (v1HMAC): no session, CSRF or sign-in gate.
    Router::new()
        .merge(direct)
        .merge(uploads)
        .merge(pages)
        .layer(middleware::from_fn(move |req, next| {
            security_headers(https, req, next)
        }))
        // Pages, API answers and assets the build did not precompress are compressed as
        // they are sent (a streamed page stays streamed: what is ready is flushed).
        // Downloads (exports, attachments) are sent as they are: browsers cancel a
        // streamed attachment compressed on the fly.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4))
                .compress_when(DefaultPredicate::new().and(
                    |_: StatusCode,
                     _: axum::http::Version,
                     h: &axum::http::HeaderMap,
                     _: &axum::http::Extensions| {
                        !h.contains_key(header::CONTENT_DISPOSITION)
                    },
                )),
        )
        .layer(axum::extract::Extension(assets))
        .layer(middleware::from_fn(super::metrics::observe))
        .layer(middleware::from_fn(super::request_id::tag))
}

/// What no route answers: a Direct JSON 404 under `/v2`, else a static file or the
/// "not found" page.
async fn fallback(
    uri: axum::http::Uri,
    state: State<AppState>,
    req: Request<Body>,
    assets: app::AssetRoot,
) -> Response {
    if crate::direct::is_api_path(uri.path()) {
        return crate::direct::not_found().await.into_response();
    }
    leptos_axum::file_and_error_handler_with_context::<AppState, _>(
        move || provide_context(assets.clone()),
        shell,
    )(uri, state, req)
    .await
}

async fn server_fn_handler(State(ports): State<Ports>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(ports.clone()), req).await
}

/// A plain form's post to a server function is answered by a redirect to its page (the
/// `Referer`), with the error, if any, added to the address (`__err`, `__path`). The
/// page's address may still carry the previous post's error: it is taken off first, so
/// the page shows this post's. A browser that sends no `Referer` is sent back to the
/// payer page its form names in the action's `from` (only a payer page's address,
/// rebuilt from its parts: `app::checkout::script::posted_page`), on this server's
/// public address `base`.
fn forget_posted_error(base: &str, mut req: Request) -> Request {
    if req.method() != Method::POST || !req.uri().path().starts_with("/api/") {
        return req;
    }
    let cleaned = match req.headers().get(header::REFERER) {
        Some(referer) => referer.to_str().ok().and_then(without_posted_error),
        None => req
            .uri()
            .query()
            .and_then(app::checkout::script::posted_page)
            .map(|page| format!("{base}{page}")),
    }
    .and_then(|r| HeaderValue::from_str(&r).ok());
    if let Some(value) = cleaned {
        req.headers_mut().insert(header::REFERER, value);
    }
    req
}

/// `referer` without `__err` and `__path`; `None` when it has neither.
fn without_posted_error(referer: &str) -> Option<String> {
    let (page, query) = referer.split_once('?')?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("__err=") && !pair.starts_with("__path="))
        .collect();
    Some(if kept.is_empty() {
        page.to_owned()
    } else {
        format!("{page}?{}", kept.join("&"))
    })
}

/// Ready when the database answers and its schema has every migration this build knows
/// (a node must not take traffic on a database another version left half-migrated).
async fn readyz(State(db): State<DatabaseConnection>) -> Response {
    use migrations::MigratorTrait;
    if let Err(e) = db.ping().await {
        tracing::warn!(error = %e, "database not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    match migrations::Migrator::get_pending_migrations(&db).await {
        Ok(pending) if pending.is_empty() => "ready".into_response(),
        Ok(pending) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{} migrations pending", pending.len()),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "migrations could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, "migrations unreadable").into_response()
        }
    }
}

/// Pages anyone may open.
fn is_public(path: &str) -> bool {
    const PUBLIC: [&str; 7] = [
        "/login",
        "/login/verify",
        "/profile/confirm-email",
        "/forgot-password",
        "/reset-password",
        "/dev/mailbox",
        "/test-cards",
    ];
    PUBLIC.contains(&path)
        || path.starts_with("/api/")
        || path.starts_with("/pay/")
        || path.starts_with("/link/")
        || path.starts_with("/pkg/")
        || path == "/healthz"
        || path == "/readyz"
        // Static files (favicon, images) carry an extension.
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Sends visitors without a session to the login page before any page renders, and
/// signed-in users away from it. Server functions check the session themselves.
/// A signed-in back-office request that may write (any method but GET and HEAD) forgets
/// the API keys the node keeps once it is answered, before its answer leaves: the next
/// API call reads what it changed (`direct::key_cache`). Other requests (sign-ins,
/// payers, the support portal, which writes no merchant or key) forget nothing; a
/// change they made would be heard from the database.
async fn forget_kept_keys(
    keys: Arc<KeyCache>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) || !keys.is_listening() {
        return next.run(req).await;
    }
    let signed_in = session
        .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
        .await
        .ok()
        .flatten()
        .is_some();
    let response = next.run(req).await;
    if signed_in {
        keys.forget_all();
    }
    response
}

async fn sign_in_gate(session: Session, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    // The server API authenticates each request itself and answers in JSON.
    if crate::direct::is_api_path(&path) {
        return next.run(req).await;
    }
    // The support portal has its own people and its own sign-in.
    if path == "/support" || path.starts_with("/support/") {
        let public = matches!(
            path.as_str(),
            "/support/login" | "/support/status" | "/support/status.json"
        );
        let supported = matches!(
            session
                .get::<app::support::accounts::SupportActor>(
                    app::support::accounts::SUPPORT_ACTOR_SESSION_KEY
                )
                .await,
            Ok(Some(_))
        );
        if path == "/support/login" && supported {
            return Redirect::to("/support").into_response();
        }
        if !public && !supported {
            // Back to the page asked for once signed in (a link from a payment, a mail).
            let target = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/support");
            let location = if target == "/support" {
                "/support/login".to_owned()
            } else {
                format!("/support/login?next={}", app::url::encode(target))
            };
            return Redirect::to(&location).into_response();
        }
        return next.run(req).await;
    }
    let actor = session
        .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
        .await
        .ok()
        .flatten();
    let signed_in = actor.is_some();
    if (path == "/login" || path == "/login/verify") && signed_in {
        return Redirect::to("/").into_response();
    }
    if !signed_in && !is_public(&path) {
        return Redirect::to("/login").into_response();
    }
    // A password past its lifetime, or a second factor the PSPID requires and this
    // user has not set up yet: one page answers until it is done (server functions
    // refuse on their own).
    if let Some(actor) = actor.filter(|_| !is_public(&path)) {
        let (change, security) = ("/profile/password", app::account::security::SECURITY_PATH);
        if actor.password_expired && path != change {
            return Redirect::to(app::account::security::EXPIRED_PASSWORD_PATH).into_response();
        }
        if actor.setup_required && !actor.password_expired && path != security {
            return Redirect::to(security).into_response();
        }
    }
    next.run(req).await
}

/// `/dev/mailbox` does not exist unless the development mailbox is on.
async fn closed_mailbox(open: bool, req: Request, next: Next) -> Response {
    if !open && req.uri().path() == "/dev/mailbox" {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(req).await
}

/// Refuses state-changing requests that a browser says come from another site.
async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn same_origin(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        (Some(_), None) => false,
        // Browsers always send one of the two on a POST: no header means no browser.
        (None, _) => true,
    }
}

/// Headers every response carries; pages set their own CSP with a nonce. When the public
/// URL is https, browsers are told to come back over https only (HSTS) and every cookie
/// the response sets is `Secure`, whichever part of the product wrote it.
async fn security_headers(https: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(header::SET_COOKIE);
            for cookie in cookies {
                h.append(header::SET_COOKIE, secure_cookie(cookie));
            }
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                 img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
            ),
        );
    }
    res
}

/// `cookie` with the `Secure` attribute (unchanged when it has it already).
fn secure_cookie(cookie: HeaderValue) -> HeaderValue {
    let Ok(text) = cookie.to_str() else {
        return cookie;
    };
    let has = text
        .split(';')
        .any(|a| a.trim().eq_ignore_ascii_case("secure"));
    if has {
        return cookie;
    }
    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
}

/// Removes expired sessions every five minutes.
pub fn spawn_session_cleanup(db: DatabaseConnection) {
    tokio::spawn(async move {
        let store = DbSessionStore::new(db, 0);
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "expired-session cleanup failed");
            }
        }
    });
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Pages are streamed in several chunks: without TCP_NODELAY, Nagle's algorithm and
    // delayed ACKs hold each keep-alive response back by about 40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_page_address_loses_the_previous_posts_error() {
        assert_eq!(
            without_posted_error(
                "http://h/pay/eu/abc?lang=fr&__path=%2Fapi%2Fpay%2Fpay&__err=eyJ9"
            )
            .as_deref(),
            Some("http://h/pay/eu/abc?lang=fr")
        );
        assert_eq!(
            without_posted_error("http://h/link/abc?__path=x&__err=y").as_deref(),
            Some("http://h/link/abc")
        );
        assert_eq!(without_posted_error("http://h/link/abc"), None);
    }

    #[test]
    fn login_pages_assets_and_api_are_public_and_back_office_is_not() {
        for p in [
            "/login",
            "/forgot-password",
            "/pkg/openpsp.js",
            "/static/0123456789abcdef/pkg/openpsp.wasm",
            "/favicon.svg",
            "/api/login",
            "/healthz",
            "/test-cards",
        ] {
            assert!(is_public(p), "{p}");
        }
        for p in ["/", "/profile/password", "/operations"] {
            assert!(!is_public(p), "{p}");
        }
    }

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method("POST").uri("/api/login");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(same_origin(&request(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&request(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin(&request(&[
            ("origin", "http://a:3000"),
            ("host", "a:3000")
        ])));
        assert!(!same_origin(&request(&[
            ("origin", "http://evil"),
            ("host", "a:3000")
        ])));
        assert!(same_origin(&request(&[])));
    }
}
