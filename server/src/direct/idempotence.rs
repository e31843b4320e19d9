//! Idempotence (API-2): a POST with `X-GCS-Idempotence-Key` is recorded before it runs.
//! A repeat gets the first response with `X-GCS-Idempotence-Request-Timestamp`; a repeat
//! while the first still runs gets 409; a repeat with another body is refused. Records
//! are kept 24 hours. The record is claimed by a unique index, so two servers on one
//! database cannot both run the same request.

use super::{ApiError, Caller, DirectState, BODY_LIMIT};
use crate::entities::idempotency_key;
use crate::platform::sessions::is_unique_violation;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// Header carrying the key.
pub const KEY_HEADER: &str = "x-gcs-idempotence-key";
/// Header carrying the first request's time (milliseconds since the epoch).
pub const TIMESTAMP_HEADER: &str = "x-gcs-idempotence-request-timestamp";
/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;

fn with_timestamp(mut res: Response, millis: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&millis.to_string()) {
        res.headers_mut().insert(TIMESTAMP_HEADER, v);
    }
    res
}

/// The middleware.
pub async fn layer(State(state): State<DirectState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 40 {
        return ApiError::invalid(
            "X-GCS-Idempotence-Key",
            "the idempotence key must have 1 to 40 characters",
        )
        .into_response();
    }
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return ApiError::invalid("body", "the request body is too large").into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.uri.path().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    match claim(&state, caller.merchant.id, &key, &hash).await {
        Ok(Claim::Run(record_id)) => {
            let res = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            finish(&state, record_id, res).await
        }
        Ok(Claim::Replay(res)) => res,
        Err(e) => e.into_response(),
    }
}

enum Claim {
    Run(i64),
    Replay(Response),
}

async fn claim(
    state: &DirectState,
    merchant_id: i64,
    key: &str,
    hash: &str,
) -> Result<Claim, ApiError> {
    for _ in 0..2 {
        let now = Utc::now();
        let inserted = idempotency_key::ActiveModel {
            merchant_id: Set(merchant_id),
            key: Set(key.to_owned()),
            request_hash: Set(hash.to_owned()),
            first_request_millis: Set(now.timestamp_millis()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&state.db)
        .await;
        match inserted {
            Ok(row) => return Ok(Claim::Run(row.id)),
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(existing) = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::MerchantId.eq(merchant_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .one(&state.db)
            .await?
        else {
            continue;
        };
        if now - existing.created_at > Duration::hours(KEEP_HOURS) {
            idempotency_key::Entity::delete_by_id(existing.id)
                .exec(&state.db)
                .await?;
            continue;
        }
        if existing.request_hash != hash {
            return Err(ApiError::with_property(
                StatusCode::BAD_REQUEST,
                "1409",
                "IDEMPOTENCE_KEY_REUSED",
                "this idempotence key was used for another request",
                Some("X-GCS-Idempotence-Key"),
            ));
        }
        let res = match (existing.status_code, existing.response_body) {
            (Some(code), Some(body)) => {
                let status = StatusCode::from_u16(code as u16).unwrap_or(StatusCode::OK);
                let mut res = (status, body).into_response();
                res.headers_mut().insert(
                    axum::http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                res
            }
            _ => ApiError::new(
                StatusCode::CONFLICT,
                "1409",
                "DUPLICATE_REQUEST_IN_PROGRESS",
                "a request with this idempotence key is still being processed",
            )
            .into_response(),
        };
        return Ok(Claim::Replay(with_timestamp(
            res,
            existing.first_request_millis,
        )));
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "1409",
        "DUPLICATE_REQUEST_IN_PROGRESS",
        "a request with this idempotence key is still being processed",
    ))
}

/// Stores the response; a server error frees the key so the client may retry.
async fn finish(state: &DirectState, record_id: i64, res: Response) -> Response {
    let status = res.status();
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 8 * BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "API response body unreadable");
            let _ = idempotency_key::Entity::delete_by_id(record_id)
                .exec(&state.db)
                .await;
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "9999",
                "INTERNAL_SERVER_ERROR",
                "internal error; try again",
            )
            .into_response();
        }
    };
    let stored = if status.is_server_error() {
        idempotency_key::Entity::delete_by_id(record_id)
            .exec(&state.db)
            .await
            .map(|_| ())
    } else {
        idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::StatusCode,
                Some(i32::from(status.as_u16())).into(),
            )
            .col_expr(
                idempotency_key::Column::ResponseBody,
                Some(String::from_utf8_lossy(&bytes).into_owned()).into(),
            )
            .filter(idempotency_key::Column::Id.eq(record_id))
            .exec(&state.db)
            .await
            .map(|_| ())
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "idempotence record not stored");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Removes records older than [`KEEP_HOURS`].
pub async fn purge(db: &sea_orm::DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let cutoff = Utc::now() - Duration::hours(KEEP_HOURS);
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?
        .rows_affected)
}
