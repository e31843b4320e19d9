//! The terminals and point-of-sale pages' backend: [`TerminalPort`], implemented by the
//! server.

use super::{PosPaymentView, TerminalView};
use crate::account::Actor;
use crate::error::AppError;

/// Card terminals and the point of sale (TG-2).
#[async_trait::async_trait]
pub trait TerminalPort: Send + Sync {
    /// The merchant's terminals and the new ones (Admins).
    async fn terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError>;
    /// Binds a terminal to the merchant (Admins): its id and the address shown on it
    /// must match a terminal connected now.
    async fn bind(
        &self,
        actor: &Actor,
        terminal_id: String,
        address: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// Re-pairs one of the merchant's terminals to the address offered (Admins).
    async fn repair(
        &self,
        actor: &Actor,
        terminal_id: String,
        address: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// Sets how wide the network a terminal may connect from is (Admins).
    async fn widen(
        &self,
        actor: &Actor,
        terminal_id: String,
        prefix: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// Unbinds one of the merchant's terminals (Admins).
    async fn unbind(
        &self,
        actor: &Actor,
        terminal_id: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError>;
    /// The merchant's terminals for the point-of-sale page (Admins and Operators).
    async fn pos_terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError>;
    /// Sends `amount` (major units as typed) to a terminal.
    async fn pos_start(
        &self,
        actor: &Actor,
        terminal_id: String,
        currency: String,
        amount: String,
        reference: String,
        ip: &str,
    ) -> Result<PosPaymentView, AppError>;
    /// One of the merchant's point-of-sale payments.
    async fn pos_payment(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError>;
    /// Asks the terminal to stop a payment.
    async fn pos_cancel(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError>;
}
