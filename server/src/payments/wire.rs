//! Direct v2 JSON shapes of our records, as the Direct SDK's domain classes read them.
//! Card numbers appear masked (first 6, last 4) only.

use crate::entities::{hosted_checkout, operation, payment, token};
use crate::payments::records::{ledger, public_id};
use serde_json::{json, Value};

fn money(amount: i64, currency: &str) -> Value {
    json!({ "amount": amount, "currencyCode": currency })
}

fn status_output(p: &payment::Model) -> Value {
    let mut out = match ledger(p) {
        Ok(l) => {
            let s = l.direct_status();
            json!({
                "statusCode": s.code,
                "statusCategory": s.category,
                "isCancellable": s.is_cancellable,
                "isRefundable": s.is_refundable,
                "isAuthorized": s.is_authorized,
            })
        }
        Err(_) => json!({ "statusCode": 0, "statusCategory": "UNKNOWN" }),
    };
    if let (Some(code), Some(reason)) = (&p.refusal_code, &p.refusal_reason) {
        out["errors"] = json!([{
            "code": code,
            "errorCode": code,
            "category": "PAYMENT_PLATFORM_ERROR",
            "httpStatusCode": 402,
            "id": "PAYMENT_DECLINED",
            "message": reason,
        }]);
    }
    out
}

/// Direct `status` of a stored payment.
pub fn status(p: &payment::Model) -> &'static str {
    ledger(p)
        .map(|l| l.direct_status().status)
        .unwrap_or("UNKNOWN")
}

/// `PaymentResponse`.
pub fn payment(p: &payment::Model) -> Value {
    let mut card_output = json!({
        "paymentProductId": p.payment_product_id,
        "card": {
            "cardNumber": p.masked_card,
            "expiryDate": p.card_expiry,
            "cardholderName": p.card_holder,
            "bin": p.masked_card.as_deref().map(|m| m.chars().take(6).collect::<String>()),
        },
        "fraudResults": { "fraudServiceResult": domain::fraud::FraudResult::parse(p.fraud_result.as_deref()).code() },
    });
    if let Some(code) = &p.authorisation_code {
        card_output["authorisationCode"] = json!(code);
    }
    if let Some(eci) = &p.eci {
        card_output["threeDSecureResults"] = json!({ "eci": eci });
    }
    if let Some(token) = &p.token_id {
        card_output["token"] = json!(token);
    }
    if let Some(rrn) = &p.rrn {
        card_output["schemeReferenceData"] = json!(rrn);
    }
    let mut output = json!({
        "amountOfMoney": money(p.amount, &p.currency),
        "acquiredAmount": money(p.captured, &p.currency),
        "references": { "merchantReference": p.merchant_reference },
        "paymentMethod": "card",
        "cardPaymentMethodSpecificOutput": card_output,
    });
    // A redirect payment (iDEAL, Bancontact on the bank's page) has no card.
    if p.masked_card.is_none()
        && p.payment_product_id
            .and_then(domain::methods::Method::from_code)
            .is_some_and(|m| m.redirects())
    {
        output["paymentMethod"] = json!("redirect");
        output["redirectPaymentMethodSpecificOutput"] = json!({
            "paymentProductId": p.payment_product_id,
            "fraudResults": { "fraudServiceResult": "no-advice" },
        });
        if let Some(o) = output.as_object_mut() {
            o.remove("cardPaymentMethodSpecificOutput");
        }
    }
    if let Some(customer) = &p.merchant_customer_id {
        output["customer"] = json!({ "merchantCustomerId": customer });
    }
    // What the payer entered on a payment link's page, as Direct's free JSON string.
    if let Some(fields) = &p.payer_fields {
        output["references"]["merchantParameters"] = json!(fields);
    }
    json!({
        "id": public_id(p.id),
        "status": status(p),
        "statusOutput": status_output(p),
        "paymentOutput": output,
    })
}

/// `CaptureResponse` / `Capture`.
pub fn capture(p: &payment::Model, op: &operation::Model) -> Value {
    json!({
        "id": format!("{}-{}", public_id(p.id), op.id),
        "status": "CAPTURED",
        "statusOutput": { "statusCode": 9, "statusCategory": "COMPLETED", "isCancellable": false, "isRefundable": true, "isAuthorized": true },
        "captureOutput": {
            "amountOfMoney": money(op.amount, &p.currency),
            "references": { "merchantReference": p.merchant_reference },
            "paymentMethod": "card",
        },
    })
}

/// `RefundResponse`.
pub fn refund(p: &payment::Model, op: &operation::Model) -> Value {
    json!({
        "id": format!("{}-{}", public_id(p.id), op.id),
        "status": "REFUNDED",
        "statusOutput": { "statusCode": 8, "statusCategory": "COMPLETED", "isCancellable": false, "isRefundable": false, "isAuthorized": false },
        "refundOutput": {
            "amountOfMoney": money(op.amount, &p.currency),
            "references": { "merchantReference": p.merchant_reference },
            "paymentMethod": "card",
        },
    })
}

/// `TokenResponse`.
pub fn token(t: &token::Model) -> Value {
    json!({
        "id": t.id,
        "paymentProductId": t.payment_product_id,
        "card": {
            "alias": t.masked_card,
            "data": {
                "cardWithoutCvv": {
                    "cardNumber": t.masked_card,
                    "expiryDate": t.expiry,
                    "cardholderName": t.card_holder,
                },
            },
        },
    })
}

/// `GetHostedCheckoutResponse`.
pub fn hosted_checkout(h: &hosted_checkout::Model, p: Option<&payment::Model>) -> Value {
    let mut out = json!({ "status": h.status });
    if let Some(p) = p {
        let category = match status(p) {
            "CAPTURED" | "PENDING_CAPTURE" | "CAPTURE_REQUESTED" | "REFUNDED" => "SUCCESSFUL",
            "REJECTED" | "CANCELLED" => "REJECTED",
            _ => "STATUS_UNKNOWN",
        };
        out["createdPaymentOutput"] = json!({
            "payment": payment(p),
            "paymentStatusCategory": category,
        });
    }
    out
}
