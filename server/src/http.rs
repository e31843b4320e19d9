//! The HTTP server: Leptos pages and server functions, health endpoints, sessions, and
//! the protections every response gets (headers, CSRF, body limit, sign-in gate).

use crate::config::Config;
use crate::services::account::AccountService;
use crate::session_store::DbSessionStore;
use app::ports::Ports;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// Largest request body accepted (forms and server-function calls).
const BODY_LIMIT: usize = 64 * 1024;
/// Largest upload of ticket attachments: as many files as one upload takes, each at its
/// largest, and the form around them.
const UPLOAD_LIMIT: usize =
    domain::attachment::MAX_FILES * domain::attachment::MAX_BYTES + BODY_LIMIT;

/// Shared state of the router.
#[derive(Clone)]
pub struct AppState {
    /// Leptos site options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// The backend as the UI sees it.
    pub ports: Ports,
    /// Database, for readiness.
    pub db: DatabaseConnection,
    /// Card terminals, for the point of sale's live events.
    pub terminals: Arc<crate::terminal::TerminalHub>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos options from cargo-leptos's environment, with defaults that work when the
/// binary is started on its own from the repository root.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("openpsp").build());
    if options.output_name.is_empty() {
        options.output_name = Arc::from("openpsp");
    }
    if let Ok(addr) = config.listen.parse::<SocketAddr>() {
        options.site_addr = addr;
    }
    options
}

/// Builds the whole application router, with a terminal hub no gateway feeds.
pub fn router(db: DatabaseConnection, config: Arc<Config>) -> Router {
    let hub = crate::terminal::TerminalHub::new(
        crate::services::payments::PaymentEngine::simulated(db.clone(), config.clone()),
        Default::default(),
    );
    router_with_terminals(db, config, hub)
}

/// Builds the whole application router over the terminal hub the gateway uses.
pub fn router_with_terminals(
    db: DatabaseConnection,
    config: Arc<Config>,
    hub: Arc<crate::terminal::TerminalHub>,
) -> Router {
    let leptos_options = leptos_options(&config);
    let engine = crate::services::payments::PaymentEngine::simulated(db.clone(), config.clone());
    let config_service = Arc::new(crate::services::config_port::ConfigService::new(
        db.clone(),
        config.clone(),
    ));
    let ports = Ports {
        account: Arc::new(AccountService::new(db.clone(), config.clone())),
        checkout: Arc::new(crate::services::checkout_port::CheckoutService::new(
            engine.clone(),
        )),
        config: config_service.clone(),
        webhooks: config_service,
        operations: Arc::new(crate::services::operations_port::OperationsService::new(
            engine.clone(),
        )),
        terminals: Arc::new(crate::services::terminal_port::TerminalService::new(
            hub.clone(),
            db.clone(),
        )),
        support_accounts: Arc::new(
            crate::services::support_account::SupportAccountService::new(
                db.clone(),
                config.clone(),
            ),
        ),
        support_tickets: Arc::new(crate::services::support_tickets::SupportTicketService::new(
            db.clone(),
            config.clone(),
        )),
        support_status: Arc::new(crate::services::support_status::SupportStatusService::new(
            db.clone(),
        )),
        support_knowledge: Arc::new(
            crate::services::support_knowledge::SupportKnowledgeService::new(db.clone()),
        ),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        ports: ports.clone(),
        db: db.clone(),
        terminals: hub.clone(),
    };
    let routes = generate_route_list(App);

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
    let direct = crate::direct::router(crate::direct::DirectState {
        engine,
        db: db.clone(),
        config: config.clone(),
        terminals: hub.clone(),
    });
    let pages = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/operations/payments/export/{format}",
            get(crate::export::payments),
        )
        .route(
            "/operations/history/export/{format}",
            get(crate::export::history),
        )
        .route("/operations/pos/events/{id}", get(pos_events))
        .route("/support/status.json", get(status_json))
        .route("/support/attachments/{id}", get(download_attachment))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_ports.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(sign_in_gate))
        .layer(sessions)
        .layer(middleware::from_fn(csrf_guard))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .with_state(state);
    // Attachments are the one form larger than a page's body limit.
    let uploads = Router::new()
        .route(
            "/support/requests/{reference}/attachments",
            axum::routing::post(upload_attachments),
        )
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
        .layer(middleware::from_fn(security_headers))
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let ports = state.ports.clone();
    handle_server_fns_with_context(move || provide_context(ports.clone()), req).await
}

