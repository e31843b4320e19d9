//! The server API (API-1..5) at `/v2/{merchantId}/…`, wire-compatible with Ingenico
//! Direct v2: v1HMAC authentication, idempotence, Direct JSON shapes and error bodies.

pub mod auth;
pub mod fields;
pub mod home;
pub mod hosted;
pub mod idempotence;
pub mod key_cache;
pub mod openapi;
pub mod paylinks;
pub mod payments;
pub mod products;
pub mod redirect;
pub mod terminals;
pub mod tokens;

use crate::entities::merchant;
use crate::payments::engine::PaymentEngine;
use crate::payments::error::EngineError;
use crate::platform::config::Config;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{middleware, Router};
use domain::payment::PaymentError;
use sea_orm::DatabaseConnection;
use serde_json::{json as value, Value};
use std::sync::Arc;

/// Largest API request body.
pub const BODY_LIMIT: usize = 64 * 1024;

/// State of the API routes.
#[derive(Clone)]
pub struct DirectState {
    /// The engine.
    pub engine: PaymentEngine,
    /// Database.
    pub db: DatabaseConnection,
    /// Configuration.
    pub config: Arc<Config>,
    /// Card terminals (the POS API).
    pub terminals: Arc<crate::terminals::TerminalHub>,
    /// API keys with their merchants kept between requests.
    pub keys: Arc<key_cache::KeyCache>,
}

/// The authenticated caller, put in the request's extensions by [`auth::require`].
#[derive(Clone, Debug)]
pub struct Caller {
    /// The merchant the key belongs to (and the path names).
    pub merchant: merchant::Model,
    /// The API key id.
    pub key_id: String,
    /// The caller's address as the socket saw it (for the audit log).
    pub ip: String,
}

impl Caller {
    /// The caller as the engine records who did an operation.
    pub fn initiator(&self) -> crate::payments::engine::Initiator {
        crate::payments::engine::Initiator::ApiKey {
            key: self.key_id.clone(),
            ip: self.ip.clone(),
        }
    }
}

/// A Direct error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// One error with Direct's fields.
    pub fn new(status: StatusCode, code: &str, id: &str, message: &str) -> ApiError {
        ApiError::with_property(status, code, id, message, None)
    }

    /// One error naming the property at fault.
    pub fn with_property(
        status: StatusCode,
        code: &str,
        id: &str,
        message: &str,
        property: Option<&str>,
    ) -> ApiError {
        // Direct sends both names; SDK 1.10 reads `code`, later ones `errorCode`.
        let mut error = value!({
            "code": code,
            "errorCode": code,
            "category": if status.is_server_error() { "IO_ERROR" } else { "DIRECT_PLATFORM_ERROR" },
            "httpStatusCode": status.as_u16(),
            "id": id,
            "message": message,
        });
        // Current SDKs read `retriable`: a gateway that failed may be asked again.
        if matches!(
            status,
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE
        ) {
            error["retriable"] = value!(true);
        }
        if let Some(property) = property {
            error["propertyName"] = value!(property);
        }
        ApiError {
            status,
            body: value!({ "errorId": uuid::Uuid::new_v4().to_string(), "errors": [error] }),
        }
    }

    /// 400 for `property`.
    pub fn invalid(property: &str, message: &str) -> ApiError {
        ApiError::with_property(
            StatusCode::BAD_REQUEST,
            "1000",
            "PARAMETER_NOT_FOUND_IN_REQUEST",
            message,
            Some(property),
        )
    }

    /// 404.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "1002",
            "UNKNOWN_PAYMENT_ID",
            &format!("{what} not found"),
        )
    }

    /// A declined payment: 402 with the payment result, as Direct answers.
    pub fn declined(code: &str, reason: &str, result: Value) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            code,
            "PAYMENT_DECLINED",
            reason,
        );
        error.body["errors"][0]["category"] = value!("PAYMENT_PLATFORM_ERROR");
        error.body["paymentResult"] = result;
        error
    }

    /// Status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON body.
    pub fn body(&self) -> &Value {
        &self.body
    }

    /// The JSON body, given away.
    pub fn into_body(self) -> Value {
        self.body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> ApiError {
        match e {
            EngineError::Invalid { property, message } => ApiError::invalid(&property, &message),
            EngineError::Card { property, error } => {
                ApiError::invalid(&property, &error.to_string())
            }
            EngineError::NotFound => ApiError::not_found("payment"),
            EngineError::Refused(PaymentError::WrongStatus) => ApiError::new(
                StatusCode::CONFLICT,
                "300450",
                "ACTION_NOT_ALLOWED_ON_TARGET",
                "this operation is not allowed in the payment's current status",
            ),
            EngineError::Refused(PaymentError::OverCapture) => ApiError::with_property(
                StatusCode::BAD_REQUEST,
                "1001",
                "INVALID_VALUE",
                "the amount exceeds what may be captured",
                Some("amount"),
            ),
            EngineError::Refused(PaymentError::OverRefund) => ApiError::with_property(
                StatusCode::BAD_REQUEST,
                "1001",
                "INVALID_VALUE",
                "the amount exceeds what may be refunded",
                Some("amountOfMoney.amount"),
            ),
            EngineError::Refused(PaymentError::NotPositive) => ApiError::with_property(
                StatusCode::BAD_REQUEST,
                "1001",
                "INVALID_VALUE",
                "the amount must be above zero",
                Some("amountOfMoney.amount"),
            ),
            EngineError::Acquirer(_) => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "9100",
                "ACQUIRER_UNAVAILABLE",
                "the acquirer did not answer; nothing was changed, try again",
            ),
            other => {
                tracing::error!(error = %other, "API request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "9999",
                    "INTERNAL_SERVER_ERROR",
                    "internal error; try again",
                )
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> ApiError {
        EngineError::Db(e).into()
    }
}

/// Whether `path` belongs to the server API: every answer under it is a Direct JSON body,
/// never a page, a redirect to the login page or the HTML "not found".
pub fn is_api_path(path: &str) -> bool {
    path == "/v2" || path.starts_with("/v2/")
}

/// A path under `/v2` that the API does not serve: 404 with a Direct error body, which
/// the SDKs turn into their reference exception instead of failing to parse HTML.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "1002",
        "UNKNOWN_RESOURCE",
        "the server API has no such resource",
    )
}

