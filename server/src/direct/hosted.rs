//! `hostedcheckouts` and `hostedtokenizations` (API-4): the hosted pages a merchant
//! sends its payer to, and their status.

use super::{ApiError, Caller, DirectState};
use crate::checkout::port::lang_query;
use crate::checkout::service::{page_url, NewCheckout};
use crate::payments::engine::AuthMode;
use crate::payments::wire;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::fields::*;

/// `POST hostedcheckouts`.
pub async fn create_hosted_checkout(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let amount = money(&v, "order.amountOfMoney")?;
    let spec = "hostedCheckoutSpecificInput";
    let mode = match string(&v, "cardPaymentMethodSpecificInput.authorizationMode")? {
        None => None,
        Some(m) => Some(AuthMode::parse(&m).ok_or_else(|| {
            ApiError::invalid(
                "cardPaymentMethodSpecificInput.authorizationMode",
                "authorizationMode must be SALE, PRE_AUTHORIZATION or FINAL_AUTHORIZATION",
            )
        })?),
    };
    let return_url = return_url(&v, &format!("{spec}.returnUrl"))?;
    let new = NewCheckout {
        amount,
        merchant_reference: string(&v, "order.references.merchantReference")?.unwrap_or_default(),
        merchant_customer_id: string(&v, "order.customer.merchantCustomerId")?,
        mode,
        return_url,
        show_result_page: boolean(&v, &format!("{spec}.showResultPage"))?,
        locale: locale(&v, &format!("{spec}.locale")),
        cart: cart(&v, amount.currency())?,
        payment_link_id: None,
        payer_fields: None,
        customer_mobile: super::fields::mobile(&v)?,
    };
    let (checkout, centre) = state.engine.create_checkout(&caller.merchant, new).await?;
    // Without a locale the page opens in the payer's browser's language among the
    // merchant's (checkout::language).
    let asked_locale = at(&v, &format!("{spec}.locale")).is_some_and(|l| !l.is_null());
    let url = format!(
        "{}{}",
        page_url(&state.config.public_url, centre, &checkout.id),
        if asked_locale {
            lang_query(&checkout.locale)
        } else {
            String::new()
        }
    );
    let partial = url
        .split_once("://")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or(url.clone());
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "hostedCheckoutId": checkout.id,
            "RETURNMAC": checkout.returnmac,
            "redirectUrl": url,
            "partialRedirectUrl": partial,
            "merchantReference": checkout.merchant_reference,
            "invalidTokens": [],
        })),
    )
        .into_response())
}

/// `GET hostedcheckouts/{id}`.
pub async fn get_hosted_checkout(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let checkout = state
        .engine
        .merchant_checkout(caller.merchant.id, &id)
        .await
        .map_err(|_| ApiError::not_found("hosted checkout"))?;
    let payment = match checkout.payment_id {
        Some(id) => Some(state.engine.payment(caller.merchant.id, id).await?),
        None => None,
    };
    Ok(Json(wire::hosted_checkout(&checkout, payment.as_ref())))
}

/// `POST hostedtokenizations`.
pub async fn create_hosted_tokenization(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let (session, centre) = state
        .engine
        .create_tokenization(&caller.merchant, locale(&v, "locale"))
        .await?;
    let url = format!(
        "{}/pay/{centre}/tokenize/{}{}",
        state.config.public_url.trim_end_matches('/'),
        session.id,
        lang_query(&session.locale)
    );
    let partial = url
        .split_once("://")
        .map(|(_, rest)| rest.to_owned())
        .unwrap_or(url.clone());
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "hostedTokenizationId": session.id,
            "hostedTokenizationUrl": url,
            "partialRedirectUrl": partial,
            "invalidTokens": [],
            "expiredCardTokens": [],
        })),
    )
        .into_response())
}

/// `GET hostedtokenizations/{id}`.
pub async fn get_hosted_tokenization(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let session = state
        .engine
        .tokenization(&id)
        .await
        .ok()
        .filter(|s| s.merchant_id == caller.merchant.id)
        .ok_or_else(|| ApiError::not_found("hosted tokenization"))?;
    let mut out = json!({ "tokenStatus": session.token_status });
    if let Some(token_id) = &session.token_id {
        if let Ok(token) = state.engine.token(caller.merchant.id, token_id).await {
            out["token"] = wire::token(&token);
        }
    }
    Ok(Json(out))
}
