//! One wiring place: the payments engine over its acquirer, the card-terminal hub, every
//! port the pages call and the job worker, built once by [`AppState::builder`] for the
//! HTTP server (`platform::http::router`), the command line and the tests.

use crate::account::service::AccountService;
use crate::audit::AuditService;
use crate::checkout::alternatives::PayMethodsService;
use crate::checkout::port::CheckoutService;
use crate::configuration::port::ConfigService;
use crate::payments::acquirer::{Acquirer, SimulatedAcquirer};
use crate::payments::engine::PaymentEngine;
use crate::payments::operations::OperationsService;
use crate::platform::config::Config;
use crate::platform::mail::SmtpSender;
use crate::platform::worker::Runner;
use crate::support::accounts::SupportAccountService;
use crate::support::knowledge::SupportKnowledgeService;
use crate::support::status::SupportStatusService;
use crate::support::tickets::SupportTicketService;
use crate::terminals::operators::SupportAgentService;
use crate::terminals::port::TerminalService;
use crate::terminals::{GatewaySettings, TerminalHub};
use app::ports::Ports;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Everything a request, a job or a command needs, built once.
#[derive(Clone)]
pub struct AppState {
    /// Configuration.
    pub config: Arc<Config>,
    /// Database.
    pub db: DatabaseConnection,
    /// The payments engine (the only writer of payments).
    pub engine: PaymentEngine,
    /// Card terminals: bindings, connections and point-of-sale payments.
    pub terminals: Arc<TerminalHub>,
    /// The backend as the pages see it.
    pub ports: Ports,
    /// Leptos site options (site root, output name).
    pub leptos_options: LeptosOptions,
}

/// Builds an [`AppState`]; the simulated acquirer and the default gateway settings unless
/// told otherwise.
pub struct AppStateBuilder {
    db: DatabaseConnection,
    config: Arc<Config>,
    acquirer: Arc<dyn Acquirer>,
    gateway: GatewaySettings,
}

impl AppState {
    /// Starts building the state over `db` and `config`.
    pub fn builder(db: DatabaseConnection, config: Arc<Config>) -> AppStateBuilder {
        AppStateBuilder {
            db,
            config,
            acquirer: Arc::new(SimulatedAcquirer),
            gateway: GatewaySettings::default(),
        }
    }

    /// The job worker over this state's engine, delivering mail through `mailer` when a
    /// relay is configured.
    pub fn worker(&self, mailer: Option<SmtpSender>) -> Runner {
        Runner::new(self.engine.clone()).with_mailer(mailer)
    }
}

impl AppStateBuilder {
    /// The acquirer the engine asks (a real connector, or a test double).
    pub fn acquirer(mut self, acquirer: Arc<dyn Acquirer>) -> Self {
        self.acquirer = acquirer;
        self
    }

    /// Timeouts and limits of the card-terminal gateway.
    pub fn gateway(mut self, settings: GatewaySettings) -> Self {
        self.gateway = settings;
        self
    }

    /// Wires the engine, the terminal hub and every port.
    pub fn build(self) -> AppState {
        let AppStateBuilder {
            db,
            config,
            acquirer,
            gateway,
        } = self;
        let engine = PaymentEngine::new(db.clone(), config.clone(), acquirer);
        let terminals = TerminalHub::new(engine.clone(), gateway);
        let configuration = Arc::new(ConfigService::new(db.clone(), config.clone()));
        let account = Arc::new(AccountService::new(db.clone(), config.clone()));
        let ports = Ports {
            account: account.clone(),
            security: account,
            checkout: Arc::new(CheckoutService::new(engine.clone())),
            pay_methods: Arc::new(PayMethodsService::new(engine.clone())),
            company: Arc::new(crate::company::CompanyService::new(db.clone())),
            config: configuration.clone(),
            audit: Arc::new(AuditService::new(db.clone())),
            webhooks: configuration,
            operations: Arc::new(OperationsService::new(engine.clone())),
            paylinks: Arc::new(crate::paylinks::PaylinkService::new(engine.clone())),
            terminals: Arc::new(TerminalService::new(terminals.clone(), db.clone())),
            users: Arc::new(crate::users::UsersService::new(db.clone(), config.clone())),
            aliases: Arc::new(crate::aliases::AliasesService::new(engine.clone())),
            fraud: Arc::new(crate::fraud::FraudService::new(db.clone(), config.clone())),
            methods: Arc::new(crate::methods::MethodsService::new(db.clone())),
            production: Arc::new(crate::production::ProductionService::new(
                db.clone(),
                config.clone(),
            )),
            template: Arc::new(crate::template::TemplateService::new(
                db.clone(),
                config.clone(),
            )),
            support_accounts: Arc::new(SupportAccountService::new(db.clone(), config.clone())),
            support_tickets: Arc::new(SupportTicketService::new(db.clone(), config.clone())),
            support_status: Arc::new(SupportStatusService::new(db.clone())),
            support_knowledge: Arc::new(SupportKnowledgeService::new(db.clone())),
            support_agent: Arc::new(SupportAgentService::new(terminals.clone(), db.clone())),
        };
        AppState {
            leptos_options: leptos_options(&config),
            config,
            db,
            engine,
            terminals,
            ports,
        }
    }
}

/// Leptos options from cargo-leptos's environment, with defaults that work when the
/// binary is started on its own from the repository root.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = leptos::prelude::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("openpsp").build());
    if options.output_name.is_empty() {
        options.output_name = Arc::from("openpsp");
    }
    if let Ok(addr) = config.listen.parse::<std::net::SocketAddr>() {
        options.site_addr = addr;
    }
    if let Some(root) = &config.site_root {
        options.site_root = Arc::from(root.to_string_lossy().as_ref());
    }
    options
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Ports {
    fn from_ref(state: &AppState) -> Self {
        state.ports.clone()
    }
}

impl FromRef<AppState> for Arc<TerminalHub> {
    fn from_ref(state: &AppState) -> Self {
        state.terminals.clone()
    }
}
