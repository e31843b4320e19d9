//! Prometheus metrics (PL-6), in the OpenMetrics text format of `prometheus-client`:
//! request latency by route and status, payment attempts by channel and outcome, webhook
//! deliveries by outcome (counted as they happen, per process), and, read when scraped,
//! the job queue's depth and oldest age by kind, the terminal connections this process
//! holds, and the database pool's size and idle connections; on SQLite, how long the
//! writer's commits and checkpoints took. Served on its own address
//! (`OPENPSP_METRICS_LISTEN`), never on the public one.

use crate::entities::job;
use crate::terminals::TerminalHub;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::sync::OnceLock;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PaymentLabels {
    channel: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Histogram>,
    payments: Family<PaymentLabels, Counter>,
    webhooks: Family<OutcomeLabels, Counter>,
    jobs_queued: Family<KindLabels, Gauge>,
    jobs_oldest: Family<KindLabels, Gauge<f64, AtomicU64>>,
    terminals: Gauge,
    pool: Family<PoolLabels, Gauge>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("openpsp");
        let requests = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route and status",
            requests.clone(),
        );
        let payments = Family::<PaymentLabels, Counter>::default();
        registry.register(
            "payment_attempts",
            "Authorisation answers written, by channel and outcome",
            payments.clone(),
        );
        let webhooks = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts, by outcome",
            webhooks.clone(),
        );
        let jobs_queued = Family::<KindLabels, Gauge>::default();
        registry.register(
            "jobs_queued",
            "Jobs waiting to run, by kind",
            jobs_queued.clone(),
        );
        let jobs_oldest = Family::<KindLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "jobs_oldest_due_seconds",
            "How long the longest-waiting due job of each kind has been due",
            jobs_oldest.clone(),
        );
        let terminals = Gauge::default();
        registry.register(
            "terminal_connections",
            "Card terminals connected to this process",
            terminals.clone(),
        );
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections, open and idle",
            pool.clone(),
        );
        // SQLite's writer (empty on PostgreSQL).
        let writer = crate::platform::db::writer_timings();
        registry.register(
            "sqlite_commit_seconds",
            "Time a SQLite group commit took (its wait for the disk); the writes wait meanwhile",
            writer.commit.clone(),
        );
        registry.register(
            "sqlite_wal_restart_seconds",
            "Time a RESTART checkpoint of the SQLite WAL took; the writes wait meanwhile",
            writer.restart.clone(),
        );
        registry.register(
            "sqlite_checkpoint_seconds",
            "Time a passive checkpoint of the SQLite WAL took, beside the writes",
            writer.passive.clone(),
        );
        Metrics {
            registry,
            requests,
            payments,
            webhooks,
            jobs_queued,
            jobs_oldest,
            terminals,
            pool,
        }
    })
}

/// Counts an authorisation answer written for a payment of `channel`.
pub fn payment_attempt(channel: &str, outcome: &str) {
    metrics()
        .payments
        .get_or_create(&PaymentLabels {
            channel: channel.to_owned(),
            outcome: outcome.to_owned(),
        })
        .inc();
}

/// Counts a webhook delivery attempt: `delivered`, `retry` or `given_up`.
pub fn webhook_delivery(outcome: &str) {
    metrics()
        .webhooks
        .get_or_create(&OutcomeLabels {
            outcome: outcome.to_owned(),
        })
        .inc();
}

/// Middleware timing every request under its route's template (never the path itself:
/// ids stay out of the labels, and a hosted page's path is its secret).
pub async fn observe(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    metrics()
        .requests
        .get_or_create(&RouteLabels {
            method,
            route,
            status: res.status().as_u16(),
        })
        .observe(started.elapsed().as_secs_f64());
    res
}

/// What a scrape reads.
#[derive(Clone)]
pub struct Sources {
    /// The database (the job queue, the pool).
    pub db: DatabaseConnection,
    /// This process's terminal connections.
    pub terminals: Arc<TerminalHub>,
}

/// The figures read at scrape time.
async fn refresh(state: &Sources) -> Result<(), sea_orm::DbErr> {
    let m = metrics();
    let now = Utc::now();
    let queued: Vec<(String, i64, Option<chrono::DateTime<Utc>>)> = job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .column_as(job::Column::Id.count(), "n")
        .column_as(job::Column::RunAt.min(), "oldest")
        .filter(job::Column::State.eq("queued"))
        .group_by(job::Column::Kind)
        .into_tuple()
        .all(&state.db)
        .await?;
    m.jobs_queued.clear();
    m.jobs_oldest.clear();
    for (kind, n, oldest) in queued {
        let labels = KindLabels { kind };
        m.jobs_queued.get_or_create(&labels).set(n);
        let due = oldest.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
        m.jobs_oldest.get_or_create(&labels).set(due);
    }
    m.terminals.set(state.terminals.live_count() as i64);
    let (size, idle) = match state.db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = i64::try_from(idle).unwrap_or(i64::MAX);
    for (label, n) in [("open", i64::from(size)), ("idle", idle)] {
        m.pool
            .get_or_create(&PoolLabels {
                state: label.to_owned(),
            })
            .set(n);
    }
    Ok(())
}

/// The scrape.
async fn scrape(State(state): State<Sources>) -> Response {
    if let Err(e) = refresh(&state).await {
        tracing::warn!(error = %e, "metrics: the job queue could not be read");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &metrics().registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The metrics endpoint's router (`GET /metrics`), for its own listener.
pub fn router(sources: Sources) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(sources)
}

/// Serves [`router`] on `addr` in the background; the error when it cannot listen.
pub async fn spawn(addr: &str, sources: Sources) -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = router(sources);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics endpoint stopped");
        }
    });
    Ok(bound)
}
