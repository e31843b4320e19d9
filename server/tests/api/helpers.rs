//! Starts the real server for a test and talks to it like a browser would.

use app::error::AppError;
use reqwest::header::{COOKIE, SET_COOKIE};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::account::provisioning::{self, NewMerchant, NewUser};
use server::platform::config::Config;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Password of every user the tests create.
pub const PASSWORD: &str = "Sunny-Orbit-42!";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server with its database.
pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub http: reqwest::Client,
    /// The card-terminal gateway's address (`host:port`).
    pub terminals: String,
    dir: Arc<TempDir>,
}

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Creates a fresh PostgreSQL database, or says why PostgreSQL tests are skipped.
pub async fn postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var("OPENPSP_TEST_PG_URL") else {
        eprintln!(
            "skipped on PostgreSQL: OPENPSP_TEST_PG_URL is not set (scripts/test.sh sets it)"
        );
        return None;
    };
    let db = sea_orm::Database::connect(admin.clone())
        .await
        .expect("OPENPSP_TEST_PG_URL is set but PostgreSQL is unreachable");
    let name = format!("openpsp_test_{}", uuid::Uuid::new_v4().simple());
    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

/// Starts a server; `None` when the backend is unavailable here (PostgreSQL without
/// `OPENPSP_TEST_PG_URL`). `settings` are extra `OPENPSP_*` variables.
pub async fn spawn_app(backend: Backend, settings: &[(&str, &str)]) -> Option<TestApp> {
    spawn_app_with(backend, settings, None).await
}

/// [`spawn_app`] whose payments engine asks `acquirer` (the simulated one when `None`).
pub async fn spawn_app_with(
    backend: Backend,
    settings: &[(&str, &str)],
    acquirer: Option<Arc<dyn server::payments::acquirer::Acquirer>>,
) -> Option<TestApp> {
    // Server logs appear with a failing test's output.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let dir = std::env::temp_dir().join(format!("openpsp-it-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("openpsp.db").display()),
        Backend::Postgres => postgres_url().await?,
    };
    let mut vars: HashMap<String, String> = HashMap::from([
        ("OPENPSP_DATA_DIR".into(), dir.display().to_string()),
        ("DATABASE_URL".into(), database_url.clone()),
        ("OPENPSP_LISTEN".into(), "127.0.0.1:0".into()),
        // Test receivers listen on 127.0.0.1; tests of the address rule turn it off.
        ("OPENPSP_WEBHOOK_ALLOW_PRIVATE".into(), "on".into()),
        // Tests write merchants and keys straight to the database and call the API at
        // once: each call reads them. The tests of keys kept in memory (`key_cache`)
        // turn it on.
        ("OPENPSP_API_KEY_CACHE".into(), "off".into()),
    ]);
    for (k, v) in settings {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = Arc::new(Config::load_with(&move |k| vars.get(k).cloned()).expect("config"));
    let db = server::platform::db::connect_and_migrate(&config.database_url)
        .await
        .expect("database");
    let (base, terminals) = serve_node(db.clone(), config.clone(), acquirer).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(TestApp {
        base,
        db,
        config,
        http,
        terminals,
        dir: Arc::new(TempDir(dir)),
    })
}

/// Starts one node over `db`: its state (with a quick terminal gateway), HTTP listener
/// and terminal gateway on random ports; answers its base URL and the gateway's address.
async fn serve_node(
    db: DatabaseConnection,
    config: Arc<Config>,
    acquirer: Option<Arc<dyn server::payments::acquirer::Acquirer>>,
) -> (String, String) {
    let mut builder = server::state::AppState::builder(db, config);
    if let Some(acquirer) = acquirer {
        builder = builder.acquirer(acquirer);
    }
    let state = builder
        .gateway(server::terminals::GatewaySettings {
            keep_alive_seconds: 2,
            hello_timeout: std::time::Duration::from_secs(1),
            ..Default::default()
        })
        .build();
    let terminals = server::terminals::gateway::listen("127.0.0.1:0", state.terminals.clone())
        .await
        .expect("terminal gateway")
        .to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = server::platform::http::router(&state);
    tokio::spawn(async move {
        server::platform::http::serve(listener, router)
            .await
            .unwrap();
    });
    (base, terminals)
}

