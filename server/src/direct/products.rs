//! `products` (API-5): the payment products the merchant offers (MB-11), filtered as
//! Direct does by `currencyCode`, `countryCode` and `amount`; a product the merchant
//! does not offer for them is 404.

use super::{ApiError, Caller, DirectState};
use crate::payments::error::EngineError;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use domain::methods::{Filter, Kind, Method};
use domain::money::Currency;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::fields::*;

/// A method that is not a card (iDEAL, the wallets), as Direct lists it: iDEAL is a
/// redirect to the bank, Google Pay and Apple Pay are mobile (wallet) products.
fn other_json(method: Method, order: usize) -> Value {
    let id = method.code();
    let logo = format!("/brands/{id}.svg");
    let label = method.name();
    let (payment_method, redirects) = match method.kind() {
        Kind::Wallet => ("mobile", false),
        _ => ("redirect", true),
    };
    json!({
        "id": id,
        "paymentMethod": payment_method,
        "allowsTokenization": false,
        "allowsRecurring": false,
        "allowsAuthentication": false,
        "usesRedirectionTo3rdParty": redirects,
        "displayHints": { "label": label, "displayOrder": order, "logo": logo },
        "displayHintsList": [{ "label": label, "displayOrder": order, "logo": logo }],
        "fields": [],
    })
}

fn product_json(method: Method, order: usize) -> Value {
    if method.kind() != Kind::Card {
        return other_json(method, order);
    }
    let id = method.code();
    let logo = format!("/brands/{id}.svg");
    let label = method.name();
    // The Bancontact card: 17-digit numbers, no security code, no recurring.
    let (lengths, cvc, recurring): (&[usize], Option<usize>, bool) = match method.brand() {
        Some(b) => (b.lengths(), Some(b.cvc_length()), true),
        None => (&[16, 17, 18, 19], None, false),
    };
    let mut fields = vec![
        json!({ "id": "cardNumber", "type": "numericstring", "dataRestrictions": { "isRequired": true, "validators": { "luhn": {}, "length": { "minLength": lengths.iter().min(), "maxLength": lengths.iter().max() } } } }),
        json!({ "id": "expiryDate", "type": "expirydate", "dataRestrictions": { "isRequired": true, "validators": { "expirationDate": {} } } }),
    ];
    if let Some(cvc) = cvc {
        fields.push(json!({ "id": "cvv", "type": "numericstring", "dataRestrictions": { "isRequired": true, "validators": { "length": { "minLength": cvc, "maxLength": cvc } } } }));
    }
    fields.push(json!({ "id": "cardholderName", "type": "string", "dataRestrictions": { "isRequired": false, "validators": {} } }));
    json!({
        "id": id,
        "paymentMethod": "card",
        "paymentProductGroup": "cards",
        "allowsTokenization": true,
        "allowsRecurring": recurring,
        "usesRedirectionTo3rdParty": false,
        "displayHints": { "label": label, "displayOrder": order, "logo": logo },
        "displayHintsList": [{ "label": label, "displayOrder": order, "logo": logo }],
        "fields": fields,
    })
}

/// The query's filters, each checked as Direct names it.
fn filter_of(query: &HashMap<String, String>) -> Result<Filter> {
    let currency =
        match query.get("currencyCode") {
            None => None,
            Some(code) => Some(Currency::parse(code).ok_or_else(|| {
                ApiError::invalid("currencyCode", "unknown ISO 4217 currency code")
            })?),
        };
    let country = match query.get("countryCode") {
        None => None,
        Some(code) => {
            let upper = code.trim().to_ascii_uppercase();
            if !domain::fraud::is_country(&upper) {
                return Err(ApiError::invalid(
                    "countryCode",
                    "unknown ISO 3166-1 alpha-2 country code",
                ));
            }
            Some(upper)
        }
    };
    let amount = match query.get("amount") {
        None => None,
        Some(text) => Some(
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|a| (0..=domain::money::MAX_MINOR).contains(a))
                .ok_or_else(|| {
                    ApiError::invalid("amount", "the amount must be a whole number of minor units")
                })?,
        ),
    };
    Ok(Filter {
        currency,
        country,
        amount,
    })
}

/// The methods `caller`'s merchant offers for `filter`, in display order: none in a
/// currency its account does not accept (MB-10).
async fn offered(state: &DirectState, caller: &Caller, filter: &Filter) -> Result<Vec<Method>> {
    if let Some(c) = filter.currency {
        if !domain::company::accepts(&caller.merchant.currencies, c) {
            return Ok(Vec::new());
        }
    }
    let methods = crate::methods::load(&state.db, caller.merchant.id)
        .await
        .map_err(EngineError::from)?;
    Ok(methods.offered(filter))
}

/// `GET products`.
pub async fn products(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>> {
    let filter = filter_of(&query)?;
    let products: Vec<Value> = offered(&state, &caller, &filter)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, m)| product_json(m, i))
        .collect();
    Ok(Json(json!({ "paymentProducts": products })))
}

/// `GET products/{id}`: 404 for a product the merchant does not offer for the filters.
pub async fn product(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Value>> {
    let filter = filter_of(&query)?;
    let method = id
        .parse::<i32>()
        .ok()
        .and_then(Method::from_code)
        .ok_or_else(|| ApiError::not_found("payment product"))?;
    let offered = offered(&state, &caller, &filter).await?;
    let order = offered
        .iter()
        .position(|m| *m == method)
        .ok_or_else(|| ApiError::not_found("payment product"))?;
    Ok(Json(product_json(method, order)))
}
