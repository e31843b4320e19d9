//! Fraud screening inside the engine (MB-19): every payment attempt with a card — S2S,
//! MOTO, hosted pages, payment links, a payer's retry — is screened with the merchant's
//! rules before the acquirer is asked; a block rule's refusal takes the acquirer's place.

use super::{CheckedCard, PaymentEngine};
use crate::entities::merchant;
use crate::fraud::{self, Screening};
use crate::payments::acquirer::AuthResult;
use crate::payments::error::EngineError;
use crate::platform::settings_cache::Stamp;
use domain::money::Money;

impl PaymentEngine {
    /// Screens an attempt of `amount` with `card`, by the payer at `ip` with `email`.
    pub(super) async fn screen(
        &self,
        merchant: &merchant::Model,
        amount: Money,
        card: &CheckedCard,
        email: &Option<String>,
        ip: &Option<String>,
    ) -> Result<Screening, EngineError> {
        let rules = self
            .rules
            .get(Stamp::of(merchant), || {
                fraud::rules::load(self.db(), merchant.id)
            })
            .await?;
        Ok(fraud::screen::screen_with(
            self.db(),
            self.config(),
            &rules,
            fraud::screen::Attempt {
                merchant_id: merchant.id,
                amount,
                card: Some(&card.number),
                email: email.as_deref(),
                ip: ip.as_deref(),
                bin: None,
            },
        )
        .await?)
    }
}

/// The refusal written instead of the acquirer's answer when a block rule matched.
pub(super) fn refusal(screening: &Screening, rrn: &str) -> Option<AuthResult> {
    screening
        .refusal_reason()
        .map(|reason| AuthResult::Declined {
            code: domain::fraud::REFUSAL_CODE.to_owned(),
            reason,
            rrn: rrn.to_owned(),
        })
}
