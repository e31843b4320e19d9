//! v1HMAC (API-1): `Authorization: GCS v1HMAC:<apiKeyId>:<signature>`, the signature
//! being base64 HMAC-SHA256 with the key's secret over
//! `METHOD\nContent-Type\nDate\n<x-gcs-* headers>path?query\n`, as the Direct SDKs sign.
//! A request without a body (GET, HEAD) signs an empty content type whatever header it
//! carries: the Node.js SDK sends `Content-Type: application/json` on every request but
//! signs it only for POST, PUT and DELETE; the Python SDK sends none without a body.
//!
//! Every authentication failure is 403 `MISSING_OR_INVALID_AUTHORIZATION`, the status
//! both SDK families turn into their `AuthorizationException`. An address that failed
//! [`MAX_FAILURES`] times within [`FAILURE_WINDOW`] gets 429 without any check until its
//! window has passed, so secrets cannot be guessed at network speed. An IPv6 address counts
//! as its /64, and a flood of addresses beyond the tracked ones shares one count.

use super::{ApiError, Caller, DirectState};
use crate::entities::{api_key, merchant};
use crate::platform::db::shape::Shape;
use crate::platform::db::{rows, BeginWrite};
use crate::platform::rate_limit::{address_key, RateLimiter};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryTrait,
};
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

/// Largest difference between the request's `Date` and the server clock.
pub const MAX_SKEW_MINUTES: i64 = 15;

/// Failed authentications one client address may have within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 20;

/// The window failed authentications are counted in.
pub const FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Failed authentications per (server instance, client address), the address counted
/// by [`address_key`] (IPv6 by its /64). The instance is its configuration's address, so
/// two servers in one process (the tests) do not share counts. The table is bounded and
/// fails closed: past its size, new addresses share one count.
static FAILURES: LazyLock<RateLimiter> =
    LazyLock::new(|| RateLimiter::new(MAX_FAILURES, FAILURE_WINDOW));

fn failure_key(instance: usize, ip: IpAddr) -> String {
    format!("{instance}/{}", address_key(ip))
}

/// Whether `ip` has used up its failures in the current window.
fn throttled(failures: &RateLimiter, instance: usize, ip: IpAddr) -> bool {
    failures.used_up(&failure_key(instance, ip))
}

/// Counts one failed authentication from `ip`.
fn count_failure(failures: &RateLimiter, instance: usize, ip: IpAddr) {
    failures.record(&failure_key(instance, ip));
}

fn too_many_failures() -> Response {
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "9008",
        "TOO_MANY_FAILED_AUTHENTICATIONS",
        "too many failed authentications from this address; try again in a minute",
    )
    .into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("60"),
    );
    response
}

/// The string the client signed.
pub fn data_to_sign(method: &str, headers: &HeaderMap, path_and_query: &str) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let mut gcs: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(name, value)| {
            let name = name.as_str().to_ascii_lowercase();
            name.starts_with("x-gcs")
                .then(|| (name, canonical_value(value.to_str().unwrap_or(""))))
        })
        .collect();
    gcs.sort();
    let method = method.to_ascii_uppercase();
    let content_type = if signs_content_type(&method) {
        header("content-type")
    } else {
        String::new()
    };
    let mut out = format!("{method}\n{content_type}\n{}\n", header("date"));
    for (name, value) in gcs {
        out.push_str(&name);
        out.push(':');
        out.push_str(&value);
        out.push('\n');
    }
    out.push_str(path_and_query);
    out.push('\n');
    out
}

/// Whether the SDKs put the `Content-Type` in the string to sign for `method` (upper
/// case): only for methods that may carry a body.
fn signs_content_type(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD")
}

/// Folds line breaks and the white space after them into one space, then trims.
fn canonical_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if c == '\n' {
            while chars
                .peek()
                .is_some_and(|n| n.is_whitespace() && *n != '\r' && *n != '\n')
            {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// The one message for an unknown key id and a wrong signature: a caller probing for key
/// ids learns nothing from the difference.
const BAD_CREDENTIALS: &str = "unknown API key or the signature does not match";

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "9002",
        "MISSING_OR_INVALID_AUTHORIZATION",
        message,
    )
}

