//! Server functions of Configuration → Terminals and Operations → Point of sale (TG-2).
//! The port checks roles; the terminal hub carries the payment to the terminal.

use crate::error::AppError;
use crate::terminals::{PosPaymentView, TerminalView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn port() -> Result<
    (
        crate::account::Actor,
        std::sync::Arc<dyn crate::terminals::TerminalPort>,
    ),
    AppError,
> {
    let actor = crate::context::actor().await?;
    Ok((actor, crate::context::ports()?.terminals))
}

/// The merchant's terminals and the new ones.
#[server(endpoint = "terminals/list")]
pub async fn list_terminals() -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    port.terminals(&actor).await
}

/// Binds a terminal to the merchant: its id and the address shown on the terminal.
#[server(endpoint = "terminals/bind")]
pub async fn bind_terminal(
    terminal_id: String,
    address: String,
) -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.bind(&actor, terminal_id, address, &ip).await
}

/// Re-pairs one of the merchant's terminals to the address it now connects from.
#[server(endpoint = "terminals/repair")]
pub async fn repair_terminal(
    terminal_id: String,
    address: String,
) -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.repair(&actor, terminal_id, address, &ip).await
}

/// Sets the prefix length of the network a terminal may connect from.
#[server(endpoint = "terminals/widen")]
pub async fn widen_terminal(
    terminal_id: String,
    prefix: String,
) -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.widen(&actor, terminal_id, prefix, &ip).await
}

/// Unbinds one of the merchant's terminals.
#[server(endpoint = "terminals/unbind")]
pub async fn unbind_terminal(terminal_id: String) -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.unbind(&actor, terminal_id, &ip).await
}

/// The terminals the point-of-sale page may use.
#[server(endpoint = "pos/terminals")]
pub async fn pos_terminals() -> Result<Vec<TerminalView>, AppError> {
    let (actor, port) = port().await?;
    port.pos_terminals(&actor).await
}

/// Sends an amount to a terminal.
#[server(endpoint = "pos/start")]
pub async fn start_pos_payment(
    terminal: String,
    currency: String,
    amount: String,
    reference: String,
) -> Result<PosPaymentView, AppError> {
    let (actor, port) = port().await?;
    let ip = crate::context::client_ip().await;
    port.pos_start(&actor, terminal, currency, amount, reference, &ip)
        .await
}

/// One point-of-sale payment.
#[server(endpoint = "pos/payment")]
pub async fn load_pos_payment(id: i64) -> Result<PosPaymentView, AppError> {
    let (actor, port) = port().await?;
    port.pos_payment(&actor, id).await
}

/// Asks the terminal to stop a payment.
#[server(endpoint = "pos/cancel")]
pub async fn cancel_pos_payment(id: i64) -> Result<PosPaymentView, AppError> {
    let (actor, port) = port().await?;
    port.pos_cancel(&actor, id).await
}
