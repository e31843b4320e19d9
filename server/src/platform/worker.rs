//! The job runner: claims due jobs and runs them (webhook deliveries, uncertain-status
//! resolution, auto-capture, checkout expiry, mail, ticket closing). Every server process
//! runs one.
//!
//! Jobs run concurrently in two lanes: webhook deliveries, which wait on merchants'
//! servers, and everything else, so a backlog of slow endpoints never delays a capture,
//! an expiry or a mail. Within a lane a merchant holds at most a few slots at once
//! (counted over every process through the jobs' leases), so one merchant cannot take
//! the lane from the others.

use crate::entities::job;
use crate::payments::engine::{Initiator, PaymentEngine};
use crate::platform::db::Autocommit;
use crate::platform::jobs::{self, kind, Lane};
use crate::platform::mail::SmtpSender;
use crate::webhooks::events::{self, Delivered};
use chrono::Duration;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Webhook deliveries one process runs at once.
pub const WEBHOOK_SLOTS: usize = 16;
/// Webhook deliveries of one merchant running at once, over all processes.
pub const WEBHOOK_PER_MERCHANT: i64 = 4;
/// Other jobs one process runs at once.
pub const OTHER_SLOTS: usize = 4;
/// Other jobs of one merchant running at once, over all processes.
pub const OTHER_PER_MERCHANT: i64 = 2;
/// How often an idle runner looks for due jobs.
const POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// A runner with its identity.
pub struct Runner {
    engine: PaymentEngine,
    mailer: Option<Arc<SmtpSender>>,
    http: reqwest::Client,
    id: String,
    claims: AtomicU64,
    lease: Duration,
}

enum Outcome {
    Done,
    Retry(String),
    GiveUp(String),
}

impl Runner {
    /// A runner named after this process.
    pub fn new(engine: PaymentEngine) -> Runner {
        let http = crate::webhooks::outbound::client(engine.config().webhook_allow_private);
        Runner {
            engine,
            mailer: None,
            http,
            id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            claims: AtomicU64::new(0),
            lease: Duration::seconds(60),
        }
    }

    /// Sends mail through `mailer` (without one, mail stays in the outbox).
    pub fn with_mailer(mut self, mailer: Option<SmtpSender>) -> Runner {
        self.mailer = mailer.map(Arc::new);
        self
    }

    /// The lease holder's name of one claim: each claim its own, so a job this process
    /// claims again after its lease ran out cannot be finished by the earlier run.
    fn holder(&self) -> String {
        format!(
            "{}#{}",
            self.id,
            self.claims.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Claims and runs one due job of any kind; `false` when none was due.
    pub async fn run_once(&self) -> Result<bool, sea_orm::DbErr> {
        let holder = self.holder();
        let Some(job) = jobs::claim(&Autocommit(self.engine.db()), &holder, self.lease).await?
        else {
            return Ok(false);
        };
        self.run(job, &holder).await?;
        Ok(true)
    }

    /// Claims the next due job of `lane` within the merchant's share and starts it on
    /// `tasks`; `false` when none was due.
    async fn start_one(
        self: &Arc<Self>,
        lane: Lane,
        per_merchant: i64,
        tasks: &mut JoinSet<()>,
    ) -> Result<bool, sea_orm::DbErr> {
        let holder = self.holder();
        let claimed = jobs::claim_fair(
            &Autocommit(self.engine.db()),
            &holder,
            self.lease,
            lane,
            Some(per_merchant),
        )
        .await?;
        let Some(job) = claimed else {
            return Ok(false);
        };
        let runner = self.clone();
        tasks.spawn(async move {
            if let Err(e) = runner.run(job, &holder).await {
                tracing::warn!(error = %e, "recording a job's outcome failed");
            }
        });
        Ok(true)
    }

    async fn run(&self, job: job::Model, holder: &str) -> Result<(), sea_orm::DbErr> {
        let db = &Autocommit(self.engine.db());
        let payload: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
        // The job's last attempt: a kind that must end in an answer gives one.
        let last = job.attempts >= job.max_attempts;
        let outcome = self.execute(&job.kind, &payload, last).await;
        match outcome {
            Outcome::Done => {
                jobs::complete(db, job.id, holder).await?;
            }
            Outcome::Retry(e) => {
                tracing::info!(job = job.id, kind = %job.kind, error = %e, "job will be retried");
                jobs::fail(db, &job, holder, &e, false).await?;
            }
            Outcome::GiveUp(e) => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %e, "job failed");
                jobs::fail(db, &job, holder, &e, true).await?;
            }
        }
        Ok(())
    }