/// Checks the signature and that the key belongs to the merchant of the path; puts the
/// [`Caller`] in the request's extensions.
pub async fn require(State(state): State<DirectState>, mut req: Request, next: Next) -> Response {
    let (method, uri, headers) = (
        req.method().clone(),
        req.uri().clone(),
        req.headers().clone(),
    );
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let instance = Arc::as_ptr(&state.config) as usize;
    if peer.is_some_and(|ip| throttled(&FAILURES, instance, ip)) {
        return too_many_failures();
    }
    match check(&state, &method, &uri, &headers).await {
        Ok(mut caller) => {
            caller.ip = peer.map(|ip| ip.to_string()).unwrap_or_default();
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => {
            if let Some(ip) = peer {
                count_failure(&FAILURES, instance, ip);
            }
            e.into_response()
        }
    }
}

async fn check(
    state: &DirectState,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("missing Authorization header"))?;
    let rest = authorization
        .strip_prefix("GCS v1HMAC:")
        .ok_or_else(|| unauthorized("the Authorization header must be GCS v1HMAC"))?;
    let (key_id, signature) = rest
        .rsplit_once(':')
        .ok_or_else(|| unauthorized("malformed Authorization header"))?;
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .ok_or_else(|| unauthorized("missing or malformed Date header"))?;
    if (Utc::now() - date.with_timezone(&Utc)).abs() > Duration::minutes(MAX_SKEW_MINUTES) {
        return Err(unauthorized(
            "the Date header is more than 15 minutes from the server time",
        ));
    }
    // The key and its merchant in one query, or as kept since an earlier request.
    let (key, merchant) = match state.keys.get(key_id) {
        Some(kept) => (*kept).clone(),
        None => {
            let read = state.keys.begin_read();
            let found = key_and_merchant(&state.db, key_id)
                .await?
                .ok_or_else(|| unauthorized(BAD_CREDENTIALS))?;
            state.keys.keep(read, key_id, &found);
            found
        }
    };
    let secret = crate::configuration::keys::api_key_secret(&state.config, &key)
        .ok_or_else(|| unauthorized(BAD_CREDENTIALS))?;
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let data = data_to_sign(method.as_str(), headers, path_and_query);
    if !crate::platform::crypto::hmac_sha256_verify(secret.as_bytes(), data.as_bytes(), signature) {
        return Err(unauthorized(BAD_CREDENTIALS));
    }
    let merchant = merchant.ok_or_else(|| unauthorized(BAD_CREDENTIALS))?;
    let path_merchant = uri.path().split('/').nth(2).unwrap_or("");
    if !path_merchant.eq_ignore_ascii_case(&merchant.pspid) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "9007",
            "ACCESS_TO_MERCHANT_NOT_ALLOWED",
            "this API key may not act for that merchant",
        ));
    }
    // Last-used time, at most once a minute per key.
    let stale_before = Utc::now() - Duration::minutes(1);
    if key.last_used_at.is_none_or(|t| t < stale_before) {
        note_key_used(&state.db, key.id, stale_before);
        state.keys.note_used(key_id, Utc::now());
    }
    Ok(Caller {
        merchant,
        key_id: key.key_id,
        ip: String::new(),
    })
}

/// Writes key `id`'s last-used time, beside the request, which does not wait for it:
/// through the database's writer (on SQLite a write on the pool waits in SQLite's busy
/// handler while the writer is busy, up to its 5 s timeout, and so did every request
/// that found the key's time stale: a minute's first requests under load took up to
/// 5 s), and only while the stored time is still older than `stale_before`, so the
/// requests that read the same stale time write it once.
fn note_key_used(db: &DatabaseConnection, id: i64, stale_before: DateTime<Utc>) {
    let db = db.clone();
    tokio::spawn(async move {
        let written = async {
            let one = db.write_one().await?;
            let update = api_key::Entity::update_many()
                .col_expr(api_key::Column::LastUsedAt, Some(Utc::now()).into())
                .filter(api_key::Column::Id.eq(id))
                .filter(
                    Condition::any()
                        .add(api_key::Column::LastUsedAt.is_null())
                        .add(api_key::Column::LastUsedAt.lt(stale_before)),
                )
                .exec(&one)
                .await;
            one.end(update).await
        };
        if let Err(e) = written.await {
            tracing::debug!(error = %e, "an API key's last-used time not written");
        }
    });
}

/// The key read of every request: its text built once ([`Shape`]), the key id bound.
static KEY_READ: Shape = Shape::new();

