//! `tokens` (API-3): saved cards created, read and deleted.

use super::{ApiError, Caller, DirectState};
use crate::payments::engine::CardInput;
use crate::payments::wire;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::fields::*;

/// `POST tokens`.
pub async fn create_token(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let prefix = if at(&v, "card.data.card").is_some() {
        "card.data.card"
    } else {
        "card.data.cardWithoutCvv"
    };
    let number = string(&v, &format!("{prefix}.cardNumber"))?.ok_or_else(|| {
        ApiError::invalid(
            &format!("{prefix}.cardNumber"),
            "the card number is required",
        )
    })?;
    let expiry = string(&v, &format!("{prefix}.expiryDate"))?.ok_or_else(|| {
        ApiError::invalid(
            &format!("{prefix}.expiryDate"),
            "the expiry date is required",
        )
    })?;
    let card = CardInput {
        number,
        cvv: None,
        expiry,
        holder: string(&v, &format!("{prefix}.cardholderName"))?.unwrap_or_default(),
        wallet: None,
    };
    let token = state
        .engine
        .create_token(
            &caller.merchant,
            &card,
            string(&v, "card.customer.merchantCustomerId")?,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": token.id, "isNewToken": true })),
    )
        .into_response())
}

/// `GET tokens/{id}`.
pub async fn get_token(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let token = state
        .engine
        .token(caller.merchant.id, &id)
        .await
        .map_err(|_| ApiError::not_found("token"))?;
    Ok(Json(wire::token(&token)))
}

/// `DELETE tokens/{id}`.
pub async fn delete_token(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    state
        .engine
        .delete_token(caller.merchant.id, &id)
        .await
        .map_err(|_| ApiError::not_found("token"))?;
    Ok(StatusCode::NO_CONTENT)
}
