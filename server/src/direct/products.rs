//! `products` (API-5): the payment products (card brands) on offer.

use super::ApiError;
use axum::extract::{Path, Query};
use axum::Json;
use domain::card::Brand;
use domain::money::Currency;
use serde_json::{json, Value};
use std::collections::HashMap;

use super::fields::*;

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
