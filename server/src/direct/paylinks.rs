//! `paymentlinks` (the Payment Links resource of the current Direct API): create, get,
//! cancel and share a link, with the shapes of the Direct SDKs (`CreatePaymentLinkRequest`,
//! `PaymentLinkResponse`, `SharePaymentLinkRequest`). The deprecated places of a field
//! (`paymentLinkOrder`, top-level `recipientName`, `expirationDate`, `description`) are
//! read when the current ones are absent.

use super::{ApiError, Caller, DirectState};
use crate::paylinks::store::{self, Kind, NewLink, StoredLine};
use crate::paylinks::{wire, By, LinkError, PaylinkService};
use crate::platform::qr;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use domain::paylink::{AmountRule, Asked};
use serde_json::Value;

use super::fields::*;

/// The farthest expiry a link may get (Direct: "not more than 6 months in the future").
const MAX_EXPIRY_DAYS: i64 = 183;
/// The expiry of a link created without one.
const DEFAULT_EXPIRY_DAYS: i64 = 30;

fn link_error(e: LinkError) -> ApiError {
    match e {
        LinkError::NotFound => ApiError::not_found("payment link"),
        LinkError::NotNow(what) => ApiError::new(
            StatusCode::CONFLICT,
            "300450",
            "PAYMENT_LINK_NOT_ACTIVE",
            &format!("the payment link is {what}"),
        ),
        LinkError::Currency => ApiError::invalid(
            "order.amountOfMoney.currencyCode",
            "the merchant's account does not accept this currency",
        ),
        LinkError::Db(e) => e.into(),
    }
}

fn text(v: &Value, paths: &[&str], most: usize) -> Result<String> {
    for path in paths {
        if let Some(s) = string(v, path)? {
            if s.chars().count() > most {
                return Err(ApiError::invalid(
                    path,
                    &format!("{path} is longer than {most} characters"),
                ));
            }
            return Ok(s.trim().to_owned());
        }
    }
    Ok(String::new())
}

fn expiry(v: &Value, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    for path in ["paymentLinkSpecificInput.expirationDate", "expirationDate"] {
        let Some(s) = string(v, path)? else { continue };
        let at = DateTime::parse_from_rfc3339(&s)
            .map_err(|_| {
                ApiError::invalid(
                    path,
                    "expirationDate must be a date and time with its UTC offset",
                )
            })?
            .with_timezone(&Utc);
        if at <= now {
            return Err(ApiError::invalid(path, "expirationDate is in the past"));
        }
        if at > now + Duration::days(MAX_EXPIRY_DAYS) {
            return Err(ApiError::invalid(
                path,
                "expirationDate may be at most 6 months in the future",
            ));
        }
        return Ok(at);
    }
    Ok(now + Duration::days(DEFAULT_EXPIRY_DAYS))
}

fn response(
    state: &DirectState,
    row: &crate::entities::payment_link::Model,
    events: &[crate::entities::payment_link_event::Model],
    with_qr: bool,
) -> Value {
    let mut body = wire::link(row, events, &state.config.public_url);
    if with_qr {
        let svg = qr::svg(&wire::url(&state.config.public_url, row));
        body["qrCodeBase64"] = Value::String(base64::engine::general_purpose::STANDARD.encode(svg));
    }
    body
}

