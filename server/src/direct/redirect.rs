//! `POST payments` with `redirectPaymentMethodSpecificInput` (iDEAL 809, Bancontact
//! 3012; issue 16): the payment is created `REDIRECTED` and the answer's
//! `merchantAction` sends the payer to the bank's page, which brings them back to
//! `redirectionData.returnUrl` with `RETURNMAC`. Wallets through the API
//! (`mobilePaymentMethodSpecificInput`) carry encrypted payment data that TEST cannot
//! simulate: refused with its property named.

use super::fields::*;
use super::{ApiError, Caller, DirectState};
use crate::payments::engine::redirect::{bank_url, NewRedirect, PRODUCT_PROPERTY};
use crate::payments::wire;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::methods::Method;
use serde_json::{json, Value};

/// The input's name.
pub const SPEC: &str = "redirectPaymentMethodSpecificInput";

/// The refusal of a wallet payment through the API.
pub fn mobile_refused() -> ApiError {
    ApiError::invalid(
        "mobilePaymentMethodSpecificInput",
        "wallet payments with encrypted payment data are not available through the API in \
         TEST; Google Pay and Apple Pay are offered on the hosted checkout page",
    )
}

/// The payer's country as the order tells it, checked.
fn country(v: &Value) -> Result<Option<String>> {
    let path = "order.customer.billingAddress.countryCode";
    match string(v, path)? {
        None => Ok(None),
        Some(c) => {
            let upper = c.trim().to_ascii_uppercase();
            if domain::fraud::is_country(&upper) {
                Ok(Some(upper))
            } else {
                Err(ApiError::invalid(
                    path,
                    "unknown ISO 3166-1 alpha-2 country code",
                ))
            }
        }
    }
}

/// Creates a redirect payment from the request body `v`.
pub async fn create(state: &DirectState, caller: &Caller, v: &Value) -> Result<Response> {
    let amount = money(v, "order.amountOfMoney")?;
    let product = int(v, &format!("{SPEC}.paymentProductId"))?
        .ok_or_else(|| ApiError::invalid(PRODUCT_PROPERTY, "the payment product is required"))?;
    let method = i32::try_from(product)
        .ok()
        .and_then(Method::from_code)
        .filter(|m| m.redirects())
        .ok_or_else(|| {
            ApiError::invalid(
                PRODUCT_PROPERTY,
                "not a payment product paid by redirection",
            )
        })?;
    let return_property = format!("{SPEC}.redirectionData.returnUrl");
    let return_url = return_url(v, &return_property)?
        .ok_or_else(|| ApiError::invalid(&return_property, "the return URL is required"))?;
    // iDEAL's issuer, when given, is a bank identifier code; the simulated bank takes any.
    let issuer = format!("{SPEC}.paymentProduct809SpecificInput.issuerId");
    if let Some(bic) = string(v, &issuer)? {
        let ok = (1..=11).contains(&bic.len()) && bic.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(ApiError::invalid(
                &issuer,
                "the issuer must be a bank identifier code",
            ));
        }
    }
    if boolean(v, &format!("{SPEC}.requiresApproval"))? == Some(true) {
        return Err(ApiError::invalid(
            &format!("{SPEC}.requiresApproval"),
            "redirect payments are captured at once: requiresApproval must be false",
        ));
    }
    let new = NewRedirect {
        method,
        amount,
        merchant_reference: string(v, "order.references.merchantReference")?.unwrap_or_default(),
        merchant_customer_id: string(v, "order.customer.merchantCustomerId")?,
        description: string(v, "order.references.descriptor")?.unwrap_or_default(),
        return_url: Some(return_url),
        country: country(v)?,
        customer_email: string(v, "order.customer.contactDetails.emailAddress")?,
        customer_ip: string(v, "order.customer.device.ipAddress")?,
        locale: locale(v, "order.customer.locale"),
        hosted_checkout: None,
    };
    let made = state
        .engine
        .create_redirect(&caller.merchant, new, &initiator(caller))
        .await?;
    let out = json!({
        "creationOutput": { "isNewToken": false, "tokenizationSucceeded": false },
        "payment": wire::payment(&made.payment),
        "merchantAction": {
            "actionType": "REDIRECT",
            "redirectData": {
                "RETURNMAC": made.returnmac,
                "redirectURL": bank_url(&state.config.public_url, &made.token, &made.payment.locale),
            },
        },
    });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}