/// A method a served `/v2` path does not take: 405 with a Direct error body.
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "1003",
        "METHOD_NOT_ALLOWED",
        "this resource does not take that HTTP method",
    )
}

/// How one `/v2` route is answered, given the method it is mounted for.
type Mount = fn(MethodFilter) -> MethodRouter<DirectState>;

/// The `/v2` routes behind v1HMAC authentication and idempotence, as (method, path,
/// handler): the router is built from this table and [`routes`] lists it, so the list of
/// what the API serves (the OpenAPI document's test, the cross-tenant test) cannot drift.
const MERCHANT_ROUTES: &[(&str, &str, Mount)] = &[
    ("GET", "/v2/{merchant_id}/services/testconnection", |m| {
        on(m, payments::test_connection)
    }),
    ("POST", "/v2/{merchant_id}/payments", |m| {
        on(m, payments::create_payment)
    }),
    ("GET", "/v2/{merchant_id}/payments/{payment_id}", |m| {
        on(m, payments::get_payment)
    }),
    (
        "GET",
        "/v2/{merchant_id}/payments/{payment_id}/details",
        |m| on(m, payments::payment_details),
    ),
    (
        "POST",
        "/v2/{merchant_id}/payments/{payment_id}/capture",
        |m| on(m, payments::capture),
    ),
    (
        "GET",
        "/v2/{merchant_id}/payments/{payment_id}/captures",
        |m| on(m, payments::captures),
    ),
    (
        "POST",
        "/v2/{merchant_id}/payments/{payment_id}/cancel",
        |m| on(m, payments::cancel),
    ),
    (
        "POST",
        "/v2/{merchant_id}/payments/{payment_id}/refund",
        |m| on(m, payments::refund),
    ),
    (
        "GET",
        "/v2/{merchant_id}/payments/{payment_id}/refunds",
        |m| on(m, payments::refunds),
    ),
    (
        "POST",
        "/v2/{merchant_id}/payments/{payment_id}/complete",
        |m| on(m, payments::complete),
    ),
    ("POST", "/v2/{merchant_id}/hostedcheckouts", |m| {
        on(m, hosted::create_hosted_checkout)
    }),
    (
        "GET",
        "/v2/{merchant_id}/hostedcheckouts/{checkout_id}",
        |m| on(m, hosted::get_hosted_checkout),
    ),
    ("POST", "/v2/{merchant_id}/tokens", |m| {
        on(m, tokens::create_token)
    }),
    ("GET", "/v2/{merchant_id}/tokens/{token_id}", |m| {
        on(m, tokens::get_token)
    }),
    ("DELETE", "/v2/{merchant_id}/tokens/{token_id}", |m| {
        on(m, tokens::delete_token)
    }),
    ("POST", "/v2/{merchant_id}/hostedtokenizations", |m| {
        on(m, hosted::create_hosted_tokenization)
    }),
    (
        "GET",
        "/v2/{merchant_id}/hostedtokenizations/{tokenization_id}",
        |m| on(m, hosted::get_hosted_tokenization),
    ),
    (
        "POST",
        "/v2/{merchant_id}/terminals/{terminal_id}/payments",
        |m| on(m, terminals::start),
    ),
    ("GET", "/v2/{merchant_id}/terminals/payments/{id}", |m| {
        on(m, terminals::get)
    }),
    (
        "POST",
        "/v2/{merchant_id}/terminals/payments/{id}/cancel",
        |m| on(m, terminals::cancel),
    ),
    ("POST", "/v2/{merchant_id}/paymentlinks", |m| {
        on(m, paylinks::create_payment_link)
    }),
    (
        "GET",
        "/v2/{merchant_id}/paymentlinks/{payment_link_id}",
        |m| on(m, paylinks::get_payment_link),
    ),
    (
        "POST",
        "/v2/{merchant_id}/paymentlinks/{payment_link_id}/cancel",
        |m| on(m, paylinks::cancel_payment_link),
    ),
    (
        "POST",
        "/v2/{merchant_id}/paymentlinks/{payment_link_id}/share",
        |m| on(m, paylinks::share_payment_link),
    ),
    ("GET", "/v2/{merchant_id}/products", |m| {
        on(m, products::products)
    }),
    ("GET", "/v2/{merchant_id}/products/{product_id}", |m| {
        on(m, products::product)
    }),
];

