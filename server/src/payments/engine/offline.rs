//! The merchant's processing mode (MB-14) around the acquirer's authorisation:
//! `domain::processing::decide` says, for the mode, whether a card payment is asked now or
//! queued, and whether an acquirer that cannot be reached refuses the payment (91, online
//! always) or queues its authorisation (online with fallback to offline, offline).
//!
//! A queued authorisation keeps the card sealed on the payment (`pending_card_enc`, as
//! during 3-D Secure) and waits as uncertain (AUTHORIZATION_REQUESTED); the
//! `authorise_queued` job asks the acquirer, with backoff, until it answers, then writes
//! the answer (authorised, captured for a sale, or rejected, with their webhooks) and
//! forgets the card. On the job's last attempt (about three days on) an acquirer still
//! silent is asked once more what became of the reference; without an answer the
//! payment is rejected 91 ("Issuer or switch inoperative") and the card forgotten, so no
//! payment waits for ever.
//!
//! Terminals (`card_present.rs`) are outside the processing mode: the terminal talks to
//! the acquirer itself.

use super::pending_card_binding;
use super::{today, AuthMode, CheckedCard, Initiator, PaymentEngine};
use crate::entities::{merchant, payment};
use crate::payments::acquirer::{AuthRequest, AuthResult};
use crate::payments::error::EngineError;
use crate::payments::records::stored_money;
use crate::platform::jobs;
use chrono::{Duration, Utc};
use domain::card::{CardError, CardNumber, Expiry};
use domain::payment::Stage;
use domain::processing::{decide, Action, ProcessingMode, Reach};
use sea_orm::EntityTrait;
use serde_json::json;

/// Attempts of a queued authorisation's job (with the jobs' backoff, 30 s doubling up to
/// 6 h: about three days).
const QUEUED_ATTEMPTS: i32 = 20;
/// When the job of an authorisation queued by the offline mode first runs.
const OFFLINE_DELAY_SECONDS: i64 = 2;
/// When the job of an authorisation queued because the acquirer was unreachable first
/// runs.
const FALLBACK_DELAY_SECONDS: i64 = 30;

/// The refusal of an authorisation that needed a 3-D Secure challenge while queued: no
/// payer is there to answer it.
const AUTHENTICATION_REQUIRED: (&str, &str) = ("1A", "Additional customer authentication required");

fn mode_of(merchant: &merchant::Model) -> ProcessingMode {
    ProcessingMode::stored(&merchant.processing_mode)
}

/// What the merchant's processing mode makes of an acquirer's answer: a request that
/// never reached it is refused (91) when the mode is online always, and stays
/// [`AuthResult::NotReached`] (queued) otherwise.
pub(super) fn answer_by_mode(
    merchant: &merchant::Model,
    row: &payment::Model,
    answer: AuthResult,
) -> AuthResult {
    let reach = match answer {
        AuthResult::NotReached => Reach::Unreachable,
        _ => Reach::Answered,
    };
    match decide(mode_of(merchant), reach) {
        Action::Refuse => AuthResult::Declined {
            code: domain::processing::UNREACHABLE_CODE.to_owned(),
            reason: domain::processing::UNREACHABLE_REASON.to_owned(),
            rrn: row.rrn.clone().unwrap_or_default(),
        },
        _ => answer,
    }
}

impl PaymentEngine {
    /// Asks the acquirer for a new card payment, unless the merchant's processing mode
    /// is offline: then the authorisation is queued without asking
    /// ([`AuthResult::NotReached`]).
    pub(super) async fn authorise_by_mode(
        &self,
        merchant: &merchant::Model,
        request: AuthRequest<'_>,
    ) -> AuthResult {
        match decide(mode_of(merchant), Reach::NotAsked) {
            Action::Queue => AuthResult::NotReached,
            _ => self.acquirer.authorise(request).await,
        }
    }

    /// The queued authorisation of `row`, written with the answer's update: the job that
    /// asks the acquirer until it answers (its payload, when it first runs, its attempts)
    /// and the sealed card to keep on the payment until then.
    pub(super) fn queued_authorisation(
        &self,
        merchant: &merchant::Model,
        row: &payment::Model,
        card: Option<&CheckedCard>,
        mode: AuthMode,
    ) -> Result<(super::answer::NewJob, String), EngineError> {
        let card = card.ok_or(EngineError::Refused(
            domain::payment::PaymentError::WrongStatus,
        ))?;
        let delay = match mode_of(merchant) {
            ProcessingMode::Offline => OFFLINE_DELAY_SECONDS,
            _ => FALLBACK_DELAY_SECONDS,
        };
        let job = super::answer::NewJob {
            kind: jobs::kind::AUTHORISE_QUEUED,
            payload: json!({ "payment": row.id, "sale": mode == AuthMode::Sale }),
            at: Utc::now() + Duration::seconds(delay),
            max_attempts: QUEUED_ATTEMPTS,
        };
        let sealed = crate::platform::crypto::seal(
            &self.config.data_key,
            &pending_card_binding(row.id),
            &format!("{}|{}", card.number.expose_digits(), card.expiry.mmyy()),
        );
        Ok((job, sealed))
    }