    async fn execute(&self, kind: &str, payload: &Value, last: bool) -> Outcome {
        let id = |key: &str| payload.get(key).and_then(Value::as_i64).unwrap_or(0);
        let result = match kind {
            kind::WEBHOOK => {
                match events::deliver(
                    self.engine.db(),
                    self.engine.config(),
                    &self.http,
                    id("delivery"),
                )
                .await
                {
                    Ok(Delivered::Done) => {
                        crate::platform::metrics::webhook_delivery("delivered");
                        Ok(true)
                    }
                    Ok(Delivered::Retry(e)) => {
                        crate::platform::metrics::webhook_delivery("retry");
                        return Outcome::Retry(e);
                    }
                    Ok(Delivered::GiveUp(e)) => {
                        crate::platform::metrics::webhook_delivery("given_up");
                        return Outcome::GiveUp(e);
                    }
                    Err(e) => Err(e.to_string()),
                }
            }
            kind::RESOLVE_UNCERTAIN => {
                let sale = payload.get("sale").and_then(Value::as_bool).unwrap_or(true);
                self.engine
                    .resolve_uncertain(id("payment"), sale)
                    .await
                    .map_err(|e| e.to_string())
            }
            kind::RECONCILE_INTENTS => self
                .engine
                .reconcile_intents()
                .await
                .map(|_| true)
                .map_err(|e| e.to_string()),
            kind::AUTHORISE_QUEUED => {
                let sale = payload.get("sale").and_then(Value::as_bool).unwrap_or(true);
                self.engine
                    .authorise_queued(id("payment"), sale, last)
                    .await
                    .map_err(|e| e.to_string())
            }
            kind::EXPIRE_AUTHORISATIONS => self
                .engine
                .release_expired_authorisations()
                .await
                .map(|_| true)
                .map_err(|e| e.to_string()),
            kind::SETTLE_CHANGE => self
                .engine
                .settle_change(id("operation"), false)
                .await
                .map_err(|e| e.to_string()),
            kind::AUTO_CAPTURE => self.auto_capture(id("payment")).await,
            crate::template::sms::SEND_SMS => crate::template::sms::deliver_one(
                self.engine.db(),
                &crate::template::sms::DevSmsProvider,
                id("sms"),
            )
            .await
            .map_err(|e| e.to_string()),
            kind::SEND_EMAIL => match &self.mailer {
                // No relay configured: the mail stays in the outbox (development mailbox).
                None => Ok(true),
                Some(mailer) => {
                    crate::platform::mail::deliver_one(self.engine.db(), mailer, id("mail"))
                        .await
                        .map_err(|e| e.to_string())
                }
            },
            kind::EXPIRE_CHECKOUT => {
                let checkout = payload
                    .get("checkout")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                self.engine
                    .expire_checkout(checkout)
                    .await
                    .map(|()| true)
                    .map_err(|e| e.to_string())
            }
            kind::CLOSE_TICKET => {
                let resolved_at = payload
                    .get("resolved_at")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                crate::support::tickets::close_job::auto_close(
                    self.engine.db(),
                    self.engine.config(),
                    id("ticket"),
                    resolved_at,
                )
                .await
                .map(|_| true)
                .map_err(|e| e.to_string())
            }
            kind::LINK_DEADLINE => {
                let step = payload.get("step").and_then(Value::as_str).unwrap_or("");
                crate::paylinks::PaylinkService::new(self.engine.clone())
                    .deadline(id("link"), step, id("at"))
                    .await
                    .map(|()| true)
                    .map_err(|e| e.to_string())
            }
            kind::LINK_PAID => crate::paylinks::PaylinkService::new(self.engine.clone())
                .paid(id("link"))
                .await
                .map(|()| true)
                .map_err(|e| e.to_string()),
            kind::AUDIT_PURGE => crate::audit::purge::run(self.engine.db())
                .await
                .map(|_| true)
                .map_err(|e| e.to_string()),
            kind::RETENTION_PURGE => crate::company::retention::run(self.engine.db())
                .await
                .map(|_| true)
                .map_err(|e| e.to_string()),
            other => return Outcome::GiveUp(format!("unknown job kind {other}")),
        };
        match result {
            Ok(true) => Outcome::Done,
            Ok(false) => Outcome::Retry("not resolved yet".to_owned()),
            Err(e) => Outcome::Retry(e),
        }
    }

