//! Creating a payment from a card or a token: the card is checked (or the token opened),
//! the acquirer asked, and its answer written as authorised, captured for a sale,
//! challenged for 3-D Secure, declined or uncertain. A payer's next step on the same
//! payment (the challenge's code, another card) is in `payer.rs`.

use super::{
    card_error, check_card, today, Answer, Attempt, AttemptResult, AuthMode, CardSource,
    CartLineInput, CheckedCard, Initiator, NewPayment, PaymentEngine, Respond,
};
use crate::entities::{cart_line, hosted_checkout, merchant, payment, token};
use crate::fraud::Screening;
use crate::payments::acquirer::{AuthRequest, AuthResult};
use crate::payments::error::EngineError;
use crate::payments::records::{
    insert_payment, insert_payment_audited, ledger, public_id, stored_money, stored_now,
};
use crate::payments::wire;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::webhooks::events;
use chrono::Utc;
use domain::card::{CardNumber, Expiry};
use domain::cart::{line_amount, Quantity};
use domain::payment::{PaymentError, Stage};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, QueryFilter, Set};

/// How long a payment may wait for its acquirer answer before the reconciliation sweep
/// ([`super::reconcile`]) treats the answer as lost.
pub(super) const INTENT_GRACE_SECONDS: i64 = 60;

/// Whether the acquirer was asked for an attempt on the payment (committed first) and no
/// answer was written since. Payments written before attempts recorded it are known by
/// their first attempt never answered.
pub(super) fn is_unanswered(row: &payment::Model) -> bool {
    row.awaiting_since.is_some() || (row.stage == Stage::Created.code() && row.attempts == 0)
}

/// Since when the answer to `row`'s attempt has been awaited.
pub(super) fn awaited_since(row: &payment::Model) -> chrono::DateTime<Utc> {
    row.awaiting_since.unwrap_or(row.updated_at)
}

/// Writes the facts of the attempt's card (brand — or the wallet that handed it over —,
/// masked number, expiry, holder) on a payment.
pub(super) fn set_card_facts(row: &mut payment::ActiveModel, card: &CheckedCard) {
    let brand = card.number.brand();
    let (product, name) = match card.wallet {
        Some(wallet) => (wallet.code(), wallet.name()),
        None => (brand.payment_product_id(), brand.name()),
    };
    row.payment_product_id = Set(Some(product));
    row.brand = Set(Some(name.to_owned()));
    row.masked_card = Set(Some(card.number.masked()));
    row.card_last4 = Set(Some(card.number.last4().to_owned()));
    row.card_expiry = Set(Some(card.expiry.mmyy()));
    row.card_holder = Set(Some(card.holder.clone()));
}

/// A new reference for an authorisation attempt, sent to the acquirer with it.
pub(super) fn attempt_reference() -> String {
    crate::platform::crypto::random_from(b"0123456789", 12)
}

/// Checks cart lines against `amount`: their rounded total must equal it.
fn check_cart(cart: &[CartLineInput], amount: i64) -> Result<Vec<(i64, Quantity)>, EngineError> {
    let mut lines = Vec::with_capacity(cart.len());
    for (i, line) in cart.iter().enumerate() {
        let property = format!("order.shoppingCart.items[{i}]");
        if line.unit_price < 0 {
            return Err(EngineError::invalid(
                &format!("{property}.orderLineDetails.productPrice"),
                "the price may not be negative",
            ));
        }
        let quantity = Quantity::from_thousandths(line.quantity_thousandths).map_err(|e| {
            EngineError::invalid(
                &format!("{property}.orderLineDetails.quantity"),
                e.to_string(),
            )
        })?;
        lines.push((line.unit_price, quantity));
    }
    if !lines.is_empty() && domain::cart::cart_total(&lines) != amount {
        return Err(EngineError::invalid(
            "order.amountOfMoney.amount",
            "the amount must equal the total of the shopping cart",
        ));
    }
    Ok(lines)
}

impl PaymentEngine {
    /// Whether the acquirer was asked for `row` and its answer is not written yet (in
    /// flight, or lost in a crash until the reconciliation sweep marks it uncertain).
    pub fn awaiting_answer(row: &payment::Model) -> bool {
        is_unanswered(row)
    }

