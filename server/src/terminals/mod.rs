//! Card terminals (TG-1..TG-4): the TCP gateway terminals connect to, the hub that binds
//! them to merchants and carries point-of-sale payments to them, and the simulator.
//!
//! A point-of-sale payment is a `terminal_payments` row: `queued` when the point-of-sale
//! page or API asks for it, `sent` once the connection task holding that terminal claimed
//! it (a guarded UPDATE, so two connections never both send it), `finished` with the
//! terminal's result, in the same transaction that writes the card-present payment to
//! the ledger. The database is the truth; in-process notifications make things quick,
//! and one sweep a second per process (not per connection) finds work and changes
//! written by another node, so a page served by one node can reach a terminal connected
//! to another. An idle connection costs no database query.
//!
//! A bound terminal is pinned to the network it was paired from (`pairing`). Terminals
//! bound to nobody and long unheard are forgotten, and warnings about refused
//! connections are rate-limited (`upkeep`). Terminals bound to nobody are listed to the
//! platform's operators only: the support agents and the command line (`operators`).

pub mod events;
pub mod gateway;
pub mod link;
mod live;
pub mod operators;
pub mod pairing;
pub mod port;
pub mod sim;
pub mod upkeep;

use crate::entities::{merchant, terminal, terminal_payment, user};
use crate::payments::engine::{CardPresent, Initiator, PaymentEngine};
use crate::payments::error::EngineError;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Autocommit, BeginWrite};
use chrono::Utc;
use domain::card::mask_card_numbers;
use domain::money::{Currency, Money};
use domain::terminal::{TerminalStage, TransactionOutcome, TransactionResult, MAX_AMOUNT};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast;

/// Stages of a point-of-sale payment, as the API names them.
pub mod stage {
    /// Sent; the terminal waits for the card.
    pub const WAITING_FOR_CARD: &str = "WAITING_FOR_CARD";
    /// The card is in; the terminal waits for the PIN.
    pub const WAITING_FOR_PIN: &str = "WAITING_FOR_PIN";
    /// Over: `result` says how.
    pub const FINISHED: &str = "FINISHED";
}

/// Where a point-of-sale payment's row is.
mod state {
    pub const QUEUED: &str = "queued";
    pub const SENT: &str = "sent";
    pub const FINISHED: &str = "finished";
}

/// How the gateway talks to terminals.
#[derive(Clone, Debug)]
pub struct GatewaySettings {
    /// Seconds between a terminal's keep-alives (sent in the Hello response).
    pub keep_alive_seconds: u16,
    /// How long a new connection may take to say Hello.
    pub hello_timeout: Duration,
    /// How long the rest of a frame may take once its length arrived.
    pub frame_timeout: Duration,
    /// The cash register id the gateway writes in its headers.
    pub ecr_id: String,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            keep_alive_seconds: 30,
            hello_timeout: Duration::from_secs(10),
            frame_timeout: Duration::from_secs(10),
            ecr_id: "OPENPSP".to_owned(),
        }
    }
}

impl GatewaySettings {
    /// Silence after which a connection is dropped: three keep-alives missed.
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.keep_alive_seconds) * 3 + 5)
    }
}

/// Why a terminal request was refused.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// No such terminal (bound to this merchant) or payment.
    #[error("not found")]
    NotFound,
    /// The terminal is bound to this merchant but not connected.
    #[error("the terminal is not connected")]
    NotConnected,
    /// The terminal is taking another payment.
    #[error("the terminal is busy with another payment")]
    Busy,
    /// The payment is over: nothing to cancel.
    #[error("the payment is already finished")]
    Finished,
    /// Bound to another merchant.
    #[error("the terminal is bound to another merchant")]
    Taken,
    /// No terminal with this id is connected from this address (or it is bound to
    /// another merchant): the same answer whether the id exists or not.
    #[error("no such terminal connected from this address")]
    NoSuchConnection,
    /// A Hello from outside the network the terminal was paired from.
    #[error("the terminal is paired to another address")]
    Pinned,
    /// Not a prefix length the binding may have.
    #[error("invalid prefix length")]
    Prefix,
    /// Not an amount a terminal takes (above zero, at most 8 digits).
    #[error("invalid amount")]
    Amount,
    /// A block fraud rule matched what is known before the card is read (MB-19).
    #[error("{0}")]
    Fraud(String),
    /// Another connection holds this terminal id; it keeps it.
    #[error("the terminal is already connected")]
    AlreadyConnected,
    /// Not a terminal id (1–32 printable ASCII characters).
    #[error("invalid terminal id")]
    TerminalId,
    /// Database failure.
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// The ledger refused the result.
    #[error("ledger: {0}")]
    Engine(#[from] EngineError),
}

