//! `payments` (API-3): create, read, capture, cancel, refund, complete; `services/testconnection`.

use super::{ApiError, Caller, DirectState};
use crate::checkout::port::lang_query;
use crate::checkout::service::challenge_url;
use crate::payments::engine::{
    Answer, Attempt, AttemptResult, AuthMode, CardInput, CardSource, NewPayment,
};
use crate::payments::wire;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::methods::Method;
use serde_json::{json, Value};

use super::fields::*;

/// `GET services/testconnection`.
pub async fn test_connection() -> Json<Value> {
    Json(json!({ "result": "OK" }))
}

/// `POST payments`.
pub async fn create_payment(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    // iDEAL and Bancontact through the bank's page; wallets are not taken here.
    if at(&v, super::redirect::SPEC).is_some() {
        return super::redirect::create(&state, &caller, &v).await;
    }
    if at(&v, "mobilePaymentMethodSpecificInput").is_some() {
        return Err(super::redirect::mobile_refused());
    }
    let amount = money(&v, "order.amountOfMoney")?;
    let spec = "cardPaymentMethodSpecificInput";
    if at(&v, spec).is_none() {
        return Err(ApiError::invalid(
            spec,
            "cardPaymentMethodSpecificInput is required",
        ));
    }
    let mode = match string(&v, &format!("{spec}.authorizationMode"))? {
        None => None,
        Some(m) => Some(AuthMode::parse(&m).ok_or_else(|| {
            ApiError::invalid(
                &format!("{spec}.authorizationMode"),
                "authorizationMode must be SALE, PRE_AUTHORIZATION or FINAL_AUTHORIZATION",
            )
        })?),
    };
    let source = match string(&v, &format!("{spec}.token"))? {
        Some(token) => CardSource::Token(token),
        None => {
            let card = format!("{spec}.card");
            let number = string(&v, &format!("{card}.cardNumber"))?.ok_or_else(|| {
                ApiError::invalid(&format!("{card}.cardNumber"), "the card number is required")
            })?;
            let expiry = string(&v, &format!("{card}.expiryDate"))?.ok_or_else(|| {
                ApiError::invalid(&format!("{card}.expiryDate"), "the expiry date is required")
            })?;
            CardSource::Card(CardInput {
                number,
                cvv: string(&v, &format!("{card}.cvv"))?,
                expiry,
                holder: string(&v, &format!("{card}.cardholderName"))?.unwrap_or_default(),
                wallet: None,
            })
        }
    };
    // A product the merchant does not offer is refused by the engine, on this field.
    let product = match int(&v, crate::methods::PRODUCT_PROPERTY)? {
        None => None,
        Some(product) => Some(
            i32::try_from(product)
                .ok()
                .and_then(Method::from_code)
                .ok_or_else(|| {
                    ApiError::invalid(crate::methods::PRODUCT_PROPERTY, "unknown payment product")
                })?,
        ),
    };
    // Where the payer comes back after 3-D Secure: the same rule as hosted checkouts'.
    let return_url = return_url(
        &v,
        &format!("{spec}.threeDSecure.redirectionData.returnUrl"),
    )?
    .or(return_url(&v, &format!("{spec}.returnUrl"))?);
    let new = NewPayment {
        channel: "ECOMMERCE",
        amount,
        merchant_reference: string(&v, "order.references.merchantReference")?.unwrap_or_default(),
        merchant_customer_id: string(&v, "order.customer.merchantCustomerId")?,
        description: string(&v, "order.references.descriptor")?.unwrap_or_default(),
        mode,
        tokenize: boolean(&v, &format!("{spec}.tokenize"))?.unwrap_or(false),
        source,
        return_url,
        cart: cart(&v, amount.currency())?,
        customer_email: string(&v, "order.customer.contactDetails.emailAddress")?,
        customer_ip: string(&v, "order.customer.device.ipAddress")?,
        locale: locale(&v, "order.customer.locale"),
        hosted_checkout_id: None,
        payment_link_id: None,
        payer_fields: None,
        customer_mobile: super::fields::mobile(&v)?,
        product,
    };
    let respond = |attempt: &Attempt| {
        settled_answer(&v, attempt).map(|(status, body)| Answer {
            status: status.as_u16(),
            body: body.to_string(),
        })
    };
    let (attempt, answer) = state
        .engine
        .create_payment_answered(&caller.merchant, new, &initiator(&caller), Some(&respond))
        .await?;
    // Made by `respond` for a settled attempt (and, for an idempotent request, stored
    // with the outcome when it was written).
    if let Some(answer) = answer {
        let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
        return Ok((
            status,
            [(header::CONTENT_TYPE, "application/json")],
            answer.body,
        )
            .into_response());
    }
    // A challenge: the payer is sent to its page.
    let (checkout, centre) = state
        .engine
        .challenge_checkout(&caller.merchant, &attempt.payment)
        .await?;
    let mut out = created_output(&v, &attempt);
    out["merchantAction"] = json!({
        "actionType": "REDIRECT",
        "redirectData": {
            "RETURNMAC": checkout.returnmac,
            "redirectURL": format!(
                "{}{}",
                challenge_url(&state.config.public_url, centre, &checkout.id),
                lang_query(&checkout.locale)
            ),
        },
    });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// What a created payment's answer carries: the token made and the payment.
fn created_output(v: &Value, attempt: &Attempt) -> Value {
    let spec = "cardPaymentMethodSpecificInput";
    json!({
        "creationOutput": {
            "isNewToken": attempt.token.is_some() && at(v, &format!("{spec}.token")).is_none(),
            "token": attempt.token,
            "tokenizationSucceeded": attempt.token.is_some(),
        },
        "payment": wire::payment(&attempt.payment),
    })
}

/// The answer to a create request (`v`) whose attempt is settled: 201 approved or
/// uncertain, 402 declined; `None` for a challenge, whose answer needs its checkout.
fn settled_answer(v: &Value, attempt: &Attempt) -> Option<(StatusCode, Value)> {
    match &attempt.result {
        AttemptResult::Challenge => None,
        AttemptResult::Declined { code, reason } => {
            let error = ApiError::declined(code, reason, created_output(v, attempt));
            Some((error.status(), error.into_body()))
        }
        AttemptResult::Approved | AttemptResult::Uncertain => {
            Some((StatusCode::CREATED, created_output(v, attempt)))
        }
    }
}

/// `GET payments/{id}`.
pub async fn get_payment(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let p = state
        .engine
        .payment(caller.merchant.id, parse_id(&id)?)
        .await?;
    Ok(Json(wire::payment(&p)))
}

/// `GET payments/{id}/details`.
pub async fn payment_details(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let p = state
        .engine
        .payment(caller.merchant.id, parse_id(&id)?)
        .await?;
    let ops = state.engine.operations(p.id).await?;
    let mut out = wire::payment(&p);
    out["Operations"] = ops
        .iter()
        .map(|op| {
            let status = match (op.kind.as_str(), op.result.as_str()) {
                (_, "declined") => "REJECTED",
                (_, "uncertain") => "AUTHORIZATION_REQUESTED",
                ("authorise", _) => "PENDING_CAPTURE",
                ("capture", _) => "CAPTURED",
                ("refund", _) => "REFUNDED",
                _ => "CANCELLED",
            };
            json!({
                "id": format!("{}-{}", crate::payments::records::public_id(p.id), op.id),
                "status": status,
                "amountOfMoney": { "amount": op.amount, "currencyCode": p.currency },
                "paymentMethod": "card",
                "references": { "merchantReference": p.merchant_reference },
            })
        })
        .collect();
    Ok(Json(out))
}

/// `POST payments/{id}/capture`.
pub async fn capture(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Json<Value>> {
    let v = body(&bytes)?;
    let amount = int(&v, "amount")?;
    if amount.is_some_and(|a| a <= 0) {
        return Err(ApiError::invalid("amount", "the amount must be above zero"));
    }
    let is_final = boolean(&v, "isFinal")?.unwrap_or(false);
    let (p, op) = state
        .engine
        .capture(
            &caller.merchant,
            parse_id(&id)?,
            amount,
            is_final,
            &initiator(&caller),
        )
        .await?;
    Ok(Json(wire::capture(&p, &op)))
}

/// The approved operations of `kind` on a payment, rendered by `render`.
async fn approved_operations(
    state: &DirectState,
    caller: &Caller,
    id: &str,
    kind: &str,
    render: fn(&crate::entities::payment::Model, &crate::entities::operation::Model) -> Value,
) -> Result<Vec<Value>> {
    let p = state
        .engine
        .payment(caller.merchant.id, parse_id(id)?)
        .await?;
    let ops = state.engine.operations(p.id).await?;
    Ok(ops
        .iter()
        .filter(|op| op.kind == kind && op.result == "approved")
        .map(|op| render(&p, op))
        .collect())
}

/// `GET payments/{id}/captures`.
pub async fn captures(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let captures = approved_operations(&state, &caller, &id, "capture", wire::capture).await?;
    Ok(Json(json!({ "captures": captures })))
}

/// `POST payments/{id}/cancel`.
pub async fn cancel(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let (p, _) = state
        .engine
        .cancel(&caller.merchant, parse_id(&id)?, &initiator(&caller))
        .await?;
    Ok(Json(json!({ "payment": wire::payment(&p) })))
}

/// `POST payments/{id}/refund`.
pub async fn refund(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let p = state
        .engine
        .payment(caller.merchant.id, parse_id(&id)?)
        .await?;
    let amount = match at(&v, "amountOfMoney") {
        None => None,
        Some(_) => {
            let m = money(&v, "amountOfMoney")?;
            if m.currency().code() != p.currency {
                return Err(ApiError::invalid(
                    "amountOfMoney.currencyCode",
                    "the refund must be in the payment's currency",
                ));
            }
            Some(m.minor())
        }
    };
    let (p, op) = state
        .engine
        .refund(&caller.merchant, p.id, amount, &initiator(&caller))
        .await?;
    Ok((StatusCode::CREATED, Json(wire::refund(&p, &op))).into_response())
}

/// `GET payments/{id}/refunds`.
pub async fn refunds(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let refunds = approved_operations(&state, &caller, &id, "refund", wire::refund).await?;
    Ok(Json(json!({ "refunds": refunds })))
}

/// `POST payments/{id}/complete`: nothing more to collect for cards; answers with the
/// payment as it stands (and the redirect again while 3-D Secure is pending).
pub async fn complete(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let p = state
        .engine
        .payment(caller.merchant.id, parse_id(&id)?)
        .await?;
    Ok(Json(
        json!({ "payment": wire::payment(&p), "creationOutput": {} }),
    ))
}
