//! Webhook events (API-4, MB-17): written in the transaction of the change they report,
//! one delivery and one job per active endpoint; the job runner POSTs them.

use crate::entities::{
    job, merchant, webhook_attempt, webhook_delivery, webhook_endpoint, webhook_event,
};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use crate::platform::jobs;
use crate::webhooks::outbound;
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;

/// How long a delivery is retried.
pub const RETRY_WINDOW_HOURS: i64 = 72;
/// Attempts of a delivery job; with [`jobs::backoff`] they span the retry window.
pub const MAX_ATTEMPTS: i32 = 22;

/// Every event type a merchant may pick.
pub const EVENT_TYPES: [&str; 15] = [
    "payment.created",
    "payment.redirected",
    "payment.authorization_requested",
    "payment.pending_capture",
    "payment.capture_requested",
    "payment.captured",
    "payment.cancelled",
    "payment.rejected",
    "payment.refunded",
    "token.created",
    "hostedcheckout.created",
    "paymentlink.created",
    "paymentlink.paid",
    "paymentlink.expired",
    "paymentlink.cancelled",
];

/// Whether `merchant` wants events of type `kind`.
fn wanted(merchant: &merchant::Model, kind: &str) -> bool {
    merchant.webhooks_enabled
        && (merchant.webhook_events.trim().is_empty()
            || merchant.webhook_events.split(',').any(|e| e.trim() == kind))
}

/// Whether the merchant is told of event `kind` one way or another (a webhook, a mail,
/// an SMS): when not, [`emit`] writes nothing.
pub fn told(merchant: &merchant::Model, kind: &str) -> bool {
    crate::configuration::rules::mail_wanted(merchant, kind).is_some()
        || crate::template::sms::sms_wanted(merchant, kind).is_some()
        || wanted(merchant, kind)
}

