//! The Direct JSON of a payment link (`PaymentLinkResponse` of the Direct SDKs), for API
//! answers and webhook bodies.

use super::store::status;
use crate::checkout::port::lang_query;
use crate::entities::{payment_link, payment_link_event};
use crate::payments::records::public_id;
use chrono::{SecondsFormat, Utc};
use domain::paylink::LinkStatus;
use serde_json::{json, Value};

/// The payer's address of a link, absolute: an invoice's and an API link's in the
/// customer's language, a template's in the language of each payer's browser.
pub fn url(public_url: &str, row: &payment_link::Model) -> String {
    format!(
        "{}/link/{}{}",
        public_url.trim_end_matches('/'),
        row.public_id,
        if row.kind == super::store::Kind::Link.code() {
            String::new()
        } else {
            lang_query(&row.locale)
        }
    )
}

/// The Direct status of a link.
pub fn status_code(row: &payment_link::Model) -> &'static str {
    match row.status_at(Utc::now()) {
        LinkStatus::Active => status::ACTIVE,
        LinkStatus::Paid => status::PAID,
        LinkStatus::Disabled => status::CANCELLED,
        LinkStatus::Expired => status::EXPIRED,
    }
}

/// `PaymentLinkResponse`.
pub fn link(
    row: &payment_link::Model,
    events: &[payment_link_event::Model],
    public_url: &str,
) -> Value {
    let mut order = json!({ "merchantReference": row.merchant_reference });
    if let Some(amount) = row.amount {
        order["amount"] = json!({ "amount": amount, "currencyCode": row.currency });
    }
    let mut body = json!({
        "paymentLinkId": row.public_id,
        "redirectionUrl": url(public_url, row),
        "status": status_code(row),
        "isReusableLink": row.reusable,
        "recipientName": row.recipient_name,
        "paymentLinkOrder": order,
        "paymentLinkEvents": events.iter().map(|e| json!({
            "dateTime": e.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "details": e.details,
            "type": e.kind,
        })).collect::<Vec<_>>(),
    });
    if let Some(end) = row.expires_at {
        body["expirationDate"] = json!(end.to_rfc3339_opts(SecondsFormat::Millis, true));
    }
    if let Some(payment) = row.payment_id {
        body["paymentId"] = json!(public_id(payment));
    }
    body
}
