//! Baseline for `bench/create_payment.sh`: a bare axum handler that makes the same
//! writes as one S2S create-payment of OpenPSP, with hand-written SQL and nothing else —
//! no authentication, no ORM models, no acquirer, no webhook lookup. The ratio of the two
//! figures tells what the real server's layers cost over the database work itself.
//!
//! Per `POST /v2/{merchant}/payments`: an `idempotency_keys` insert; then in one
//! transaction a `payments` insert, an `audit_log` insert, the authorisation and capture
//! `operations` inserts and the guarded `payments` update; then the `idempotency_keys`
//! update with the response. Answers 201 with a small JSON.
//!
//! Configuration by environment: `DATABASE_URL` (required; `sqlite://…?mode=rwc` or
//! `postgres://…`), `BASELINE_LISTEN` (default `127.0.0.1:3320`), `BASELINE_PSPID`
//! (default `bench`; the merchant row is created if missing). The listen address may also
//! be given as the first argument. The schema comes from OpenPSP's own migrations.
//!
//!     DATABASE_URL=sqlite:///tmp/b.db?mode=rwc cargo run --release -p server --example baseline

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement, TransactionTrait, Value,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;

struct Shared {
    db: DatabaseConnection,
    backend: DatabaseBackend,
    pspid: String,
    merchant_id: i64,
}

type AppState = Arc<Shared>;

/// Writes `sql`, given with `?` placeholders, for the backend (PostgreSQL wants `$n`).
fn stmt(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DatabaseBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs an `INSERT … RETURNING id` and gives the id.
async fn insert_id<C: ConnectionTrait>(
    conn: &C,
    backend: DatabaseBackend,
    sql: &str,
    values: Vec<Value>,
) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(stmt(backend, sql, values))
        .await?
        .ok_or_else(|| DbErr::RecordNotInserted)?;
    row.try_get_by_index::<i64>(0)
}

fn random_code(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

fn text(v: &serde_json::Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, axum::Json(json!({ "error": message.to_string() }))).into_response()
}

async fn create_payment(
    State(state): State<AppState>,
    Path(merchant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !merchant.eq_ignore_ascii_case(&state.pspid) {
        return error(StatusCode::NOT_FOUND, "unknown merchant");
    }
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let Some(amount) = v
        .pointer("/order/amountOfMoney/amount")
        .and_then(serde_json::Value::as_i64)
    else {
        return error(StatusCode::BAD_REQUEST, "order.amountOfMoney.amount");
    };
    let currency = text(&v, "/order/amountOfMoney/currencyCode");
    let reference = text(&v, "/order/references/merchantReference");
    let card = "/cardPaymentMethodSpecificInput/card";
    let number = text(&v, &format!("{card}/cardNumber"));
    if number.len() < 12 || currency.len() != 3 {
        return error(StatusCode::BAD_REQUEST, "card number or currency");
    }
    let expiry = text(&v, &format!("{card}/expiryDate"));
    let holder = text(&v, &format!("{card}/cardholderName"));
    let mode = match text(&v, "/cardPaymentMethodSpecificInput/authorizationMode") {
        m if m.is_empty() => "SALE".to_owned(),
        m => m,
    };
    let product = v
        .pointer("/cardPaymentMethodSpecificInput/paymentProductId")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(1) as i32;
    let masked = format!(
        "{}{}{}",
        &number[..6],
        "*".repeat(number.len() - 10),
        &number[number.len() - 4..]
    );
    let last4 = number[number.len() - 4..].to_owned();

    let (db, b) = (&state.db, state.backend);
    let key = headers
        .get("x-gcs-idempotence-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let claim = match key {
        Some(key) => {
            let mut hasher = Sha256::new();
            hasher.update(format!("/v2/{merchant}/payments").as_bytes());
            hasher.update([0]);
            hasher.update(&body);
            let now = Utc::now();
            let inserted = insert_id(
                db,
                b,
                "INSERT INTO idempotency_keys (merchant_id, key, request_hash, \
                 first_request_millis, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                vec![
                    state.merchant_id.into(),
                    key.into(),
                    hex::encode(hasher.finalize()).into(),
                    now.timestamp_millis().into(),
                    now.into(),
                ],
            )
            .await;
            match inserted {
                Ok(id) => Some(id),
                Err(e) => return error(StatusCode::CONFLICT, e),
            }
        }
        None => None,
    };

    let result: Result<(i64, String), DbErr> = async {
        let txn = db.begin().await?;
        let now = Utc::now();
        let none = || Value::String(None);
        let id = insert_id(
            &txn,
            b,
            "INSERT INTO payments (merchant_id, channel, merchant_reference, \
             merchant_customer_id, description, currency, amount, authorised, captured, \
             refunded, stage, capture_closed, authorization_mode, payment_product_id, brand, \
             masked_card, card_last4, card_expiry, card_holder, token_id, attempts, \
             return_url, hosted_checkout_id, customer_email, customer_ip, locale, created_at, \
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
             ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                state.merchant_id.into(),
                "ECOMMERCE".into(),
                reference.into(),
                none(),
                "".into(),
                currency.clone().into(),
                amount.into(),
                0i64.into(),
                0i64.into(),
                0i64.into(),
                "created".into(),
                false.into(),
                mode.clone().into(),
                product.into(),
                "VISA".into(),
                masked.clone().into(),
                last4.into(),
                expiry.into(),
                holder.into(),
                none(),
                0i32.into(),
                none(),
                none(),
                none(),
                none(),
                "en_GB".into(),
                now.into(),
                now.into(),
            ],
        )
        .await?;
        let public = format!("{id:010}_0");
        txn.execute_raw(stmt(
            b,
            "INSERT INTO audit_log (merchant_id, user_id, actor, action, detail, ip, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                state.merchant_id.into(),
                Value::BigInt(None),
                "api:baseline".into(),
                "payment.create".into(),
                format!("payment {public} ECOMMERCE {amount} {currency} {masked}").into(),
                "".into(),
                Utc::now().into(),
            ],
        ))
        .await?;
        let now = Utc::now();
        let auth_code = random_code(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 6);
        let rrn = random_code(b"0123456789", 12);
        let operation = "INSERT INTO operations (payment_id, kind, amount, result, is_final, \
             authorisation_code, rrn, terminal_id, eci, user_id, api_key_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        txn.execute_raw(stmt(
            b,
            operation,
            vec![
                id.into(),
                "authorise".into(),
                amount.into(),
                "approved".into(),
                false.into(),
                auth_code.clone().into(),
                rrn.clone().into(),
                "OPSP0001".into(),
                "05".into(),
                Value::BigInt(None),
                "baseline".into(),
                now.into(),
            ],
        ))
        .await?;
        txn.execute_raw(stmt(
            b,
            operation,
            vec![
                id.into(),
                "capture".into(),
                amount.into(),
                "approved".into(),
                true.into(),
                none(),
                random_code(b"0123456789", 12).into(),
                none(),
                none(),
                Value::BigInt(None),
                "baseline".into(),
                now.into(),
            ],
        ))
        .await?;
        let updated = txn
            .execute_raw(stmt(
                b,
                "UPDATE payments SET attempts = ?, updated_at = ?, authorisation_code = ?, \
                 rrn = ?, terminal_id = ?, eci = ?, refusal_code = NULL, \
                 refusal_reason = NULL, pending_card_enc = NULL, stage = ?, authorised = ?, \
                 captured = ?, refunded = ?, capture_closed = ? WHERE id = ? AND stage = ? \
                 AND captured = ? AND refunded = ? AND capture_closed = ? AND attempts = ?",
                vec![
                    1i32.into(),
                    now.into(),
                    auth_code.into(),
                    rrn.into(),
                    "OPSP0001".into(),
                    "05".into(),
                    "authorised".into(),
                    amount.into(),
                    amount.into(),
                    0i64.into(),
                    true.into(),
                    id.into(),
                    "created".into(),
                    0i64.into(),
                    0i64.into(),
                    false.into(),
                    0i32.into(),
                ],
            ))
            .await?;
        if updated.rows_affected() != 1 {
            return Err(DbErr::RecordNotUpdated);
        }
        txn.commit().await?;
        Ok((id, public))
    }
    .await;

    let (_, public) = match result {
        Ok(done) => done,
        Err(e) => {
            if let Some(claim) = claim {
                let _ = db
                    .execute_raw(stmt(
                        b,
                        "DELETE FROM idempotency_keys WHERE id = ?",
                        vec![claim.into()],
                    ))
                    .await;
            }
            return error(StatusCode::INTERNAL_SERVER_ERROR, e);
        }
    };
    let response = json!({
        "payment": { "id": public, "status": "CAPTURED", "statusOutput": { "statusCode": 9 } }
    })
    .to_string();
    if let Some(claim) = claim {
        let stored = db
            .execute_raw(stmt(
                b,
                "UPDATE idempotency_keys SET status_code = ?, response_body = ? WHERE id = ?",
                vec![201i32.into(), response.clone().into(), claim.into()],
            ))
            .await;
        if let Err(e) = stored {
            return error(StatusCode::INTERNAL_SERVER_ERROR, e);
        }
    }
    (
        StatusCode::CREATED,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        response,
    )
        .into_response()
}