/// Writes event `kind` carrying `object` under `key` (`payment`, `refund`, `token`), and
/// the notification mail and SMS it calls for. `object` is built only when the merchant
/// is told of the event one way or another: most payments of most merchants are not.
pub async fn emit<C: ConnectionTrait>(
    conn: &C,
    merchant: &merchant::Model,
    kind: &str,
    key: &str,
    object: impl FnOnce() -> serde_json::Value,
) -> Result<(), DbErr> {
    if !told(merchant, kind) {
        return Ok(());
    }
    let mail = crate::configuration::rules::mail_wanted(merchant, kind).is_some();
    let sms = crate::template::sms::sms_wanted(merchant, kind).is_some();
    let hooks = wanted(merchant, kind);
    let object = object();
    if mail {
        crate::configuration::rules::notify_by_mail(conn, merchant, kind, &object).await?;
    }
    if sms {
        crate::template::sms::notify_by_sms(conn, merchant, kind, &object).await?;
    }
    if !hooks {
        return Ok(());
    }
    let endpoints = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::MerchantId.eq(merchant.id))
        .filter(webhook_endpoint::Column::Active.eq(true))
        .all(conn)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let id = uuid::Uuid::new_v4().to_string();
    let mut body = json!({
        "apiVersion": "v1",
        "id": id,
        "created": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "merchantId": merchant.pspid,
        "type": kind,
    });
    body[key] = object;
    webhook_event::Entity::insert(webhook_event::ActiveModel {
        id: Set(id.clone()),
        merchant_id: Set(merchant.id),
        kind: Set(kind.to_owned()),
        body: Set(body.to_string()),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    for endpoint in endpoints {
        let delivery = webhook_delivery::Entity::insert(webhook_delivery::ActiveModel {
            merchant_id: Set(merchant.id),
            event_id: Set(id.clone()),
            endpoint_id: Set(endpoint.id),
            status: Set("pending".to_owned()),
            attempts: Set(0),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(conn)
        .await?
        .last_insert_id;
        jobs::enqueue(
            conn,
            Some(merchant.id),
            jobs::kind::WEBHOOK,
            json!({ "delivery": delivery }),
            now,
            MAX_ATTEMPTS,
        )
        .await?;
    }
    Ok(())
}

/// Active endpoints a merchant may have.
pub const MAX_ENDPOINTS: u64 = 10;
/// Manual re-sends of one delivery per hour.
pub const RESENDS_PER_DELIVERY_PER_HOUR: u64 = 5;
/// Manual re-sends of all of a merchant's deliveries per hour.
pub const RESENDS_PER_MERCHANT_PER_HOUR: u64 = 30;

/// What asking for a re-send did.
#[derive(Debug, PartialEq, Eq)]
pub enum Resend {
    /// One more attempt is queued.
    Queued,
    /// No such delivery of this merchant.
    NotFound,
    /// The hourly re-send allowance of this delivery or merchant is used up.
    Limited,
}

fn resend_payload(delivery_id: i64) -> serde_json::Value {
    json!({ "delivery": delivery_id, "resend": true })
}

/// Queues one more attempt of a delivery (the page's "Re-send"), within the hourly
/// allowances per delivery and per merchant; parallel requests of a merchant are counted
/// one after the other.
pub async fn resend(
    db: &DatabaseConnection,
    merchant_id: i64,
    delivery_id: i64,
) -> Result<Resend, DbErr> {
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .filter(webhook_delivery::Column::MerchantId.eq(merchant_id))
        .one(db)
        .await?
    else {
        return Ok(Resend::NotFound);
    };
    let txn = db.begin_write().await?;
    crate::platform::audit::lock_merchant(&txn, merchant_id).await?;
    // Re-sends are the merchant's webhook jobs of the last hour marked `resend`.
    let recent = || {
        job::Entity::find()
            .filter(job::Column::MerchantId.eq(merchant_id))
            .filter(job::Column::Kind.eq(jobs::kind::WEBHOOK))
            .filter(job::Column::CreatedAt.gt(Utc::now() - Duration::hours(1)))
    };
    let payload = resend_payload(delivery.id).to_string();
    let of_delivery = recent()
        .filter(job::Column::Payload.eq(payload))
        .count(&txn)
        .await?;
    let of_merchant = recent()
        .filter(job::Column::Payload.like("%\"resend\":true%"))
        .count(&txn)
        .await?;
    if of_delivery >= RESENDS_PER_DELIVERY_PER_HOUR || of_merchant >= RESENDS_PER_MERCHANT_PER_HOUR
    {
        txn.rollback().await?;
        return Ok(Resend::Limited);
    }
    jobs::enqueue(
        &txn,
        Some(merchant_id),
        jobs::kind::WEBHOOK,
        resend_payload(delivery.id),
        Utc::now(),
        1,
    )
    .await?;
    txn.commit().await?;
    Ok(Resend::Queued)
}

/// What a delivery attempt concluded.
pub enum Delivered {
    /// The endpoint answered 2xx, or the delivery no longer exists.
    Done,
    /// Try again later.
    Retry(String),
    /// Stop trying.
    GiveUp(String),
}

/// POSTs delivery `delivery_id` once and records the attempt.
pub async fn deliver(
    db: &DatabaseConnection,
    config: &Config,
    http: &reqwest::Client,
    delivery_id: i64,
) -> Result<Delivered, DbErr> {
    let Some(delivery) = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
    else {
        return Ok(Delivered::Done);
    };
    let (Some(event), Some(endpoint), Some(merchant)) = (
        webhook_event::Entity::find_by_id(delivery.event_id.clone())
            .one(db)
            .await?,
        webhook_endpoint::Entity::find_by_id(delivery.endpoint_id)
            .one(db)
            .await?,
        merchant::Entity::find_by_id(delivery.merchant_id)
            .one(db)
            .await?,
    ) else {
        return Ok(Delivered::Done);
    };
    let secret =
        crate::configuration::keys::webhook_key(config, &merchant).map(|(_, secret)| secret);
    let (Some(key_id), Some(secret)) = (merchant.webhook_key_id.clone(), secret) else {
        return Ok(Delivered::GiveUp("no webhook signing key".to_owned()));
    };
    let signature =
        crate::platform::crypto::hmac_sha256_base64(secret.as_bytes(), event.body.as_bytes());
    let started = std::time::Instant::now();
    // An address written in the URL skips the client's filtering resolver: checked here.
    let literal = outbound::check_before_send(&endpoint.url, config.webhook_allow_private);
    let sent = match &literal {
        Err(_) => None,
        Ok(()) => Some(
            http.post(&endpoint.url)
                .header("Content-Type", "application/json")
                .header("X-GCS-Signature", signature)
                .header("X-GCS-KeyId", key_id)
                .body(event.body.clone())
                .send()
                .await,
        ),
    };
    let duration_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (code, error) = match (&literal, &sent) {
        (Err(refused), _) => (None, Some(refused.clone())),
        (_, Some(Ok(res))) if res.status().is_success() => {
            (Some(res.status().as_u16() as i32), None)
        }
        (_, Some(Ok(res))) => (
            Some(res.status().as_u16() as i32),
            Some(format!("HTTP {}", res.status().as_u16())),
        ),
        (_, Some(Err(e))) => (None, Some(error_chain(e))),
        (Ok(()), None) => (None, Some("not sent".to_owned())),
    };
    let now = Utc::now();
    // The attempt and the delivery's new state are written together.
    let txn = db.begin_write().await?;
    webhook_attempt::ActiveModel {
        delivery_id: Set(delivery.id),
        status_code: Set(code),
        error: Set(error.clone()),
        duration_ms: Set(duration_ms),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let expired = now - event.created_at > Duration::hours(RETRY_WINDOW_HOURS);
    let status = match (&error, expired || literal.is_err()) {
        (None, _) => "delivered",
        (Some(_), true) => "failed",
        (Some(_), false) => "retrying",
    };
    let mut row: webhook_delivery::ActiveModel = delivery.clone().into();
    row.status = Set(status.to_owned());
    row.attempts = Set(delivery.attempts + 1);
    row.last_status_code = Set(code);
    row.last_error = Set(error.clone());
    if error.is_none() {
        row.delivered_at = Set(Some(now));
    }
    row.update(&txn).await?;
    txn.commit().await?;
    Ok(match error {
        None => Delivered::Done,
        // An address in the URL does not change: no point in trying again.
        Some(e) if expired || literal.is_err() => Delivered::GiveUp(e),
        Some(e) => Delivered::Retry(e),
    })
}

/// An HTTP client error with its causes (the resolver's refusal is one of them).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(1000).collect()
}
