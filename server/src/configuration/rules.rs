//! What the payment settings change in the engine (MB-14, MB-15): two-step payments
//! refused when the merchant does not allow them, and the hosted page's default return
//! URL.

use crate::entities::merchant;
use crate::payments::engine::AuthMode;
use crate::payments::error::EngineError;

/// The Direct property a refused two-step payment names.
pub const AUTHORIZATION_MODE: &str = "cardPaymentMethodSpecificInput.authorizationMode";

/// Refuses a pre-authorisation (asked, or the merchant's delayed or manual capture
/// procedure) when the merchant does not allow two-step payments: every payment and
/// hosted checkout, whatever its channel.
pub(crate) fn two_step_allowed(
    merchant: &merchant::Model,
    asked: Option<AuthMode>,
) -> Result<(), EngineError> {
    let mode = asked.unwrap_or(match merchant.capture_procedure.as_str() {
        "immediate" => AuthMode::Sale,
        _ => AuthMode::PreAuthorization,
    });
    if merchant.two_step_allowed || mode == AuthMode::Sale {
        Ok(())
    } else {
        Err(EngineError::invalid(
            AUTHORIZATION_MODE,
            "two-step payments are not allowed on this merchant's account: use SALE",
        ))
    }
}

/// The return URL a hosted checkout keeps: the one asked, else the merchant's default.
pub(crate) fn return_url_or_default(
    merchant: &merchant::Model,
    asked: Option<String>,
) -> Option<String> {
    asked.or_else(|| Some(merchant.default_return_url.clone()).filter(|u| !u.is_empty()))
}

/// What a notification mail for event `kind` says it is about, when the merchant is
/// mailed for it: a payment that succeeded (`payment.captured`) or was refunded
/// (`payment.refunded`), with notification addresses set.
pub(crate) fn mail_wanted(merchant: &merchant::Model, kind: &str) -> Option<&'static str> {
    let what = match kind {
        "payment.captured" => "Successful payment",
        "payment.refunded" => "Refund",
        _ => return None,
    };
    (!merchant.notification_emails.is_empty()).then_some(what)
}

/// Queues, in the transaction of the change, a mail to each of the merchant's
/// notification addresses when [`mail_wanted`]; every payment event passes here, on its
/// way to the webhooks.
pub(crate) async fn notify_by_mail<C: sea_orm::ConnectionTrait>(
    conn: &C,
    merchant: &merchant::Model,
    kind: &str,
    payment: &serde_json::Value,
) -> Result<(), sea_orm::DbErr> {
    let Some(what) = mail_wanted(merchant, kind) else {
        return Ok(());
    };
    let id = payment["id"].as_str().unwrap_or_default();
    let output = &payment["paymentOutput"];
    let money = &output["amountOfMoney"];
    let reference = output["references"]["merchantReference"]
        .as_str()
        .unwrap_or_default();
    let status = payment["status"].as_str().unwrap_or_default();
    let currency = money["currencyCode"].as_str().unwrap_or_default();
    let minor = money["amount"].as_i64().unwrap_or_default();
    let amount = crate::payments::records::stored_money(minor, currency)
        .map(|m| m.to_string())
        .unwrap_or_else(|_| format!("{minor} {currency}"));
    let subject = format!("{what}: {amount}, payment {id} ({})", merchant.pspid);
    let body = format!(
        "{what} on your account {pspid}.\n\nPayment: {id}\nMerchant reference: {reference}\nAmount: {amount}\nStatus: {status}\n\nThe payment's page in the back office: Operations → Payments.\n",
        pspid = merchant.pspid,
    );
    for to in merchant
        .notification_emails
        .split(',')
        .filter(|a| !a.is_empty())
    {
        crate::platform::mail::enqueue(conn, Some(merchant.id), to, &subject, body.clone()).await?;
    }
    Ok(())
}

/// The processing mode and the card reservation period of a payment settings form,
/// checked: a known mode (MB-14) and 1–30 days.
pub(crate) fn processing_problems(
    s: &app::configuration::PaymentSettings,
) -> Vec<app::error::FieldError> {
    use app::error::{FieldError, Problem};
    let mut problems = Vec::new();
    if domain::processing::ProcessingMode::parse(&s.processing_mode).is_none() {
        problems.push(FieldError::new("processing_mode", Problem::OutOfRange));
    }
    if !domain::processing::RESERVATION_DAYS.contains(&s.reservation_days) {
        problems.push(FieldError::new("reservation_days", Problem::OutOfRange));
    }
    problems
}
