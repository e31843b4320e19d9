//! What the agents' console's own server functions send.

use serde::{Deserialize, Serialize};

/// A card terminal that said Hello to the gateway and is bound to no merchant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnboundTerminalView {
    /// The id the terminal gave.
    pub terminal_id: String,
    /// The model its Hello named, empty when it named none.
    pub model: String,
    /// The address (`address:port`) of its live connection, or of its last one.
    pub address: String,
    /// Connected now (and heard from within the gateway's idle timeout).
    pub connected: bool,
    /// When it first said Hello.
    pub first_seen: String,
    /// When it was last heard from.
    pub last_seen: String,
}
