//! The payments engine: creates payments, asks the acquirer, and moves money through the
//! domain state machine. Every change of a payment is one transaction that writes the
//! operation, the payment's new ledger (guarded by the ledger it was computed from, so
//! concurrent captures cannot both pass), the audit row and the webhook events/jobs.

use super::error::EngineError;
use super::records::{
    guarded_update, ledger, line_state, public_id, rewrite_line, set_ledger, stored_money,
};
use crate::entities::{cart_line, merchant, operation, payment, token};
use crate::payments::acquirer::{Acquirer, AuthRequest, AuthResult};
use crate::payments::wire;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::jobs;
use crate::webhooks::events;
use chrono::{Datelike, Duration, Utc};
use domain::card::{check_cvc, Brand, CardError, CardNumber, Expiry};
use domain::cart::{line_amount, refund_total, LineState, Quantity};
use domain::money::Money;
use domain::payment::{Payment, PaymentError, Stage};
use domain::terminal::TransactionResult;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use std::sync::Arc;

/// Who asked for a change (for operations and the audit log).
#[derive(Clone, Debug)]
pub enum Initiator {
    /// A server-to-server call.
    ApiKey {
        /// The API key id.
        key: String,
        /// The caller's address as the socket saw it.
        ip: String,
    },
    /// A back-office user.
    User {
        /// User id.
        id: i64,
        /// Login.
        login: String,
        /// The user's address as the socket saw it.
        ip: String,
    },
    /// The payer on a hosted page.
    Payer,
    /// A job.
    System,
}

impl Initiator {
    /// Who acted, as the audit log names them.
    pub fn actor(&self) -> String {
        match self {
            Initiator::ApiKey { key, .. } => format!("api:{key}"),
            Initiator::User { login, .. } => login.clone(),
            Initiator::Payer => "payer".to_owned(),
            Initiator::System => "system".to_owned(),
        }
    }
    /// The acting back-office user, if any.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Initiator::User { id, .. } => Some(*id),
            _ => None,
        }
    }
    /// The address the request came from, for the audit log ("" for the payer and jobs).
    pub fn ip(&self) -> &str {
        match self {
            Initiator::ApiKey { ip, .. } | Initiator::User { ip, .. } => ip,
            Initiator::Payer | Initiator::System => "",
        }
    }
    fn api_key(&self) -> Option<String> {
        match self {
            Initiator::ApiKey { key, .. } => Some(key.clone()),
            _ => None,
        }
    }
}

/// How the authorisation is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// Authorise and capture at once.
    Sale,
    /// Authorise; capture later.
    PreAuthorization,
    /// Authorise the final amount; capture later.
    FinalAuthorization,
}

impl AuthMode {
    /// Direct's name.
    pub fn code(self) -> &'static str {
        match self {
            AuthMode::Sale => "SALE",
            AuthMode::PreAuthorization => "PRE_AUTHORIZATION",
            AuthMode::FinalAuthorization => "FINAL_AUTHORIZATION",
        }
    }
    /// From Direct's name.
    pub fn parse(code: &str) -> Option<AuthMode> {
        [
            AuthMode::Sale,
            AuthMode::PreAuthorization,
            AuthMode::FinalAuthorization,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }
}

/// Card data as entered; the CVC is checked and dropped.
pub struct CardInput {
    /// Number as typed.
    pub number: String,
    /// Security code, when given.
    pub cvv: Option<String>,
    /// `MMYY`.
    pub expiry: String,
    /// Holder name.
    pub holder: String,
}

/// Where the card comes from.
pub enum CardSource {
    /// Entered now.
    Card(CardInput),
    /// A stored token.
    Token(String),
}

/// A cart line as asked.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CartLineInput {
    /// Merchant's product code.
    pub code: String,
    /// Product name.
    pub name: String,
    /// Unit price, minor units.
    pub unit_price: i64,
    /// Quantity in thousandths.
    pub quantity_thousandths: i64,
}