/// The API key `key_id` and its merchant, in one query, read by position
/// (`platform::db::rows`).
async fn key_and_merchant(
    db: &DatabaseConnection,
    key_id: &str,
) -> Result<Option<(api_key::Model, Option<merchant::Model>)>, DbErr> {
    let stmt = KEY_READ.statement(
        db.get_database_backend(),
        |backend| {
            api_key::Entity::find()
                .filter(api_key::Column::KeyId.eq(""))
                .find_also_related(merchant::Entity)
                .build(backend)
        },
        vec![key_id.into()],
    )?;
    rows::one_pair::<api_key::Entity, merchant::Entity>(db, stmt).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_throttled_after_its_failures_and_others_are_not() {
        let failures = RateLimiter::new(MAX_FAILURES, FAILURE_WINDOW);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let instance = 7;
        for _ in 0..MAX_FAILURES - 1 {
            count_failure(&failures, instance, a);
        }
        assert!(!throttled(&failures, instance, a));
        count_failure(&failures, instance, a);
        assert!(throttled(&failures, instance, a));
        assert!(!throttled(&failures, instance, b));
        assert!(!throttled(&failures, instance - 1, a));
    }

    #[test]
    fn an_ipv6_network_is_throttled_as_one_address() {
        let failures = RateLimiter::new(MAX_FAILURES, FAILURE_WINDOW);
        for i in 0..MAX_FAILURES {
            let ip: IpAddr = format!("2001:db8:5:6::{:x}", i + 1).parse().unwrap();
            assert!(!throttled(&failures, 1, ip));
            count_failure(&failures, 1, ip);
        }
        let same_network: IpAddr = "2001:db8:5:6:ffff::1".parse().unwrap();
        let next_network: IpAddr = "2001:db8:5:7::1".parse().unwrap();
        assert!(throttled(&failures, 1, same_network));
        assert!(!throttled(&failures, 1, next_network));
    }

    #[test]
    fn a_full_table_still_throttles_new_addresses() {
        use crate::platform::rate_limit::MAX_KEYS;
        let failures = RateLimiter::new(MAX_FAILURES, FAILURE_WINDOW);
        let v4 = |i: usize| IpAddr::from([10, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        // One failure from each of as many addresses as are tracked.
        for i in 0..MAX_KEYS {
            count_failure(&failures, 1, v4(i));
        }
        // Addresses beyond them are still counted, together: a spray of addresses
        // gets no more guesses than one address.
        let fresh: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(!throttled(&failures, 1, fresh));
        for i in 0..MAX_FAILURES as usize {
            count_failure(&failures, 1, v4(MAX_KEYS + i));
        }
        assert!(throttled(&failures, 1, fresh));
        assert!(throttled(&failures, 1, v4(MAX_KEYS + 1_000)));
        // The tracked addresses keep their own counts.
        assert!(!throttled(&failures, 1, v4(5)));
    }

    #[test]
    fn signs_like_the_direct_sdks() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("date", "Fri, 06 Jun 2014 13:39:43 GMT".parse().unwrap());
        headers.insert(
            "x-gcs-clientmetainfo",
            "processed header value".parse().unwrap(),
        );
        headers.insert(
            "x-gcs-customerheader",
            "processed header value".parse().unwrap(),
        );
        headers.insert(
            "x-gcs-servermetainfo",
            "processed header value".parse().unwrap(),
        );
        let data = data_to_sign(
            "post",
            &headers,
            "/v2/9991/services%20bla/convert/amount?source=EUR&target=USD&amount=1000",
        );
        assert_eq!(
            data,
            "POST\napplication/json\nFri, 06 Jun 2014 13:39:43 GMT\n\
             x-gcs-clientmetainfo:processed header value\n\
             x-gcs-customerheader:processed header value\n\
             x-gcs-servermetainfo:processed header value\n\
             /v2/9991/services%20bla/convert/amount?source=EUR&target=USD&amount=1000\n"
        );
        assert_eq!(canonical_value(" a\r\n   b\n\tc "), "a b c");
    }

    #[test]
    fn reads_sign_no_content_type_and_writes_sign_theirs() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("date", "Fri, 06 Jun 2014 13:39:43 GMT".parse().unwrap());
        for method in ["get", "GET", "HEAD"] {
            assert_eq!(
                data_to_sign(method, &headers, "/v2/1/payments/2"),
                format!(
                    "{}\n\nFri, 06 Jun 2014 13:39:43 GMT\n/v2/1/payments/2\n",
                    method.to_ascii_uppercase()
                )
            );
        }
        for method in ["POST", "PUT", "DELETE"] {
            assert!(data_to_sign(method, &headers, "/v2/1/tokens/2")
                .starts_with(&format!("{method}\napplication/json\n")));
        }
        // Without the header (the Python SDK's DELETE) the line is empty.
        headers.remove("content-type");
        assert!(data_to_sign("DELETE", &headers, "/v2/1/tokens/2").starts_with("DELETE\n\n"));
    }
}