/// Serves a new router over `db` on a random port; returns its base URL.
pub async fn start_server(db: DatabaseConnection, config: Arc<Config>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router =
        server::platform::http::router(&server::state::AppState::builder(db, config).build());
    tokio::spawn(async move {
        server::platform::http::serve(listener, router)
            .await
            .unwrap();
    });
    format!("http://{addr}")
}

/// A server-function response.
pub struct FnResponse {
    pub status: u16,
    pub body: String,
    pub session_cookie: Option<String>,
    /// Every `Set-Cookie` of the response, `name=value` only.
    pub cookies: Vec<String>,
}

impl FnResponse {
    /// The error the server function returned.
    pub fn error(&self) -> AppError {
        assert!(
            self.status >= 400,
            "expected an error, got {}: {}",
            self.status,
            self.body
        );
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", self.body))
    }

    /// Asserts success.
    pub fn ok(&self) -> &Self {
        assert!(
            self.status < 300,
            "expected success, got {}: {}",
            self.status,
            self.body
        );
        self
    }
}

impl TestApp {
    /// Keeps the data directory while held. Async blocks capture only the fields they
    /// use, so a test body that never names the directory would otherwise drop it (and
    /// the SQLite file) as soon as it starts.
    pub fn dir_guard(&self) -> Arc<TempDir> {
        self.dir.clone()
    }

    /// Calls a server function like the hydrated page does (form-encoded POST).
    pub async fn call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> FnResponse {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.expect("request");
        let cookies: Vec<String> = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap().to_owned())
            .collect();
        let session_cookie = cookies
            .iter()
            .find(|v| v.starts_with("openpsp_session="))
            .cloned();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        FnResponse {
            status,
            body,
            session_cookie,
            cookies,
        }
    }

    /// Calls a server function whose arguments travel as JSON.
    pub async fn call_json(
        &self,
        endpoint: &str,
        body: &serde_json::Value,
        cookie: Option<&str>,
    ) -> FnResponse {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "application/json")
            .json(body);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        FnResponse {
            status,
            body,
            session_cookie: None,
            cookies: Vec::new(),
        }
    }

    /// Logs in with "PSPID + password"; returns the session cookie.
    pub async fn login_pspid(&self, pspid: &str, password: &str) -> FnResponse {
        self.call(
            "login",
            &[
                ("mode", "pspid"),
                ("env", "test"),
                ("pspid", pspid),
                ("password", password),
            ],
            None,
        )
        .await
    }

    /// Logs in with "Login as user".
    pub async fn login_user(
        &self,
        pspid: &str,
        login: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> FnResponse {
        self.call(
            "login",
            &[
                ("mode", "user"),
                ("env", "test"),
                ("pspid", pspid),
                ("user_id", login),
                ("password", password),
            ],
            cookie,
        )
        .await
    }

    /// Logs in and returns the session cookie, failing the test otherwise.
    pub async fn session(&self, pspid: &str, login: &str) -> String {
        let res = self.login_user(pspid, login, PASSWORD, None).await;
        res.ok();
        res.session_cookie
            .clone()
            .expect("login sets the session cookie")
    }

    /// A new user of `pspid` with `role`, signed in: their session cookie.
    pub async fn user_session(&self, pspid: &str, login: &str, role: domain::Role) -> String {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let m = server::entities::merchant::Entity::find()
            .filter(server::entities::merchant::Column::Pspid.eq(pspid))
            .one(&self.db)
            .await
            .unwrap()
            .expect("merchant exists");
        provisioning::create_user(
            &self.db,
            &m,
            NewUser {
                login: login.into(),
                full_name: String::new(),
                email: None,
                role,
                primary: false,
                password: PASSWORD.into(),
                may_refund: false,
            },
        )
        .await
        .unwrap();
        self.session(pspid, login).await
    }

    /// A merchant with an admin (main user) and an operator.
    pub async fn merchant(&self, pspid: &str) {
        let m = provisioning::create_merchant(
            &self.db,
            NewMerchant {
                pspid: pspid.into(),
                environment: domain::Environment::Test,
                commercial_name: format!("{pspid} shop"),
                legal_name: String::new(),
                email: String::new(),
                time_zone: "Europe/Paris".into(),
            },
        )
        .await
        .unwrap();
        for (login, role, primary) in [
            ("admin", domain::Role::Admin, true),
            ("operator", domain::Role::Operator, false),
        ] {
            provisioning::create_user(
                &self.db,
                &m,
                NewUser {
                    login: login.into(),
                    full_name: String::new(),
                    email: Some(format!("{login}@{pspid}.example")),
                    role,
                    primary,
                    password: PASSWORD.into(),
                    may_refund: false,
                },
            )
            .await
            .unwrap();
        }
    }
}

