//! The endpoints of API-3. Requests are read field by field so that a wrong field is
//! reported with its Direct `propertyName`.

use super::{ApiError, Caller, DirectState};
use crate::checkout::port::lang_query;
use crate::checkout::service::{challenge_url, page_url, NewCheckout};
use crate::payments::engine::{
    AttemptResult, AuthMode, CardInput, CardSource, CartLineInput, Initiator, NewPayment,
};
use crate::payments::records::parse_public_id;
use crate::payments::wire;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use domain::card::Brand;
use domain::lang::Lang;
use domain::money::{Currency, Money};
use serde_json::{json, Value};
use std::collections::HashMap;

type Result<T> = std::result::Result<T, ApiError>;

/// The JSON body, or a 400 saying it is not JSON.
pub(super) fn body(bytes: &[u8]) -> Result<Value> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid("body", &format!("the body is not valid JSON: {e}")))
}

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

pub(super) fn string(v: &Value, path: &str) -> Result<Option<String>> {
    match at(v, path) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(path, &format!("{path} must be a string"))),
    }
}

fn int(v: &Value, path: &str) -> Result<Option<i64>> {
    match at(v, path) {
        None => Ok(None),
        Some(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(path, &format!("{path} must be a whole number"))),
    }
}

fn boolean(v: &Value, path: &str) -> Result<Option<bool>> {
    match at(v, path) {
        None => Ok(None),
        Some(b) => b
            .as_bool()
            .map(Some)
            .ok_or_else(|| ApiError::invalid(path, &format!("{path} must be true or false"))),
    }
}

/// `amountOfMoney` at `path`: positive amount in minor units of a known currency.
pub(super) fn money(v: &Value, path: &str) -> Result<Money> {
    let amount_path = format!("{path}.amount");
    let currency_path = format!("{path}.currencyCode");
    let amount = int(v, &amount_path)?
        .ok_or_else(|| ApiError::invalid(&amount_path, &format!("{amount_path} is required")))?;
    let code = string(v, &currency_path)?.ok_or_else(|| {
        ApiError::invalid(&currency_path, &format!("{currency_path} is required"))
    })?;
    let currency = Currency::parse(&code)
        .ok_or_else(|| ApiError::invalid(&currency_path, "unknown ISO 4217 currency code"))?;
    if amount <= 0 {
        return Err(ApiError::invalid(
            &amount_path,
            "the amount must be above zero",
        ));
    }
    Money::new(amount, currency).map_err(|e| ApiError::invalid(&amount_path, &e.to_string()))
}

fn cart(v: &Value, currency: Currency) -> Result<Vec<CartLineInput>> {
    let Some(items) = at(v, "order.shoppingCart.items") else {
        return Ok(Vec::new());
    };
    let items = items
        .as_array()
        .ok_or_else(|| ApiError::invalid("order.shoppingCart.items", "items must be a list"))?;
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("order.shoppingCart.items[{i}]");
        let quantity = int(item, "orderLineDetails.quantity")
            .map_err(|_| {
                ApiError::invalid(
                    &format!("{prefix}.orderLineDetails.quantity"),
                    "the quantity must be a whole number",
                )
            })?
            .unwrap_or(1);
        let price = int(item, "orderLineDetails.productPrice").map_err(|_| {
            ApiError::invalid(
                &format!("{prefix}.orderLineDetails.productPrice"),
                "the price must be a whole number of minor units",
            )
        })?;
        let line_total = int(item, "amountOfMoney.amount").ok().flatten();
        if let Some(code) = string(item, "amountOfMoney.currencyCode").ok().flatten() {
            if code != currency.code() {
                return Err(ApiError::invalid(
                    &format!("{prefix}.amountOfMoney.currencyCode"),
                    "cart lines must be in the order's currency",
                ));
            }
        }
        let unit_price = match (price, line_total) {
            (Some(p), _) => p,
            (None, Some(total)) if quantity > 0 && total % quantity == 0 => total / quantity,
            _ => {
                return Err(ApiError::invalid(
                    &format!("{prefix}.orderLineDetails.productPrice"),
                    "the product price is required",
                ))
            }
        };
        lines.push(CartLineInput {
            code: string(item, "orderLineDetails.productCode")?.unwrap_or_default(),
            name: string(item, "orderLineDetails.productName")?.unwrap_or_default(),
            unit_price,
            quantity_thousandths: quantity.saturating_mul(1000),
        });
    }
    Ok(lines)
}

fn locale(v: &Value, path: &str) -> String {
    let asked = at(v, path).and_then(Value::as_str).unwrap_or("en_GB");
    let lang = asked.split(['_', '-']).next().unwrap_or("en");
    match Lang::parse(lang) {
        Some(l) => format!(
            "{}_{}",
            l.code(),
            asked.split(['_', '-']).nth(1).unwrap_or("")
        )
        .trim_end_matches('_')
        .to_owned(),
        None => "en_GB".to_owned(),
    }
}

