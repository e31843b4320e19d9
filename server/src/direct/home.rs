//! The generic endpoint (PL-4). A deployment with `OPENPSP_GENERIC_ENDPOINT=on` answers
//! API calls for its own merchants and passes a call for a merchant homed in another
//! cluster (the `merchant_homes` directory, filled with `openpsp home-merchant`) to that
//! cluster's URL (`OPENPSP_CLUSTER_URLS`), returning its answer unchanged. Nothing of the
//! call is written here: no idempotence record, no payment, no log of its body.
//!
//! Passed on, not redirected: the SDKs' HTTP clients drop the `Authorization` header
//! when a redirect leads to another host, while v1HMAC signs the path and headers but
//! not the host, so the signed request verifies unchanged at the home cluster. The
//! address passed to is the operator's configuration, never the caller's; the body is
//! bounded by the API's limit and the answer by [`MAX_ANSWER`], with a timeout.

use super::{ApiError, DirectState};
use crate::entities::{merchant, merchant_home};
use crate::platform::config::{clusters_text, is_cluster};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use std::sync::LazyLock;
use std::time::Duration;

/// Largest answer passed back from a home cluster.
pub const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// How long a home cluster may take to answer.
const TIMEOUT: Duration = Duration::from_secs(30);

static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .expect("HTTP client")
});

/// Request headers never passed on (hop by hop, or set by the client for the new hop).
/// `accept-encoding` too: the answer is read as sent and compressed again here, if at
/// all, for the caller.
const NOT_PASSED: [&str; 11] = [
    "accept-encoding",
    "host",
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
];

/// The merchant id of a `/v2/{merchantId}/…` path.
fn merchant_of_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v2/")?;
    let (id, _) = rest.split_once('/')?;
    (!id.is_empty() && id.len() <= 64).then_some(id)
}

/// The base URL of `pspid`'s home cluster when it is homed in another cluster this
/// deployment knows the URL of; `None` for its own merchants and unknown ones. One
/// lookup per call: the directory never names a merchant of this cluster ([`set_home`]
/// refuses one, and provisioning refuses a PSPID homed elsewhere).
async fn home_url(
    db: &DatabaseConnection,
    urls: &[(String, String)],
    pspid: &str,
) -> Result<Option<String>, DbErr> {
    let Some(home) = merchant_home::Entity::find_by_id(pspid.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let url = urls
        .iter()
        .find(|(cluster, _)| *cluster == home.cluster)
        .map(|(_, url)| url.clone());
    if url.is_none() {
        tracing::warn!(cluster = %home.cluster, "a merchant's home cluster has no URL here");
    }
    Ok(url)
}

/// Records that `pspid` is homed in `cluster`, another cluster than `own` (the
/// `home-merchant` command). Refused for a merchant of this cluster: its data is here.
pub async fn set_home(
    db: &DatabaseConnection,
    own: &str,
    pspid: &str,
    cluster: &str,
) -> Result<(), String> {
    let cluster = cluster.trim().to_lowercase();
    if !is_cluster(&cluster) || cluster == own {
        return Err(format!(
            "the home cluster must be {} other than {own}, got {cluster}",
            clusters_text()
        ));
    }
    if pspid.is_empty() || pspid.len() > 64 {
        return Err("a PSPID has 1 to 64 characters".to_owned());
    }
    let local = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .one(db)
        .await
        .map_err(|e| e.to_string())?;
    if local.is_some() {
        return Err(format!("{pspid} is a merchant of this cluster"));
    }
    let row = merchant_home::ActiveModel {
        pspid: Set(pspid.to_owned()),
        cluster: Set(cluster),
        created_at: Set(chrono::Utc::now()),
    };
    merchant_home::Entity::insert(row)
        .on_conflict(
            OnConflict::column(merchant_home::Column::Pspid)
                .update_column(merchant_home::Column::Cluster)
                .to_owned(),
        )
        .exec(db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn bad_gateway(message: &str) -> Response {
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "1003",
        "HOME_CLUSTER_UNAVAILABLE",
        message,
    )
    .into_response()
}

/// Passes `req` to `base` and answers what it answers.
async fn pass_on(base: &str, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, super::BODY_LIMIT).await else {
        return ApiError::invalid("body", "the request body is too large").into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut out = CLIENT.request(parts.method.clone(), format!("{base}{path}"));
    for (name, value) in &parts.headers {
        if !NOT_PASSED.contains(&name.as_str()) {
            out = out.header(name, value);
        }
    }
    let mut answer = match out.body(body).send().await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(error = %e, "the home cluster did not answer");
            return bad_gateway("the merchant's home cluster did not answer");
        }
    };
    let status = answer.status();
    let headers: Vec<(HeaderName, header::HeaderValue)> = answer
        .headers()
        .iter()
        .filter(|(name, _)| {
            *name == header::CONTENT_TYPE
                || *name == header::LOCATION
                || name.as_str().starts_with("x-gcs-")
        })
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let mut bytes = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_ANSWER => {
                bytes.extend_from_slice(&chunk)
            }
            Ok(Some(_)) => return bad_gateway("the home cluster's answer is too large"),
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "the home cluster's answer was cut");
                return bad_gateway("the merchant's home cluster did not answer");
            }
        }
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().extend(headers);
    response
}

/// Serves calls for this cluster's merchants here and passes the others on (generic
/// endpoint only).
pub async fn route(State(state): State<DirectState>, req: Request, next: Next) -> Response {
    if !state.config.generic_endpoint {
        return next.run(req).await;
    }
    let Some(pspid) = merchant_of_path(req.uri().path()).map(str::to_owned) else {
        return next.run(req).await;
    };
    match home_url(&state.db, &state.config.cluster_urls, &pspid).await {
        Ok(None) => next.run(req).await,
        Ok(Some(base)) => pass_on(&base, req).await,
        Err(e) => {
            tracing::error!(error = %e, "finding a merchant's home cluster");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "9999",
                "INTERNAL_SERVER_ERROR",
                "internal error; try again",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merchant_is_the_first_segment_after_v2() {
        assert_eq!(merchant_of_path("/v2/shop/payments"), Some("shop"));
        assert_eq!(
            merchant_of_path("/v2/shop/payments/1/capture"),
            Some("shop")
        );
        assert_eq!(merchant_of_path("/v2/openapi.json"), None);
        assert_eq!(merchant_of_path("/v2//payments"), None);
        assert_eq!(merchant_of_path("/pay/x/y"), None);
    }
}
