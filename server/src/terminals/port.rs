//! `TerminalPort`: Configuration → Terminals (Admins) and Operations → Point of sale
//! (Admins and Operators) over the terminal hub.

use crate::account::service::{load_actor, load_actor_who_may, zone_of};
use crate::entities::{merchant, terminal_payment, user};
use crate::payments::engine::Initiator;
use crate::payments::records::public_id;
use crate::terminals::pairing::{binding, Acting};
use crate::terminals::{TerminalError, TerminalHub};
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::terminals::TerminalPort;
use app::terminals::{PosPaymentView, TerminalView};
use domain::money::{Currency, Money};
use domain::{Lang, MoneyMove, Role};
use std::sync::Arc;

/// The port's implementation.
pub struct TerminalService {
    hub: Arc<TerminalHub>,
    db: sea_orm::DatabaseConnection,
}

impl TerminalService {
    /// Over `hub`.
    pub fn new(hub: Arc<TerminalHub>, db: sea_orm::DatabaseConnection) -> Self {
        TerminalService { hub, db }
    }

    async fn with_role(
        &self,
        actor: &Actor,
        roles: &[Role],
    ) -> Result<(merchant::Model, user::Model), AppError> {
        let (m, u) = load_actor(&self.db, actor).await?;
        match Role::parse(&u.role) {
            Some(r) if roles.contains(&r) => Ok((m, u)),
            _ => Err(AppError::Forbidden),
        }
    }

    async fn list(
        &self,
        m: &merchant::Model,
        u: &user::Model,
    ) -> Result<Vec<TerminalView>, AppError> {
        let zone = zone_of(u);
        Ok(self
            .hub
            .list(m.id)
            .await
            .map_err(terminal_error("terminal_id"))?
            .into_iter()
            .map(|t| TerminalView {
                bound: t.row.merchant_id == Some(m.id),
                paired_from: binding(&t.row).map(|n| n.to_string()).unwrap_or_default(),
                prefix: binding(&t.row).map(|n| n.prefix_len()),
                refused_addresses: t.refused,
                repairable: t.repairable,
                connected: t.online,
                last_seen: t
                    .row
                    .last_seen
                    .map(|at| zone.format(at))
                    .unwrap_or_default(),
                model: t.row.model,
                terminal_id: t.row.terminal_id,
            })
            .collect())
    }
}

/// The page's view of a point-of-sale payment, amounts in the user's language.
pub fn pos_view(p: &terminal_payment::Model, lang: Lang) -> PosPaymentView {
    PosPaymentView {
        id: p.id,
        terminal_id: p.terminal_id.clone(),
        amount: Currency::parse(&p.currency)
            .and_then(|c| Money::new(p.amount, c).ok())
            .map(|m| m.format_in(lang))
            .unwrap_or_default(),
        reference: p.merchant_reference.clone(),
        stage: p.stage.clone(),
        result: p.result.clone(),
        payment_id: p.payment_id.map(public_id),
        authorisation_code: p.authorisation_code.clone(),
        card: p.masked_card.clone(),
        receipt: p.receipt.clone(),
        cancel_requested: p.cancel_requested,
    }
}

/// Maps a hub refusal to what the page shows next to `field`.
fn terminal_error(field: &'static str) -> impl Fn(TerminalError) -> AppError {
    move |e| {
        let problem = match e {
            TerminalError::NotFound => return AppError::NotFound,
            TerminalError::Finished => return AppError::NotAllowedNow,
            TerminalError::NotConnected => Problem::TerminalNotConnected,
            TerminalError::Busy => Problem::TerminalBusy,
            TerminalError::Taken => Problem::TerminalTaken,
            TerminalError::TerminalId => Problem::InvalidTerminalId,
            // The same answer whether the id exists or not.
            TerminalError::NoSuchConnection => Problem::TerminalNotConnected,
            TerminalError::Prefix => {
                return AppError::Invalid(vec![FieldError::new("prefix", Problem::OutOfRange)])
            }
            TerminalError::Amount => {
                return AppError::Invalid(vec![FieldError::new("amount", Problem::InvalidAmount)])
            }
            TerminalError::Fraud(_) => {
                return AppError::Invalid(vec![FieldError::new(
                    "amount",
                    Problem::BlockedByFraudRule,
                )])
            }
            other => {
                tracing::error!(error = %other, "terminal request failed");
                return AppError::Internal;
            }
        };
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }
}

const ADMIN: &[Role] = &[Role::Admin];

fn acting<'a>(u: &'a user::Model, ip: &'a str) -> Acting<'a> {
    Acting {
        actor: &u.login,
        user_id: Some(u.id),
        ip,
    }
}

