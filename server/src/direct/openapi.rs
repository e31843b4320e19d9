//! `/v2/openapi.json` (API-5): the routes this server answers, their security and the
//! shapes of the error body, generated from one table so it cannot drift from the router.

use axum::Json;
use serde_json::{json, Map, Value};

/// (method, path, operation id, summary, success status).
pub const OPERATIONS: &[(&str, &str, &str, &str, u16)] = &[
    (
        "get",
        "/v2/{merchantId}/services/testconnection",
        "TestConnection",
        "Test the connection and the API key",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/payments",
        "CreatePayment",
        "Create a card payment (S2S)",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/payments/{paymentId}",
        "GetPayment",
        "Get a payment",
        200,
    ),
    (
        "get",
        "/v2/{merchantId}/payments/{paymentId}/details",
        "GetPaymentDetails",
        "Get a payment with its operations",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/payments/{paymentId}/capture",
        "CapturePayment",
        "Capture all or part of an authorisation",
        200,
    ),
    (
        "get",
        "/v2/{merchantId}/payments/{paymentId}/captures",
        "GetCaptures",
        "List the captures of a payment",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/payments/{paymentId}/cancel",
        "CancelPayment",
        "Cancel an authorisation",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/payments/{paymentId}/refund",
        "RefundPayment",
        "Refund all or part of the captured amount",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/payments/{paymentId}/refunds",
        "GetRefunds",
        "List the refunds of a payment",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/payments/{paymentId}/complete",
        "CompletePayment",
        "Complete a payment",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/hostedcheckouts",
        "CreateHostedCheckout",
        "Create a hosted checkout session",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/hostedcheckouts/{hostedCheckoutId}",
        "GetHostedCheckout",
        "Get a hosted checkout session",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/tokens",
        "CreateToken",
        "Store a card as a token",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/tokens/{tokenId}",
        "GetToken",
        "Get a token",
        200,
    ),
    (
        "delete",
        "/v2/{merchantId}/tokens/{tokenId}",
        "DeleteToken",
        "Delete a token",
        204,
    ),
    (
        "post",
        "/v2/{merchantId}/hostedtokenizations",
        "CreateHostedTokenization",
        "Create a hosted tokenization session",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/hostedtokenizations/{hostedTokenizationId}",
        "GetHostedTokenization",
        "Get a hosted tokenization session",
        200,
    ),
    (
        "get",
        "/v2/{merchantId}/products",
        "GetPaymentProducts",
        "List the payment products",
        200,
    ),
    (
        "get",
        "/v2/{merchantId}/products/{paymentProductId}",
        "GetPaymentProduct",
        "Get a payment product",
        200,
    ),
];

/// The document.
pub fn spec() -> Value {
    let mut paths = Map::new();
    for (method, path, id, summary, status) in OPERATIONS {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .chain([
                json!({ "name": "Date", "in": "header", "required": true, "schema": { "type": "string" }, "description": "RFC 1123 date, within 15 minutes of the server time" }),
            ])
            .chain((*method == "post").then(|| json!({ "name": "X-GCS-Idempotence-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 40 } })))
            .collect();
        let mut responses = Map::new();
        responses.insert(status.to_string(), json!({ "description": "Success", "content": if *status == 204 { json!({}) } else { json!({ "application/json": { "schema": { "type": "object" } } }) } }));
        for (code, what) in [
            ("400", "Validation error"),
            (
                "401",
                "Missing or invalid v1HMAC signature, unknown key or Date too far",
            ),
            ("403", "The key may not act for this merchant"),
            ("404", "Not found"),
            (
                "409",
                "Idempotent request still in progress, or not allowed in the current status",
            ),
        ] {
            responses.insert(code.to_owned(), json!({ "description": what, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }));
        }
        if *id == "CreatePayment" {
            responses.insert("402".to_owned(), json!({ "description": "Payment declined; the body carries paymentResult", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }));
        }
        let mut op = json!({ "operationId": id, "summary": summary, "parameters": params, "responses": responses });
        if *method == "post" {
            op["requestBody"] = json!({ "required": false, "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.0.3",
        "info": { "title": "OpenPSP server API (Ingenico Direct v2 compatible)", "version": env!("CARGO_PKG_VERSION") },
        "security": [{ "v1HMAC": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "v1HMAC": { "type": "apiKey", "in": "header", "name": "Authorization", "description": "GCS v1HMAC:<apiKeyId>:<base64 HMAC-SHA256 of METHOD\\nContent-Type\\nDate\\nx-gcs headers\\npath?query\\n>" } },
            "schemas": {
                "APIError": { "type": "object", "properties": {
                    "errorCode": { "type": "string" }, "category": { "type": "string" }, "httpStatusCode": { "type": "integer" },
                    "id": { "type": "string" }, "message": { "type": "string" }, "propertyName": { "type": "string" } } },
                "ErrorResponse": { "type": "object", "properties": {
                    "errorId": { "type": "string" },
                    "errors": { "type": "array", "items": { "$ref": "#/components/schemas/APIError" } },
                    "paymentResult": { "type": "object" } } },
            },
        },
    })
}

/// The handler.
pub async fn document() -> Json<Value> {
    Json(spec())
}