/// Runs an async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $settings:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = spawn_app(Backend::Sqlite, $settings).await {
                    let _dir = app.dir_guard();
                    ($body)(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn_app(Backend::Postgres, $settings).await {
                    let _dir = app.dir_guard();
                    ($body)(app).await;
                }
            }
        }
    };
}

impl TestApp {
    /// Another node of this deployment (PL-2): its own connection pool, state (terminal
    /// hub, limiters, caches), HTTP listener and terminal gateway, over the same
    /// database and configuration. The returned app talks to that node.
    pub async fn another_node(&self) -> TestApp {
        let db = server::platform::db::connect_and_migrate(&self.config.database_url)
            .await
            .expect("database");
        let (base, terminals) = serve_node(db.clone(), self.config.clone(), None).await;
        TestApp {
            base,
            db,
            config: self.config.clone(),
            http: self.http.clone(),
            terminals,
            dir: self.dir.clone(),
        }
    }

    /// This app seen through `base` (a front before the nodes), with a client that opens
    /// a new connection for every request, so a round-robin front spreads them.
    pub fn through(&self, base: &str) -> TestApp {
        TestApp {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .build()
                .unwrap(),
            db: self.db.clone(),
            config: self.config.clone(),
            terminals: self.terminals.clone(),
            dir: self.dir.clone(),
        }
    }
}

/// Posts `form` to `path` (a server function's, with its query) as a page's plain form
/// does in a browser (`Accept: text/html`), from `referer` when it sends one; the status
/// and the `Location`.
pub async fn post_as_page(
    app: &TestApp,
    path: &str,
    referer: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, String) {
    let (status, to, _) = post_as_signed_in_page(app, path, referer, None, form).await;
    (status, to)
}

/// [`post_as_page`] with the session `cookie`, if any; also the cookies the answer sets
/// (`name=value`).
pub async fn post_as_signed_in_page(
    app: &TestApp,
    path: &str,
    referer: Option<&str>,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (u16, String, Vec<String>) {
    let mut req = app
        .http
        .post(format!("{}{path}", app.base))
        .header("accept", "text/html,application/xhtml+xml");
    if let Some(referer) = referer {
        req = req.header("referer", referer);
    }
    if let Some(cookie) = cookie {
        req = req.header(COOKIE, cookie);
    }
    let res = req.form(form).send().await.unwrap();
    let cookies = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    (res.status().as_u16(), location(&res), cookies)
}

/// Asserts that `html` is a page that loads no script: no script file, no module
/// preload, no texts for a script to read.
pub fn assert_no_code(html: &str) {
    for code in ["<script src", ".wasm", "modulepreload", "/static/texts/"] {
        assert!(!html.contains(code), "{code} in {html}");
    }
}

/// A redirect's `Location` (empty when there is none).
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