    /// The `authorise_queued` job: asks the acquirer for a queued authorisation and
    /// writes its answer. `Ok(false)` while the acquirer cannot be reached or does not
    /// answer (asked again after the backoff, with the same reference); `Ok(true)` once
    /// answered, or when nothing is left to ask (answered meanwhile, payment gone). On
    /// the `last` attempt a silent acquirer is asked about the reference, and without an
    /// answer the payment is rejected 91.
    pub async fn authorise_queued(
        &self,
        payment_id: i64,
        sale: bool,
        last: bool,
    ) -> Result<bool, EngineError> {
        let Some(row) = payment::Entity::find_by_id(payment_id)
            .one(&self.db)
            .await?
        else {
            return Ok(true);
        };
        let Some(sealed) = row.pending_card_enc.as_deref() else {
            return Ok(true);
        };
        if row.stage != Stage::Uncertain.code() {
            return Ok(true);
        }
        let reference = row.rrn.clone().unwrap_or_default();
        let card = match self.queued_card(&row, sealed) {
            Ok(card) => card,
            // A card that expired while queued, or that cannot be read: no later attempt
            // can do better, so the payment is rejected now and the card forgotten.
            Err((code, reason)) => {
                let refused = AuthResult::Declined {
                    code: code.to_owned(),
                    reason: reason.to_owned(),
                    rrn: reference,
                };
                return self.write_queued_answer(row, refused, sale, None).await;
            }
        };
        let answer = self
            .acquirer
            .authorise(AuthRequest {
                card: &card.number,
                amount: stored_money(row.amount, &row.currency)?,
                challenge_passed: row.channel == "MOTO",
                reference: &reference,
                attempt: row.attempts.max(0) as u32,
            })
            .await;
        let silent =
            |a: &AuthResult| matches!(a, AuthResult::NotReached | AuthResult::Timeout { .. });
        let answer = match answer {
            // Still down, or no answer in time: asked again with the same reference.
            a if silent(&a) && !last => return Ok(false),
            // The last attempt: what the acquirer knows of the reference, else rejected.
            a if silent(&a) => match self.acquirer.inquire(&reference).await {
                Some(known) if !silent(&known) => known,
                _ => AuthResult::Declined {
                    code: domain::processing::UNREACHABLE_CODE.to_owned(),
                    reason: domain::processing::UNREACHABLE_REASON.to_owned(),
                    rrn: reference.clone(),
                },
            },
            answered => answered,
        };
        let answer = match answer {
            AuthResult::ChallengeRequired => AuthResult::Declined {
                code: AUTHENTICATION_REQUIRED.0.to_owned(),
                reason: AUTHENTICATION_REQUIRED.1.to_owned(),
                rrn: reference.clone(),
            },
            answered => answered,
        };
        self.write_queued_answer(row, answer, sale, Some(&card))
            .await
    }

    /// The card sealed on a queued payment, checked again; the refusal (ISO 8583 code
    /// and reason) when it cannot be used.
    fn queued_card(
        &self,
        row: &payment::Model,
        sealed: &str,
    ) -> Result<CheckedCard, (&'static str, &'static str)> {
        const UNREADABLE: (&str, &str) = ("96", "System malfunction");
        let opened = crate::platform::crypto::open(
            &self.config.data_key,
            &pending_card_binding(row.id),
            sealed,
        )
        .ok_or(UNREADABLE)?;
        let (digits, expiry) = opened.split_once('|').unwrap_or((&opened, ""));
        let number = CardNumber::parse(digits).map_err(|_| UNREADABLE)?;
        let expiry = Expiry::parse(expiry, today()).map_err(|e| match e {
            CardError::Expired => ("54", "Expired card"),
            _ => UNREADABLE,
        })?;
        Ok(CheckedCard {
            number,
            expiry,
            holder: row.card_holder.clone().unwrap_or_default(),
            wallet: None,
        })
    }

    /// Writes the answer to a queued authorisation, with its webhooks, and forgets the
    /// sealed card.
    async fn write_queued_answer(
        &self,
        row: payment::Model,
        answer: AuthResult,
        sale: bool,
        card: Option<&CheckedCard>,
    ) -> Result<bool, EngineError> {
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)?;
        let mode = if sale {
            AuthMode::Sale
        } else {
            AuthMode::PreAuthorization
        };
        self.write_answer(
            &merchant,
            row,
            answer,
            mode,
            card,
            &Initiator::System,
            (None, None),
        )
        .await?;
        Ok(true)
    }
}
