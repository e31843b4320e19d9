//! The job runner: claims due jobs and runs them (webhook deliveries, uncertain-status
//! resolution, auto-capture, checkout expiry). Every server process runs one.

use crate::payments::engine::{Initiator, PaymentEngine};
use crate::platform::jobs::{self, kind};
use crate::platform::mail::SmtpSender;
use crate::webhooks::events::{self, Delivered};
use chrono::Duration;
use serde_json::Value;
use std::sync::Arc;

/// A runner with its identity.
pub struct Runner {
    engine: PaymentEngine,
    mailer: Option<Arc<SmtpSender>>,
    http: reqwest::Client,
    id: String,
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
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Runner {
            engine,
            mailer: None,
            http,
            id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            lease: Duration::seconds(60),
        }
    }

    /// Sends mail through `mailer` (without one, mail stays in the outbox).
    pub fn with_mailer(mut self, mailer: Option<SmtpSender>) -> Runner {
        self.mailer = mailer.map(Arc::new);
        self
    }

    /// Claims and runs one due job; `false` when none was due.
    pub async fn run_once(&self) -> Result<bool, sea_orm::DbErr> {
        let db = self.engine.db();
        let Some(job) = jobs::claim(db, &self.id, self.lease).await? else {
            return Ok(false);
        };
        let payload: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
        let outcome = self.execute(&job.kind, &payload).await;
        match outcome {
            Outcome::Done => {
                jobs::complete(db, job.id, &self.id).await?;
            }
            Outcome::Retry(e) => {
                tracing::info!(job = job.id, kind = %job.kind, error = %e, "job will be retried");
                jobs::fail(db, &job, &self.id, &e, false).await?;
            }
            Outcome::GiveUp(e) => {
                tracing::warn!(job = job.id, kind = %job.kind, error = %e, "job failed");
                jobs::fail(db, &job, &self.id, &e, true).await?;
            }
        }
        Ok(true)
    }

    async fn execute(&self, kind: &str, payload: &Value) -> Outcome {
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
                    Ok(Delivered::Done) => Ok(true),
                    Ok(Delivered::Retry(e)) => return Outcome::Retry(e),
                    Ok(Delivered::GiveUp(e)) => return Outcome::GiveUp(e),
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
            kind::AUTO_CAPTURE => self.auto_capture(id("payment")).await,
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

/// Runs jobs until the process ends: drains what is due, then polls every 500 ms.
pub fn spawn(runner: Runner) -> tokio::task::JoinHandle<()> {
    let runner = Arc::new(runner);
    tokio::spawn(async move {
        loop {
            match runner.run_once().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "job runner pass failed"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    })
}
