//! The language a hosted payment page opens in (HP-2): the checkout's locale when the
//! merchant gave one (its redirect URL carries `?lang=`), else the payer's browser's
//! `Accept-Language` among the merchant's payment-page languages. A page asked for
//! without `lang` is sent once to the same address with it, so the whole page — server
//! render and WebAssembly — speaks one language, and the page's switch keeps working.

use crate::entities::{hosted_checkout, merchant};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{DatabaseConnection, EntityTrait};

/// The checkout id of `/pay/{centre}/{id}` (the payment page itself, not its 3-D Secure
/// or result steps).
fn checkout_id(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/pay/")?;
    let (centre, id) = rest.split_once('/')?;
    (!centre.is_empty() && !id.is_empty() && !id.contains('/') && id.len() <= 64).then_some(id)
}

/// Sends a payment page asked for without `lang` to the same page in the payer's
/// language among the merchant's.
pub async fn choose(db: DatabaseConnection, req: Request, next: Next) -> Response {
    let asked_lang = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.starts_with("lang=")));
    let id = (req.method() == Method::GET && !asked_lang)
        .then(|| checkout_id(req.uri().path()))
        .flatten()
        .map(str::to_owned);
    let Some(id) = id else {
        return next.run(req).await;
    };
    let offered = match hosted_checkout::Entity::find_by_id(id).one(&db).await {
        Ok(Some(c)) => match merchant::Entity::find_by_id(c.merchant_id).one(&db).await {
            Ok(Some(m)) => m.languages,
            _ => return next.run(req).await,
        },
        _ => return next.run(req).await,
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lang = domain::company::browser_page_language(&offered, accept);
    let target = match req.uri().query() {
        Some(q) if !q.is_empty() => format!("{}?{q}&lang={}", req.uri().path(), lang.code()),
        _ => format!("{}?lang={}", req.uri().path(), lang.code()),
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, target),
            (header::VARY, "Accept-Language".to_owned()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_payment_page_itself_is_chosen_for() {
        assert_eq!(super::checkout_id("/pay/eu/abc123"), Some("abc123"));
        assert_eq!(super::checkout_id("/pay/eu/3ds/abc123"), None);
        assert_eq!(super::checkout_id("/pay/eu/"), None);
        assert_eq!(super::checkout_id("/link/abc"), None);
    }
}