fn parse_id(id: &str) -> Result<i64> {
    parse_public_id(id).ok_or_else(|| ApiError::not_found("payment"))
}

fn initiator(caller: &Caller) -> Initiator {
    caller.initiator()
}

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
            })
        }
    };
    if let Some(product) = int(&v, &format!("{spec}.paymentProductId"))? {
        if Brand::from_payment_product_id(product as i32).is_none() {
            return Err(ApiError::invalid(
                &format!("{spec}.paymentProductId"),
                "unknown payment product",
            ));
        }
    }
    let return_url = string(
        &v,
        &format!("{spec}.threeDSecure.redirectionData.returnUrl"),
    )?
    .or(string(&v, &format!("{spec}.returnUrl"))?);
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
    };
    let attempt = state
        .engine
        .create_payment(&caller.merchant, new, &initiator(&caller))
        .await?;
    let mut out = json!({
        "creationOutput": {
            "isNewToken": attempt.token.is_some() && at(&v, &format!("{spec}.token")).is_none(),
            "token": attempt.token,
            "tokenizationSucceeded": attempt.token.is_some(),
        },
        "payment": wire::payment(&attempt.payment),
    });
    match attempt.result {
        AttemptResult::Declined { code, reason } => Err(ApiError::declined(&code, &reason, out)),
        AttemptResult::Challenge => {
            let (checkout, centre) = state
                .engine
                .challenge_checkout(&caller.merchant, &attempt.payment)
                .await?;
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
        AttemptResult::Approved | AttemptResult::Uncertain => {
            Ok((StatusCode::CREATED, Json(out)).into_response())
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
    let return_url = string(&v, &format!("{spec}.returnUrl"))?;
    if let Some(url) = &return_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ApiError::invalid(
                &format!("{spec}.returnUrl"),
                "the return URL must be an http(s) URL",
            ));
        }
    }
    let new = NewCheckout {
        amount,
        merchant_reference: string(&v, "order.references.merchantReference")?.unwrap_or_default(),
        merchant_customer_id: string(&v, "order.customer.merchantCustomerId")?,
        mode,
        return_url,
        show_result_page: boolean(&v, &format!("{spec}.showResultPage"))?,
        locale: locale(&v, &format!("{spec}.locale")),
        cart: cart(&v, amount.currency())?,
    };
    let (checkout, centre) = state.engine.create_checkout(&caller.merchant, new).await?;
    let url = format!(
        "{}{}",
        page_url(&state.config.public_url, centre, &checkout.id),
        lang_query(&checkout.locale)
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

fn product_json(brand: Brand, order: usize) -> Value {
    json!({
        "id": brand.payment_product_id(),
        "paymentMethod": "card",
        "paymentProductGroup": "cards",
        "allowsTokenization": true,
        "allowsRecurring": true,
        "usesRedirectionTo3rdParty": false,
        "displayHints": { "label": brand.name(), "displayOrder": order, "logo": format!("/brands/{}.svg", brand.payment_product_id()) },
        "displayHintsList": [{ "label": brand.name(), "displayOrder": order, "logo": format!("/brands/{}.svg", brand.payment_product_id()) }],
        "fields": [
            { "id": "cardNumber", "type": "numericstring", "dataRestrictions": { "isRequired": true, "validators": { "luhn": {}, "length": { "minLength": brand.lengths().iter().min(), "maxLength": brand.lengths().iter().max() } } } },
            { "id": "expiryDate", "type": "expirydate", "dataRestrictions": { "isRequired": true, "validators": { "expirationDate": {} } } },
            { "id": "cvv", "type": "numericstring", "dataRestrictions": { "isRequired": true, "validators": { "length": { "minLength": brand.cvc_length(), "maxLength": brand.cvc_length() } } } },
            { "id": "cardholderName", "type": "string", "dataRestrictions": { "isRequired": false, "validators": {} } },
        ],
    })
}

/// `GET products`.
pub async fn products(Query(query): Query<HashMap<String, String>>) -> Result<Json<Value>> {
    if let Some(code) = query.get("currencyCode") {
        if Currency::parse(code).is_none() {
            return Err(ApiError::invalid(
                "currencyCode",
                "unknown ISO 4217 currency code",
            ));
        }
    }
    let products: Vec<Value> = Brand::ALL
        .iter()
        .enumerate()
        .map(|(i, b)| product_json(*b, i))
        .collect();
    Ok(Json(json!({ "paymentProducts": products })))
}

/// `GET products/{id}`.
pub async fn product(Path((_, id)): Path<(String, String)>) -> Result<Json<Value>> {
    let brand = id
        .parse::<i32>()
        .ok()
        .and_then(Brand::from_payment_product_id)
        .ok_or_else(|| ApiError::not_found("payment product"))?;
    let order = Brand::ALL.iter().position(|b| *b == brand).unwrap_or(0);
    Ok(Json(product_json(brand, order)))
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