#[async_trait::async_trait]
impl TerminalPort for TerminalService {
    async fn terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = self.with_role(actor, ADMIN).await?;
        self.list(&m, &u).await
    }

    async fn bind(
        &self,
        actor: &Actor,
        terminal_id: String,
        address: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = self.with_role(actor, ADMIN).await?;
        let mut problems = Vec::new();
        if terminal_id.trim().is_empty() {
            problems.push(FieldError::new("terminal_id", Problem::Required));
        }
        if address.trim().is_empty() {
            problems.push(FieldError::new("address", Problem::Required));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        self.hub
            .bind_at(&m, &terminal_id, &address, acting(&u, ip))
            .await
            .map_err(terminal_error("terminal_id"))?;
        self.list(&m, &u).await
    }

    async fn repair(
        &self,
        actor: &Actor,
        terminal_id: String,
        address: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = self.with_role(actor, ADMIN).await?;
        if address.trim().is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "address",
                Problem::Required,
            )]));
        }
        self.hub
            .repair(&m, terminal_id.trim(), &address, acting(&u, ip))
            .await
            .map_err(terminal_error("address"))?;
        self.list(&m, &u).await
    }

    async fn widen(
        &self,
        actor: &Actor,
        terminal_id: String,
        prefix: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = self.with_role(actor, ADMIN).await?;
        let prefix = prefix
            .trim()
            .trim_start_matches('/')
            .parse::<u8>()
            .map_err(|_| AppError::Invalid(vec![FieldError::new("prefix", Problem::OutOfRange)]))?;
        self.hub
            .widen(&m, terminal_id.trim(), prefix, acting(&u, ip))
            .await
            .map_err(terminal_error("prefix"))?;
        self.list(&m, &u).await
    }

    async fn unbind(
        &self,
        actor: &Actor,
        terminal_id: String,
        ip: &str,
    ) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = self.with_role(actor, ADMIN).await?;
        self.hub
            .unbind(&m, &terminal_id, acting(&u, ip))
            .await
            .map_err(terminal_error("terminal_id"))?;
        self.list(&m, &u).await
    }

    async fn pos_terminals(&self, actor: &Actor) -> Result<Vec<TerminalView>, AppError> {
        let (m, u) = load_actor_who_may(&self.db, actor, MoneyMove::Sale).await?;
        Ok(self
            .list(&m, &u)
            .await?
            .into_iter()
            .filter(|t| t.bound)
            .collect())
    }

    async fn pos_start(
        &self,
        actor: &Actor,
        terminal_id: String,
        currency: String,
        amount: String,
        reference: String,
        ip: &str,
    ) -> Result<PosPaymentView, AppError> {
        let (m, u) = load_actor_who_may(&self.db, actor, MoneyMove::Sale).await?;
        let mut problems = Vec::new();
        if terminal_id.trim().is_empty() {
            problems.push(FieldError::new("terminal", Problem::Required));
        }
        let currency = Currency::parse(&currency);
        if currency.is_none() {
            problems.push(FieldError::new("currency", Problem::OutOfRange));
        }
        let money = match currency {
            Some(_) if amount.trim().is_empty() => {
                problems.push(FieldError::new("amount", Problem::Required));
                None
            }
            Some(c) => Money::parse_major(&amount, c)
                .ok()
                .filter(|m| m.minor() > 0 && m.minor() <= i64::from(domain::terminal::MAX_AMOUNT))
                .or_else(|| {
                    problems.push(FieldError::new("amount", Problem::InvalidAmount));
                    None
                }),
            None => None,
        };
        if reference.chars().count() > 40 {
            problems.push(FieldError::new("reference", Problem::TooLong));
        }
        let Some(money) = money.filter(|_| problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let reference = match reference.trim() {
            "" => format!(
                "POS-{}-{}",
                chrono::Utc::now().format("%Y%m%d"),
                crate::platform::crypto::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
            ),
            typed => typed.to_owned(),
        };
        let row = self
            .hub
            .start(
                &m,
                terminal_id.trim(),
                money,
                &reference,
                &Initiator::User {
                    id: u.id,
                    login: u.login.clone(),
                    ip: ip.to_owned(),
                },
            )
            .await
            .map_err(terminal_error("terminal"))?;
        Ok(pos_view(&row, Lang::parse(&u.language).unwrap_or_default()))
    }

    async fn pos_payment(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError> {
        let (m, u) = load_actor_who_may(&self.db, actor, MoneyMove::Sale).await?;
        let row = self
            .hub
            .payment(m.id, id)
            .await
            .map_err(terminal_error("terminal"))?;
        Ok(pos_view(&row, Lang::parse(&u.language).unwrap_or_default()))
    }

    async fn pos_cancel(&self, actor: &Actor, id: i64) -> Result<PosPaymentView, AppError> {
        let (m, u) = load_actor_who_may(&self.db, actor, MoneyMove::Cancel).await?;
        let row = self
            .hub
            .cancel(m.id, id)
            .await
            .map_err(terminal_error("terminal"))?;
        Ok(pos_view(&row, Lang::parse(&u.language).unwrap_or_default()))
    }
}
