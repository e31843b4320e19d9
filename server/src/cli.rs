//! The `openpsp` command line: `serve` (default), `migrate`, `seed-demo`,
//! `create-merchant`, `create-user`, `create-api-key`, `add-webhook`, `bind-terminal`,
//! `unbound-terminals`, `terminal-sim`, `support-invite`, `home-merchant`.

use crate::account::provisioning::{self, NewMerchant, NewUser};
use crate::platform::config::{write_private, Config};
use crate::platform::{db, http};
use clap::{Parser, Subcommand};
use domain::{Environment, Role};
use std::sync::Arc;

/// OpenPSP: a self-hostable payment service provider.
#[derive(Debug, Parser)]
#[command(name = "openpsp", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, serve HTTP on OPENPSP_LISTEN and card terminals on
    /// OPENPSP_TERMINAL_LISTEN.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the TEST merchant `demo` with users admin, operator and viewer (idempotent).
    SeedDemo,
    /// Create a merchant and its main admin user.
    CreateMerchant {
        /// PSPID.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// Commercial name.
        #[arg(long, default_value = "")]
        name: String,
        /// Default time zone of its users.
        #[arg(long, default_value = domain::timezone::DEFAULT_ZONE)]
        time_zone: String,
        /// Login of the main admin user.
        #[arg(long, default_value = "admin")]
        admin_login: String,
        /// E-mail of the main admin user.
        #[arg(long)]
        admin_email: Option<String>,
        /// Password of the main admin (else OPENPSP_ADMIN_PASSWORD, else generated and printed).
        #[arg(long, env = "OPENPSP_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<String>,
    },
    /// Create a user of an existing merchant.
    CreateUser {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// UserID.
        #[arg(long)]
        login: String,
        /// Admin, Operator or Read-only.
        #[arg(long, default_value = "OPERATOR")]
        role: String,
        /// Full name.
        #[arg(long, default_value = "")]
        name: String,
        /// Recovery e-mail.
        #[arg(long)]
        email: Option<String>,
        /// Password (else OPENPSP_USER_PASSWORD, else generated and printed).
        #[arg(long, env = "OPENPSP_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Give the user the "may refund" right.
        #[arg(long)]
        may_refund: bool,
    },
    /// Create an API key for the server API; prints `apiKeyId=…` and `secretApiKey=…`.
    CreateApiKey {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// Name of the key.
        #[arg(long)]
        name: String,
    },
    /// Enable webhooks and add an endpoint; prints the signing key's `keyId=…` and `secret=…`.
    AddWebhook {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// Endpoint URL.
        #[arg(long)]
        url: String,
    },
    /// Record that a merchant of another cluster is homed there (PL-4): a generic
    /// endpoint passes its API calls to that cluster's URL (`OPENPSP_CLUSTER_URLS`).
    HomeMerchant {
        /// PSPID of the merchant, as its home cluster knows it.
        #[arg(long)]
        pspid: String,
        /// Its home cluster: world, europe or india (not this deployment's).
        #[arg(long)]
        cluster: String,
    },
    /// Set a payment method (MB-11) as Configuration → Payment methods does, by its
    /// Direct product id; e.g. `--method 2 --active false`, `--method 1 --currencies EUR,USD`.
    SetPaymentMethod {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// The method's paymentProductId (1 Visa, 2 American Express, 3 Mastercard, ...).
        #[arg(long)]
        method: i32,
        /// Offered and accepted.
        #[arg(long, action = clap::ArgAction::Set, default_value_t = true)]
        active: bool,
        /// Currencies it serves, comma-separated (empty: all).
        #[arg(long, default_value = "")]
        currencies: String,
        /// Countries it serves, comma-separated (empty: all).
        #[arg(long, default_value = "")]
        countries: String,
    },
    /// Add a fraud rule (MB-19), as Advanced → Fraud detection does; e.g.
    /// `--kind max_amount --amount 1000 --currency EUR`, `--kind card_country --country RU`,
    /// `--kind bin_range --bins 411111-411119`, `--kind velocity_ip --attempts 5 --window-minutes 60`.
    AddFraudRule {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// max_amount, card_country, ip_country, bin_range, velocity_card, velocity_email
        /// or velocity_ip (a card number is blocked on the page, never on a command line).
        #[arg(long)]
        kind: String,
        /// block or review.
        #[arg(long, default_value = "block")]
        action: String,
        /// Maximum amount, in major units.
        #[arg(long, default_value = "")]
        amount: String,
        /// Its currency.
        #[arg(long, default_value = "")]
        currency: String,
        /// Country code.
        #[arg(long, default_value = "")]
        country: String,
        /// A BIN or a range.
        #[arg(long, default_value = "")]
        bins: String,
        /// Velocity: attempts allowed.
        #[arg(long, default_value = "")]
        attempts: String,
        /// Velocity: window in minutes.
        #[arg(long, default_value = "")]
        window_minutes: String,
    },
    /// Invite a person to the support portal (creating the organization if needed);
    /// the invitation is e-mailed.
    SupportInvite {
        /// Their e-mail address.
        #[arg(long)]
        email: String,
        /// Organization (customers); omit for an agent.
        #[arg(long)]
        organization: Option<String>,
        /// Invite a support agent.
        #[arg(long)]
        agent: bool,
    },
    /// Bind a card terminal to a merchant (it may not have connected yet).
    BindTerminal {
        /// PSPID of the merchant.
        #[arg(long)]
        pspid: String,
        /// TEST or PRODUCTION.
        #[arg(long, default_value = "TEST")]
        environment: String,
        /// The terminal's id.
        #[arg(long)]
        terminal_id: String,
    },
    /// List the card terminals waiting to be paired (bound to no merchant), the most
    /// recently heard from first, at most 200.
    UnboundTerminals,
    /// Run a simulated Lane/5000 terminal against a gateway. Amounts ending in 05 are
    /// declined, 13 give a technical problem, 77 wait 30 s for a cancel; others approve.
    TerminalSim {
        /// Gateway address.
        #[arg(long, default_value = "127.0.0.1:9000")]
        connect: String,
        /// Terminal id.
        #[arg(long, default_value = "T1000001")]
        terminal_id: String,
        /// Model announced in the Hello.
        #[arg(long, default_value = "Lane/5000")]
        model: String,
        /// Currency it charges in.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// Milliseconds between stages (card read, PIN typed).
        #[arg(long, default_value_t = 800)]
        step_ms: u64,
    },
}

