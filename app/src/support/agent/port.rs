//! The agents' console's own backend: [`SupportAgentPort`], implemented by the server.

use super::UnboundTerminalView;
use crate::error::AppError;
use crate::support::accounts::SupportActor;

/// What only the platform's operators, the support agents, see.
#[async_trait::async_trait]
pub trait SupportAgentPort: Send + Sync {
    /// The card terminals waiting to be paired: bound to no merchant, the most recently
    /// heard from first, at most 200. Agents only: `Forbidden` for a customer.
    async fn unbound_terminals(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<UnboundTerminalView>, AppError>;
}
