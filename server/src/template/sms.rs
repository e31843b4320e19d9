//! SMS notifications to the customer (MB-15): when the merchant switched them on and a
//! payment carries the customer's mobile number, a successful payment and a refund each
//! put an SMS in the outbox, in the transaction of the payment's change (beside the
//! notification e-mails), with a `send_sms` job. The job hands it to an [`SmsProvider`];
//! the one shipped is the development provider, which only marks it sent. The
//! development mailbox lists the outbox.

use crate::entities::{merchant, payment, sms_outbox};
use crate::payments::records::{parse_public_id, stored_money};
use crate::platform::db::CalledOut;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};

/// The job kind that sends one SMS.
pub const SEND_SMS: &str = "send_sms";
/// Attempts before an SMS is left for a person to look at.
const MAX_ATTEMPTS: i32 = 10;

/// Where SMS go. A real gateway implements it; [`DevSmsProvider`] is the one shipped.
#[async_trait::async_trait]
pub trait SmsProvider: Send + Sync {
    /// Sends `body` to `to` (E.164); an error is retried with the jobs' backoff.
    async fn send(&self, to: &str, body: &str) -> Result<(), String>;
}

/// The development provider: sends nothing, so the SMS is marked sent and stays readable
/// in the development mailbox.
pub struct DevSmsProvider;

#[async_trait::async_trait]
impl SmsProvider for DevSmsProvider {
    async fn send(&self, to: &str, _body: &str) -> Result<(), String> {
        tracing::info!(to, "SMS marked sent (development provider)");
        Ok(())
    }
}

/// The SMS the customer gets for event `kind`, when the merchant switched SMS on: for a
/// payment that succeeded (`payment.captured`) or was refunded (`payment.refunded`).
pub(crate) fn sms_wanted(merchant: &merchant::Model, kind: &str) -> Option<domain::sms::Notice> {
    let notice = match kind {
        "payment.captured" => domain::sms::Notice::Paid,
        "payment.refunded" => domain::sms::Notice::Refunded,
        _ => return None,
    };
    merchant.sms_enabled.then_some(notice)
}

/// Queues, in the transaction of the change, an SMS to the customer of the payment in
/// `object` (its Direct JSON) when [`sms_wanted`]. Every payment event passes here.
pub(crate) async fn notify_by_sms<C: ConnectionTrait>(
    conn: &C,
    merchant: &merchant::Model,
    kind: &str,
    object: &serde_json::Value,
) -> Result<(), DbErr> {
    let Some(notice) = sms_wanted(merchant, kind) else {
        return Ok(());
    };
    let Some(id) = object["id"].as_str().and_then(parse_public_id) else {
        return Ok(());
    };
    let Some(row) = payment::Entity::find_by_id(id)
        .filter(payment::Column::MerchantId.eq(merchant.id))
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    let Some(to) = row.customer_mobile.as_deref() else {
        return Ok(());
    };
    let lang = domain::Lang::parse(&row.locale).unwrap_or_default();
    let minor = match notice {
        domain::sms::Notice::Paid => row.captured,
        domain::sms::Notice::Refunded => row.refunded,
    };
    let amount = stored_money(minor, &row.currency)
        .map(|m| m.format_in(lang))
        .unwrap_or_else(|_| format!("{minor} {}", row.currency));
    let name = if merchant.commercial_name.is_empty() {
        &merchant.pspid
    } else {
        &merchant.commercial_name
    };
    let body = domain::sms::text(lang, notice, &amount, name, &row.merchant_reference);
    let sms = sms_outbox::ActiveModel {
        merchant_id: Set(merchant.id),
        payment_id: Set(Some(row.id)),
        to_number: Set(to.to_owned()),
        body: Set(body),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    crate::platform::jobs::enqueue(
        conn,
        Some(merchant.id),
        SEND_SMS,
        serde_json::json!({ "sms": sms.id }),
        Utc::now(),
        MAX_ATTEMPTS,
    )
    .await?;
    Ok(())
}

/// Sends one queued SMS through `provider`; `Ok(true)` once it is sent (or gone),
/// `Ok(false)` for a retry. On PostgreSQL the row is locked while it is sent (`SKIP
/// LOCKED`), so two servers do not both send it. On SQLite (one server, whose jobs each
/// run once) it is read and sent outside the write queue and only its outcome waits for
/// a write turn: a slow provider never holds up the payments' writes.
pub async fn deliver_one(
    db: &DatabaseConnection,
    provider: &dyn SmsProvider,
    id: i64,
) -> Result<bool, DbErr> {
    let mut called = CalledOut::read(db, sms_outbox::Entity::find_by_id(id)).await?;
    let Some(sms) = called.row.take() else {
        return Ok(true);
    };
    if sms.sent_at.is_some() {
        return Ok(true);
    }
    let result = provider.send(&sms.to_number, &sms.body).await;
    let attempts = sms.attempts + 1;
    let mut active = sms.into_active_model();
    active.attempts = Set(attempts);
    let sent = match result {
        Ok(()) => {
            active.sent_at = Set(Some(Utc::now()));
            active.last_error = Set(None);
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, attempts, "SMS delivery failed");
            active.last_error = Set(Some(e));
            false
        }
    };
    let txn = called.writer(db).await?;
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod delivery_tests {
    use super::*;
    use crate::account::provisioning::{create_merchant, NewMerchant};
    use crate::platform::db::BeginWrite;
    use sea_orm::ActiveModelTrait;
    use std::sync::Arc;
    use tokio::sync::Notify;

    /// A provider that answers only when let go.
    struct Held(Arc<Notify>);

    #[async_trait::async_trait]
    impl SmsProvider for Held {
        async fn send(&self, _to: &str, _body: &str) -> Result<(), String> {
            self.0.notified().await;
            Ok(())
        }
    }

    /// While the provider takes its time, the other writers of the SQLite file go on;
    /// the SMS is marked sent once it answers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_provider_holds_up_no_other_write() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("s.db").display());
        let db = crate::platform::db::connect_and_migrate(&url)
            .await
            .expect("database");
        let merchant = create_merchant(
            &db,
            NewMerchant {
                pspid: "shop".into(),
                environment: domain::Environment::Test,
                commercial_name: "Shop".into(),
                legal_name: String::new(),
                email: String::new(),
                time_zone: "Europe/Brussels".into(),
            },
        )
        .await
        .expect("merchant");
        let sms = sms_outbox::ActiveModel {
            merchant_id: Set(merchant.id),
            payment_id: Set(None),
            to_number: Set("+32470000000".into()),
            body: Set("Paid".into()),
            attempts: Set(0),
            last_error: Set(None),
            sent_at: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .expect("queued");
        let release = Arc::new(Notify::new());
        let sending = {
            let (db, release) = (db.clone(), release.clone());
            tokio::spawn(async move { deliver_one(&db, &Held(release), sms.id).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let other = tokio::time::timeout(std::time::Duration::from_secs(2), db.begin_write())
            .await
            .expect("another writer is not held up by the provider")
            .expect("its turn");
        other.commit().await.expect("commit");
        release.notify_one();
        assert!(sending.await.expect("task").expect("delivered"));
        let row = sms_outbox::Entity::find_by_id(sms.id)
            .one(&db)
            .await
            .expect("read")
            .expect("row");
        assert!(row.sent_at.is_some());
        assert_eq!(row.attempts, 1);
    }
}
