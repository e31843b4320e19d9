//! The webhooks page's port (Admins): endpoints, the events each receives, deliveries and
//! their attempts, resending, and the signing key's rotation.

use crate::account::service::{internal, zone_of};
use crate::configuration::keys;
use crate::configuration::port::ConfigService;
use crate::entities::{merchant, webhook_delivery, webhook_endpoint, webhook_event};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::webhooks::{events, outbound};
use app::account::Actor;
use app::error::{AppError, Problem};
use app::webhooks::{DeliveryView, EndpointView, WebhooksPort, WebhooksView};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

#[async_trait::async_trait]
impl WebhooksPort for ConfigService {
    async fn webhooks(&self, actor: &Actor) -> Result<WebhooksView, AppError> {
        let (m, u) = self.admin(actor).await?;
        let zone = zone_of(&u);
        let endpoints = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::MerchantId.eq(m.id))
            .filter(webhook_endpoint::Column::Active.eq(true))
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let urls: HashMap<i64, String> = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::MerchantId.eq(m.id))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| (e.id, e.url))
            .collect();
        let deliveries = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::MerchantId.eq(m.id))
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(50)
            .all(&self.db)
            .await
            .map_err(internal)?;
        let event_ids: Vec<String> = deliveries.iter().map(|d| d.event_id.clone()).collect();
        let kinds: HashMap<String, String> = webhook_event::Entity::find()
            .filter(webhook_event::Column::Id.is_in(event_ids))
            .all(&self.db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| (e.id, e.kind))
            .collect();
        Ok(WebhooksView {
            enabled: m.webhooks_enabled,
            events: m
                .webhook_events
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
            all_events: events::EVENT_TYPES.iter().map(|e| e.to_string()).collect(),
            endpoints: endpoints
                .into_iter()
                .map(|e| EndpointView {
                    id: e.id,
                    url: e.url,
                })
                .collect(),
            key_id: m.webhook_key_id.clone(),
            deliveries: deliveries
                .into_iter()
                .map(|d| DeliveryView {
                    id: d.id,
                    event: kinds.get(&d.event_id).cloned().unwrap_or_default(),
                    url: urls.get(&d.endpoint_id).cloned().unwrap_or_default(),
                    status: d.status,
                    attempts: d.attempts,
                    last_code: d.last_status_code,
                    created: zone.format(d.created_at),
                })
                .collect(),
        })
    }

    async fn save_webhooks(
        &self,
        actor: &Actor,
        enabled: bool,
        events: Vec<String>,
        ip: &str,
    ) -> Result<Option<String>, AppError> {
        let (m, u) = self.admin(actor).await?;
        let chosen: Vec<&str> = events::EVENT_TYPES
            .iter()
            .copied()
            .filter(|e| events.iter().any(|c| c == e))
            .collect();
        // The change, the first signing key and the audit row (each changed field,
        // before → after, the values before read with the merchant's row locked) commit
        // together.
        let txn = self.db.begin_write().await.map_err(internal)?;
        audit::lock_merchant(&txn, m.id).await.map_err(internal)?;
        let before = merchant::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        let mut row: merchant::ActiveModel = before.clone().into();
        row.webhooks_enabled = Set(enabled);
        row.webhook_events = Set(chosen.join(","));
        let m = row.update(&txn).await.map_err(internal)?;
        // The first key's secret is shown once, as after a rotation: without it nobody
        // could check a signature.
        let (key_id, secret) = if enabled && m.webhook_key_id.is_none() {
            let (key_id, secret) = keys::rotate_webhook_key(&txn, &self.config, &m)
                .await
                .map_err(internal)?;
            (Some(key_id), Some(secret))
        } else {
            (m.webhook_key_id.clone(), None)
        };
        let detail = audit::changes(&[
            (
                "enabled",
                before.webhooks_enabled.to_string(),
                enabled.to_string(),
            ),
            ("events", before.webhook_events.clone(), chosen.join(",")),
            (
                "signing_key",
                before.webhook_key_id.clone().unwrap_or_default(),
                key_id.unwrap_or_default(),
            ),
        ]);
        if !detail.is_empty() {
            audit::record(
                &txn,
                AuditEntry {
                    merchant_id: Some(m.id),
                    user_id: Some(u.id),
                    actor: &u.login,
                    action: "webhooks.settings",
                    detail,
                    ip,
                },
            )
            .await
            .map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        Ok(secret)
    }

    async fn add_endpoint(&self, actor: &Actor, url: String, ip: &str) -> Result<(), AppError> {
        let (m, u) = self.admin(actor).await?;
        if url.trim().is_empty() {
            return Err(AppError::field("url", Problem::Required));
        }
        let url = keys::check_endpoint_url(&url)
            .map_err(|_| AppError::field("url", Problem::InvalidUrl))?;
        // Only public addresses: the page reads `OutOfRange` on the URL as "not a public
        // address" and `ExceedsLimit` as "too many endpoints".
        if let Err(refused) = outbound::check_url(&url, self.config.webhook_allow_private).await {
            tracing::info!(merchant = m.id, %refused, "webhook endpoint refused");
            return Err(AppError::field("url", Problem::OutOfRange));
        }
        // Counted and added with the merchant's row locked: parallel additions cannot
        // both pass the cap.
        let txn = self.db.begin_write().await.map_err(internal)?;
        crate::platform::audit::lock_merchant(&txn, m.id)
            .await
            .map_err(internal)?;
        let active = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::MerchantId.eq(m.id))
            .filter(webhook_endpoint::Column::Active.eq(true))
            .count(&txn)
            .await
            .map_err(internal)?;
        if active >= events::MAX_ENDPOINTS {
            return Err(AppError::field("url", Problem::ExceedsLimit));
        }
        webhook_endpoint::ActiveModel {
            merchant_id: Set(m.id),
            url: Set(url.clone()),
            active: Set(true),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "webhooks.endpoint_add",
                detail: audit::changes(&[("endpoint", String::new(), url)]),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn remove_endpoint(&self, actor: &Actor, id: i64, ip: &str) -> Result<(), AppError> {
        let (m, u) = self.admin(actor).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        let Some(endpoint) = webhook_endpoint::Entity::find_by_id(id)
            .filter(webhook_endpoint::Column::MerchantId.eq(m.id))
            .filter(webhook_endpoint::Column::Active.eq(true))
            .one(&txn)
            .await
            .map_err(internal)?
        else {
            return Err(AppError::NotFound);
        };
        // Kept (inactive) so the delivery log still names it.
        let result = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Active, false.into())
            .filter(webhook_endpoint::Column::Id.eq(id))
            .filter(webhook_endpoint::Column::MerchantId.eq(m.id))
            .filter(webhook_endpoint::Column::Active.eq(true))
            .exec(&txn)
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "webhooks.endpoint_remove",
                detail: audit::changes(&[("endpoint", endpoint.url, String::new())]),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn rotate_webhook_key(&self, actor: &Actor, ip: &str) -> Result<String, AppError> {
        let (m, u) = self.admin(actor).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        audit::lock_merchant(&txn, m.id).await.map_err(internal)?;
        let m = merchant::Entity::find_by_id(m.id)
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        let (key_id, secret) = keys::rotate_webhook_key(&txn, &self.config, &m)
            .await
            .map_err(internal)?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "webhooks.rotate_key",
                detail: audit::changes(&[(
                    "signing_key",
                    m.webhook_key_id.clone().unwrap_or_default(),
                    key_id,
                )]),
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(secret)
    }

    async fn resend_delivery(&self, actor: &Actor, id: i64) -> Result<(), AppError> {
        let (m, _) = self.admin(actor).await?;
        match events::resend(&self.db, m.id, id).await.map_err(internal)? {
            events::Resend::Queued => Ok(()),
            events::Resend::NotFound => Err(AppError::NotFound),
            events::Resend::Limited => Err(AppError::RateLimited),
        }
    }
}
