//! Idempotence (API-2): a POST with `X-GCS-Idempotence-Key` is recorded before it runs.
//! A repeat gets the first response with `X-GCS-Idempotence-Request-Timestamp`; a repeat
//! while the first still runs gets 409; a repeat with another body is refused. Records
//! are kept 24 hours. The record is claimed by a unique index, so two servers on one
//! database cannot both run the same request. The answer is stored when the request
//! ends; a created payment's settled answer is stored by the engine in the transaction
//! that writes the payment's outcome ([`Record`]), so both commit together.
//!
//! After a crash: a running request's record names its owner (this process) and a lease
//! the owner renews while it runs. A repeat that finds the lease expired (the owner
//! stopped, or lost the client) takes the request over. The record's reference is carried
//! by the payment or operation the request makes (unique), so the new owner answers with
//! what was committed instead of doing it again; a payment committed before its acquirer
//! answer was written is marked uncertain and asked about, never authorised twice. A
//! capture, refund or cancellation is written pending before the acquirer is asked: a
//! takeover that finds its request's operation still pending asks the acquirer about it
//! (never to do it again) and answers with the settled change, or 409 naming it while the
//! acquirer does not know yet.

use super::{ApiError, Caller, DirectState, BODY_LIMIT};
use crate::entities::{idempotency_key, operation};
use crate::payments::engine::{Answer, AnswerStore};
use crate::payments::records::{pending_change_of_request, public_id};
use crate::platform::db::{Autocommit, BeginWrite, WriteTxn};
use crate::platform::sessions::is_unique_violation;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, UpdateMany};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Header carrying the key.
pub const KEY_HEADER: &str = "x-gcs-idempotence-key";
/// Header carrying the first request's time (milliseconds since the epoch).
pub const TIMESTAMP_HEADER: &str = "x-gcs-idempotence-request-timestamp";
/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;
/// How long a running request's owner holds it without renewing (milliseconds).
pub const LEASE_MILLIS: i64 = 20_000;
/// How often the owner renews its lease while the request runs.
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// This process's name as the owner of the requests it runs.
pub fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

fn with_timestamp(mut res: Response, millis: i64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&millis.to_string()) {
        res.headers_mut().insert(TIMESTAMP_HEADER, v);
    }
    res
}

/// Stops the lease renewal when the request ends, also when it is dropped unfinished.
struct Renewal(tokio::task::JoinHandle<()>);

impl Drop for Renewal {
    fn drop(&mut self) {
        self.0.abort();
    }
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
        Ok(Claim::Run {
            id,
            reference,
            taken_over,
        }) => {
            if taken_over {
                // The stopped owner may have asked the acquirer already: its change is
                // settled by asking the acquirer about it, never by asking again.
                let stuck = match pending_change_of_request(&state.db, &reference).await {
                    Ok(None) => None,
                    Ok(Some(op)) => match state.engine.settle_change(op.id, true).await {
                        Ok(true) => None,
                        Ok(false) => Some(awaiting_acquirer(&op).into_response()),
                        Err(e) => Some(ApiError::from(e).into_response()),
                    },
                    Err(e) => Some(ApiError::from(e).into_response()),
                };
                if let Some(res) = stuck {
                    let _ = release(&state, id).await;
                    return res;
                }
            }
            let _renewal = Renewal(tokio::spawn(renew(state.db.clone(), id)));
            let record = Arc::new(Record {
                id,
                stored: AtomicBool::new(false),
            });
            let res = crate::payments::engine::for_request(
                reference,
                taken_over,
                Some(record.clone()),
                next.run(Request::from_parts(parts, Body::from(bytes))),
            )
            .await;
            if record.stored.load(Ordering::Acquire) {
                // Stored with the payment's outcome, in its transaction.
                return res;
            }
            finish(&state, id, res).await
        }
        Ok(Claim::Replay(res)) => res,
        Err(e) => e.into_response(),
    }
}

enum Claim {
    Run {
        id: i64,
        reference: String,
        taken_over: bool,
    },
    Replay(Response),
}

fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "1409",
        "DUPLICATE_REQUEST_IN_PROGRESS",
        "a request with this idempotence key is still being processed",
    )
}

/// A change this request wrote before its owner stopped, whose acquirer answer is unknown.
fn awaiting_acquirer(op: &operation::Model) -> ApiError {
    let id = format!("{}-{}", public_id(op.payment_id), op.id);
    let mut error = ApiError::new(
        StatusCode::CONFLICT,
        "1409",
        "DUPLICATE_REQUEST_IN_PROGRESS",
        &format!(
            "this request's {} {id} awaits the acquirer's answer; ask again later",
            op.kind
        ),
    );
    error.body["operationId"] = serde_json::Value::String(id);
    error
}

