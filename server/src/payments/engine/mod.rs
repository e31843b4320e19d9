//! The payments engine: creates payments, asks the acquirer, and moves money through the
//! domain state machine. Every change of a payment is one transaction that writes the
//! operation, the payment's new ledger (guarded by the ledger it was computed from, so
//! concurrent captures cannot both pass), the audit row and the webhook events/jobs.
//!
//! This module holds the types callers name and the engine's reads; its parts hold the
//! rest: creating a payment and the payer's answers (`create`), stored cards (`tokens`),
//! changes of a payment (`change`), card-present payments (`card_present`) and the
//! lifecycle jobs (`lifecycle`).

mod answer;
mod card_present;
mod change;
mod create;
pub mod expiry;
mod lifecycle;
mod linked;
mod offline;
mod payer;
pub mod reconcile;
pub mod redirect;
mod screening;
pub mod settle;
mod tokens;

pub(crate) use create::accepted_currency;

use super::error::EngineError;
use crate::entities::{cart_line, operation, payment};
use crate::payments::acquirer::Acquirer;
use crate::platform::config::Config;
use crate::platform::db::WriteTxn;
use crate::platform::settings_cache::PerMerchant;
use chrono::{Datelike, Utc};
use domain::card::{check_cvc, CardError, CardNumber, Expiry};
use domain::methods::Method;
use domain::money::Money;
use domain::terminal::TransactionResult;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

/// The idempotent API request being served.
struct RequestRef {
    /// Its idempotence record's reference.
    reference: String,
    /// Taken over from a process that stopped serving it: it may have committed already.
    resumed: bool,
    /// Where its answer is stored, in the transaction that writes what the answer says.
    answers: Option<Arc<dyn AnswerStore>>,
}

/// An API answer: HTTP status and JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

/// How a request makes its answer from what its attempt did; `None` when the answer
/// needs more than the attempt (a challenge's checkout).
pub type Respond<'a> = dyn Fn(&Attempt) -> Option<Answer> + Send + Sync + 'a;

/// Keeps an idempotent request's answer (API-2) inside the transaction that writes the
/// payment's outcome: the answer and what it reports are committed together, with one
/// write less per request.
#[async_trait::async_trait]
pub trait AnswerStore: Send + Sync {
    /// Writes `answer` inside `txn`; whether it was written (the request is still this
    /// process's).
    async fn store(&self, txn: &WriteTxn, answer: &Answer) -> Result<bool, sea_orm::DbErr>;
    /// The update [`Self::store`] makes, for a caller that writes it within a statement of
    /// its own (it writes a row only while the request is this process's).
    fn statement(&self, answer: &Answer) -> sea_orm::sea_query::UpdateStatement;
    /// Told once the transaction that stored the answer committed.
    fn committed(&self);
}

tokio::task_local! {
    /// The idempotent API request being served.
    static REQUEST_REF: RequestRef;
}

/// Runs `work` as the API request whose idempotence record has `reference`: the payment
/// or operation it makes carries the reference (unique), and when the request is
/// `resumed` (taken over from a process that stopped), one that already carries it
/// (committed before the crash) is answered instead of being made again. A request
/// served for the first time has a new random reference that nothing carries yet, so it
/// does not look.
/// `answers` keeps the answer when the request's work writes it ([`AnswerStore`]).
pub async fn for_request<F: std::future::Future>(
    reference: String,
    resumed: bool,
    answers: Option<Arc<dyn AnswerStore>>,
    work: F,
) -> F::Output {
    REQUEST_REF
        .scope(
            RequestRef {
                reference,
                resumed,
                answers,
            },
            work,
        )
        .await
}

/// Where the idempotent request being served keeps its answer, if any.
fn answer_store() -> Option<Arc<dyn AnswerStore>> {
    REQUEST_REF.try_with(|r| r.answers.clone()).ok().flatten()
}

/// The reference of the idempotent request being served, if any.
pub(crate) fn request_ref() -> Option<String> {
    REQUEST_REF.try_with(|r| r.reference.clone()).ok()
}

/// The reference of the idempotent request being served when it was taken over from a
/// process that stopped: the one whose payment or operation may be committed already.
pub(crate) fn resumed_request_ref() -> Option<String> {
    REQUEST_REF
        .try_with(|r| r.resumed.then(|| r.reference.clone()))
        .ok()
        .flatten()
}