    async fn auto_capture(&self, payment_id: i64) -> Result<bool, String> {
        use crate::entities::{merchant, payment};
        use sea_orm::EntityTrait;
        let db = self.engine.db();
        let Some(p) = payment::Entity::find_by_id(payment_id)
            .one(db)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(true);
        };
        // Captured, cancelled or released by hand in the meantime: nothing to do.
        let open = crate::payments::records::ledger(&p)
            .map(|l| l.capturable(0) > 0 && l.captured() == 0)
            .unwrap_or(false);
        if !open {
            return Ok(true);
        }
        let Some(m) = merchant::Entity::find_by_id(p.merchant_id)
            .one(db)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(true);
        };
        self.engine
            .capture(&m, p.id, None, true, &Initiator::System)
            .await
            .map(|_| true)
            .map_err(|e| e.to_string())
    }
}

/// How often the runner does its housekeeping (forgetting expired mail bodies and ended
/// rate-limit windows, keeping the audit log's purge queued).
const HOUSEKEEPING: std::time::Duration = std::time::Duration::from_secs(600);

impl Runner {
    /// Forgets the bodies of unsent mail whose links have expired: a day, or the reset
    /// link's lifetime when that is longer. Bounded per pass. Forgets ended rate-limit
    /// windows. Queues the audit log's purge when no run of it is queued.
    pub async fn housekeeping(&self) {
        let ttl = self.engine.config().reset_token_ttl_seconds.max(24 * 3600);
        let cutoff = chrono::Utc::now() - Duration::seconds(ttl);
        if let Err(e) =
            crate::platform::mail::forget_stale_bodies(self.engine.db(), cutoff, 1_000).await
        {
            tracing::warn!(error = %e, "forgetting expired mail bodies failed");
        }
        // Ended rate-limit windows (sign-in attempts per address) are forgotten.
        let now = chrono::Utc::now().timestamp();
        if let Err(e) =
            crate::platform::shared_limit::forget_ended(&Autocommit(self.engine.db()), now).await
        {
            tracing::warn!(error = %e, "forgetting ended rate-limit windows failed");
        }
        // The audit log's daily purge is always queued (a failed run is queued again).
        if let Err(e) = crate::audit::purge::ensure_scheduled(self.engine.db()).await {
            tracing::warn!(error = %e, "queuing the audit log's purge failed");
        }
        // So is the data retention's (MB-10).
        if let Err(e) = crate::company::retention::ensure_scheduled(self.engine.db()).await {
            tracing::warn!(error = %e, "queuing the retention purge failed");
        }
        // And the hourly release of expired authorisations.
        if let Err(e) = crate::payments::engine::expiry::ensure_scheduled(self.engine.db()).await {
            tracing::warn!(error = %e, "queuing the release of expired authorisations failed");
        }
        // And the sweep that reconciles payments whose acquirer answer was lost.
        if let Err(e) = crate::payments::engine::reconcile::ensure_scheduled(self.engine.db()).await
        {
            tracing::warn!(error = %e, "queuing the reconciliation sweep failed");
        }
    }
}

/// Runs jobs until the process ends (or the handle is aborted, which stops the running
/// ones too): fills each lane's free slots with due jobs, then waits for a slot to free
/// up or polls every 500 ms.
pub fn spawn(runner: Runner) -> tokio::task::JoinHandle<()> {
    let runner = Arc::new(runner);
    tokio::spawn(async move {
        let mut webhooks: JoinSet<()> = JoinSet::new();
        let mut others: JoinSet<()> = JoinSet::new();
        let mut housekept: Option<std::time::Instant> = None;
        loop {
            if housekept.is_none_or(|at| at.elapsed() >= HOUSEKEEPING) {
                housekept = Some(std::time::Instant::now());
                runner.housekeeping().await;
            }
            while webhooks.try_join_next().is_some() {}
            while others.try_join_next().is_some() {}
            for (lane, slots, per_merchant, tasks) in [
                (Lane::Others, OTHER_SLOTS, OTHER_PER_MERCHANT, &mut others),
                (
                    Lane::Webhooks,
                    WEBHOOK_SLOTS,
                    WEBHOOK_PER_MERCHANT,
                    &mut webhooks,
                ),
            ] {
                while tasks.len() < slots {
                    match runner.start_one(lane, per_merchant, tasks).await {
                        Ok(true) => continue,
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = %e, "job runner pass failed"),
                    }
                    break;
                }
            }
            tokio::select! {
                Some(_) = webhooks.join_next(), if !webhooks.is_empty() => {}
                Some(_) = others.join_next(), if !others.is_empty() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    })
}
