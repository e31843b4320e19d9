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
        "post",
        "/v2/{merchantId}/terminals/{terminalId}/payments",
        "CreateTerminalPayment",
        "Start a payment on one of the merchant's card terminals (point of sale)",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/terminals/payments/{terminalPaymentId}",
        "GetTerminalPayment",
        "Follow a terminal payment: stage, result, ledger payment id, receipt",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/terminals/payments/{terminalPaymentId}/cancel",
        "CancelTerminalPayment",
        "Ask the terminal to stop a payment still running",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/paymentlinks",
        "CreatePaymentLink",
        "Create a payment link the merchant sends to its customer",
        201,
    ),
    (
        "get",
        "/v2/{merchantId}/paymentlinks/{paymentLinkId}",
        "GetPaymentLink",
        "Get a payment link: status, events, and the payment once paid",
        200,
    ),
    (
        "post",
        "/v2/{merchantId}/paymentlinks/{paymentLinkId}/cancel",
        "CancelPaymentLink",
        "Cancel a payment link that is not paid",
        204,
    ),
    (
        "post",
        "/v2/{merchantId}/paymentlinks/{paymentLinkId}/share",
        "SharePaymentLink",
        "Send a payment link by e-mail",
        204,
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

/// (operation id, request body schema, success response schema).
const BODIES: &[(&str, Option<&str>, Option<&str>)] = &[
    ("TestConnection", None, Some("TestConnection")),
    (
        "CreatePaymentLink",
        Some("CreatePaymentLinkRequest"),
        Some("PaymentLinkResponse"),
    ),
    ("GetPaymentLink", None, Some("PaymentLinkResponse")),
    ("SharePaymentLink", Some("SharePaymentLinkRequest"), None),
    ("CancelPaymentLink", None, None),
    (
        "CreateTerminalPayment",
        Some("CreateTerminalPaymentRequest"),
        Some("TerminalPaymentResponse"),
    ),
    ("GetTerminalPayment", None, Some("TerminalPaymentResponse")),
    (
        "CancelTerminalPayment",
        None,
        Some("TerminalPaymentResponse"),
    ),
    (
        "CreatePayment",
        Some("CreatePaymentRequest"),
        Some("CreatePaymentResponse"),
    ),
    ("GetPayment", None, Some("PaymentResponse")),
    ("GetPaymentDetails", None, Some("PaymentResponse")),
    (
        "CapturePayment",
        Some("CapturePaymentRequest"),
        Some("CaptureResponse"),
    ),
    ("GetCaptures", None, Some("CapturesResponse")),
    ("CancelPayment", None, Some("CancelPaymentResponse")),
    (
        "RefundPayment",
        Some("RefundRequest"),
        Some("RefundResponse"),
    ),
    ("GetRefunds", None, Some("RefundsResponse")),
    ("CompletePayment", None, Some("CancelPaymentResponse")),
    (
        "CreateHostedCheckout",
        Some("CreateHostedCheckoutRequest"),
        Some("CreateHostedCheckoutResponse"),
    ),
    ("GetHostedCheckout", None, Some("GetHostedCheckoutResponse")),
    (
        "CreateToken",
        Some("CreateTokenRequest"),
        Some("CreatedTokenResponse"),
    ),
    ("GetToken", None, Some("TokenResponse")),
    (
        "CreateHostedTokenization",
        None,
        Some("CreateHostedTokenizationResponse"),
    ),
    (
        "GetHostedTokenization",
        None,
        Some("GetHostedTokenizationResponse"),
    ),
];

/// (operation, the operation whose answer feeds it, its parameter, where in that answer):
/// the document's links, which clients and the fuzzer follow from a created resource to
/// the operations on it.
const LINKS: &[(&str, &str, &str, &str)] = &[
    (
        "GetPaymentLink",
        "CreatePaymentLink",
        "paymentLinkId",
        "/paymentLinkId",
    ),
    (
        "CancelPaymentLink",
        "CreatePaymentLink",
        "paymentLinkId",
        "/paymentLinkId",
    ),
    ("GetPayment", "CreatePayment", "paymentId", "/payment/id"),
    (
        "GetPaymentDetails",
        "CreatePayment",
        "paymentId",
        "/payment/id",
    ),
    (
        "CapturePayment",
        "CreatePayment",
        "paymentId",
        "/payment/id",
    ),
    ("GetCaptures", "CreatePayment", "paymentId", "/payment/id"),
    ("CancelPayment", "CreatePayment", "paymentId", "/payment/id"),
    ("RefundPayment", "CreatePayment", "paymentId", "/payment/id"),
    ("GetRefunds", "CreatePayment", "paymentId", "/payment/id"),
    (
        "CompletePayment",
        "CreatePayment",
        "paymentId",
        "/payment/id",
    ),
    (
        "GetHostedCheckout",
        "CreateHostedCheckout",
        "hostedCheckoutId",
        "/hostedCheckoutId",
    ),
    ("GetToken", "CreateToken", "tokenId", "/token"),
    ("DeleteToken", "CreateToken", "tokenId", "/token"),
    (
        "GetHostedTokenization",
        "CreateHostedTokenization",
        "hostedTokenizationId",
        "/hostedTokenizationId",
    ),
];

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn object(properties: Value) -> Value {
    json!({ "type": "object", "properties": properties })
}

/// The request and response shapes, as the Direct SDKs' domain classes name them.
fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let integer = json!({ "type": "integer", "format": "int64" });
    let boolean = json!({ "type": "boolean" });
    json!({
        "AmountOfMoney": object(json!({ "amount": { "type": "integer", "format": "int64", "description": "minor units" }, "currencyCode": { "type": "string", "description": "ISO 4217" } })),
        "Card": object(json!({ "cardNumber": string, "cvv": string, "expiryDate": { "type": "string", "description": "MMYY" }, "cardholderName": string })),
        "Order": object(json!({
            "amountOfMoney": reference("AmountOfMoney"),
            "references": object(json!({ "merchantReference": string, "descriptor": string })),
            "customer": object(json!({ "merchantCustomerId": string, "locale": string })),
            "shoppingCart": object(json!({ "items": { "type": "array", "items": object(json!({
                "amountOfMoney": reference("AmountOfMoney"),
                "orderLineDetails": object(json!({ "productCode": string, "productName": string, "productPrice": integer, "quantity": integer })),
            })) } })),
        })),
        "CardPaymentMethodSpecificInput": object(json!({
            "card": reference("Card"), "token": string, "tokenize": boolean, "paymentProductId": integer,
            "authorizationMode": { "type": "string", "enum": ["SALE", "PRE_AUTHORIZATION", "FINAL_AUTHORIZATION"] },
            "returnUrl": string,
            "threeDSecure": object(json!({ "redirectionData": object(json!({ "returnUrl": string })) })),
        })),
        "CreatePaymentRequest": object(json!({ "order": reference("Order"), "cardPaymentMethodSpecificInput": reference("CardPaymentMethodSpecificInput") })),
        "StatusOutput": object(json!({ "statusCode": integer, "statusCategory": string, "isCancellable": boolean, "isRefundable": boolean, "isAuthorized": boolean })),
        "PaymentResponse": object(json!({
            "id": string,
            "status": { "type": "string", "enum": ["CREATED", "REDIRECTED", "AUTHORIZATION_REQUESTED", "PENDING_CAPTURE", "CAPTURED", "REFUNDED", "REJECTED", "CANCELLED"] },
            "statusOutput": reference("StatusOutput"),
            "paymentOutput": object(json!({
                "amountOfMoney": reference("AmountOfMoney"), "acquiredAmount": reference("AmountOfMoney"),
                "references": object(json!({ "merchantReference": string })),
                "cardPaymentMethodSpecificOutput": object(json!({
                    "paymentProductId": integer, "authorisationCode": string, "token": string,
                    "card": object(json!({ "cardNumber": { "type": "string", "description": "first 6 and last 4 digits only" }, "expiryDate": string, "bin": string })),
                    "threeDSecureResults": object(json!({ "eci": string })),
                })),
            })),
        })),
        "CreatePaymentResponse": object(json!({
            "payment": reference("PaymentResponse"),
            "creationOutput": object(json!({ "token": { "type": "string", "nullable": true, "description": "absent unless the card was tokenized" }, "isNewToken": boolean, "tokenizationSucceeded": boolean })),
            "merchantAction": object(json!({ "actionType": { "type": "string", "enum": ["REDIRECT"] }, "redirectData": object(json!({ "redirectURL": string, "RETURNMAC": string })) })),
        })),
        "CapturePaymentRequest": object(json!({ "amount": integer, "isFinal": boolean })),
        "CaptureResponse": object(json!({ "id": string, "status": string, "statusOutput": reference("StatusOutput"), "captureOutput": object(json!({ "amountOfMoney": reference("AmountOfMoney") })) })),
        "CapturesResponse": object(json!({ "captures": { "type": "array", "items": reference("CaptureResponse") } })),
        "CancelPaymentResponse": object(json!({ "payment": reference("PaymentResponse") })),
        "RefundRequest": object(json!({ "amountOfMoney": reference("AmountOfMoney") })),
        "RefundResponse": object(json!({ "id": string, "status": string, "statusOutput": reference("StatusOutput"), "refundOutput": object(json!({ "amountOfMoney": reference("AmountOfMoney") })) })),
        "RefundsResponse": object(json!({ "refunds": { "type": "array", "items": reference("RefundResponse") } })),
        "CreateHostedCheckoutRequest": object(json!({
            "order": reference("Order"),
            "cardPaymentMethodSpecificInput": object(json!({ "authorizationMode": string })),
            "hostedCheckoutSpecificInput": object(json!({ "locale": string, "returnUrl": string, "showResultPage": boolean })),
        })),
        "CreateHostedCheckoutResponse": object(json!({ "hostedCheckoutId": string, "RETURNMAC": string, "redirectUrl": string, "partialRedirectUrl": string, "merchantReference": string })),
        "GetHostedCheckoutResponse": object(json!({ "status": string, "createdPaymentOutput": object(json!({ "payment": reference("PaymentResponse"), "paymentStatusCategory": string })) })),
        "CreateTokenRequest": object(json!({ "paymentProductId": integer, "card": object(json!({ "customer": object(json!({ "merchantCustomerId": string })), "data": object(json!({ "cardWithoutCvv": reference("Card") })) })) })),
        "CreatedTokenResponse": object(json!({ "token": string, "isNewToken": boolean })),
        "TokenResponse": object(json!({ "id": string, "paymentProductId": integer, "card": object(json!({ "data": object(json!({ "cardWithoutCvv": reference("Card") })) })) })),
        "CreateHostedTokenizationResponse": object(json!({ "hostedTokenizationId": string, "hostedTokenizationUrl": string, "partialRedirectUrl": string })),
        "GetHostedTokenizationResponse": object(json!({ "tokenStatus": string, "token": reference("TokenResponse") })),
        "TestConnection": object(json!({ "result": string })),
        "CreatePaymentLinkRequest": object(json!({
            "order": reference("Order"),
            "paymentLinkSpecificInput": object(json!({ "description": string, "expirationDate": { "type": "string", "format": "date-time", "description": "with its UTC offset; at most 6 months ahead (default: 30 days)" }, "recipientName": string })),
            "paymentLinkOrder": object(json!({ "amount": reference("AmountOfMoney"), "merchantReference": string })),
            "isReusableLink": boolean,
            "displayQRCode": boolean,
            "recipientName": string,
            "description": string,
            "expirationDate": { "type": "string", "format": "date-time" },
            "hostedCheckoutSpecificInput": object(json!({ "locale": string, "returnUrl": string })),
        })),
        "PaymentLinkResponse": object(json!({
            "paymentLinkId": string,
            "redirectionUrl": string,
            "status": { "type": "string", "enum": ["ACTIVE", "PAID", "CANCELLED", "EXPIRED"] },
            "expirationDate": { "type": "string", "format": "date-time" },
            "isReusableLink": boolean,
            "recipientName": string,
            "paymentLinkOrder": object(json!({ "amount": reference("AmountOfMoney"), "merchantReference": string })),
            "paymentLinkEvents": { "type": "array", "items": object(json!({ "dateTime": string, "details": string, "type": string })) },
            "paymentId": string,
            "qrCodeBase64": { "type": "string", "description": "base64 of an SVG image, when displayQRCode was true" },
        })),
        "SharePaymentLinkRequest": object(json!({ "channel": { "type": "string", "enum": ["EMAIL"] }, "locale": string, "recipient": { "type": "string", "description": "e-mail address" } })),
        "CreateTerminalPaymentRequest": object(json!({ "amountOfMoney": reference("AmountOfMoney"), "merchantReference": { "type": "string", "maxLength": 40 } })),
        "TerminalPaymentResponse": object(json!({
            "id": string,
            "terminalId": string,
            "amountOfMoney": reference("AmountOfMoney"),
            "merchantReference": string,
            "stage": { "type": "string", "enum": ["WAITING_FOR_CARD", "WAITING_FOR_PIN", "FINISHED"] },
            "result": { "type": "string", "enum": ["APPROVED", "DECLINED", "ERROR", "STOPPED", "TECHNICAL_PROBLEM"], "description": "absent while the payment runs" },
            "paymentId": { "type": "string", "description": "the card-present payment in the ledger, once the terminal answered" },
            "authorizationCode": string,
            "card": object(json!({ "brand": string, "cardNumber": { "type": "string", "description": "masked" } })),
            "receipt": string,
            "cancelRequested": boolean,
        })),
    })
}

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
        let (request, response) = BODIES
            .iter()
            .find(|(op, _, _)| op == id)
            .map(|(_, req, res)| (*req, *res))
            .unwrap_or((None, None));
        let body_schema = |name: Option<&str>| {
            name.map(reference)
                .unwrap_or_else(|| json!({ "type": "object" }))
        };
        let mut responses = Map::new();
        responses.insert(
            status.to_string(),
            json!({ "description": "Success", "content": if *status == 204 { json!({}) } else { json!({ "application/json": { "schema": body_schema(response) } }) } }),
        );
        let mut links = Map::new();
        for (to, _, param, pointer) in LINKS.iter().filter(|(_, from, _, _)| from == id) {
            links.insert(
                (*to).to_owned(),
                json!({ "operationId": to, "parameters": {
                    "merchantId": "$request.path.merchantId",
                    *param: format!("$response.body#{pointer}"),
                } }),
            );
        }
        if !links.is_empty() {
            responses.get_mut(&status.to_string()).expect("success")["links"] =
                Value::Object(links);
        }

        for (code, what) in [
            ("400", "Validation error"),
            (
                "403",
                "Missing or invalid v1HMAC signature, unknown key, Date too far, or a key that may not act for this merchant",
            ),
            ("404", "Not found"),
            (
                "409",
                "Idempotent request still in progress, or not allowed in the current status",
            ),
            (
                "429",
                "Too many failed authentications from this address: wait a minute (Retry-After)",
            ),
        ] {
            responses.insert(code.to_owned(), json!({ "description": what, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }));
        }
        if *id == "CreatePayment" {
            responses.insert("402".to_owned(), json!({ "description": "Payment declined; the body carries paymentResult", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } } }));
        }
        let mut op = json!({ "operationId": id, "summary": summary, "parameters": params, "responses": responses });
        if *method == "post" {
            op["requestBody"] = json!({ "required": request.is_some(), "content": { "application/json": { "schema": body_schema(request) } } });
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    paths.insert(
        "/v2/openapi.json".to_owned(),
        json!({ "get": {
            "operationId": "GetOpenApiDocument",
            "summary": "This document",
            "security": [],
            "parameters": [],
            "responses": { "200": { "description": "The OpenAPI document", "content": { "application/json": { "schema": { "type": "object" } } } } },
        } }),
    );
    json!({
        "openapi": "3.0.3",
        "info": { "title": "OpenPSP server API (Ingenico Direct v2 compatible)", "version": env!("CARGO_PKG_VERSION") },
        "security": [{ "v1HMAC": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "v1HMAC": { "type": "apiKey", "in": "header", "name": "Authorization", "description": "GCS v1HMAC:<apiKeyId>:<base64 HMAC-SHA256 of METHOD\\nContent-Type\\nDate\\nx-gcs headers\\npath?query\\n>" } },
            "schemas": schemas_with_errors(),
        },
    })
}

