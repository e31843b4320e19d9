//! Configuration pages (MB-14..17, PE-6): API keys, webhooks, payment settings and the
//! job queue. Only Admins manage them; every change is audited.

use crate::account::service::{internal, zone_of};
use crate::configuration::keys;
use crate::entities::{merchant, user};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use app::account::Actor;
use app::configuration::ConfigPort;
use app::configuration::{ApiKeyView, JobView, PaymentSettings};
use app::error::{AppError, FieldError, Problem};
use chrono::Utc;
use domain::ZonePreference;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::sync::Arc;

/// The Admins' configuration: `ConfigPort` here, `WebhooksPort` in `crate::webhooks::port`.
pub struct ConfigService {
    pub(crate) db: DatabaseConnection,
    pub(crate) config: Arc<Config>,
}

impl ConfigService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        ConfigService { db, config }
    }

    /// The actor's merchant and user when the user is an Admin.
    pub(crate) async fn admin(
        &self,
        actor: &Actor,
    ) -> Result<(merchant::Model, user::Model), AppError> {
        crate::account::service::load_admin(&self.db, actor).await
    }

    pub(crate) async fn audit(
        &self,
        m: &merchant::Model,
        u: &user::Model,
        action: &str,
        detail: String,
        ip: &str,
    ) -> Result<(), AppError> {
        audit::record(
            &self.db,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action,
                detail,
                ip,
            },
        )
        .await
        .map_err(internal)
    }

    fn key_view(
        &self,
        zone: &ZonePreference,
        key: crate::entities::api_key::Model,
        secret: Option<String>,
    ) -> ApiKeyView {
        let secret = secret.or_else(|| keys::revealable_secret(&self.config, &key));
        ApiKeyView {
            id: key.id,
            name: key.name,
            key_id: key.key_id,
            seconds_left: if secret.is_some() {
                (key.reveal_until - Utc::now()).num_seconds().max(0)
            } else {
                0
            },
            secret,
            hint: key.secret_hint,
            created: zone.format(key.created_at),
            last_used: key.last_used_at.map(|t| zone.format(t)),
        }
    }
}

#[async_trait::async_trait]
impl ConfigPort for ConfigService {
    async fn api_keys(&self, actor: &Actor) -> Result<Vec<ApiKeyView>, AppError> {
        let (m, u) = self.admin(actor).await?;
        let zone = zone_of(&u);
        Ok(keys::list_api_keys(&self.db, m.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|k| self.key_view(&zone, k, None))
            .collect())
    }