fn environment(value: &str) -> anyhow_like::Result<Environment> {
    Environment::parse(value)
        .ok_or_else(|| format!("environment must be TEST or PRODUCTION, got {value}").into())
}

/// Whether the logs are JSON, one object per line (`OPENPSP_LOG_FORMAT=json`, PL-6).
/// Then the server's start-up lines for people ("OpenPSP listening on …") are not
/// printed: the log lines on the same output say it, and a collector reading that
/// output finds nothing else.
pub fn json_logs() -> bool {
    std::env::var("OPENPSP_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"))
}

/// Prints a start-up line for people, unless the logs are JSON ([`json_logs`]).
fn announce(line: std::fmt::Arguments<'_>) {
    if !json_logs() {
        println!("{line}");
    }
}

/// Tiny boxed-error result for the CLI.
mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow_like::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    // The simulator is a terminal, not a server: it reads no configuration.
    if let Command::TerminalSim {
        connect,
        terminal_id,
        model,
        currency,
        step_ms,
    } = command
    {
        return terminal_sim(connect, terminal_id, model, currency, step_ms).await;
    }
    let config = Arc::new(Config::load()?);
    match command {
        Command::TerminalSim { .. } => Ok(()),
        Command::SupportInvite {
            email,
            organization,
            agent,
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let person = crate::support::accounts::invitations::invite(
                &db,
                &config,
                &email,
                organization.as_deref(),
                agent,
                "OpenPSP Support",
            )
            .await
            .map_err(|e| format!("invitation refused: {e:?}"))?;
            println!(
                "{} invited{}; the invitation waits in the outbox",
                person.email,
                organization
                    .map(|o| format!(" into {o}"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        Command::BindTerminal {
            pspid,
            environment: env,
            terminal_id,
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
            let hub = crate::state::AppState::builder(db, config.clone())
                .build()
                .terminals;
            hub.bind(&m, &terminal_id, "cli", None, "")
                .await
                .map_err(|e| format!("terminal {terminal_id}: {e}"))?;
            println!(
                "terminal {terminal_id} bound to {} ({})",
                m.pspid, m.environment
            );
            Ok(())
        }
        Command::UnboundTerminals => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let hub = crate::state::AppState::builder(db, config.clone())
                .build()
                .terminals;
            let rows = hub.unbound().await?;
            print!("{}", crate::terminals::operators::table(&rows));
            Ok(())
        }
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let bound = crate::platform::reseal::reseal_unbound(&db, &config.data_key).await?;
            println!(
                "migrations applied; {} sealed values bound to their rows",
                bound.resealed()
            );
            Ok(())
        }
        Command::SeedDemo => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let password = std::env::var("OPENPSP_DEMO_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            let given = password.is_some();
            let report = crate::demo::seed_demo(&db, password, &config.support_project_key).await?;
            let file = config.data_dir.join("demo-passwords.txt");
            if !given && !report.passwords.is_empty() {
                // Keep what earlier runs generated for people left unchanged now.
                let earlier = std::fs::read_to_string(&file).unwrap_or_default();
                let kept = earlier.lines().filter(|line| {
                    line.split_once('\t')
                        .is_some_and(|(login, _)| !report.passwords.iter().any(|(l, _)| l == login))
                });
                let mut text: String = kept.map(|line| format!("{line}\n")).collect();
                for (login, pw) in &report.passwords {
                    text.push_str(&format!("{login}\t{pw}\n"));
                }
                write_private(&file, &text)?;
            }
            println!("Demo merchant: PSPID demo (TEST)");
            if report.payments > 0 {
                println!("  {} payments over the last year", report.payments);
            }
            for (login, pw) in &report.passwords {
                println!("  user {login:<9} password {pw}");
            }
            if !report.unchanged.is_empty() {
                // Passwords generated by an earlier run are kept (mode 0600) in the data dir.
                let saved = std::fs::read_to_string(&file).unwrap_or_default();
                for login in &report.unchanged {
                    match saved
                        .lines()
                        .filter_map(|l| l.split_once('\t'))
                        .find(|(l, _)| l == login)
                    {
                        Some((_, pw)) => println!("  user {login:<9} password {pw}"),
                        None => println!(
                            "  user {login:<9} password unchanged (set OPENPSP_DEMO_PASSWORD to reset it)"
                        ),
                    }
                }
            }
            Ok(())
        }
        Command::CreateMerchant {
            pspid,
            environment: env,
            name,
            time_zone,
            admin_login,
            admin_email,
            admin_password,
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let m = provisioning::create_merchant(
                &db,
                NewMerchant {
                    pspid,
                    environment: environment(&env)?,
                    commercial_name: name,
                    legal_name: String::new(),
                    email: String::new(),
                    time_zone,
                },
            )
            .await?;
            let (_, context) = provisioning::policy_for(&db, &m, Some(&admin_login)).await?;
            let generated = admin_password.is_none();
            let password =
                admin_password.unwrap_or_else(|| provisioning::generate_password(&context));
            let u = provisioning::create_user(
                &db,
                &m,
                NewUser {
                    login: admin_login,
                    full_name: String::new(),
                    email: admin_email,
                    role: Role::Admin,
                    primary: true,
                    password: password.clone(),
                    may_refund: true,
                },
            )
            .await?;
            println!(
                "merchant {} ({}) created with admin user {}",
                m.pspid, m.environment, u.login
            );
            if generated {
                println!("password {password}");
            }
            Ok(())
        }
        Command::CreateApiKey {
            pspid,
            environment: env,
            name,
        } => api_key(config, pspid, env, name).await,
        Command::AddWebhook {
            pspid,
            environment: env,
            url,
        } => webhook(config, pspid, env, url).await,
        Command::HomeMerchant { pspid, cluster } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            crate::direct::home::set_home(&db, &config.cluster, &pspid, &cluster).await?;
            println!("{pspid} is homed in {cluster}");
            Ok(())
        }
        Command::SetPaymentMethod {
            pspid,
            environment: env,
            method,
            active,
            currencies,
            countries,
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
            let form = app::methods::MethodForm {
                code: method,
                active,
                currencies,
                countries,
                ..Default::default()
            };
            let row = crate::methods::save_setting(&db, &m, (None, "cli"), &form, "")
                .await
                .map_err(|e| format!("{e:?}"))?;
            println!("method={} active={}", row.code, row.active);
            Ok(())
        }
        Command::AddFraudRule {
            pspid,
            environment: env,
            kind,
            action,
            amount,
            currency,
            country,
            bins,
            attempts,
            window_minutes,
        } => {
            let form = app::fraud::NewRuleForm {
                kind,
                action,
                amount,
                currency,
                country,
                bins,
                card_number: String::new(),
                attempts,
                window_minutes,
            };
            fraud_rule(config, pspid, env, form).await
        }
        Command::CreateUser {
            pspid,
            environment: env,
            login,
            role,
            name,
            email,
            password,
            may_refund,
        } => {
            let db = db::connect_and_migrate(&config.database_url).await?;
            let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
            let role = Role::parse(&role)
                .ok_or_else(|| format!("role must be ADMIN, OPERATOR or READ_ONLY, got {role}"))?;
            let (_, context) = provisioning::policy_for(&db, &m, Some(&login)).await?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| provisioning::generate_password(&context));
            let u = provisioning::create_user(
                &db,
                &m,
                NewUser {
                    login,
                    full_name: name,
                    email,
                    role,
                    primary: false,
                    password: password.clone(),
                    may_refund,
                },
            )
            .await?;
            println!(
                "user {} of {} ({}) created",
                u.login, m.pspid, m.environment
            );
            if generated {
                println!("password {password}");
            }
            Ok(())
        }
    }
}

