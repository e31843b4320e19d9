//! The POS API (TG-4) for point-of-sale software: start a payment on one of the
//! merchant's terminals, follow it, cancel it. Authenticated and idempotent like the
//! rest of `/v2`.

use super::fields::{body, money, string};
use super::{ApiError, Caller, DirectState};
use crate::entities::terminal_payment;
use crate::payments::records::public_id;
use crate::terminals::TerminalError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

type Result<T> = std::result::Result<T, ApiError>;

impl From<TerminalError> for ApiError {
    fn from(e: TerminalError) -> ApiError {
        let conflict =
            |id: &str, message: &str| ApiError::new(StatusCode::CONFLICT, "300450", id, message);
        match e {
            TerminalError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "1002",
                "UNKNOWN_TERMINAL_PAYMENT",
                "no such terminal or terminal payment for this merchant",
            ),
            TerminalError::NotConnected => {
                conflict("TERMINAL_NOT_CONNECTED", "the terminal is not connected")
            }
            // Only the gateway meets it; an API caller never does.
            TerminalError::AlreadyConnected => conflict(
                "TERMINAL_ALREADY_CONNECTED",
                "the terminal is already connected",
            ),
            TerminalError::Busy => {
                conflict("TERMINAL_BUSY", "the terminal is busy with another payment")
            }
            // Only the pages and the gateway meet these; an API caller never does.
            TerminalError::NoSuchConnection | TerminalError::Pinned | TerminalError::Prefix => {
                conflict("TERMINAL_NOT_CONNECTED", "the terminal is not connected")
            }
            TerminalError::Taken => conflict(
                "TERMINAL_BOUND_ELSEWHERE",
                "the terminal is bound to another merchant",
            ),
            TerminalError::Finished => conflict(
                "ACTION_NOT_ALLOWED_ON_TARGET",
                "the terminal payment is already finished",
            ),
            TerminalError::Amount => ApiError::invalid(
                "amountOfMoney.amount",
                "a terminal takes amounts from 1 to 99999999 minor units",
            ),
            TerminalError::Fraud(reason) => ApiError::invalid("amountOfMoney.amount", &reason),
            TerminalError::TerminalId => ApiError::invalid(
                "terminalId",
                "a terminal id is 1 to 32 printable ASCII characters",
            ),
            TerminalError::Engine(e) => e.into(),
            TerminalError::Db(e) => e.into(),
        }
    }
}

/// A terminal payment in the API's shape.
pub fn terminal_payment_json(p: &terminal_payment::Model) -> Value {
    let mut v = json!({
        "id": p.id.to_string(),
        "terminalId": p.terminal_id,
        "amountOfMoney": { "amount": p.amount, "currencyCode": p.currency },
        "merchantReference": p.merchant_reference,
        "stage": p.stage,
        "cancelRequested": p.cancel_requested,
    });
    if let Some(result) = &p.result {
        v["result"] = json!(result);
    }
    if let Some(id) = p.payment_id {
        v["paymentId"] = json!(public_id(id));
    }
    if let Some(code) = &p.authorisation_code {
        v["authorizationCode"] = json!(code);
    }
    if p.masked_card.is_some() || p.brand.is_some() {
        v["card"] = json!({ "brand": p.brand, "cardNumber": p.masked_card });
    }
    if let Some(receipt) = &p.receipt {
        v["receipt"] = json!(receipt);
    }
    v
}

fn parse_id(id: &str) -> Result<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::from(TerminalError::NotFound))
}

/// `POST terminals/{terminalId}/payments`.
pub async fn start(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, terminal_id)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let amount = money(&v, "amountOfMoney")?;
    let reference = string(&v, "merchantReference")?.unwrap_or_default();
    if reference.chars().count() > 40 {
        return Err(ApiError::invalid(
            "merchantReference",
            "merchantReference is at most 40 characters",
        ));
    }
    let row = state
        .terminals
        .start(
            &caller.merchant,
            &terminal_id,
            amount,
            &reference,
            &caller.initiator(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(terminal_payment_json(&row))).into_response())
}

/// `GET terminals/payments/{id}`.
pub async fn get(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let row = state
        .terminals
        .payment(caller.merchant.id, parse_id(&id)?)
        .await?;
    Ok(Json(terminal_payment_json(&row)))
}

/// `POST terminals/payments/{id}/cancel`.
pub async fn cancel(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let row = state
        .terminals
        .cancel(caller.merchant.id, parse_id(&id)?)
        .await?;
    Ok(Json(terminal_payment_json(&row)))
}