/// Finds the merchant row of `pspid` in the TEST environment, creating it if missing.
async fn merchant_id(db: &DatabaseConnection, pspid: &str) -> Result<i64, DbErr> {
    let b = db.get_database_backend();
    let find = || {
        stmt(
            b,
            "SELECT id FROM merchants WHERE pspid = ? AND environment = 'TEST'",
            vec![pspid.into()],
        )
    };
    if let Some(row) = db.query_one_raw(find()).await? {
        return row.try_get_by_index::<i64>(0);
    }
    insert_id(
        db,
        b,
        "INSERT INTO merchants (pspid, environment, legal_name, commercial_name, email, \
         default_time_zone, languages, password_min_length, created_at) \
         VALUES (?, 'TEST', ?, ?, '', 'Europe/Brussels', 'en', 12, ?) RETURNING id",
        vec![
            pspid.into(),
            "Bench".into(),
            "Bench".into(),
            Utc::now().into(),
        ],
    )
    .await
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        eprintln!("DATABASE_URL is required (sqlite://…?mode=rwc or postgres://…)");
        std::process::exit(2);
    });
    let listen = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("BASELINE_LISTEN").ok())
        .unwrap_or_else(|| "127.0.0.1:3320".to_owned());
    let pspid = std::env::var("BASELINE_PSPID").unwrap_or_else(|_| "bench".to_owned());
    let db = server::platform::db::connect_and_migrate(&url)
        .await
        .unwrap_or_else(|e| {
            eprintln!("database {url}: {e}");
            std::process::exit(1);
        });
    let merchant_id = merchant_id(&db, &pspid).await.unwrap_or_else(|e| {
        eprintln!("merchant {pspid}: {e}");
        std::process::exit(1);
    });
    let state = Arc::new(Shared {
        backend: db.get_database_backend(),
        db,
        pspid,
        merchant_id,
    });
    let app = Router::new()
        .route("/v2/{merchant}/payments", post(create_payment))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| {
            eprintln!("listen {listen}: {e}");
            std::process::exit(1);
        });
    eprintln!("baseline listening on {listen}");
    axum::serve(listener, app).await.unwrap_or_else(|e| {
        eprintln!("serve: {e}");
        std::process::exit(1);
    });
}
