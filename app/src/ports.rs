//! The backend as the UI sees it: every feature's port trait, which the `server` crate
//! implements, bundled as one context value. Nothing here names a table or a database.

use crate::account::AccountPort;
use crate::checkout::CheckoutPort;
use crate::configuration::ConfigPort;
use crate::payments::OperationsPort;
use crate::support::accounts::SupportAccountPort;
use crate::support::knowledge::SupportKnowledgePort;
use crate::support::status::SupportStatusPort;
use crate::support::tickets::SupportTicketPort;
use crate::terminals::TerminalPort;
use crate::webhooks::WebhooksPort;
use std::sync::Arc;

/// Every port, provided as one context value by the server.
#[derive(Clone)]
pub struct Ports {
    /// Accounts and login.
    pub account: Arc<dyn AccountPort>,
    /// Hosted pages.
    pub checkout: Arc<dyn CheckoutPort>,
    /// Configuration pages.
    pub config: Arc<dyn ConfigPort>,
    /// Webhooks.
    pub webhooks: Arc<dyn WebhooksPort>,
    /// Payment operations.
    pub operations: Arc<dyn OperationsPort>,
    /// Card terminals and the point of sale.
    pub terminals: Arc<dyn TerminalPort>,
    /// The support portal's accounts.
    pub support_accounts: Arc<dyn SupportAccountPort>,
    /// Support tickets.
    pub support_tickets: Arc<dyn SupportTicketPort>,
    /// The service status page.
    pub support_status: Arc<dyn SupportStatusPort>,
    /// Knowledge base, announcements, virtual agent.
    pub support_knowledge: Arc<dyn SupportKnowledgePort>,
}