/// A payment to create.
pub struct NewPayment {
    /// Channel: `ECOMMERCE`, `MOTO`, `POS`.
    pub channel: &'static str,
    /// Amount asked.
    pub amount: Money,
    /// Merchant's reference.
    pub merchant_reference: String,
    /// Merchant's customer id.
    pub merchant_customer_id: Option<String>,
    /// Description.
    pub description: String,
    /// Authorisation mode; `None` follows the merchant's capture procedure.
    pub mode: Option<AuthMode>,
    /// The card.
    pub source: CardSource,
    /// Keep the card as a token.
    pub tokenize: bool,
    /// Where the payer returns after 3-D Secure.
    pub return_url: Option<String>,
    /// Cart lines (their total must equal the amount).
    pub cart: Vec<CartLineInput>,
    /// Payer's e-mail.
    pub customer_email: Option<String>,
    /// Payer's IP.
    pub customer_ip: Option<String>,
    /// Page language.
    pub locale: String,
    /// The hosted checkout it belongs to.
    pub hosted_checkout_id: Option<String>,
}

/// What a terminal reported at a transaction's end.
pub struct CardPresent {
    /// The terminal.
    pub terminal_id: String,
    /// Amount taken or asked.
    pub amount: Money,
    /// Merchant's reference.
    pub merchant_reference: String,
    /// The terminal's result.
    pub result: TransactionResult,
    /// Authorisation code, when approved.
    pub authorisation_code: Option<String>,
    /// Card brand as the terminal names it.
    pub brand: Option<String>,
    /// Masked card number.
    pub masked_card: Option<String>,
    /// Receipt text.
    pub receipt: Option<String>,
}

/// What happened to a payment attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// Authorised (and captured for a sale).
    Approved,
    /// Needs the 3-D Secure challenge page.
    Challenge,
    /// Refused by the acquirer.
    Declined {
        /// Refusal code.
        code: String,
        /// Meaning.
        reason: String,
    },
    /// No answer yet (92).
    Uncertain,
}

/// A payment with what the last call did.
pub struct Attempt {
    /// The payment after the call.
    pub payment: payment::Model,
    /// What the acquirer said.
    pub result: AttemptResult,
    /// The token created, when asked to tokenise.
    pub token: Option<String>,
}

/// The engine.
#[derive(Clone)]
pub struct PaymentEngine {
    db: DatabaseConnection,
    config: Arc<Config>,
    acquirer: Arc<dyn Acquirer>,
}

fn today() -> (i32, u32) {
    let now = Utc::now();
    (now.year(), now.month())
}

fn card_error(property: &str, e: CardError) -> EngineError {
    EngineError::Card {
        property: property.to_owned(),
        error: e,
    }
}

/// A card checked: number, expiry, CVC; the CVC is not kept.
pub struct CheckedCard {
    /// Number.
    pub number: CardNumber,
    /// Expiry.
    pub expiry: Expiry,
    /// Holder.
    pub holder: String,
}