/// A terminal as the back office lists it.
#[derive(Clone, Debug)]
pub struct TerminalInfo {
    /// The stored row.
    pub row: terminal::Model,
    /// Connected now (and heard from within the idle timeout).
    pub online: bool,
    /// How many distinct addresses outside its binding it was refused from recently.
    pub refused: usize,
    /// An Admin may re-pair it now: it is not connected from inside its binding.
    pub repairable: bool,
}

/// Terminals, their bindings and point-of-sale payments; shared by the gateway, the
/// pages and the API.
pub struct TerminalHub {
    db: DatabaseConnection,
    engine: PaymentEngine,
    settings: GatewaySettings,
    /// The live connection of each terminal connected to this process.
    live: Mutex<HashMap<String, live::Live>>,
    /// The Hellos refused from outside its pairing, per bound terminal.
    refused: Mutex<HashMap<String, live::Refused>>,
    changes: broadcast::Sender<i64>,
    /// Live point-of-sale event streams per user.
    streams: Mutex<HashMap<i64, usize>>,
    /// When warnings about refused connections were last logged, per address.
    warnings: upkeep::WarnLimit,
    sweeping: OnceLock<()>,
}

/// Whether `id` is a terminal id the protocol can carry.
pub fn valid_terminal_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= domain::terminal::MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_graphic())
}

impl TerminalHub {
    /// A hub over `db`.
    pub fn new(engine: PaymentEngine, settings: GatewaySettings) -> Arc<TerminalHub> {
        Arc::new(TerminalHub {
            db: engine.db().clone(),
            engine,
            settings,
            live: Mutex::new(HashMap::new()),
            refused: Mutex::new(HashMap::new()),
            changes: broadcast::channel(1024).0,
            streams: Mutex::new(HashMap::new()),
            warnings: upkeep::WarnLimit::default(),
            sweeping: OnceLock::new(),
        })
    }

    /// The gateway's settings.
    pub fn settings(&self) -> &GatewaySettings {
        &self.settings
    }