/// The `/v2` routes anyone may call.
const PUBLIC_ROUTES: &[(&str, &str, Mount)] =
    &[("GET", "/v2/openapi.json", |m| on(m, openapi::document))];

/// Every (method, path) the `/v2` router mounts, in axum's path syntax.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    PUBLIC_ROUTES
        .iter()
        .chain(MERCHANT_ROUTES)
        .map(|(method, path, _)| (*method, *path))
}

fn mount(table: &[(&str, &str, Mount)]) -> Router<DirectState> {
    table
        .iter()
        .fold(Router::new(), |router, (method, path, handler)| {
            let method = axum::http::Method::from_bytes(method.as_bytes()).expect("HTTP method");
            let filter = MethodFilter::try_from(method).expect("a method axum routes");
            // Two methods on one path merge into one method router.
            router.route(path, handler(filter))
        })
}

/// The `/v2` routes.
pub fn router(state: DirectState) -> Router {
    let merchant_routes = mount(MERCHANT_ROUTES)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotence::layer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), auth::require))
        // Before anything else: a call for a merchant homed elsewhere is passed on.
        .layer(middleware::from_fn_with_state(state.clone(), home::route));
    mount(PUBLIC_ROUTES)
        .method_not_allowed_fallback(method_not_allowed)
        .merge(merchant_routes)
        .layer(middleware::from_fn(clean_address))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .with_state(state)
}

/// Before anything reads it: an address whose path (decoded) holds a control character
/// (`%00` …) names nothing, 404; a query parameter holding one is refused, 400, on its
/// name. A NUL cannot even be compared in PostgreSQL: a lookup with one failed as a 500.
async fn clean_address(req: axum::extract::Request, next: middleware::Next) -> Response {
    let uri = req.uri();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if !domain::text::is_clean(&path) {
        return ApiError::not_found("resource").into_response();
    }
    let unclean = uri
        .query()
        .and_then(|q| crate::platform::form_text::unclean_field(q.as_bytes()));
    if let Some(name) = unclean {
        return ApiError::invalid(
            &name,
            &format!("{name} must not hold control characters other than tab and line ends"),
        )
        .into_response();
    }
    next.run(req).await
}
