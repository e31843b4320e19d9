//! The backend as the UI sees it: every feature's port trait, which the `server` crate
//! implements, bundled as one context value. Nothing here names a table or a database.
//! Each trait is read from its feature's `port` module, never through the feature's
//! pages.

use crate::account::port::AccountPort;
use crate::account::security::port::SecurityPort;
use crate::aliases::port::AliasesPort;
use crate::audit::port::AuditPort;
use crate::checkout::port::CheckoutPort;
use crate::checkout::PayMethodsPort;
use crate::company::port::CompanyPort;
use crate::configuration::port::ConfigPort;
use crate::fraud::port::FraudPort;
use crate::methods::port::MethodsPort;
use crate::paylinks::port::PaylinksPort;
use crate::payments::port::OperationsPort;
use crate::production::port::ProductionPort;
use crate::support::accounts::port::SupportAccountPort;
use crate::support::agent::port::SupportAgentPort;
use crate::support::knowledge::port::SupportKnowledgePort;
use crate::support::status::port::SupportStatusPort;
use crate::support::tickets::port::SupportTicketPort;
use crate::template::port::TemplatePort;
use crate::terminals::port::TerminalPort;
use crate::users::port::UsersPort;
use crate::webhooks::port::WebhooksPort;
use std::sync::Arc;

/// Every port, provided as one context value by the server.
#[derive(Clone)]
pub struct Ports {
    /// Accounts and login.
    pub account: Arc<dyn AccountPort>,
    /// Second factors of the sign-in.
    pub security: Arc<dyn SecurityPort>,
    /// Hosted pages.
    pub checkout: Arc<dyn CheckoutPort>,
    /// The hosted page's redirect methods and wallets.
    pub pay_methods: Arc<dyn PayMethodsPort>,
    /// The merchant's account page.
    pub company: Arc<dyn CompanyPort>,
    /// Configuration pages.
    pub config: Arc<dyn ConfigPort>,
    /// The audit log.
    pub audit: Arc<dyn AuditPort>,
    /// Webhooks.
    pub webhooks: Arc<dyn WebhooksPort>,
    /// Payment operations.
    pub operations: Arc<dyn OperationsPort>,
    /// Payment links, invoices and the pre-payment page.
    pub paylinks: Arc<dyn PaylinksPort>,
    /// Card terminals and the point of sale.
    pub terminals: Arc<dyn TerminalPort>,
    /// Users and the PSPID's sign-in rules.
    pub users: Arc<dyn UsersPort>,
    /// The merchant's aliases (stored cards).
    pub aliases: Arc<dyn AliasesPort>,
    /// The merchant's fraud rules (Advanced → Fraud detection).
    pub fraud: Arc<dyn FraudPort>,
    /// The merchant's payment methods.
    pub methods: Arc<dyn MethodsPort>,
    /// Copying a TEST account to production.
    pub production: Arc<dyn ProductionPort>,
    /// The payer's pages' template, SMS notifications and the OpenID token.
    pub template: Arc<dyn TemplatePort>,
    /// The support portal's accounts.
    pub support_accounts: Arc<dyn SupportAccountPort>,
    /// Support tickets.
    pub support_tickets: Arc<dyn SupportTicketPort>,
    /// The service status page.
    pub support_status: Arc<dyn SupportStatusPort>,
    /// Knowledge base, announcements, virtual agent.
    pub support_knowledge: Arc<dyn SupportKnowledgePort>,
    /// What only the support agents (the platform's operators) see.
    pub support_agent: Arc<dyn SupportAgentPort>,
}