/// The id of a `kind` (checkout, token, tokenization) that a request creates: derived
/// from the idempotent request's reference (secret, random), so a retry after a crash
/// finds the one committed instead of making a second; random without one.
pub(crate) fn new_id_for_request(kind: &str) -> String {
    match request_ref() {
        Some(reference) => {
            use sha2::{Digest, Sha256};
            let digest = Sha256::digest(format!("{kind}:{reference}").as_bytes());
            hex::encode(&digest[..16])
        }
        None => uuid::Uuid::new_v4().simple().to_string(),
    }
}

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

/// A new payment's row, whatever its channel: `Created` for `amount`, nothing
/// authorised, captured or refunded yet, no attempt, written at `now`. The caller adds
/// what its channel knows (`..created_row(…)`).
fn created_row(
    merchant_id: i64,
    channel: &str,
    amount: Money,
    mode: AuthMode,
    now: chrono::DateTime<Utc>,
) -> payment::ActiveModel {
    use sea_orm::Set;
    payment::ActiveModel {
        merchant_id: Set(merchant_id),
        channel: Set(channel.to_owned()),
        currency: Set(amount.currency().code().to_owned()),
        amount: Set(amount.minor()),
        authorised: Set(0),
        captured: Set(0),
        refunded: Set(0),
        stage: Set(domain::payment::Stage::Created.code().to_owned()),
        capture_closed: Set(false),
        authorization_mode: Set(mode.code().to_owned()),
        attempts: Set(0),
        receipt: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// An operation of payment `payment_id`, not final: `kind` for `amount` with `result`,
/// recorded at `now` for `by` (`None`: the payer or the platform, nobody signed in). The
/// caller adds what its channel knows (`..operation_row(…)`).
fn operation_row(
    payment_id: i64,
    (kind, amount, result): (&str, i64, &str),
    by: Option<&Initiator>,
    now: chrono::DateTime<Utc>,
) -> operation::ActiveModel {
    use sea_orm::Set;
    operation::ActiveModel {
        payment_id: Set(payment_id),
        kind: Set(kind.to_owned()),
        amount: Set(amount),
        result: Set(result.to_owned()),
        is_final: Set(false),
        user_id: Set(by.and_then(Initiator::user_id)),
        api_key_id: Set(by.and_then(Initiator::api_key)),
        created_at: Set(now),
        ..Default::default()
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
    /// The wallet that handed the card over (Google Pay, Apple Pay): the payment is
    /// the wallet's product, not the card brand's.
    pub wallet: Option<Method>,
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
    /// The payment link it is paid through.
    pub payment_link_id: Option<i64>,
    /// What the payer entered on the link's page (a JSON object).
    pub payer_fields: Option<String>,
    /// The customer's mobile number, E.164 (SMS notifications, MB-15).
    pub customer_mobile: Option<String>,
    /// The payment product the caller named (API `paymentProductId`): refused when the
    /// merchant does not offer it for the amount.
    pub product: Option<domain::methods::Method>,
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

impl AttemptResult {
    /// A word for the outcome (metrics).
    pub fn outcome(&self) -> &'static str {
        match self {
            AttemptResult::Approved => "approved",
            AttemptResult::Challenge => "challenge",
            AttemptResult::Declined { .. } => "declined",
            AttemptResult::Uncertain => "uncertain",
        }
    }
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
    /// The merchants' payment methods, read once per settings version.
    methods: Arc<PerMerchant<domain::methods::Methods>>,
    /// The merchants' fraud rules, read once per settings version.
    rules: Arc<PerMerchant<Vec<domain::fraud::RuleEntry>>>,
}

/// What binds a payment's sealed card (kept during 3-D Secure or a queued authorisation) to its row.
pub(super) fn pending_card_binding(payment_id: i64) -> String {
    crate::platform::crypto::row_binding("payments.pending_card_enc", &payment_id.to_string())
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
    /// The wallet that handed the card over, if any.
    pub wallet: Option<Method>,
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
        wallet: input.wallet,
    })
}

impl PaymentEngine {
    /// An engine over `db` asking `acquirer`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>, acquirer: Arc<dyn Acquirer>) -> Self {
        PaymentEngine {
            db,
            config,
            acquirer,
            methods: Arc::default(),
            rules: Arc::default(),
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
}