fn new_reference() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn claim(
    state: &DirectState,
    merchant_id: i64,
    key: &str,
    hash: &str,
) -> Result<Claim, ApiError> {
    for _ in 0..3 {
        let now = Utc::now();
        let now_millis = now.timestamp_millis();
        let reference = new_reference();
        let one = state.db.write_one().await?;
        // Only the id is read back: the rest is what was just written.
        let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            merchant_id: Set(merchant_id),
            key: Set(key.to_owned()),
            request_hash: Set(hash.to_owned()),
            first_request_millis: Set(now_millis),
            created_at: Set(now),
            owner: Set(Some(instance_id().to_owned())),
            lease_until_millis: Set(Some(now_millis + LEASE_MILLIS)),
            reference: Set(Some(reference.clone())),
            ..Default::default()
        })
        .exec(&one)
        .await;
        let inserted = one.end(inserted).await;
        match inserted {
            Ok(row) => {
                return Ok(Claim::Run {
                    id: row.last_insert_id,
                    reference,
                    taken_over: false,
                })
            }
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
                .exec(&Autocommit(&state.db))
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
        if let (Some(code), Some(body)) = (existing.status_code, existing.response_body) {
            let status = StatusCode::from_u16(code as u16).unwrap_or(StatusCode::OK);
            let mut res = (status, body).into_response();
            res.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return Ok(Claim::Replay(with_timestamp(
                res,
                existing.first_request_millis,
            )));
        }
        // A record written before leases existed holds for one lease from its start.
        let lease_until = existing
            .lease_until_millis
            .unwrap_or(existing.first_request_millis + LEASE_MILLIS);
        if lease_until > now_millis {
            return Ok(Claim::Replay(with_timestamp(
                in_progress().into_response(),
                existing.first_request_millis,
            )));
        }
        // The owner stopped renewing: take the request over, if nobody else just did.
        let reference = existing.reference.clone().unwrap_or_else(new_reference);
        let taken = idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::Owner,
                Expr::value(instance_id().to_owned()),
            )
            .col_expr(
                idempotency_key::Column::LeaseUntilMillis,
                Expr::value(now_millis + LEASE_MILLIS),
            )
            .col_expr(
                idempotency_key::Column::Reference,
                Expr::value(reference.clone()),
            )
            .filter(idempotency_key::Column::Id.eq(existing.id))
            .filter(idempotency_key::Column::StatusCode.is_null())
            .filter(match existing.lease_until_millis {
                Some(millis) => idempotency_key::Column::LeaseUntilMillis.eq(millis),
                None => idempotency_key::Column::LeaseUntilMillis.is_null(),
            })
            .exec(&Autocommit(&state.db))
            .await?;
        if taken.rows_affected == 1 {
            tracing::warn!(
                record = existing.id,
                "taking over an idempotent request whose owner stopped"
            );
            return Ok(Claim::Run {
                id: existing.id,
                reference,
                taken_over: true,
            });
        }
    }
    Err(in_progress())
}

/// Extends this process's lease on a running request until the request ends.
async fn renew(db: sea_orm::DatabaseConnection, record_id: i64) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let renewed = idempotency_key::Entity::update_many()
            .col_expr(
                idempotency_key::Column::LeaseUntilMillis,
                Expr::value(Utc::now().timestamp_millis() + LEASE_MILLIS),
            )
            .filter(idempotency_key::Column::Id.eq(record_id))
            .filter(idempotency_key::Column::Owner.eq(instance_id()))
            .filter(idempotency_key::Column::StatusCode.is_null())
            .exec(&Autocommit(&db))
            .await;
        if let Err(e) = renewed {
            tracing::warn!(error = %e, "idempotence lease not renewed");
        }
    }
}

/// Frees a request for a retry at once: the record (and its reference) stays, so a
/// retry still finds what this attempt may have committed.
async fn release(state: &DirectState, record_id: i64) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Owner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(idempotency_key::Column::LeaseUntilMillis, Expr::value(0i64))
        .filter(idempotency_key::Column::Id.eq(record_id))
        .filter(idempotency_key::Column::Owner.eq(instance_id()))
        .exec(&Autocommit(&state.db))
        .await
        .map(|_| ())
}

/// A running request's record, where the engine stores the answer in the transaction
/// that writes the payment's outcome (then [`finish`] has nothing left to store).
struct Record {
    id: i64,
    /// The answer is committed.
    stored: AtomicBool,
}

#[async_trait::async_trait]
impl AnswerStore for Record {
    async fn store(&self, txn: &WriteTxn, answer: &Answer) -> Result<bool, sea_orm::DbErr> {
        let written = store_answer(self.id, answer.status, answer.body.clone())
            .exec(txn)
            .await?;
        Ok(written.rows_affected == 1)
    }

    fn statement(&self, answer: &Answer) -> sea_orm::sea_query::UpdateStatement {
        use sea_orm::QueryTrait;
        store_answer(self.id, answer.status, answer.body.clone()).into_query()
    }

    fn committed(&self) {
        self.stored.store(true, Ordering::Release);
    }
}

/// The statement that stores `record_id`'s answer, while the request is this process's.
fn store_answer(record_id: i64, status: u16, body: String) -> UpdateMany<idempotency_key::Entity> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::StatusCode,
            Some(i32::from(status)).into(),
        )
        .col_expr(idempotency_key::Column::ResponseBody, Some(body).into())
        .filter(idempotency_key::Column::Id.eq(record_id))
        .filter(idempotency_key::Column::Owner.eq(instance_id()))
}

/// Stores the response; a server error frees the key so the client may retry.
async fn finish(state: &DirectState, record_id: i64, res: Response) -> Response {
    let status = res.status();
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 8 * BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "API response body unreadable");
            let _ = release(state, record_id).await;
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
        release(state, record_id).await
    } else {
        let store = store_answer(
            record_id,
            status.as_u16(),
            String::from_utf8_lossy(&bytes).into_owned(),
        );
        match state.db.write_one().await {
            Ok(one) => {
                let stored = store.exec(&one).await.map(|_| ());
                one.end(stored).await
            }
            // Without its turn (timed out) the answer is still stored, waiting on SQLite.
            Err(_) => store.exec(&state.db).await.map(|_| ()),
        }
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
        .exec(&Autocommit(db))
        .await?
        .rows_affected)
}
