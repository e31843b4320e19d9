//! A payer's next step on a payment a hosted page created: the 3-D Secure challenge's
//! code, or another card after a decline (within the retry count), each screened and
//! committed before the acquirer is asked.

use super::create::{attempt_reference, is_unanswered, set_card_facts};
use super::{
    card_error, check_card, pending_card_binding, today, Attempt, AuthMode, CardInput, CheckedCard,
    Initiator, PaymentEngine,
};
use crate::entities::{merchant, payment};
use crate::fraud::Screening;
use crate::payments::acquirer::{AuthRequest, AuthResult};
use crate::payments::error::EngineError;
use crate::payments::records::{guarded_update, stored_money};
use crate::platform::db::BeginWrite;
use chrono::Utc;
use domain::card::{CardNumber, Expiry};
use domain::payment::{PaymentError, Stage};
use sea_orm::Set;

impl PaymentEngine {
    /// Finishes a 3-D Secure challenge with the code the payer typed.
    pub async fn complete_challenge(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        code: &str,
    ) -> Result<Attempt, EngineError> {
        let row = self.payment(merchant.id, payment_id).await?;
        if row.stage != Stage::Redirected.code() {
            return Err(EngineError::Refused(PaymentError::WrongStatus));
        }
        let sealed = row
            .pending_card_enc
            .as_deref()
            .and_then(|s| {
                crate::platform::crypto::open(
                    &self.config.data_key,
                    &pending_card_binding(row.id),
                    s,
                )
            })
            .ok_or(EngineError::Refused(PaymentError::WrongStatus))?;
        let (digits, expiry) = sealed.split_once('|').unwrap_or((&sealed, ""));
        let number = CardNumber::parse(digits).map_err(|e| card_error("card", e))?;
        let expiry = Expiry::parse(expiry, today()).map_err(|e| card_error("card", e))?;
        let card = CheckedCard {
            number,
            expiry,
            holder: row.card_holder.clone().unwrap_or_default(),
            wallet: None,
        };
        let expected = domain::card::challenge_code(&card.number);
        let mode = AuthMode::parse(&row.authorization_mode).unwrap_or(AuthMode::Sale);
        let (row, answer) = if expected == Some(code.trim()) {
            let amount = stored_money(row.amount, &row.currency)?;
            let row = self.record_attempt(row, &card, None).await?;
            let reference = row.rrn.clone().unwrap_or_default();
            let answer = self
                .acquirer
                .authorise(AuthRequest {
                    card: &card.number,
                    amount,
                    challenge_passed: true,
                    reference: &reference,
                    attempt: row.attempts.max(0) as u32,
                })
                .await;
            (row, answer)
        } else {
            (
                row,
                AuthResult::Declined {
                    code: "3D".to_owned(),
                    reason: "3-D Secure authentication failed".to_owned(),
                    rrn: attempt_reference(),
                },
            )
        };
        self.payer_answer(merchant, row, answer, mode, &card).await
    }

    /// Another card attempt on a payment that a hosted page created and that is still
    /// open (after a decline, within the retry count).
    pub async fn retry_payment(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        card: CardInput,
    ) -> Result<Attempt, EngineError> {
        let row = self.payment(merchant.id, payment_id).await?;
        if row.stage != Stage::Created.code() && row.stage != Stage::Redirected.code() {
            return Err(EngineError::Refused(PaymentError::WrongStatus));
        }
        let card = check_card(&card, "card")?;
        let amount = stored_money(row.amount, &row.currency)?;
        let screening = self
            .screen(
                merchant,
                amount,
                &card,
                &row.customer_email,
                &row.customer_ip,
            )
            .await?;
        let row = self.record_attempt(row, &card, Some(&screening)).await?;
        let reference = row.rrn.clone().unwrap_or_default();
        let answer = match super::screening::refusal(&screening, &reference) {
            Some(refused) => refused,
            None => {
                self.acquirer
                    .authorise(AuthRequest {
                        card: &card.number,
                        amount,
                        challenge_passed: false,
                        reference: &reference,
                        attempt: row.attempts.max(0) as u32,
                    })
                    .await
            }
        };
        let mode = AuthMode::parse(&row.authorization_mode).unwrap_or(AuthMode::Sale);
        self.payer_answer(merchant, row, answer, mode, &card).await
    }

    /// Commits a payer's new attempt before the acquirer is asked: the payment awaits an
    /// answer from now, under a new reference, with the job that asks the acquirer about
    /// that reference if the answer is never written; with `new_card` the payment takes
    /// the facts of the attempt's card. Guarded, so only one attempt at a time.
    async fn record_attempt(
        &self,
        row: payment::Model,
        card: &CheckedCard,
        new_card: Option<&Screening>,
    ) -> Result<payment::Model, EngineError> {
        if is_unanswered(&row) {
            return Err(EngineError::Refused(PaymentError::WrongStatus));
        }
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.awaiting_since = Set(Some(now));
        update.rrn = Set(Some(attempt_reference()));
        update.updated_at = Set(now);
        if let Some(screening) = new_card {
            set_card_facts(&mut update, card);
            screening.stamp(&mut update);
        }
        let row = guarded_update(&txn, &row, update)
            .await
            .map_err(|e| match e {
                EngineError::Refused(PaymentError::Inconsistent) => {
                    EngineError::Refused(PaymentError::WrongStatus)
                }
                e => e,
            })?;
        txn.commit().await?;
        Ok(row)
    }

    /// Writes the acquirer's answer to a payer's attempt in one transaction.
    async fn payer_answer(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
        answer: AuthResult,
        mode: AuthMode,
        card: &CheckedCard,
    ) -> Result<Attempt, EngineError> {
        let (attempt, _) = self
            .write_answer(
                merchant,
                row,
                answer,
                mode,
                Some(card),
                &Initiator::Payer,
                (None, None),
            )
            .await?;
        Ok(attempt)
    }
}