async fn api_key(
    config: Arc<Config>,
    pspid: String,
    env: String,
    name: String,
) -> anyhow_like::Result<()> {
    if name.trim().is_empty() {
        return Err("the key needs a name".into());
    }
    let db = db::connect_and_migrate(&config.database_url).await?;
    let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
    let (key, secret) =
        crate::configuration::keys::create_api_key(&db, &config, m.id, &name, None).await?;
    println!("apiKeyId={}", key.key_id);
    println!("secretApiKey={secret}");
    Ok(())
}

async fn fraud_rule(
    config: Arc<Config>,
    pspid: String,
    env: String,
    form: app::fraud::NewRuleForm,
) -> anyhow_like::Result<()> {
    if form.kind == "card_number" {
        return Err("block a card number on the Fraud detection page: a command line keeps it in the shell's history".into());
    }
    let db = db::connect_and_migrate(&config.database_url).await?;
    let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
    let by = crate::fraud::port::By {
        login: "cli",
        user_id: None,
        ip: "",
    };
    let row = crate::fraud::port::add_rule(&db, &config, &m, &by, &form)
        .await
        .map_err(|e| format!("{e:?}"))?;
    println!("fraudRuleId={}", row.id);
    Ok(())
}

async fn webhook(
    config: Arc<Config>,
    pspid: String,
    env: String,
    url: String,
) -> anyhow_like::Result<()> {
    let db = db::connect_and_migrate(&config.database_url).await?;
    let m = provisioning::find_merchant(&db, &pspid, environment(&env)?).await?;
    let (key_id, secret) = crate::configuration::keys::add_webhook(&db, &config, &m, &url).await?;
    println!("keyId={key_id}");
    println!("secret={secret}");
    Ok(())
}

