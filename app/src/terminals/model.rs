//! What the terminals and point-of-sale pages show.

use serde::{Deserialize, Serialize};

/// A card terminal in Configuration → Terminals (TG-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalView {
    /// The terminal's id.
    pub terminal_id: String,
    /// Model it announced.
    pub model: String,
    /// Bound to the signed-in merchant (every terminal listed is).
    pub bound: bool,
    /// The network it may connect from, e.g. `203.0.113.7/32`; empty when it was bound
    /// without an address and must be re-paired.
    pub paired_from: String,
    /// That network's prefix length.
    pub prefix: Option<u8>,
    /// How many distinct addresses outside its pairing it was refused from recently
    /// (anyone knowing its id may try: the addresses themselves are not offered).
    pub refused_addresses: usize,
    /// An Admin may re-pair it now, typing the address shown on the terminal: it is not
    /// connected from inside its pairing.
    pub repairable: bool,
    /// Connected now.
    pub connected: bool,
    /// Last heard from, in the user's zone; empty when never.
    pub last_seen: String,
}

/// A point-of-sale payment as its page follows it (TG-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosPaymentView {
    /// Its id.
    pub id: i64,
    /// The terminal.
    pub terminal_id: String,
    /// Amount with its currency, as the user's language writes it.
    pub amount: String,
    /// Merchant's reference.
    pub reference: String,
    /// `WAITING_FOR_CARD`, `WAITING_FOR_PIN` or `FINISHED`.
    pub stage: String,
    /// `APPROVED`, `DECLINED`, `ERROR`, `STOPPED`, `TECHNICAL_PROBLEM`; none while running.
    pub result: Option<String>,
    /// The ledger payment it became.
    pub payment_id: Option<String>,
    /// Authorisation code when approved.
    pub authorisation_code: Option<String>,
    /// Masked card number.
    pub card: Option<String>,
    /// Receipt text.
    pub receipt: Option<String>,
    /// Someone asked to stop it.
    pub cancel_requested: bool,
}