    fn mode_for(merchant: &merchant::Model, asked: Option<AuthMode>) -> AuthMode {
        asked.unwrap_or(match merchant.capture_procedure.as_str() {
            "immediate" => AuthMode::Sale,
            _ => AuthMode::PreAuthorization,
        })
    }

    /// Resolves a card source to a number (decrypting a token) and card facts.
    async fn resolve_card(
        &self,
        merchant: &merchant::Model,
        source: &CardSource,
    ) -> Result<(CheckedCard, Option<token::Model>), EngineError> {
        match source {
            CardSource::Card(input) => Ok((
                check_card(input, "cardPaymentMethodSpecificInput.card")?,
                None,
            )),
            CardSource::Token(id) => {
                let token = self.token(merchant.id, id).await.map_err(|e| match e {
                    EngineError::NotFound => EngineError::invalid(
                        "cardPaymentMethodSpecificInput.token",
                        "unknown token",
                    ),
                    other => other,
                })?;
                let digits = crate::platform::crypto::open(
                    &self.config.data_key,
                    &super::tokens::token_binding(&token.id),
                    &token.card_enc,
                )
                .ok_or_else(|| {
                    EngineError::invalid("cardPaymentMethodSpecificInput.token", "unreadable token")
                })?;
                let number = CardNumber::parse(&digits)
                    .map_err(|e| card_error("cardPaymentMethodSpecificInput.token", e))?;
                let expiry = Expiry::parse(&token.expiry, today())
                    .map_err(|e| card_error("cardPaymentMethodSpecificInput.token", e))?;
                Ok((
                    CheckedCard {
                        number,
                        expiry,
                        holder: token.card_holder.clone(),
                        wallet: None,
                    },
                    Some(token),
                ))
            }
        }
    }

    /// Creates a payment and asks the acquirer (S2S `payments` create, MOTO, hosted page).
    ///
    /// The payment is committed first, still `Created`, with a reference for the acquirer
    /// awaiting its answer: a crash while the acquirer is asked leaves a payment that the
    /// reconciliation sweep (or a retry of the same idempotent request) marks uncertain
    /// and resolves by
    /// asking the acquirer about that reference, never a charge nobody knows about.
    pub async fn create_payment(
        &self,
        merchant: &merchant::Model,
        new: NewPayment,
        by: &Initiator,
    ) -> Result<Attempt, EngineError> {
        Ok(self
            .create_payment_answered(merchant, new, by, None)
            .await?
            .0)
    }

    /// [`Self::create_payment`] for an API request that makes its answer with `respond`:
    /// when the request is idempotent, the answer is stored in the transaction that
    /// writes the acquirer's answer, and given back with the attempt.
    pub async fn create_payment_answered(
        &self,
        merchant: &merchant::Model,
        new: NewPayment,
        by: &Initiator,
        respond: Option<&Respond<'_>>,
    ) -> Result<(Attempt, Option<Answer>), EngineError> {
        let request = super::request_ref();
        if let Some(reference) = super::resumed_request_ref() {
            if let Some(done) = self.committed_attempt(merchant, &reference).await? {
                return Ok(answered(done, respond));
            }
        }
        accepted_currency(merchant, new.amount.currency())?;
        crate::configuration::rules::two_step_allowed(merchant, new.mode)?;
        crate::methods::accepted_card(&self.db, &self.methods, merchant, &new).await?;
        let cart = check_cart(&new.cart, new.amount.minor())?;
        let (card, existing_token) = self.resolve_card(merchant, &new.source).await?;
        let mode = Self::mode_for(merchant, new.mode);
        let screening = self
            .screen(
                merchant,
                new.amount,
                &card,
                &new.customer_email,
                &new.customer_ip,
            )
            .await?;
        let row = match self
            .record_intent(
                merchant,
                &new,
                &cart,
                (&card, &screening),
                existing_token,
                mode,
                by,
                request.clone(),
            )
            .await
        {
            Ok(row) => row,
            Err(EngineError::Db(e)) if crate::platform::sessions::is_unique_violation(&e) => {
                // Another process took this request over and wrote it first.
                let reference = request.unwrap_or_default();
                let done = self
                    .committed_attempt(merchant, &reference)
                    .await?
                    .ok_or(EngineError::Db(e))?;
                return Ok(answered(done, respond));
            }
            Err(e) => return Err(e),
        };
        let token_id = row.token_id.clone();
        let reference = row.rrn.clone().unwrap_or_default();
        let answer = match super::screening::refusal(&screening, &reference) {
            // A block rule matched: refused here, the acquirer is never asked.
            Some(refused) => refused,
            // Asked now, or queued when the processing mode is offline (offline.rs).
            None => {
                self.authorise_by_mode(
                    merchant,
                    AuthRequest {
                        card: &card.number,
                        amount: new.amount,
                        // Mail and telephone orders are outside 3-D Secure: nobody is
                        // there to answer a challenge.
                        challenge_passed: new.channel == "MOTO",
                        reference: &reference,
                        attempt: row.attempts.max(0) as u32,
                    },
                )
                .await
            }
        };
        self.write_answer(
            merchant,
            row,
            answer,
            mode,
            Some(&card),
            by,
            (token_id, respond),
        )
        .await
    }

