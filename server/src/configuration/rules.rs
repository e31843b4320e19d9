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