/// Checks typed card data with the domain rules (the page checks the same in WASM).
pub fn check_card(input: &CardInput, prefix: &str) -> Result<CheckedCard, EngineError> {
    let number = CardNumber::parse(&input.number)
        .map_err(|e| card_error(&format!("{prefix}.cardNumber"), e))?;
    let expiry = Expiry::parse(&input.expiry, today())
        .map_err(|e| card_error(&format!("{prefix}.expiryDate"), e))?;
    if let Some(cvv) = &input.cvv {
        check_cvc(cvv, number.brand()).map_err(|e| card_error(&format!("{prefix}.cvv"), e))?;
    }
    Ok(CheckedCard {
        number,
        expiry,
        holder: input.holder.trim().chars().take(64).collect(),
    })
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
    /// An engine over `db` asking `acquirer`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>, acquirer: Arc<dyn Acquirer>) -> Self {
        PaymentEngine {
            db,
            config,
            acquirer,
        }
    }

    /// The database.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn mode_for(merchant: &merchant::Model, asked: Option<AuthMode>) -> AuthMode {
        asked.unwrap_or(match merchant.capture_procedure.as_str() {
            "immediate" => AuthMode::Sale,
            _ => AuthMode::PreAuthorization,
        })
    }

    /// Loads a merchant's payment.
    pub async fn payment(&self, merchant_id: i64, id: i64) -> Result<payment::Model, EngineError> {
        payment::Entity::find_by_id(id)
            .filter(payment::Column::MerchantId.eq(merchant_id))
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// The operations of a payment, oldest first.
    pub async fn operations(&self, payment_id: i64) -> Result<Vec<operation::Model>, EngineError> {
        Ok(operation::Entity::find()
            .filter(operation::Column::PaymentId.eq(payment_id))
            .order_by_asc(operation::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The cart of a payment.
    pub async fn cart(&self, payment_id: i64) -> Result<Vec<cart_line::Model>, EngineError> {
        Ok(cart_line::Entity::find()
            .filter(cart_line::Column::PaymentId.eq(payment_id))
            .order_by_asc(cart_line::Column::Position)
            .all(&self.db)
            .await?)
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
                let digits = crate::platform::crypto::open(&self.config.data_key, &token.card_enc)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            "cardPaymentMethodSpecificInput.token",
                            "unreadable token",
                        )
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
                    },
                    Some(token),
                ))
            }
        }
    }

    /// Creates a payment and asks the acquirer (S2S `payments` create, MOTO, hosted page).
    pub async fn create_payment(
        &self,
        merchant: &merchant::Model,
        new: NewPayment,
        by: &Initiator,
    ) -> Result<Attempt, EngineError> {
        let cart = check_cart(&new.cart, new.amount.minor())?;
        let (card, existing_token) = self.resolve_card(merchant, &new.source).await?;
        let mode = Self::mode_for(merchant, new.mode);
        let now = Utc::now();
        let answer = self
            .acquirer
            .authorise(AuthRequest {
                card: &card.number,
                amount: new.amount,
                // Mail and telephone orders are outside 3-D Secure: nobody is there to
                // answer a challenge.
                challenge_passed: new.channel == "MOTO",
            })
            .await;
        let txn = self.db.begin().await?;
        let token_id = match (&existing_token, new.tokenize) {
            (Some(t), _) => Some(t.id.clone()),
            (None, true) => Some(
                self.insert_token(&txn, merchant, &card, new.merchant_customer_id.clone())
                    .await?
                    .id,
            ),
            (None, false) => None,
        };
        let brand = card.number.brand();
        let row = payment::ActiveModel {
            merchant_id: Set(merchant.id),
            channel: Set(new.channel.to_owned()),
            merchant_reference: Set(new.merchant_reference.clone()),
            merchant_customer_id: Set(new.merchant_customer_id.clone()),
            description: Set(new.description.clone()),
            currency: Set(new.amount.currency().code().to_owned()),
            amount: Set(new.amount.minor()),
            authorised: Set(0),
            captured: Set(0),
            refunded: Set(0),
            stage: Set(Stage::Created.code().to_owned()),
            capture_closed: Set(false),
            authorization_mode: Set(mode.code().to_owned()),
            payment_product_id: Set(Some(brand.payment_product_id())),
            brand: Set(Some(brand.name().to_owned())),
            masked_card: Set(Some(card.number.masked())),
            card_last4: Set(Some(card.number.last4().to_owned())),
            card_expiry: Set(Some(card.expiry.mmyy())),
            card_holder: Set(Some(card.holder.clone())),
            token_id: Set(token_id.clone()),
            attempts: Set(0),
            return_url: Set(new.return_url.clone()),
            hosted_checkout_id: Set(new.hosted_checkout_id.clone()),
            customer_email: Set(new.customer_email.clone()),
            customer_ip: Set(new.customer_ip.clone()),
            locale: Set(new.locale.clone()),
            receipt: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for (i, (line, (_, quantity))) in new.cart.iter().zip(&cart).enumerate() {
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
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id(),
                actor: &by.actor(),
                action: "payment.create",
                detail: format!(
                    "payment {} {} {} {}",
                    public_id(row.id),
                    new.channel,
                    new.amount,
                    card.number.masked()
                ),
                // The caller's address; the payer's stays on the payment.
                ip: by.ip(),
            },
        )
        .await?;
        events::emit(
            &txn,
            merchant,
            "payment.created",
            "payment",
            wire::payment(&row),
        )
        .await?;
        let (row, result) = self
            .apply_answer(&txn, merchant, row, answer, mode, Some(&card), by)
            .await?;
        txn.commit().await?;
        Ok(Attempt {
            payment: row,
            result,
            token: token_id,
        })
    }

    /// Writes the acquirer's answer to a payment inside `txn`.
    #[allow(clippy::too_many_arguments)]
    async fn apply_answer<C: ConnectionTrait>(
        &self,
        txn: &C,
        merchant: &merchant::Model,
        row: payment::Model,
        answer: AuthResult,
        mode: AuthMode,
        card: Option<&CheckedCard>,
        by: &Initiator,
    ) -> Result<(payment::Model, AttemptResult), EngineError> {
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        let now = Utc::now();
        let mut update: payment::ActiveModel = row.clone().into();
        update.attempts = Set(row.attempts + 1);
        update.updated_at = Set(now);
        let op = |kind: &str, amount: i64, result: &str| operation::ActiveModel {
            payment_id: Set(row.id),
            kind: Set(kind.to_owned()),
            amount: Set(amount),
            result: Set(result.to_owned()),
            is_final: Set(false),
            user_id: Set(by.user_id()),
            api_key_id: Set(by.api_key()),
            created_at: Set(now),
            ..Default::default()
        };
        let result = match answer {
            AuthResult::Approved(approval) => {
                ledger.authorise().map_err(EngineError::Refused)?;
                let mut auth = op("authorise", row.amount, "approved");
                auth.authorisation_code = Set(Some(approval.authorisation_code.clone()));
                auth.rrn = Set(Some(approval.rrn.clone()));
                auth.terminal_id = Set(Some(approval.terminal_id.clone()));
                auth.eci = Set(Some(approval.eci.clone()));
                auth.insert(txn).await?;
                update.authorisation_code = Set(Some(approval.authorisation_code));
                update.rrn = Set(Some(approval.rrn.clone()));
                update.terminal_id = Set(Some(approval.terminal_id));
                update.eci = Set(Some(approval.eci));
                update.refusal_code = Set(None);
                update.refusal_reason = Set(None);
                update.pending_card_enc = Set(None);
                if mode == AuthMode::Sale {
                    let amount = stored_money(row.amount, &row.currency)?;
                    let reference = self
                        .acquirer
                        .capture(&approval.rrn, amount)
                        .await
                        .map_err(|e| EngineError::invalid("payment", e))?;
                    ledger
                        .capture(row.amount, true, 0)
                        .map_err(EngineError::Refused)?;
                    let mut capture = op("capture", row.amount, "approved");
                    capture.is_final = Set(true);
                    capture.rrn = Set(Some(reference));
                    capture.insert(txn).await?;
                } else if merchant.capture_procedure == "delayed" {
                    let at = now + Duration::hours(i64::from(merchant.capture_delay_hours.max(0)));
                    update.capture_after = Set(Some(at));
                    jobs::enqueue(
                        txn,
                        Some(merchant.id),
                        jobs::kind::AUTO_CAPTURE,
                        json!({ "payment": row.id }),
                        at,
                        5,
                    )
                    .await?;
                }
                AttemptResult::Approved
            }
            AuthResult::ChallengeRequired => {
                let card = card.ok_or(EngineError::Refused(PaymentError::WrongStatus))?;
                if ledger.stage() == Stage::Created {
                    ledger.redirect().map_err(EngineError::Refused)?;
                }
                update.pending_card_enc = Set(Some(crate::platform::crypto::seal(
                    &self.config.data_key,
                    &format!("{}|{}", card.number.expose_digits(), card.expiry.mmyy()),
                )));
                update.attempts = Set(row.attempts);
                AttemptResult::Challenge
            }
            AuthResult::Declined { code, reason, rrn } => {
                let attempts = row.attempts + 1;
                // On a hosted page the payer may retry up to the merchant's retry count.
                let final_try =
                    row.hosted_checkout_id.is_none() || attempts >= merchant.retry_count.max(1);
                if final_try {
                    ledger.reject().map_err(EngineError::Refused)?;
                }
                let mut auth = op("authorise", row.amount, "declined");
                auth.refusal_code = Set(Some(code.clone()));
                auth.refusal_reason = Set(Some(reason.clone()));
                auth.rrn = Set(Some(rrn));
                auth.insert(txn).await?;
                update.refusal_code = Set(Some(code.clone()));
                update.refusal_reason = Set(Some(reason.clone()));
                update.pending_card_enc = Set(None);
                AttemptResult::Declined { code, reason }
            }
            AuthResult::Timeout { rrn } => {
                ledger.mark_uncertain().map_err(EngineError::Refused)?;
                let mut auth = op("authorise", row.amount, "uncertain");
                auth.rrn = Set(Some(rrn.clone()));
                auth.insert(txn).await?;
                update.rrn = Set(Some(rrn));
                update.pending_card_enc = Set(None);
                jobs::enqueue(
                    txn,
                    Some(merchant.id),
                    jobs::kind::RESOLVE_UNCERTAIN,
                    json!({ "payment": row.id, "sale": mode == AuthMode::Sale }),
                    now + Duration::seconds(5),
                    10,
                )
                .await?;
                AttemptResult::Uncertain
            }
        };
        set_ledger(&mut update, &ledger);
        let row = guarded_update(txn, &row, update).await?;
        let status = wire::payment(&row);
        let kind = format!(
            "payment.{}",
            ledger.direct_status().status.to_ascii_lowercase()
        );
        if ledger.stage() != Stage::Created {
            events::emit(txn, merchant, &kind, "payment", status).await?;
        }
        Ok((row, result))
    }

    async fn insert_token<C: ConnectionTrait>(
        &self,
        conn: &C,
        merchant: &merchant::Model,
        card: &CheckedCard,
        customer: Option<String>,
    ) -> Result<token::Model, EngineError> {
        let brand = card.number.brand();
        let row = token::ActiveModel {
            id: Set(uuid::Uuid::new_v4().simple().to_string()),
            merchant_id: Set(merchant.id),
            merchant_customer_id: Set(customer),
            card_enc: Set(crate::platform::crypto::seal(
                &self.config.data_key,
                card.number.expose_digits(),
            )),
            brand: Set(brand.name().to_owned()),
            payment_product_id: Set(brand.payment_product_id()),
            masked_card: Set(card.number.masked()),
            expiry: Set(card.expiry.mmyy()),
            card_holder: Set(card.holder.clone()),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        events::emit(conn, merchant, "token.created", "token", wire::token(&row)).await?;
        Ok(row)
    }

    /// Stores a card as a token (`tokens` create).
    pub async fn create_token(
        &self,
        merchant: &merchant::Model,
        card: &CardInput,
        customer: Option<String>,
    ) -> Result<token::Model, EngineError> {
        let card = check_card(card, "card.data.card")?;
        let txn = self.db.begin().await?;
        let row = self.insert_token(&txn, merchant, &card, customer).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// A merchant's token.
    pub async fn token(&self, merchant_id: i64, id: &str) -> Result<token::Model, EngineError> {
        token::Entity::find_by_id(id.to_owned())
            .filter(token::Column::MerchantId.eq(merchant_id))
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)
    }

    /// Tokens saved for a merchant's customer (offered on hosted pages).
    pub async fn customer_tokens(
        &self,
        merchant_id: i64,
        customer: &str,
    ) -> Result<Vec<token::Model>, EngineError> {
        Ok(token::Entity::find()
            .filter(token::Column::MerchantId.eq(merchant_id))
            .filter(token::Column::MerchantCustomerId.eq(customer))
            .order_by_desc(token::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Deletes a token; payments made with it keep their masked card.
    pub async fn delete_token(&self, merchant_id: i64, id: &str) -> Result<(), EngineError> {
        let deleted = token::Entity::delete_many()
            .filter(token::Column::Id.eq(id))
            .filter(token::Column::MerchantId.eq(merchant_id))
            .exec(&self.db)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(EngineError::NotFound);
        }
        Ok(())
    }

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
            .and_then(|s| crate::platform::crypto::open(&self.config.data_key, s))
            .ok_or(EngineError::Refused(PaymentError::WrongStatus))?;
        let (digits, expiry) = sealed.split_once('|').unwrap_or((&sealed, ""));
        let number = CardNumber::parse(digits).map_err(|e| card_error("card", e))?;
        let expiry = Expiry::parse(expiry, today()).map_err(|e| card_error("card", e))?;
        let card = CheckedCard {
            number,
            expiry,
            holder: row.card_holder.clone().unwrap_or_default(),
        };
        let expected = domain::card::challenge_code(&card.number);
        let mode = AuthMode::parse(&row.authorization_mode).unwrap_or(AuthMode::Sale);
        let answer = if expected == Some(code.trim()) {
            let amount = stored_money(row.amount, &row.currency)?;
            self.acquirer
                .authorise(AuthRequest {
                    card: &card.number,
                    amount,
                    challenge_passed: true,
                })
                .await
        } else {
            AuthResult::Declined {
                code: "3D".to_owned(),
                reason: "3-D Secure authentication failed".to_owned(),
                rrn: crate::platform::crypto::random_from(b"0123456789", 12),
            }
        };
        self.payer_answer(merchant, row, answer, mode, &card, false)
            .await
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
        let answer = self
            .acquirer
            .authorise(AuthRequest {
                card: &card.number,
                amount,
                challenge_passed: false,
            })
            .await;
        let mode = AuthMode::parse(&row.authorization_mode).unwrap_or(AuthMode::Sale);
        self.payer_answer(merchant, row, answer, mode, &card, true)
            .await
    }

    /// Writes the acquirer's answer to a payer's attempt in one transaction; with
    /// `new_card` the payment takes the facts of the card of this attempt.
    async fn payer_answer(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
        answer: AuthResult,
        mode: AuthMode,
        card: &CheckedCard,
        new_card: bool,
    ) -> Result<Attempt, EngineError> {
        let txn = self.db.begin().await?;
        let row = if new_card {
            let brand = card.number.brand();
            let mut facts: payment::ActiveModel = row.into();
            facts.payment_product_id = Set(Some(brand.payment_product_id()));
            facts.brand = Set(Some(brand.name().to_owned()));
            facts.masked_card = Set(Some(card.number.masked()));
            facts.card_last4 = Set(Some(card.number.last4().to_owned()));
            facts.card_expiry = Set(Some(card.expiry.mmyy()));
            facts.card_holder = Set(Some(card.holder.clone()));
            facts.update(&txn).await?
        } else {
            row
        };
        let (row, result) = self
            .apply_answer(
                &txn,
                merchant,
                row,
                answer,
                mode,
                Some(card),
                &Initiator::Payer,
            )
            .await?;
        txn.commit().await?;
        Ok(Attempt {
            payment: row,
            result,
            token: None,
        })
    }

    /// Runs `change` on the payment's ledger and writes the result with `record`, retrying
    /// when another writer changed the payment in between.
    async fn change<F>(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
        (kind, is_final): (&str, bool),
        amount_of: impl Fn(&Payment) -> i64,
        change: F,
    ) -> Result<(payment::Model, operation::Model), EngineError>
    where
        F: Fn(&mut Payment, i64) -> Result<(), PaymentError>,
    {
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            (kind, is_final, false),
            |l, _| Ok((amount_of(l), Vec::new())),
            change,
        )
        .await
    }

    /// [`Self::change`] planned on the payment's ledger and, when `cart` asks for them,
    /// its cart lines: `plan` gives the amount and the lines to rewrite. Lines are
    /// written only if nobody changed them since they were read, in the same transaction
    /// as the ledger, so two refunds by line can never refund a quantity twice.
    async fn change_with_cart<F>(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
        (kind, is_final, with_cart): (&str, bool, bool),
        plan: impl Fn(
            &Payment,
            &[cart_line::Model],
        ) -> Result<(i64, Vec<cart_line::Model>), EngineError>,
        change: F,
    ) -> Result<(payment::Model, operation::Model), EngineError>
    where
        F: Fn(&mut Payment, i64) -> Result<(), PaymentError>,
    {
        for _ in 0..20 {
            let row = self.payment(merchant.id, payment_id).await?;
            let lines = if with_cart {
                self.cart(payment_id).await?
            } else {
                Vec::new()
            };
            let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
            let (amount, rewritten) = plan(&ledger, &lines)?;
            change(&mut ledger, amount).map_err(EngineError::Refused)?;
            let money = stored_money(amount.max(1), &row.currency)?;
            let rrn = row.rrn.clone().unwrap_or_default();
            let now = Utc::now();
            let txn = self.db.begin().await?;
            let mut update: payment::ActiveModel = row.clone().into();
            update.updated_at = Set(now);
            set_ledger(&mut update, &ledger);
            let row = match guarded_update(&txn, &row, update).await {
                Ok(row) => row,
                Err(EngineError::Refused(PaymentError::Inconsistent)) => {
                    txn.rollback().await?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut lines_moved = true;
            for after in &rewritten {
                let Some(before) = lines.iter().find(|l| l.id == after.id) else {
                    return Err(EngineError::NotFound);
                };
                if !rewrite_line(&txn, before, after).await? {
                    lines_moved = false;
                    break;
                }
            }
            if !lines_moved {
                txn.rollback().await?;
                continue;
            }
            // The ledger (and lines) are reserved in this transaction, which no other
            // writer can pass: the acquirer is asked once, for an operation that will be
            // recorded. If it fails, nothing is written.
            let answer = match kind {
                "capture" => self.acquirer.capture(&rrn, money).await,
                "refund" => self.acquirer.refund(&rrn, money).await,
                _ => self.acquirer.cancel(&rrn).await.map(|()| rrn.clone()),
            };
            let reference = match answer {
                Ok(reference) => reference,
                Err(e) => {
                    txn.rollback().await?;
                    tracing::warn!(payment = %public_id(row.id), kind, error = %e, "acquirer refused or unreachable");
                    return Err(EngineError::Acquirer(e));
                }
            };
            let op = operation::ActiveModel {
                payment_id: Set(row.id),
                kind: Set(kind.to_owned()),
                amount: Set(amount),
                result: Set("approved".to_owned()),
                is_final: Set(is_final),
                rrn: Set(Some(reference)),
                user_id: Set(by.user_id()),
                api_key_id: Set(by.api_key()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let by_line = if rewritten.is_empty() {
                String::new()
            } else {
                format!(" by {} cart line(s)", rewritten.len())
            };
            audit::record(
                &txn,
                AuditEntry {
                    merchant_id: Some(merchant.id),
                    user_id: by.user_id(),
                    actor: &by.actor(),
                    action: &format!("payment.{kind}"),
                    detail: format!("payment {} {kind} {}{by_line}", public_id(row.id), money),
                    ip: by.ip(),
                },
            )
            .await?;
            let event = match kind {
                "refund" => "payment.refunded".to_owned(),
                _ => format!(
                    "payment.{}",
                    ledger.direct_status().status.to_ascii_lowercase()
                ),
            };
            events::emit(&txn, merchant, &event, "payment", wire::payment(&row)).await?;
            txn.commit().await?;
            return Ok((row, op));
        }
        Err(EngineError::Db(DbErr::Custom(
            "the payment kept changing; try again".to_owned(),
        )))
    }

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
            merchant_id: Set(merchant.id),
            channel: Set("POS".to_owned()),
            merchant_reference: Set(cp.merchant_reference.clone()),
            merchant_customer_id: Set(None),
            description: Set(format!("Terminal {}", cp.terminal_id)),
            currency: Set(cp.amount.currency().code().to_owned()),
            amount: Set(cp.amount.minor()),
            authorised: Set(0),
            captured: Set(0),
            refunded: Set(0),
            stage: Set(Stage::Created.code().to_owned()),
            capture_closed: Set(false),
            authorization_mode: Set(AuthMode::Sale.code().to_owned()),
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
            attempts: Set(0),
            return_url: Set(None),
            hosted_checkout_id: Set(None),
            customer_email: Set(None),
            customer_ip: Set(None),
            locale: Set("en".to_owned()),
            capture_after: Set(None),
            receipt: Set(cp.receipt.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.attempts = Set(1);
        let op = |kind: &str, result: &str| operation::ActiveModel {
            payment_id: Set(row.id),
            kind: Set(kind.to_owned()),
            amount: Set(row.amount),
            result: Set(result.to_owned()),
            is_final: Set(false),
            user_id: Set(by.user_id()),
            api_key_id: Set(by.api_key()),
            terminal_id: Set(Some(cp.terminal_id.clone())),
            created_at: Set(now),
            ..Default::default()
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
        events::emit(
            txn,
            merchant,
            "payment.created",
            "payment",
            wire::payment(&row),
        )
        .await?;
        let kind = format!(
            "payment.{}",
            ledger.direct_status().status.to_ascii_lowercase()
        );
        events::emit(txn, merchant, &kind, "payment", wire::payment(&row)).await?;
        Ok(row)
    }

    /// Captures `amount` (all that remains when `None`); `is_final` closes capturing.
    pub async fn capture(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        amount: Option<i64>,
        is_final: bool,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        let over = merchant.over_capture_percent.max(0) as u32;
        self.change(
            merchant,
            payment_id,
            by,
            ("capture", is_final || amount.is_none()),
            |l| amount.unwrap_or_else(|| l.authorised() - l.captured()),
            |l, a| l.capture(a, is_final || amount.is_none(), over),
        )
        .await
    }

    /// Captures the cart as edited: `lines[i]` is the (unit price, quantity) of the
    /// line at position `i`; the lines are rewritten and their total captured, once,
    /// as the final capture (within the merchant's over-capture allowance).
    pub async fn capture_cart(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        edited: &[(i64, Quantity)],
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        let over = merchant.over_capture_percent.max(0) as u32;
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            ("capture", true, true),
            |_, lines| {
                if lines.len() != edited.len() {
                    return Err(EngineError::invalid(
                        "lines",
                        "one price and quantity per cart line",
                    ));
                }
                let rewritten: Vec<cart_line::Model> = lines
                    .iter()
                    .zip(edited)
                    .map(|(line, (price, quantity))| cart_line::Model {
                        unit_price: *price,
                        quantity_thousandths: quantity.thousandths(),
                        amount: line_amount(*price, *quantity),
                        ..line.clone()
                    })
                    .collect();
                Ok((rewritten.iter().map(|l| l.amount).sum(), rewritten))
            },
            |l, a| l.capture(a, true, over),
        )
        .await
    }

    /// Cancels (or releases the uncaptured rest).
    pub async fn cancel(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change(
            merchant,
            payment_id,
            by,
            ("cancel", true),
            |l| l.authorised() - l.captured(),
            |l, _| l.cancel(),
        )
        .await
    }

    /// Refunds `amount` (all that is refundable when `None`).
    pub async fn refund(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        amount: Option<i64>,
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change(
            merchant,
            payment_id,
            by,
            ("refund", false),
            |l| amount.unwrap_or_else(|| l.refundable()),
            |l, a| l.refund(a),
        )
        .await
    }

    /// Refunds `more[i]` thousandths of the cart line at position `i`; the amount is the
    /// domain's cart math on what is left of each line. A line asked beyond what is left
    /// is refused with [`LineError`] and its index.
    pub async fn refund_lines(
        &self,
        merchant: &merchant::Model,
        payment_id: i64,
        more: &[i64],
        by: &Initiator,
    ) -> Result<(payment::Model, operation::Model), EngineError> {
        self.change_with_cart(
            merchant,
            payment_id,
            by,
            ("refund", false, true),
            |_, lines| {
                if lines.len() != more.len() {
                    return Err(EngineError::invalid("lines", "one quantity per cart line"));
                }
                let states: Vec<LineState> = lines.iter().map(line_state).collect();
                let amount =
                    refund_total(&states, more).map_err(|(i, e)| EngineError::Line(i, e))?;
                let rewritten = lines
                    .iter()
                    .zip(more)
                    .filter(|(_, q)| **q > 0)
                    .map(|(line, q)| cart_line::Model {
                        refunded_thousandths: line.refunded_thousandths + q,
                        ..line.clone()
                    })
                    .collect();
                Ok((amount, rewritten))
            },
            |l, a| l.refund(a),
        )
        .await
    }

    /// Expires a payment nobody finished (hosted session over).
    pub async fn expire_payment(
        &self,
        merchant: &merchant::Model,
        row: payment::Model,
    ) -> Result<payment::Model, EngineError> {
        let mut ledger = ledger(&row).map_err(EngineError::Refused)?;
        ledger.expire().map_err(EngineError::Refused)?;
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let mut update: payment::ActiveModel = row.clone().into();
        update.updated_at = Set(now);
        update.pending_card_enc = Set(None);
        set_ledger(&mut update, &ledger);
        let row = guarded_update(&txn, &row, update).await?;
        operation::ActiveModel {
            payment_id: Set(row.id),
            kind: Set("expire".to_owned()),
            amount: Set(0),
            result: Set("approved".to_owned()),
            is_final: Set(true),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        events::emit(
            &txn,
            merchant,
            "payment.cancelled",
            "payment",
            wire::payment(&row),
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Resolves an uncertain authorisation by asking the acquirer (job).
    pub async fn resolve_uncertain(
        &self,
        payment_id: i64,
        sale: bool,
    ) -> Result<bool, EngineError> {
        let Some(row) = payment::Entity::find_by_id(payment_id)
            .one(&self.db)
            .await?
        else {
            return Ok(true);
        };
        if row.stage != Stage::Uncertain.code() {
            return Ok(true);
        }
        let Some(answer) = self
            .acquirer
            .inquire(row.rrn.as_deref().unwrap_or(""))
            .await
        else {
            return Ok(false);
        };
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(&self.db)
            .await?
            .ok_or(EngineError::NotFound)?;
        let mode = if sale {
            AuthMode::Sale
        } else {
            AuthMode::PreAuthorization
        };
        let txn = self.db.begin().await?;
        self.apply_answer(&txn, &merchant, row, answer, mode, None, &Initiator::System)
            .await?;
        txn.commit().await?;
        Ok(true)
    }
}