    /// Tells of every change of a point-of-sale payment (its id).
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.changes.subscribe()
    }

    fn changed(&self, id: i64) {
        let _ = self.changes.send(id);
    }

    fn online(&self, row: &terminal::Model) -> bool {
        let fresh = chrono::Duration::from_std(self.settings.idle_timeout())
            .unwrap_or_else(|_| chrono::Duration::seconds(95));
        row.connected && row.last_seen.is_some_and(|seen| Utc::now() - seen < fresh)
    }

    /// The merchant's terminals, by id. Terminals bound to nobody are listed to no
    /// merchant: a merchant binds one by typing its id and address.
    pub async fn list(&self, merchant_id: i64) -> Result<Vec<TerminalInfo>, TerminalError> {
        let rows = terminal::Entity::find()
            .filter(terminal::Column::MerchantId.eq(merchant_id))
            .order_by_asc(terminal::Column::TerminalId)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let (refused, repairable) = self.repair_state(&row);
                TerminalInfo {
                    online: self.online(&row),
                    refused,
                    repairable,
                    row,
                }
            })
            .collect())
    }

    /// Sends a payment of `amount` to one of the merchant's connected terminals.
    pub async fn start(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        amount: Money,
        reference: &str,
        by: &Initiator,
    ) -> Result<terminal_payment::Model, TerminalError> {
        if amount.minor() <= 0 || amount.minor() > i64::from(MAX_AMOUNT) {
            return Err(TerminalError::Amount);
        }
        let terminal = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .filter(terminal::Column::MerchantId.eq(merchant.id))
            .one(&self.db)
            .await?
            .ok_or(TerminalError::NotFound)?;
        if !self.online(&terminal) {
            return Err(TerminalError::NotConnected);
        }
        // The terminal reads the card and asks for the authorisation itself: the rules
        // that need no card (maximum amount) are checked before it is asked.
        let screening = crate::fraud::screen(
            &self.db,
            self.engine.config(),
            crate::fraud::screen::Attempt {
                merchant_id: merchant.id,
                amount,
                card: None,
                email: None,
                ip: None,
                bin: None,
            },
        )
        .await?;
        if let Some(reason) = screening.refusal_reason() {
            return Err(TerminalError::Fraud(reason));
        }
        let busy = terminal_payment::Entity::find()
            .filter(terminal_payment::Column::TerminalId.eq(terminal_id))
            .filter(terminal_payment::Column::State.ne(state::FINISHED))
            .one(&self.db)
            .await?;
        if busy.is_some() {
            return Err(TerminalError::Busy);
        }
        let now = Utc::now();
        let (user_id, api_key_id) = match by {
            Initiator::User { id, .. } => (Some(*id), None),
            Initiator::ApiKey { key, .. } => (None, Some(key.clone())),
            _ => (None, None),
        };
        let txn = self.db.begin_write().await?;
        let row = terminal_payment::ActiveModel {
            merchant_id: Set(merchant.id),
            terminal_id: Set(terminal_id.to_owned()),
            amount: Set(amount.minor()),
            currency: Set(amount.currency().code().to_owned()),
            merchant_reference: Set(reference.trim().to_owned()),
            state: Set(state::QUEUED.to_owned()),
            stage: Set(stage::WAITING_FOR_CARD.to_owned()),
            result: Set(None),
            cancel_requested: Set(false),
            payment_id: Set(None),
            authorisation_code: Set(None),
            brand: Set(None),
            masked_card: Set(None),
            receipt: Set(None),
            user_id: Set(user_id),
            api_key_id: Set(api_key_id),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id(),
                actor: &by.actor(),
                action: "pos.start",
                detail: format!(
                    "terminal {terminal_id} {amount} reference {}",
                    reference.trim()
                ),
                ip: by.ip(),
            },
        )
        .await?;
        txn.commit().await?;
        self.wake(terminal_id);
        self.changed(row.id);
        Ok(row)
    }

    /// One of the merchant's point-of-sale payments.
    pub async fn payment(
        &self,
        merchant_id: i64,
        id: i64,
    ) -> Result<terminal_payment::Model, TerminalError> {
        terminal_payment::Entity::find_by_id(id)
            .filter(terminal_payment::Column::MerchantId.eq(merchant_id))
            .one(&self.db)
            .await?
            .ok_or(TerminalError::NotFound)
    }

    /// Asks to stop a payment: one not sent yet stops at once; one on the terminal gets
    /// a cancel request, and the terminal's answer finishes it.
    pub async fn cancel(
        &self,
        merchant_id: i64,
        id: i64,
    ) -> Result<terminal_payment::Model, TerminalError> {
        let row = self.payment(merchant_id, id).await?;
        let now = Utc::now();
        let stopped = terminal_payment::Entity::update_many()
            .col_expr(
                terminal_payment::Column::State,
                Expr::value(state::FINISHED),
            )
            .col_expr(
                terminal_payment::Column::Stage,
                Expr::value(stage::FINISHED),
            )
            .col_expr(
                terminal_payment::Column::Result,
                Expr::value(TransactionResult::Stopped.api_name()),
            )
            .col_expr(terminal_payment::Column::CancelRequested, Expr::value(true))
            .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(now))
            .filter(terminal_payment::Column::Id.eq(id))
            .filter(terminal_payment::Column::State.eq(state::QUEUED))
            .exec(&Autocommit(&self.db))
            .await?;
        if stopped.rows_affected == 0 {
            let asked = terminal_payment::Entity::update_many()
                .col_expr(terminal_payment::Column::CancelRequested, Expr::value(true))
                .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(now))
                .filter(terminal_payment::Column::Id.eq(id))
                .filter(terminal_payment::Column::State.eq(state::SENT))
                .exec(&Autocommit(&self.db))
                .await?;
            if asked.rows_affected == 0 {
                return Err(TerminalError::Finished);
            }
        }
        self.wake(&row.terminal_id);
        self.changed(id);
        self.payment(merchant_id, id).await
    }

    /// At start: no terminal is connected to this process yet. (Terminals held by
    /// other nodes say so again at their next keep-alive.)
    pub async fn reset_connections(&self) -> Result<(), DbErr> {
        terminal::Entity::update_many()
            .col_expr(terminal::Column::Connected, Expr::value(false))
            .filter(terminal::Column::Connected.eq(true))
            .exec(&Autocommit(&self.db))
            .await?;
        Ok(())
    }

    /// A terminal said Hello: it is listed (new when never bound) and connected.
    pub(crate) async fn connected(
        &self,
        terminal_id: &str,
        model: Option<&str>,
        peer: &str,
    ) -> Result<(), TerminalError> {
        let now = Utc::now();
        let model: String = model.unwrap_or("").chars().take(64).collect();
        terminal::Entity::insert(terminal::ActiveModel {
            terminal_id: Set(terminal_id.to_owned()),
            merchant_id: Set(None),
            model: Set(model.clone()),
            connected: Set(true),
            peer: Set(peer.to_owned()),
            last_seen: Set(Some(now)),
            bound_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(terminal::Column::TerminalId)
                .update_columns([
                    terminal::Column::Connected,
                    terminal::Column::Peer,
                    terminal::Column::LastSeen,
                ])
                .to_owned(),
        )
        .exec(&Autocommit(&self.db))
        .await?;
        // A terminal saying Hello has restarted: what an earlier connection gave it
        // will never be answered.
        let stale = terminal_payment::Entity::find()
            .filter(terminal_payment::Column::TerminalId.eq(terminal_id))
            .filter(terminal_payment::Column::State.eq(state::SENT))
            .all(&self.db)
            .await?;
        for row in stale {
            self.end_without_result(row.id, state::SENT).await?;
        }
        if !model.is_empty() {
            terminal::Entity::update_many()
                .col_expr(terminal::Column::Model, Expr::value(model))
                .filter(terminal::Column::TerminalId.eq(terminal_id))
                .exec(&Autocommit(&self.db))
                .await?;
        }
        Ok(())
    }

    /// The terminal is still there (keep-alive).
    pub(crate) async fn seen(&self, terminal_id: &str, peer: &str) -> Result<(), TerminalError> {
        terminal::Entity::update_many()
            .col_expr(terminal::Column::Connected, Expr::value(true))
            .col_expr(terminal::Column::Peer, Expr::value(peer))
            .col_expr(terminal::Column::LastSeen, Expr::value(Utc::now()))
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .exec(&Autocommit(&self.db))
            .await?;
        Ok(())
    }

    /// The connection `peer` of `terminal_id` closed: the terminal is disconnected
    /// (unless it already reconnected elsewhere) and what it was given ends in error.
    pub(crate) async fn disconnected(&self, terminal_id: &str, peer: &str, active: Option<i64>) {
        let result = async {
            terminal::Entity::update_many()
                .col_expr(terminal::Column::Connected, Expr::value(false))
                .filter(terminal::Column::TerminalId.eq(terminal_id))
                .filter(terminal::Column::Peer.eq(peer))
                .exec(&Autocommit(&self.db))
                .await?;
            if let Some(id) = active {
                self.end_without_result(id, state::SENT).await?;
            }
            Ok::<(), DbErr>(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(terminal = terminal_id, error = %e, "terminal disconnect not recorded");
        }
    }

    /// Ends a payment the terminal never answered: result `ERROR`, nothing in the ledger
    /// (no card was taken as far as anyone knows).
    async fn end_without_result(&self, id: i64, from: &str) -> Result<(), DbErr> {
        terminal_payment::Entity::update_many()
            .col_expr(
                terminal_payment::Column::State,
                Expr::value(state::FINISHED),
            )
            .col_expr(
                terminal_payment::Column::Stage,
                Expr::value(stage::FINISHED),
            )
            .col_expr(
                terminal_payment::Column::Result,
                Expr::value(TransactionResult::Error.api_name()),
            )
            .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(terminal_payment::Column::Id.eq(id))
            .filter(terminal_payment::Column::State.eq(from))
            .exec(&Autocommit(&self.db))
            .await?;
        self.changed(id);
        Ok(())
    }

    /// Claims the oldest queued payment for `terminal_id` if the terminal is still bound
    /// to its merchant and `peer` is inside its pairing (a terminal re-paired elsewhere
    /// takes nothing more on its old connection); `None` when there is none (or another
    /// connection took it).
    pub(crate) async fn claim_next(
        &self,
        terminal_id: &str,
        peer: &str,
    ) -> Result<Option<terminal_payment::Model>, DbErr> {
        let Some(next) = terminal_payment::Entity::find()
            .filter(terminal_payment::Column::TerminalId.eq(terminal_id))
            .filter(terminal_payment::Column::State.eq(state::QUEUED))
            .order_by_asc(terminal_payment::Column::Id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let bound = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .filter(terminal::Column::MerchantId.eq(next.merchant_id))
            .one(&self.db)
            .await?
            .is_some_and(|row| matches!(pairing::fits(&row, peer), pairing::PinCheck::Inside));
        if !bound {
            self.end_without_result(next.id, state::QUEUED).await?;
            return Ok(None);
        }
        let claimed = terminal_payment::Entity::update_many()
            .col_expr(terminal_payment::Column::State, Expr::value(state::SENT))
            .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(terminal_payment::Column::Id.eq(next.id))
            .filter(terminal_payment::Column::State.eq(state::QUEUED))
            .exec(&Autocommit(&self.db))
            .await?;
        if claimed.rows_affected != 1 {
            return Ok(None);
        }
        self.changed(next.id);
        Ok(Some(next))
    }

    /// Whether someone asked to stop payment `id`.
    pub(crate) async fn cancel_requested(&self, id: i64) -> Result<bool, DbErr> {
        Ok(terminal_payment::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .is_some_and(|r| r.cancel_requested))
    }

    /// The terminal reports a stage of payment `id`.
    pub(crate) async fn stage(&self, id: i64, reported: TerminalStage) -> Result<(), DbErr> {
        let name = match reported {
            TerminalStage::WaitingForCard => stage::WAITING_FOR_CARD,
            TerminalStage::WaitingForPin => stage::WAITING_FOR_PIN,
            // Finished arrives with the response; card removal and unknown stages
            // change nothing the page shows.
            _ => return Ok(()),
        };
        terminal_payment::Entity::update_many()
            .col_expr(terminal_payment::Column::Stage, Expr::value(name))
            .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(terminal_payment::Column::Id.eq(id))
            .filter(terminal_payment::Column::State.eq(state::SENT))
            .exec(&Autocommit(&self.db))
            .await?;
        self.changed(id);
        Ok(())
    }

    /// The terminal's answer: the card-present payment goes into the ledger and the
    /// point-of-sale payment finishes, in one transaction.
    pub(crate) async fn finish(
        &self,
        id: i64,
        outcome: &TransactionOutcome,
    ) -> Result<(), TerminalError> {
        let txn = self.db.begin_write().await?;
        // Write first: on SQLite a transaction that reads and then writes fails when
        // another writer committed in between; one that starts by writing waits instead.
        let claimed = terminal_payment::Entity::update_many()
            .col_expr(terminal_payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(terminal_payment::Column::Id.eq(id))
            .filter(terminal_payment::Column::State.eq(state::SENT))
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(TerminalError::NotFound);
        }
        let row = terminal_payment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(TerminalError::NotFound)?;
        let merchant = merchant::Entity::find_by_id(row.merchant_id)
            .one(&txn)
            .await?
            .ok_or(TerminalError::NotFound)?;
        // The payment is what was asked. A terminal reporting another amount or currency
        // ends it as an error, never as an approval of something else.
        let currency = Currency::parse(&row.currency).ok_or(TerminalError::Amount)?;
        let amount = Money::new(row.amount, currency).map_err(|_| TerminalError::Amount)?;
        let differs = outcome.amount.is_some_and(|a| i64::from(a) != row.amount)
            || outcome
                .currency
                .is_some_and(|c| Currency::from_numeric(c) != Some(currency));
        let result = if differs {
            tracing::warn!(
                terminal = %row.terminal_id,
                asked = row.amount,
                reported = ?outcome.amount,
                "terminal reported another amount or currency: recorded as an error"
            );
            TransactionResult::Error
        } else {
            outcome.result
        };
        // Card numbers are masked (6+4) before anything is stored, whatever was sent.
        let masked_card = outcome.masked_pan.as_deref().map(mask_card_numbers);
        let receipt = outcome.receipt.as_deref().map(mask_card_numbers);
        let authorisation_code = if differs {
            None
        } else {
            outcome.authorisation_code.clone()
        };
        let by = match (row.user_id, &row.api_key_id) {
            (Some(uid), _) => match user::Entity::find_by_id(uid).one(&txn).await? {
                // Recorded when the terminal answers: the starter's address is on the
                // `pos.start` audit row.
                Some(u) => Initiator::User {
                    id: u.id,
                    login: u.login,
                    ip: String::new(),
                },
                None => Initiator::System,
            },
            (None, Some(key)) => Initiator::ApiKey {
                key: key.clone(),
                ip: String::new(),
            },
            (None, None) => Initiator::System,
        };
        let payment = self
            .engine
            .record_card_present(
                &txn,
                &merchant,
                CardPresent {
                    terminal_id: row.terminal_id.clone(),
                    amount,
                    merchant_reference: row.merchant_reference.clone(),
                    result,
                    authorisation_code: authorisation_code.clone(),
                    brand: outcome.brand.clone(),
                    masked_card: masked_card.clone(),
                    receipt: receipt.clone(),
                },
                &by,
            )
            .await?;
        let mut update: terminal_payment::ActiveModel = row.into();
        update.state = Set(state::FINISHED.to_owned());
        update.stage = Set(stage::FINISHED.to_owned());
        update.result = Set(Some(result.api_name().to_owned()));
        update.payment_id = Set(Some(payment.id));
        update.authorisation_code = Set(authorisation_code);
        update.brand = Set(payment.brand.clone());
        update.masked_card = Set(masked_card);
        update.receipt = Set(receipt);
        update.updated_at = Set(Utc::now());
        update.update(&txn).await?;
        txn.commit().await?;
        self.changed(id);
        Ok(())
    }
}