/// `POST paymentlinks`.
pub async fn create_payment_link(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    bytes: axum::body::Bytes,
) -> Result<Response> {
    let v = body(&bytes)?;
    let now = Utc::now();
    let amount =
        if at(&v, "order.amountOfMoney").is_some() || at(&v, "paymentLinkOrder.amount").is_none() {
            money(&v, "order.amountOfMoney")?
        } else {
            money(&v, "paymentLinkOrder.amount")?
        };
    let reference = text(
        &v,
        &[
            "order.references.merchantReference",
            "paymentLinkOrder.merchantReference",
        ],
        50,
    )?;
    let description = text(
        &v,
        &["paymentLinkSpecificInput.description", "description"],
        1000,
    )?;
    let recipient = text(
        &v,
        &["paymentLinkSpecificInput.recipientName", "recipientName"],
        100,
    )?;
    let expires_at = expiry(&v, now)?;
    let cart: Vec<StoredLine> = cart(&v, amount.currency())?
        .into_iter()
        .map(|l| StoredLine {
            name: l.name,
            unit_price: l.unit_price,
            quantity_thousandths: l.quantity_thousandths,
            measure: String::new(),
            article: l.code,
        })
        .collect();
    if !cart.is_empty() {
        let total = cart.iter().try_fold(0i64, |sum, l| {
            domain::cart::Quantity::from_thousandths(l.quantity_thousandths)
                .ok()
                .and_then(|q| sum.checked_add(domain::cart::line_amount(l.unit_price, q)))
        });
        if total != Some(amount.minor()) {
            return Err(ApiError::invalid(
                "order.amountOfMoney.amount",
                "the amount must equal the total of the shopping cart",
            ));
        }
    }
    let spec = "hostedCheckoutSpecificInput";
    let new = NewLink {
        kind: Kind::Api,
        name: String::new(),
        internal_note: String::new(),
        title: String::new(),
        description,
        currency: amount.currency(),
        amount: AmountRule::Fixed(amount.minor()),
        merchant_reference: reference,
        recipient_name: recipient,
        recipient_email: String::new(),
        merchant_customer_id: Some(text(&v, &["order.customer.merchantCustomerId"], 50)?)
            .filter(|c| !c.is_empty()),
        locale: crate::checkout::port::locale_lang(&locale(&v, &format!("{spec}.locale")))
            .code()
            .to_owned(),
        cart,
        asked: Asked::default(),
        reusable: boolean(&v, "isReusableLink")?.unwrap_or(false),
        due_at: None,
        expires_at: Some(expires_at),
        remind: false,
        return_url: match return_url(&v, &format!("{spec}.returnUrl"))? {
            Some(url) if url.len() > 512 => {
                return Err(ApiError::invalid(
                    &format!("{spec}.returnUrl"),
                    "the return URL is longer than 512 characters",
                ))
            }
            url => url,
        },
    };
    let service = PaylinkService::new(state.engine.clone());
    let by = By {
        user_id: None,
        actor: &caller.key_id,
        ip: &caller.ip,
    };
    let row = service
        .create(&caller.merchant, new, false, &by)
        .await
        .map_err(link_error)?;
    let events = store::events_of(&state.db, row.id).await?;
    let with_qr = boolean(&v, "displayQRCode")?.unwrap_or(false);
    Ok((
        StatusCode::CREATED,
        Json(response(&state, &row, &events, with_qr)),
    )
        .into_response())
}

/// `GET paymentlinks/{id}`.
pub async fn get_payment_link(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let row = store::find(&state.db, caller.merchant.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("payment link"))?;
    let events = store::events_of(&state.db, row.id).await?;
    Ok(Json(response(&state, &row, &events, false)))
}

/// `POST paymentlinks/{id}/cancel`.
pub async fn cancel_payment_link(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let by = By {
        user_id: None,
        actor: &caller.key_id,
        ip: &caller.ip,
    };
    PaylinkService::new(state.engine.clone())
        .cancel(&caller.merchant, &id, &by)
        .await
        .map_err(link_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST paymentlinks/{id}/share`: sends the link by e-mail.
pub async fn share_payment_link(
    State(state): State<DirectState>,
    Extension(caller): Extension<Caller>,
    Path((_, id)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<StatusCode> {
    let v = body(&bytes)?;
    match string(&v, "channel")?.as_deref() {
        None | Some("EMAIL") | Some("email") => {}
        Some(_) => return Err(ApiError::invalid("channel", "channel must be EMAIL")),
    }
    let to = string(&v, "recipient")?
        .ok_or_else(|| ApiError::invalid("recipient", "recipient is required"))?;
    let to = domain::account::parse_email(&to)
        .ok()
        .filter(|to| to.len() <= 254)
        .ok_or_else(|| ApiError::invalid("recipient", "recipient is not an e-mail address"))?;
    let locale = string(&v, "locale")?;
    PaylinkService::new(state.engine.clone())
        .share(&caller.merchant, &id, &to, locale.as_deref())
        .await
        .map_err(link_error)?;
    Ok(StatusCode::NO_CONTENT)
}
