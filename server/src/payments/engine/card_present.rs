//! Card-present payments: what a terminal reported at a transaction's end, recorded as a
//! `POS` payment with its operations, audit row and webhook events.

use super::{AuthMode, CardPresent, Initiator, PaymentEngine};
use crate::entities::{merchant, operation, payment};
use crate::payments::error::EngineError;
use crate::payments::records::{guarded_update, ledger, public_id, set_ledger};
use crate::payments::wire;
use crate::platform::audit::{self, AuditEntry};
use crate::webhooks::events;
use chrono::Utc;
use domain::card::Brand;
use domain::terminal::TransactionResult;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

impl PaymentEngine {
    /// Records what a terminal reported at a transaction's end as a card-present
    /// (`POS`) payment, inside the caller's transaction `txn` (TG-2): approved is
    /// authorised and captured (the terminal sold), declined, error and technical problem
    /// are rejected with their reason, stopped is cancelled.
    pub async fn record_card_present<C: ConnectionTrait>(
        &self,
        txn: &C,
        merchant: &merchant::Model,
        cp: CardPresent,
        by: &Initiator,
    ) -> Result<payment::Model, EngineError> {
        let now = Utc::now();
        let brand = cp.brand.as_deref().and_then(|name| {
            Brand::ALL
                .into_iter()
                .find(|b| b.name().eq_ignore_ascii_case(name.trim()))
        });
        let last4 = cp.masked_card.as_ref().and_then(|m| {
            let digits: String = m.chars().filter(char::is_ascii_digit).collect();
            (digits.len() >= 4).then(|| digits[digits.len() - 4..].to_owned())
        });
        let row = payment::ActiveModel {
            merchant_reference: Set(cp.merchant_reference.clone()),
            merchant_customer_id: Set(None),
            description: Set(format!("Terminal {}", cp.terminal_id)),
            payment_product_id: Set(brand.map(Brand::payment_product_id)),
            brand: Set(brand.map(|b| b.name().to_owned()).or(cp.brand.clone())),
            masked_card: Set(cp.masked_card.clone()),
            card_last4: Set(last4),
            card_expiry: Set(None),
            card_holder: Set(None),
            pending_card_enc: Set(None),
            token_id: Set(None),
            eci: Set(None),
            authorisation_code: Set(None),
            rrn: Set(None),
            terminal_id: Set(Some(cp.terminal_id.clone())),
            refusal_code: Set(None),
            refusal_reason: Set(None),
            return_url: Set(None),
            hosted_checkout_id: Set(None),
            customer_email: Set(None),
            customer_ip: Set(None),
            locale: Set("en".to_owned()),
            capture_after: Set(None),
            receipt: Set(cp.receipt.clone()),
            ..super::created_row(merchant.id, "POS", cp.amount, AuthMode::Sale, now)
        }
        .insert(txn)
        .await?;
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.attempts = Set(1);
        // The terminal decided before the card was known here: the BIN rules (card
        // country, BIN ranges) flag the payment for review.
        let bin: Option<String> = cp.masked_card.as_ref().and_then(|m| {
            let digits: String = m.chars().take_while(char::is_ascii_digit).collect();
            (digits.len() >= 6).then(|| digits[..6].to_owned())
        });
        if bin.is_some() {
            crate::fraud::screen(
                txn,
                self.config(),
                crate::fraud::screen::Attempt {
                    merchant_id: merchant.id,
                    amount: cp.amount,
                    card: None,
                    email: None,
                    ip: None,
                    bin: bin.as_deref(),
                },
            )
            .await?
            .stamp_after_the_fact(&mut update);
        }
        let op = |kind: &str, result: &str| operation::ActiveModel {
            terminal_id: Set(Some(cp.terminal_id.clone())),
            ..super::operation_row(row.id, (kind, row.amount, result), Some(by), now)
        };
        match cp.result {
            TransactionResult::Approved => {
                ledger.authorise().map_err(EngineError::Refused)?;
                ledger
                    .capture(row.amount, true, 0)
                    .map_err(EngineError::Refused)?;
                let mut auth = op("authorise", "approved");
                auth.authorisation_code = Set(cp.authorisation_code.clone());
                auth.insert(txn).await?;
                let mut capture = op("capture", "approved");
                capture.is_final = Set(true);
                capture.insert(txn).await?;
                update.authorisation_code = Set(cp.authorisation_code.clone());
            }
            TransactionResult::Stopped => {
                ledger.cancel().map_err(EngineError::Refused)?;
                op("cancel", "approved").insert(txn).await?;
            }
            refused => {
                let (code, reason) = match refused {
                    TransactionResult::Declined => ("05", "Declined at the terminal"),
                    TransactionResult::TechnicalProblem => {
                        ("91", "Technical problem at the terminal")
                    }
                    _ => ("96", "Terminal error"),
                };
                ledger.reject().map_err(EngineError::Refused)?;
                let mut auth = op("authorise", "declined");
                auth.refusal_code = Set(Some(code.to_owned()));
                auth.refusal_reason = Set(Some(reason.to_owned()));
                auth.insert(txn).await?;
                update.refusal_code = Set(Some(code.to_owned()));
                update.refusal_reason = Set(Some(reason.to_owned()));
            }
        }
        set_ledger(&mut update, &ledger);
        let row = guarded_update(txn, &row, update).await?;
        audit::record(
            txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id(),
                actor: &by.actor(),
                action: "payment.create",
                detail: format!(
                    "payment {} POS {} {} terminal {} {}",
                    public_id(row.id),
                    cp.amount,
                    cp.masked_card.as_deref().unwrap_or("-"),
                    cp.terminal_id,
                    cp.result.api_name()
                ),
                ip: by.ip(),
            },
        )
        .await?;
        events::emit(txn, merchant, "payment.created", "payment", || {
            wire::payment(&row)
        })
        .await?;
        let kind = format!(
            "payment.{}",
            ledger.direct_status().status.to_ascii_lowercase()
        );
        events::emit(txn, merchant, &kind, "payment", || wire::payment(&row)).await?;
        Ok(row)
    }
}