/// The live stages of a point-of-sale payment as server-sent events (`payment`, the
/// page's view as JSON), one per change, ending when the payment is finished. The
/// session's actor must be allowed to see it, as for the page.
async fn pos_events(
    session: Session,
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let Ok(Some(actor)) = session
        .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
        .await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let port = state.ports.terminals.clone();
    match port.pos_payment(&actor, id).await {
        Ok(_) => {}
        Err(app::error::AppError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(app::error::AppError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    struct Follow {
        port: Arc<dyn app::terminals::TerminalPort>,
        actor: app::account::Actor,
        changes: tokio::sync::broadcast::Receiver<i64>,
        last: Option<app::terminals::PosPaymentView>,
        done: bool,
    }
    let start = Follow {
        port,
        actor,
        changes: state.terminals.subscribe(),
        last: None,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, move |mut f| async move {
        if f.done {
            return None;
        }
        loop {
            let view = f.port.pos_payment(&f.actor, id).await.ok()?;
            if f.last.as_ref() != Some(&view) {
                f.done = view.stage == crate::terminal::stage::FINISHED;
                let event = Event::default().event("payment").json_data(&view).ok()?;
                f.last = Some(view);
                return Some((Ok::<_, std::convert::Infallible>(event), f));
            }
            // Woken by a change on this node, or at the latest after a second (a change
            // written by another node).
            let changes = &mut f.changes;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
                loop {
                    match changes.recv().await {
                        Ok(changed) if changed == id => break,
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => {
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
            })
            .await;
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Attaches the files of a plain multipart form to a ticket (SP-6), then goes back to
/// the ticket's page, saying how many were attached or why none was. The form works
/// without WebAssembly; the new-ticket page submits it once the ticket exists.
async fn upload_attachments(
    session: Session,
    State(state): State<AppState>,
    axum::extract::Path(reference): axum::extract::Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    use app::error::{AppError, Problem};
    let Ok(Some(actor)) = session
        .get::<app::support::accounts::SupportActor>(
            app::support::accounts::SUPPORT_ACTOR_SESSION_KEY,
        )
        .await
    else {
        return Redirect::to("/support/login").into_response();
    };
    let page = format!("/support/requests/{}", app::url::encode(&reference));
    let refused = |problem: Problem, raised: bool| {
        let code = problem.upload_code().unwrap_or("required");
        let raised = if raised { "&raised=1" } else { "" };
        Redirect::to(&format!("{page}?attach_error={code}{raised}")).into_response()
    };
    let Ok(mut multipart) = multipart else {
        return refused(Problem::Required, false);
    };
    let mut files = Vec::new();
    let mut raised = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    let name = field.file_name().unwrap_or_default().to_owned();
                    let Ok(bytes) = field.bytes().await else {
                        return refused(Problem::FileTooLarge, raised);
                    };
                    // A file input left empty still sends a part without a name.
                    if name.is_empty() && bytes.is_empty() {
                        continue;
                    }
                    files.push((name, bytes.to_vec()));
                }
                Some("raised") => raised = true,
                _ => {}
            },
            Ok(None) => break,
            // The body went over the limit, or is not a multipart form.
            Err(_) => return refused(Problem::FileTooLarge, raised),
        }
    }
    let raised_part = if raised { "&raised=1" } else { "" };
    match state
        .ports
        .support_tickets
        .attach(&actor, &reference, files)
        .await
    {
        Ok(n) => Redirect::to(&format!("{page}?attached={n}{raised_part}")).into_response(),
        Err(AppError::Invalid(problems)) => refused(
            problems
                .into_iter()
                .next()
                .map(|p| p.problem)
                .unwrap_or(Problem::Required),
            raised,
        ),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(AppError::Unauthenticated) => Redirect::to("/support/login").into_response(),
        Err(AppError::NotAllowedNow) => StatusCode::CONFLICT.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// An attachment's bytes, for those who may see its ticket; always downloaded, never
/// shown in the portal's origin, and sandboxed should a browser open it anyway.
async fn download_attachment(
    session: Session,
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    let Ok(Some(actor)) = session
        .get::<app::support::accounts::SupportActor>(
            app::support::accounts::SUPPORT_ACTOR_SESSION_KEY,
        )
        .await
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match state.ports.support_tickets.attachment(&actor, id).await {
        Ok((file, bytes)) => {
            let ascii: String = file
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_graphic() || c == ' ' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let disposition = format!(
                "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                app::url::encode(&file.name)
            );
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            for (name, value) in [
                (header::CONTENT_TYPE, file.content_type.as_str()),
                (header::CONTENT_DISPOSITION, disposition.as_str()),
                (header::CACHE_CONTROL, "private, no-store"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'",
                ),
            ] {
                if let Ok(value) = HeaderValue::from_str(value) {
                    headers.insert(name, value);
                }
            }
            response
        }
        Err(app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(app::error::AppError::Unauthenticated) => StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The service status page as JSON (SP-3), for anyone and any monitoring tool.
async fn status_json(State(state): State<AppState>) -> Response {
    match state.ports.support_status.page(None).await {
        Ok(page) => (
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
            axum::Json(page),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Pages anyone may open.
fn is_public(path: &str) -> bool {
    const PUBLIC: [&str; 5] = [
        "/login",
        "/forgot-password",
        "/reset-password",
        "/dev/mailbox",
        "/test-cards",
    ];
    PUBLIC.contains(&path)
        || path.starts_with("/api/")
        || path.starts_with("/pay/")
        || path.starts_with("/pkg/")
        || path == "/healthz"
        || path == "/readyz"
        // Static files (favicon, images) carry an extension.
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Sends visitors without a session to the login page before any page renders, and
/// signed-in users away from it. Server functions check the session themselves.
async fn sign_in_gate(session: Session, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
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
    let signed_in = matches!(
        session
            .get::<app::account::Actor>(app::account::ACTOR_SESSION_KEY)
            .await,
        Ok(Some(_))
    );
    if path == "/login" && signed_in {
        return Redirect::to("/").into_response();
    }
    if !signed_in && !is_public(&path) {
        return Redirect::to("/login").into_response();
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

/// Headers every response carries; pages set their own CSP with a nonce.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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
    fn login_pages_assets_and_api_are_public_and_back_office_is_not() {
        for p in [
            "/login",
            "/forgot-password",
            "/pkg/openpsp.js",
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