async fn terminal_sim(
    connect: String,
    terminal_id: String,
    model: String,
    currency: String,
    step_ms: u64,
) -> anyhow_like::Result<()> {
    use crate::terminals::sim;
    if !crate::terminals::valid_terminal_id(&terminal_id) {
        return Err(format!(
            "terminal id must be 1-32 printable ASCII characters, got {terminal_id:?}"
        )
        .into());
    }
    let mut options = sim::SimOptions::new(&connect, &terminal_id);
    options.model = model;
    options.currency =
        domain::Currency::parse(&currency).ok_or_else(|| format!("unknown currency {currency}"))?;
    options.step = std::time::Duration::from_millis(step_ms);
    sim::run(options, |line| println!("{line}"))
        .await
        .map_err(|e| format!("terminal simulator stopped: {e}"))?;
    Ok(())
}

async fn serve(config: Arc<Config>) -> anyhow_like::Result<()> {
    let db = db::connect_and_migrate(&config.database_url).await?;
    crate::platform::reseal::reseal_unbound(&db, &config.data_key).await?;
    crate::support::tickets::catalogue::ensure_catalogue(&db).await?;
    crate::support::status::ensure_components(&db).await?;
    crate::support::knowledge::ensure_articles(&db).await?;
    crate::platform::crypto::warm_up();
    http::spawn_session_cleanup(db.clone());
    let mailer = match &config.smtp {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, "mail delivered through SMTP");
            Some(crate::platform::mail::SmtpSender::new(
                smtp,
                &config.mail_from,
            )?)
        }
        None => {
            tracing::info!("no SMTP relay configured: mail stays in the outbox (/dev/mailbox)");
            None
        }
    };
    if config.dev_mailbox() {
        tracing::warn!(
            "the development mailbox is on (OPENPSP_DEV_MAILBOX=on): /dev/mailbox shows every queued mail, reset links and sign-in codes included, to anyone who can reach this server"
        );
    }
    let state = crate::state::AppState::builder(db.clone(), config.clone()).build();
    crate::platform::worker::spawn(state.worker(mailer));
    tokio::spawn({
        let db = db.clone();
        async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(e) = crate::direct::idempotence::purge(&db).await {
                    tracing::warn!(error = %e, "idempotence purge failed");
                }
            }
        }
    });
    let hub = state.terminals.clone();
    if let Some(addr) = &config.terminal_listen {
        hub.reset_connections().await?;
        // The back office and the API still serve when the terminal port is taken
        // (port 9000 is a popular default): say so loudly instead of not starting.
        match crate::terminals::gateway::listen(addr, hub.clone()).await {
            Ok(bound) => {
                tracing::info!(listen = %bound, "terminal gateway listening");
                announce(format_args!("Terminal gateway listening on {bound}"));
            }
            Err(e) => {
                tracing::error!(listen = %addr, error = %e, "terminal gateway not started; set OPENPSP_TERMINAL_LISTEN to a free address or to off");
                eprintln!("Terminal gateway NOT started on {addr}: {e}");
            }
        }
    }
    if let Some(addr) = &config.metrics_listen {
        let sources = crate::platform::metrics::Sources {
            db: db.clone(),
            terminals: state.terminals.clone(),
        };
        let bound = crate::platform::metrics::spawn(addr, sources).await?;
        tracing::info!(listen = %bound, "metrics at /metrics");
        announce(format_args!("Metrics on http://{bound}/metrics"));
    }
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        environment = %config.environment_name,
        cluster = %config.cluster,
        "OpenPSP listening"
    );
    announce(format_args!(
        "OpenPSP listening on http://{}",
        listener.local_addr()?
    ));
    http::serve(listener, http::router(&state)).await?;
    Ok(())
}