    async fn create_api_key(
        &self,
        actor: &Actor,
        name: String,
        ip: &str,
    ) -> Result<ApiKeyView, AppError> {
        let (m, u) = self.admin(actor).await?;
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::field("name", Problem::Required));
        }
        if name.chars().count() > 100 {
            return Err(AppError::field("name", Problem::TooLong));
        }
        let txn = self.db.begin_write().await.map_err(internal)?;
        let (key, secret) = keys::create_api_key(&txn, &self.config, m.id, &name, Some(u.id))
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "api_key.create",
                detail: format!("API key {} ({name})", key.key_id),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(self.key_view(&zone_of(&u), key, Some(secret)))
    }

    async fn delete_api_key(
        &self,
        actor: &Actor,
        id: i64,
        password: String,
        ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = self.admin(actor).await?;
        if password.is_empty() {
            return Err(AppError::field("password", Problem::Required));
        }
        if !keys::key_deletion_allowed(&self.db, m.id)
            .await
            .map_err(internal)?
        {
            tracing::warn!(merchant = m.id, user = u.id, "API key deletions throttled");
            return Err(AppError::field("password", Problem::TooManyKeyDeletions));
        }
        if !crate::platform::crypto::verify_password(password, Some(u.password_hash.clone())).await
        {
            self.audit(
                &m,
                &u,
                "api_key.delete_denied",
                format!("API key row {id}: wrong password"),
                ip,
            )
            .await?;
            return Err(AppError::field("password", Problem::WrongCurrentPassword));
        }
        // The deletion and its audit row commit together.
        let txn = self.db.begin_write().await.map_err(internal)?;
        let key = crate::entities::api_key::Entity::find_by_id(id)
            .filter(crate::entities::api_key::Column::MerchantId.eq(m.id))
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        if !keys::delete_api_key(&txn, m.id, id)
            .await
            .map_err(internal)?
        {
            return Err(AppError::NotFound);
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "api_key.delete",
                detail: format!("API key {} ({})", key.key_id, key.name),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn payment_settings(&self, actor: &Actor) -> Result<PaymentSettings, AppError> {
        let (m, _) = self.admin(actor).await?;
        Ok(PaymentSettings {
            retry_count: m.retry_count,
            capture_procedure: m.capture_procedure,
            capture_delay_hours: m.capture_delay_hours,
            show_final_page: m.show_final_page,
            session_minutes: m.session_minutes,
            over_capture_percent: m.over_capture_percent,
            report_columns: m
                .report_columns
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            report_format: m.report_format,
            web_site: m.web_site,
            two_step_allowed: m.two_step_allowed,
            default_return_url: m.default_return_url,
            session_events: m.session_events,
            notification_emails: m.notification_emails,
            processing_mode: m.processing_mode,
            reservation_days: m.reservation_days,
        })
    }

    async fn save_payment_settings(
        &self,
        actor: &Actor,
        s: PaymentSettings,
        ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = self.admin(actor).await?;
        let mut problems = Vec::new();
        if !(1..=10).contains(&s.retry_count) {
            problems.push(FieldError::new("retry_count", Problem::OutOfRange));
        }
        if !["immediate", "delayed", "manual"].contains(&s.capture_procedure.as_str()) {
            problems.push(FieldError::new("capture_procedure", Problem::OutOfRange));
        }
        if !(0..=720).contains(&s.capture_delay_hours) {
            problems.push(FieldError::new("capture_delay_hours", Problem::OutOfRange));
        }
        if !(1..=1440).contains(&s.session_minutes) {
            problems.push(FieldError::new("session_minutes", Problem::OutOfRange));
        }
        if !(0..=100).contains(&s.over_capture_percent) {
            problems.push(FieldError::new("over_capture_percent", Problem::OutOfRange));
        }
        let web_site = s.web_site.trim().to_owned();
        if !web_site.is_empty() && keys::check_endpoint_url(&web_site).is_err() {
            problems.push(FieldError::new("web_site", Problem::InvalidUrl));
        }
        if !app::payments::EXPORT_FORMATS.contains(&s.report_format.as_str()) {
            problems.push(FieldError::new("report_format", Problem::OutOfRange));
        }
        // Kept in the download's order; unknown names are refused.
        let columns: Vec<&str> = app::payments::EXPORT_COLUMNS
            .into_iter()
            .filter(|c| s.report_columns.iter().any(|r| r == c))
            .collect();
        if columns.len() != s.report_columns.len() {
            problems.push(FieldError::new("report_columns", Problem::OutOfRange));
        }
        // Delayed or manual capture is a two-step payment: refused with it off.
        if !s.two_step_allowed && s.capture_procedure != "immediate" {
            problems.push(FieldError::new(
                "capture_procedure",
                Problem::TwoStepNotAllowed,
            ));
        }
        // Only a browser redirect: its form is checked, not where it points.
        let default_return_url = match s.default_return_url.trim() {
            "" => String::new(),
            typed => domain::company::web_address(typed).unwrap_or_else(|| {
                problems.push(FieldError::new("default_return_url", Problem::InvalidUrl));
                String::new()
            }),
        };
        let notification_emails = match domain::notify::parse_list(&s.notification_emails) {
            Ok(list) => list.join(","),
            Err(domain::notify::ListError::TooMany) => {
                problems.push(FieldError::new("notification_emails", Problem::TooLong));
                String::new()
            }
            Err(domain::notify::ListError::Invalid(_)) => {
                problems.push(FieldError::new(
                    "notification_emails",
                    Problem::InvalidEmail,
                ));
                String::new()
            }
        };
        problems.extend(super::rules::processing_problems(&s));
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let columns = columns.join(",");
        // The change and its audit row (each changed field, before → after) commit
        // together, the values before read with the merchant's row locked, so two Admins
        // saving at once each record what they changed.
        let txn = self.db.begin_write().await.map_err(internal)?;
        audit::lock_merchant(&txn, m.id).await.map_err(internal)?;
        let m = merchant::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        let detail = audit::changes(&[
            (
                "retry_count",
                m.retry_count.to_string(),
                s.retry_count.to_string(),
            ),
            (
                "capture_procedure",
                m.capture_procedure.clone(),
                s.capture_procedure.clone(),
            ),
            (
                "capture_delay_hours",
                m.capture_delay_hours.to_string(),
                s.capture_delay_hours.to_string(),
            ),
            (
                "show_final_page",
                m.show_final_page.to_string(),
                s.show_final_page.to_string(),
            ),
            (
                "session_minutes",
                m.session_minutes.to_string(),
                s.session_minutes.to_string(),
            ),
            (
                "over_capture_percent",
                m.over_capture_percent.to_string(),
                s.over_capture_percent.to_string(),
            ),
            ("web_site", m.web_site.clone(), web_site.clone()),
            (
                "report_format",
                m.report_format.clone(),
                s.report_format.clone(),
            ),
            ("report_columns", m.report_columns.clone(), columns.clone()),
            (
                "two_step_allowed",
                m.two_step_allowed.to_string(),
                s.two_step_allowed.to_string(),
            ),
            (
                "default_return_url",
                m.default_return_url.clone(),
                default_return_url.clone(),
            ),
            (
                "session_events",
                m.session_events.to_string(),
                s.session_events.to_string(),
            ),
            (
                "notification_emails",
                m.notification_emails.clone(),
                notification_emails.clone(),
            ),
            (
                "processing_mode",
                m.processing_mode.clone(),
                s.processing_mode.clone(),
            ),
            (
                "reservation_days",
                m.reservation_days.to_string(),
                s.reservation_days.to_string(),
            ),
        ]);
        if detail.is_empty() {
            return Ok(());
        }
        let mut row: merchant::ActiveModel = m.clone().into();
        row.report_format = Set(s.report_format.clone());
        row.report_columns = Set(columns);
        row.retry_count = Set(s.retry_count);
        row.capture_procedure = Set(s.capture_procedure.clone());
        row.capture_delay_hours = Set(s.capture_delay_hours);
        row.show_final_page = Set(s.show_final_page);
        row.session_minutes = Set(s.session_minutes);
        row.over_capture_percent = Set(s.over_capture_percent);
        row.web_site = Set(web_site);
        row.two_step_allowed = Set(s.two_step_allowed);
        row.default_return_url = Set(default_return_url);
        row.session_events = Set(s.session_events);
        row.notification_emails = Set(notification_emails);
        row.processing_mode = Set(s.processing_mode.clone());
        row.reservation_days = Set(s.reservation_days);
        row.update(&txn).await.map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "config.payment_settings",
                detail,
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn jobs(&self, actor: &Actor, state: Option<String>) -> Result<Vec<JobView>, AppError> {
        let (m, u) = self.admin(actor).await?;
        let zone = zone_of(&u);
        let state = state.filter(|s| ["queued", "running", "done", "failed"].contains(&s.as_str()));
        Ok(
            crate::platform::jobs::list(&self.db, m.id, state.as_deref(), 200)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|j| JobView {
                    id: j.id,
                    kind: j.kind,
                    state: j.state,
                    attempts: j.attempts,
                    max_attempts: j.max_attempts,
                    run_at: zone.format(j.run_at),
                    last_error: j.last_error,
                })
                .collect(),
        )
    }
}