    /// Commits the payment, `Created`, before the acquirer is asked: with its cart, token,
    /// audit row and `payment.created` event, awaiting its answer (`awaiting_since`, which
    /// the reconciliation sweep reads if no answer is ever written).
    #[allow(clippy::too_many_arguments)]
    async fn record_intent(
        &self,
        merchant: &merchant::Model,
        new: &NewPayment,
        cart: &[(i64, Quantity)],
        (card, screening): (&CheckedCard, &Screening),
        existing_token: Option<token::Model>,
        mode: AuthMode,
        by: &Initiator,
        request: Option<String>,
    ) -> Result<payment::Model, EngineError> {
        // Whole microseconds: the row is kept as written (`insert_payment`).
        let now = stored_now();
        let actor = by.actor();
        let entry = |detail: String| AuditEntry {
            merchant_id: Some(merchant.id),
            user_id: by.user_id(),
            actor: &actor,
            action: "payment.create",
            detail,
            // The caller's address; the payer's stays on the payment.
            ip: by.ip(),
        };
        // The audit's detail: `payment {public id}` and this.
        let detail_after = format!(" {} {} {}", new.channel, new.amount, card.number.masked());
        // The common case written in one statement (PostgreSQL): the payment and its
        // audit row, nothing else to write with them.
        let alone = existing_token.is_none()
            && !new.tokenize
            && new.hosted_checkout_id.is_none()
            && new.cart.is_empty()
            && !events::told(merchant, "payment.created");
        if alone && self.db.get_database_backend() == DbBackend::Postgres {
            let row = intent_row(merchant, new, (card, screening), mode, None, request, now);
            return Ok(insert_payment_audited(
                &self.db,
                row,
                &entry("payment ".into()),
                &detail_after,
            )
            .await?);
        }
        let txn = self.db.begin_write().await?;
        let token_id = match (&existing_token, new.tokenize) {
            (Some(t), _) => Some(t.id.clone()),
            (None, true) => Some(
                self.insert_token(
                    &txn,
                    merchant,
                    card,
                    new.merchant_customer_id.clone(),
                    uuid::Uuid::new_v4().simple().to_string(),
                )
                .await?
                .id,
            ),
            (None, false) => None,
        };
        if let Some(t) = &existing_token {
            // The alias list shows when each token last paid.
            token::Entity::update_many()
                .col_expr(token::Column::LastUsedAt, Expr::value(now))
                .filter(token::Column::Id.eq(t.id.as_str()))
                .filter(token::Column::MerchantId.eq(merchant.id))
                .exec(&txn)
                .await?;
        }
        let row = intent_row(
            merchant,
            new,
            (card, screening),
            mode,
            token_id,
            request,
            now,
        );
        let row = insert_payment(&txn, row).await?;
        // A hosted checkout holds its payment from now on: a request that dies while the
        // acquirer is asked, or fails after it answered, leaves the payment linked, so
        // the payer is never charged by a second payment.
        if let Some(checkout_id) = &new.hosted_checkout_id {
            let linked = hosted_checkout::Entity::update_many()
                .col_expr(hosted_checkout::Column::PaymentId, Expr::value(row.id))
                .filter(hosted_checkout::Column::Id.eq(checkout_id.as_str()))
                .filter(hosted_checkout::Column::MerchantId.eq(merchant.id))
                .filter(hosted_checkout::Column::PaymentId.is_null())
                .exec(&txn)
                .await?;
            if linked.rows_affected != 1 {
                return Err(EngineError::Refused(PaymentError::WrongStatus));
            }
        }
        for (i, (line, (_, quantity))) in new.cart.iter().zip(cart).enumerate() {
            cart_line::ActiveModel {
                payment_id: Set(row.id),
                position: Set(i as i32),
                product_code: Set(line.code.clone()),
                product_name: Set(line.name.clone()),
                unit_price: Set(line.unit_price),
                quantity_thousandths: Set(quantity.thousandths()),
                amount: Set(line_amount(line.unit_price, *quantity)),
                refunded_thousandths: Set(0),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        audit::record(
            &txn,
            entry(format!("payment {}{detail_after}", public_id(row.id))),
        )
        .await?;
        events::emit(&txn, merchant, "payment.created", "payment", || {
            wire::payment(&row)
        })
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// What an idempotent create request already did, when a payment carries its
    /// reference. A payment whose answer was never written (the process stopped while
    /// the acquirer was asked) is marked uncertain here, and resolved by its job.
    async fn committed_attempt(
        &self,
        merchant: &merchant::Model,
        reference: &str,
    ) -> Result<Option<Attempt>, EngineError> {
        let Some(row) = payment::Entity::find()
            .filter(payment::Column::MerchantId.eq(merchant.id))
            .filter(payment::Column::IdempotenceRef.eq(reference))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let row = if is_unanswered(&row) {
            self.mark_unanswered_uncertain(merchant, row).await?
        } else {
            row
        };
        let result = match Stage::parse(&row.stage) {
            Some(Stage::Redirected) => AttemptResult::Challenge,
            Some(Stage::Uncertain) => AttemptResult::Uncertain,
            Some(Stage::Rejected | Stage::Created) => AttemptResult::Declined {
                code: row.refusal_code.clone().unwrap_or_default(),
                reason: row.refusal_reason.clone().unwrap_or_default(),
            },
            _ => AttemptResult::Approved,
        };
        Ok(Some(Attempt {
            token: row.token_id.clone(),
            payment: row,
            result,
        }))
    }

    /// Marks a payment whose acquirer answer was lost uncertain, with the reference it
    /// was created with; the uncertain-payment job then asks the acquirer.
    pub(super) async fn mark_unanswered_uncertain(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
    ) -> Result<payment::Model, EngineError> {
        let mode = AuthMode::parse(&row.authorization_mode).unwrap_or(AuthMode::Sale);
        let rrn = row.rrn.clone().unwrap_or_default();
        tracing::warn!(payment = %public_id(row.id), "no acquirer answer was recorded; marked uncertain");
        let (attempt, _) = self
            .write_answer(
                merchant,
                row,
                AuthResult::Timeout { rrn },
                mode,
                None,
                &Initiator::System,
                (None, None),
            )
            .await?;
        Ok(attempt.payment)
    }

    /// Writes the acquirer's answer to a payment, in a transaction of its own. A sale
    /// approved is captured first, before the write turn is taken: no transaction waits
    /// for the acquirer (on SQLite it would hold up every write of the process). A
    /// capture that fails writes nothing: the payment still awaits its answer, and the
    /// reconciliation asks the acquirer about it.
    ///
    /// The attempt made `token`; `respond` makes the request's answer from what was
    /// written, stored in the same transaction when the request is idempotent
    /// ([`super::AnswerStore`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn write_answer(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
        answer: AuthResult,
        mode: AuthMode,
        card: Option<&CheckedCard>,
        by: &Initiator,
        (token, respond): (Option<String>, Option<&Respond<'_>>),
    ) -> Result<(Attempt, Option<Answer>), EngineError> {
        // An acquirer that cannot be reached: refused or queued, per the processing mode.
        let answer = super::offline::answer_by_mode(merchant, &row, answer);
        let sale_capture = match &answer {
            AuthResult::Approved(approval) if mode == AuthMode::Sale => {
                ledger(&row)
                    .and_then(|mut l| l.authorise())
                    .map_err(EngineError::Refused)?;
                let amount = stored_money(row.amount, &row.currency)?;
                // Derived from the attempt's reference: asked again after a lost answer,
                // the acquirer knows it for the same capture.
                let sale_ref = format!("{}S", row.rrn.as_deref().unwrap_or_default());
                let reference = self
                    .acquirer
                    .capture(&approval.rrn, amount, &sale_ref)
                    .await
                    .map_err(|e| EngineError::invalid("payment", e))?;
                Some(reference)
            }
            _ => None,
        };
        let writes = self.plan_answer(merchant, &row, answer, mode, card, by, sale_capture)?;
        if super::answer::alone(&self.db, merchant, &row, &writes) {
            // The payment as it will be written gives the answer stored with it.
            let (update, after) =
                crate::payments::records::held_update(&row, writes.update.clone())?;
            let attempt = Attempt {
                payment: after,
                result: writes.result.clone(),
                token,
            };
            let answer = respond.and_then(|respond| respond(&attempt));
            let store = answer.as_ref().and(super::answer_store());
            let statement = match (&store, &answer) {
                (Some(store), Some(answer)) => Some(store.statement(answer)),
                _ => None,
            };
            let stored =
                super::answer::write_alone(&self.db, update, &attempt.payment, writes, statement)
                    .await?;
            if let (true, Some(store)) = (stored, store) {
                store.committed();
            }
            return Ok((attempt, answer));
        }
        let txn = self.db.begin_write().await?;
        let (payment, result) = self.write_planned(&txn, merchant, row, writes).await?;
        let attempt = Attempt {
            payment,
            result,
            token,
        };
        let answer = respond.and_then(|respond| respond(&attempt));
        let store = answer.as_ref().and(super::answer_store());
        let stored = match (&store, &answer) {
            (Some(store), Some(answer)) => store.store(&txn, answer).await?,
            _ => false,
        };
        txn.commit().await?;
        if let (true, Some(store)) = (stored, store) {
            store.committed();
        }
        Ok((attempt, answer))
    }
}

/// The row of a new payment, `Created`, awaiting the acquirer's answer since `now`.
fn intent_row(
    merchant: &merchant::Model,
    new: &NewPayment,
    (card, screening): (&CheckedCard, &Screening),
    mode: AuthMode,
    token_id: Option<String>,
    request: Option<String>,
    now: chrono::DateTime<Utc>,
) -> payment::ActiveModel {
    let mut row = payment::ActiveModel {
        merchant_reference: Set(new.merchant_reference.clone()),
        merchant_customer_id: Set(new.merchant_customer_id.clone()),
        description: Set(new.description.clone()),
        token_id: Set(token_id),
        // The reference the acquirer is asked about if the answer is lost.
        rrn: Set(Some(attempt_reference())),
        awaiting_since: Set(Some(now)),
        return_url: Set(new.return_url.clone()),
        hosted_checkout_id: Set(new.hosted_checkout_id.clone()),
        payment_link_id: Set(new.payment_link_id),
        payer_fields: Set(new.payer_fields.clone()),
        customer_mobile: Set(new.customer_mobile.clone()),
        customer_email: Set(new.customer_email.clone()),
        customer_ip: Set(new.customer_ip.clone()),
        locale: Set(new.locale.clone()),
        idempotence_ref: Set(request),
        ..super::created_row(merchant.id, new.channel, new.amount, mode, now)
    };
    set_card_facts(&mut row, card);
    screening.stamp(&mut row);
    row
}

/// An attempt committed before (by a request taken over), with the answer `respond`
/// makes of it; the idempotence layer stores that answer after the handler.
fn answered(done: Attempt, respond: Option<&Respond<'_>>) -> (Attempt, Option<Answer>) {
    let answer = respond.and_then(|respond| respond(&done));
    (done, answer)
}

/// Refuses a currency the merchant's account does not accept (MB-10): every payment and
/// hosted checkout, whatever its channel.
pub(crate) fn accepted_currency(
    merchant: &merchant::Model,
    currency: domain::Currency,
) -> Result<(), EngineError> {
    if domain::company::accepts(&merchant.currencies, currency) {
        Ok(())
    } else {
        Err(EngineError::invalid(
            "order.amountOfMoney.currencyCode",
            "the merchant's account does not accept this currency",
        ))
    }
}
