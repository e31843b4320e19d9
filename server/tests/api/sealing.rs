//! Values sealed before sealed values were bound to their rows (base64 of nonce ‖
//! ciphertext, no `v1.` prefix, no associated data) no longer open anywhere; the start-up
//! pass re-seals them bound to their row, after which they work again where they belong
//! and not in another row. The old format is written here with AES-GCM directly.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{card_payment, post, Key};
use aes_gcm::aead::{Aead, KeyInit};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use server::entities::{api_key, merchant, payment, token};
use server::platform::reseal::{reseal_unbound, ColumnCounts};

/// What the previous version wrote: base64 of a random nonce ‖ the AES-256-GCM
/// ciphertext, without associated data.
fn seal_the_old_way(key: &[u8], plain: &str) -> String {
    let nonce: [u8; 12] = uuid::Uuid::new_v4().as_bytes()[..12].try_into().unwrap();
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).unwrap();
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(aes_gcm::Nonce::from_slice(&nonce), plain.as_bytes())
            .unwrap(),
    );
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, out)
}

fn pay_with(token: &str) -> serde_json::Value {
    json!({
        "order": { "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } },
        "cardPaymentMethodSpecificInput": { "token": token, "authorizationMode": "SALE" },
    })
}

async fn token_row(app: &TestApp, id: &str) -> token::Model {
    token::Entity::find_by_id(id.to_owned())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn key_row(app: &TestApp, key: &Key) -> api_key::Model {
    api_key::Entity::find()
        .filter(api_key::Column::KeyId.eq(key.id.clone()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn set_card(app: &TestApp, id: &str, sealed: &str) {
    let mut row: token::ActiveModel = token_row(app, id).await.into();
    row.card_enc = Set(sealed.to_owned());
    row.update(&app.db).await.unwrap();
}

async fn set_secret(app: &TestApp, key: &Key, sealed: &str) {
    let mut row: api_key::ActiveModel = key_row(app, key).await.into();
    row.secret_enc = Set(sealed.to_owned());
    row.update(&app.db).await.unwrap();
}

both_backends!(
    values_sealed_before_row_binding_are_resealed_at_start_and_then_bound_to_their_row,
    &[],
    |app: TestApp| async move {
        let data_key = app.config.data_key.clone();
        app.merchant("shop").await;
        let m = server::account::provisioning::find_merchant(
            &app.db,
            "shop",
            domain::Environment::Test,
        )
        .await
        .unwrap();
        let mut keys = Vec::new();
        for name in ["one", "two"] {
            let (row, secret) =
                server::configuration::keys::create_api_key(&app.db, &app.config, m.id, name, None)
                    .await
                    .unwrap();
            keys.push((Key::new(&row.key_id, &secret, "shop"), secret));
        }
        let key = &keys[0].0;
        let numbers = ["4111111111111111", "5555555555554444", "4000000000000002"];
        let mut tokens = Vec::new();
        for number in numbers {
            let (s, t) = post(
                &app,
                key,
                "/tokens",
                &json!({ "paymentProductId": 1, "card": {
                    "data": { "cardWithoutCvv": { "cardNumber": number, "expiryDate": "1230" } } } }),
            )
            .await;
            assert_eq!(s, 201, "{t}");
            tokens.push(t["token"].as_str().unwrap().to_owned());
        }
        // A payment held at 3-D Secure keeps its card sealed.
        let (s, v) = post(
            &app,
            key,
            "/payments",
            &card_payment(100, "4000000000001091", "SALE"),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let held = payment::Entity::find()
            .filter(payment::Column::PendingCardEnc.is_not_null())
            .one(&app.db)
            .await
            .unwrap()
            .expect("a payment waiting for its challenge");
        let (_, webhook_secret) =
            server::configuration::keys::rotate_webhook_key(&app.db, &app.config, &m)
                .await
                .unwrap();

        // The database as the previous version left it.
        set_card(&app, &tokens[0], &seal_the_old_way(&data_key, numbers[0])).await;
        set_card(&app, &tokens[1], &seal_the_old_way(&data_key, numbers[1])).await;
        // Sealed under another data key: it opens under none we have.
        let foreign = seal_the_old_way(&[9u8; 32], numbers[2]);
        set_card(&app, &tokens[2], &foreign).await;
        for (key, secret) in &keys {
            set_secret(&app, key, &seal_the_old_way(&data_key, secret)).await;
        }
        let mut row: payment::ActiveModel = held.clone().into();
        row.pending_card_enc = Set(Some(seal_the_old_way(&data_key, "4000000000001091|1230")));
        row.update(&app.db).await.unwrap();
        let m = merchant::Entity::find_by_id(m.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: merchant::ActiveModel = m.clone().into();
        row.webhook_secret_enc = Set(Some(seal_the_old_way(&data_key, &webhook_secret)));
        row.update(&app.db).await.unwrap();

        // Unbound values open nowhere: not even in the row they were written for.
        let (s, v) = post(&app, key, "/payments", &pay_with(&tokens[0])).await;
        assert_eq!(
            s, 403,
            "a key whose secret is unbound does not authenticate: {v}"
        );
        let m = merchant::Entity::find_by_id(m.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            server::configuration::keys::webhook_key(&app.config, &m),
            None
        );

        let report = reseal_unbound(&app.db, &data_key).await.unwrap();
        let done = |n| ColumnCounts {
            resealed: n,
            ..Default::default()
        };
        assert_eq!(
            report.tokens,
            ColumnCounts {
                resealed: 2,
                unreadable: 1,
                changed_meanwhile: 0
            }
        );
        assert_eq!(report.api_keys, done(2));
        assert_eq!(report.webhook_secrets, done(1));
        assert_eq!(report.held_cards, done(1));

        // Each works again in its own row, and is stored bound.
        for (id, number) in tokens.iter().zip(numbers).take(2) {
            let row = token_row(&app, id).await;
            assert!(row.card_enc.starts_with("v1."), "{}", row.card_enc);
            assert!(!row.card_enc.contains(number));
            let (s, v) = post(&app, key, "/payments", &pay_with(id)).await;
            assert_eq!(s, 201, "the re-sealed token pays: {v}");
        }
        assert_eq!(
            token_row(&app, &tokens[2]).await.card_enc,
            foreign,
            "left as it was"
        );
        let (s, v) = post(&app, key, "/payments", &pay_with(&tokens[2])).await;
        assert_eq!(s, 400, "{v}");
        for (key, _) in &keys {
            assert!(key_row(&app, key).await.secret_enc.starts_with("v1."));
            let (s, v) = post(&app, key, "/tokens", &json!({ "paymentProductId": 1, "card": {
                "data": { "cardWithoutCvv": { "cardNumber": numbers[0], "expiryDate": "1230" } } } })).await;
            assert_eq!(s, 201, "the re-sealed key authenticates: {v}");
        }
        let m = merchant::Entity::find_by_id(m.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(m.webhook_secret_enc.as_deref().unwrap().starts_with("v1."));
        assert_eq!(
            server::configuration::keys::webhook_key(&app.config, &m).map(|(_, s)| s),
            Some(webhook_secret)
        );
        let held = payment::Entity::find_by_id(held.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(held.pending_card_enc.as_deref().unwrap().starts_with("v1."));

        // A second run changes nothing.
        let before: Vec<String> = token::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.card_enc)
            .collect();
        let again = reseal_unbound(&app.db, &data_key).await.unwrap();
        assert_eq!(again.resealed(), 0);
        assert_eq!(again.tokens.unreadable, 1);
        let after: Vec<String> = token::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.card_enc)
            .collect();
        assert_eq!(before, after);

        // The held card opens for its own payment: the challenge completes.
        let engine = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .engine;
        let attempt = engine.complete_challenge(&m, held.id, "1234").await;
        assert!(attempt.is_ok(), "the re-sealed held card opens");

        // Swapped between rows, the re-sealed values open in neither.
        let (a, b) = (
            token_row(&app, &tokens[0]).await,
            token_row(&app, &tokens[1]).await,
        );
        set_card(&app, &a.id, &b.card_enc).await;
        set_card(&app, &b.id, &a.card_enc).await;
        for id in &tokens[..2] {
            let (s, v) = post(&app, key, "/payments", &pay_with(id)).await;
            assert_eq!(s, 400, "a swapped ciphertext must not open: {v}");
            assert_eq!(
                v["errors"][0]["propertyName"],
                "cardPaymentMethodSpecificInput.token"
            );
        }
        let (one, two) = (
            key_row(&app, &keys[0].0).await,
            key_row(&app, &keys[1].0).await,
        );
        set_secret(&app, &keys[0].0, &two.secret_enc).await;
        set_secret(&app, &keys[1].0, &one.secret_enc).await;
        for (key, _) in &keys {
            let (s, v) = post(&app, key, "/payments", &pay_with(&tokens[0])).await;
            assert_eq!(s, 403, "a swapped secret must not authenticate: {v}");
        }
    }
);
