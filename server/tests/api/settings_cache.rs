//! The payment methods and fraud rules the engine keeps in memory between payments
//! (`platform::settings_cache`): a change made by another node (here, a statement on
//! the shared database that bypasses this process) is seen because the database raises
//! the merchant's settings version: by the very next payment on SQLite, where each call
//! reads the merchant with its key; on PostgreSQL, where a node keeps keys and merchants
//! until the database announces a change (`direct::key_cache`), once it is announced.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{card_payment, key, post, Key};
use chrono::Utc;
use domain::fraud::Rule;
use domain::money::{Currency, Money};
use sea_orm::{ActiveModelTrait, DbBackend, EntityTrait, Set};
use serde_json::Value;
use server::entities::{fraud_rule, merchant, payment_method};

const VISA: &str = "4111111111111111";

async fn merchant_row(app: &TestApp, pspid: &str) -> merchant::Model {
    server::account::provisioning::find_merchant(&app.db, pspid, domain::Environment::Test)
        .await
        .unwrap()
}

/// Pays with `k` until the answer has `status`: the very next payment on SQLite; on
/// PostgreSQL one made within five seconds (the change is announced, then heard).
async fn pay_until(app: &TestApp, k: &Key, status: u16) -> (u16, Value) {
    let tries = match app.db.get_database_backend() {
        DbBackend::Sqlite => 1,
        _ => 100,
    };
    let mut answer = (0, Value::Null);
    for _ in 0..tries {
        answer = post(app, k, "/payments", &card_payment(15_000, VISA, "SALE")).await;
        if answer.0 == status {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    answer
}

both_backends!(
    a_settings_change_written_by_any_node_reaches_the_next_payment,
    &[("OPENPSP_API_KEY_CACHE", "on")],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let other = key(&app, "other").await;
        let shop = merchant_row(&app, "shop").await;
        let pay = |k| {
            let app = &app;
            async move { post(app, k, "/payments", &card_payment(15_000, VISA, "SALE")).await }
        };

        // Both merchants' settings are read and kept by a first payment each.
        assert_eq!(pay(&k).await.0, 201);
        assert_eq!(pay(&other).await.0, 201);
        let other_version = merchant_row(&app, "other").await.settings_version;

        // A block rule written straight to the database: the next payment is refused.
        let mut row = fraud_rule::ActiveModel {
            merchant_id: Set(shop.id),
            action: Set("block".into()),
            currency: Set(None),
            amount: Set(None),
            value: Set(String::new()),
            value_high: Set(String::new()),
            shown: Set(String::new()),
            max_attempts: Set(None),
            window_minutes: Set(None),
            created_at: Set(Utc::now()),
            created_by: Set("another node".into()),
            ..Default::default()
        };
        let limit = Money::new(10_000, Currency::parse("EUR").unwrap()).unwrap();
        server::fraud::rules::write(&Rule::MaxAmount(limit), &mut row);
        let rule = row.insert(&app.db).await.unwrap();
        let raised = merchant_row(&app, "shop").await.settings_version;
        assert!(raised > shop.settings_version);
        let (status, body) = pay_until(&app, &k, 402).await;
        assert_eq!(status, 402, "{body}");
        assert_eq!(body["errors"][0]["code"], "59", "{body}");
        // The other merchant's settings did not change, nor its payments.
        assert_eq!(
            merchant_row(&app, "other").await.settings_version,
            other_version
        );
        assert_eq!(pay(&other).await.0, 201);

        // The rule deleted: approved again.
        fraud_rule::Entity::delete_by_id(rule.id)
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(pay_until(&app, &k, 201).await.0, 201);

        // Visa switched off, then on again by an update: refused, then approved.
        let visa = payment_method::ActiveModel {
            merchant_id: Set(shop.id),
            method_code: Set(1),
            active: Set(false),
            currencies: Set(String::new()),
            countries: Set(String::new()),
            updated_at: Set(Utc::now()),
            mobile_active: Set(false),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let (status, body) = pay_until(&app, &k, 400).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["errors"][0]["propertyName"]
                .as_str()
                .is_some_and(|p| p.starts_with("cardPaymentMethodSpecificInput")),
            "{body}"
        );
        let mut on: payment_method::ActiveModel = visa.into();
        on.active = Set(true);
        on.update(&app.db).await.unwrap();
        assert_eq!(pay_until(&app, &k, 201).await.0, 201);
        assert!(merchant_row(&app, "shop").await.settings_version >= raised + 3);
    }
);