/// The handler.
pub async fn document() -> Json<Value> {
    Json(spec())
}

/// Requests that succeed, one per request shape: tools that read the document (the SDK
/// generators, the fuzzer) start from them, and reach past validation into the handlers.
fn examples() -> [(&'static str, Value); 6] {
    let amount = json!({ "amount": 1250, "currencyCode": "EUR" });
    let card = json!({ "cardNumber": "4111111111111111", "cvv": "123", "expiryDate": "1230", "cardholderName": "Wile E. Coyote" });
    [
        (
            "CreatePaymentRequest",
            json!({
                "order": { "amountOfMoney": amount, "references": { "merchantReference": "order-1" } },
                "cardPaymentMethodSpecificInput": { "card": card, "paymentProductId": 1, "authorizationMode": "FINAL_AUTHORIZATION" },
            }),
        ),
        (
            "CapturePaymentRequest",
            json!({ "amount": 1250, "isFinal": true }),
        ),
        ("RefundRequest", json!({ "amountOfMoney": amount })),
        (
            "CreateHostedCheckoutRequest",
            json!({
                "order": { "amountOfMoney": amount },
                "hostedCheckoutSpecificInput": { "locale": "en_GB", "returnUrl": "https://shop.example/return" },
            }),
        ),
        (
            "CreateTokenRequest",
            json!({
                "paymentProductId": 1,
                "card": { "customer": { "merchantCustomerId": "customer-1" }, "data": { "cardWithoutCvv": { "cardNumber": "4111111111111111", "expiryDate": "1230", "cardholderName": "Wile E. Coyote" } } },
            }),
        ),
        (
            "CreateTerminalPaymentRequest",
            json!({ "amountOfMoney": amount, "merchantReference": "till-1" }),
        ),
    ]
}

/// The fields every answer of a shape carries, so that a client (and the fuzzer's
/// response check) may count on them.
const REQUIRED: &[(&str, &[&str])] = &[
    ("ErrorResponse", &["errorId", "errors"]),
    (
        "APIError",
        &[
            "code",
            "errorCode",
            "category",
            "httpStatusCode",
            "id",
            "message",
        ],
    ),
    ("PaymentResponse", &["id", "status", "statusOutput"]),
    ("CreatePaymentResponse", &["payment"]),
    ("CancelPaymentResponse", &["payment"]),
    ("CaptureResponse", &["id", "status"]),
    ("CapturesResponse", &["captures"]),
    ("RefundResponse", &["id", "status"]),
    ("RefundsResponse", &["refunds"]),
    ("CreateHostedCheckoutResponse", &["hostedCheckoutId"]),
    ("GetHostedCheckoutResponse", &["status"]),
    ("CreatedTokenResponse", &["token"]),
    (
        "CreateHostedTokenizationResponse",
        &["hostedTokenizationId"],
    ),
    ("GetHostedTokenizationResponse", &["tokenStatus"]),
    ("TestConnection", &["result"]),
    ("TerminalPaymentResponse", &["id", "terminalId", "stage"]),
];

fn schemas_with_errors() -> Value {
    let mut all = schemas();
    for (name, example) in examples() {
        all[name]["example"] = example;
    }
    all["APIError"] = object(json!({
        "code": { "type": "string" }, "errorCode": { "type": "string" }, "category": { "type": "string" },
        "httpStatusCode": { "type": "integer" }, "id": { "type": "string" }, "message": { "type": "string" },
        "propertyName": { "type": "string" },
    }));
    all["ErrorResponse"] = object(json!({
        "errorId": { "type": "string" },
        "errors": { "type": "array", "items": reference("APIError") },
        "paymentResult": reference("CreatePaymentResponse"),
    }));
    for (name, fields) in REQUIRED {
        all[*name]["required"] = json!(fields);
    }
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reference_resolves_and_every_operation_has_its_bodies() {
        let doc = super::spec();
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(doc["components"]["schemas"][&name].is_object(), "{name}");
        }
        for (name, fields) in super::REQUIRED {
            for field in *fields {
                assert!(
                    doc["components"]["schemas"][name]["properties"][field].is_object(),
                    "{name}.{field}"
                );
            }
        }
        for (to, from, _, _) in super::LINKS {
            for op in [to, from] {
                assert!(
                    super::OPERATIONS.iter().any(|(_, _, id, _, _)| id == op),
                    "{op}"
                );
            }
        }
        for (_, _, id, _, _) in super::OPERATIONS {
            assert!(
                super::BODIES.iter().any(|(op, _, _)| op == id)
                    || id.starts_with("GetPaymentProduct")
                    || *id == "DeleteToken",
                "{id}"
            );
        }
    }
}
