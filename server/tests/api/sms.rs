//! SMS notifications to the customer (MB-15): with the switch on, a payment carrying the
//! customer's mobile number puts an SMS in the outbox on success and on refund (none
//! with it off, none without a number), delivered by the development provider and shown
//! in the development mailbox; a bad number is refused with its propertyName.

use crate::both_backends;
use crate::helpers::*;
use crate::payments::{card_payment, key, post};
use app::template::CustomerSettings;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use server::entities::{audit_log, sms_outbox};

pub(crate) async fn customer(app: &TestApp, cookie: &str) -> CustomerSettings {
    serde_json::from_str(
        &app.call("template/customer", &[], Some(cookie))
            .await
            .ok()
            .body,
    )
    .unwrap()
}

fn with_mobile(amount: i64, mobile: &str) -> Value {
    let mut body = card_payment(amount, "4111111111111111", "SALE");
    body["order"]["customer"] = serde_json::json!({
        "contactDetails": { "mobilePhoneNumber": mobile },
        "locale": "fr_BE",
    });
    body
}

async fn outbox(app: &TestApp) -> Vec<sms_outbox::Model> {
    sms_outbox::Entity::find().all(&app.db).await.unwrap()
}

both_backends!(
    customers_get_an_sms_per_payment_and_refund_when_switched_on,
    &[("OPENPSP_DEV_MAILBOX", "on")],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        assert!(
            !customer(&app, &admin).await.sms_enabled,
            "off unless switched on"
        );

        // A bad number is refused with its property, whatever the switch.
        let (s, body) = post(&app, &k, "/payments", &with_mobile(1_000, "0470 12 34 56")).await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["errors"][0]["propertyName"], "order.customer.contactDetails.mobilePhoneNumber",
            "{body}"
        );

        // Off: a paid payment with a number sends nothing.
        let (s, _) = post(
            &app,
            &k,
            "/payments",
            &with_mobile(1_000, "+32 470 12 34 56"),
        )
        .await;
        assert_eq!(s, 201);
        assert!(outbox(&app).await.is_empty());

        app.call(
            "template/save_customer",
            &[("sms_enabled", "on")],
            Some(&admin),
        )
        .await
        .ok();
        assert!(customer(&app, &admin).await.sms_enabled);
        let row = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("config.customer_settings"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("audited");
        assert!(
            row.detail.contains("sms_enabled: false → true"),
            "{}",
            row.detail
        );

        // On: a sale with a number queues one SMS in the payer's language, without card data.
        let (s, sale) = post(&app, &k, "/payments", &with_mobile(2_500, "+32470123456")).await;
        assert_eq!(s, 201, "{sale}");
        let sent = outbox(&app).await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].to_number, "+32470123456");
        assert!(sent[0].body.contains("Votre paiement"), "{}", sent[0].body);
        assert!(sent[0].body.contains("25,00"), "{}", sent[0].body);
        assert!(
            !sent[0].body.contains("1111"),
            "no card data: {}",
            sent[0].body
        );
        // Without a number, or only authorised: nothing more.
        let (s, _) = post(
            &app,
            &k,
            "/payments",
            &card_payment(1_000, "4111111111111111", "SALE"),
        )
        .await;
        assert_eq!(s, 201);
        let mut pre = with_mobile(1_000, "+32470123456");
        pre["cardPaymentMethodSpecificInput"]["authorizationMode"] = "PRE_AUTHORIZATION".into();
        let (s, _) = post(&app, &k, "/payments", &pre).await;
        assert_eq!(s, 201);
        assert_eq!(outbox(&app).await.len(), 1);

        // A refund: one more.
        let id = sale["payment"]["id"].as_str().unwrap();
        app.call(
            "ops/refund",
            &[("id", id), ("amount", "5.00")],
            Some(&admin),
        )
        .await
        .ok();
        let sent = outbox(&app).await;
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent[1].body.contains("remboursé"), "{}", sent[1].body);

        // The delivery job marks them sent (development provider); the mailbox lists them.
        for s in &sent {
            assert!(server::template::sms::deliver_one(
                &app.db,
                &server::template::sms::DevSmsProvider,
                s.id
            )
            .await
            .unwrap());
        }
        assert!(outbox(&app).await.iter().all(|s| s.sent_at.is_some()));
        let mails: Vec<app::account::Mail> =
            serde_json::from_str(&app.call("mailbox", &[], None).await.ok().body).unwrap();
        let sms: Vec<_> = mails.iter().filter(|m| m.to == "+32470123456").collect();
        assert_eq!(sms.len(), 2, "{mails:?}");
        assert!(sms.iter().all(|m| m.subject == "SMS (sent)"));

        // Switched off again: nothing more.
        app.call("template/save_customer", &[], Some(&admin))
            .await
            .ok();
        let (s, _) = post(&app, &k, "/payments", &with_mobile(1_000, "+32470123456")).await;
        assert_eq!(s, 201);
        assert_eq!(outbox(&app).await.len(), 2);
    }
);

both_backends!(
    a_hosted_checkout_keeps_the_customers_number_for_its_payment,
    &[],
    |app: TestApp| async move {
        let k = key(&app, "shop").await;
        let admin = app.session("shop", "admin").await;
        app.call(
            "template/save_customer",
            &[("sms_enabled", "on")],
            Some(&admin),
        )
        .await
        .ok();
        let (s, body) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &serde_json::json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" },
                           "customer": { "contactDetails": { "mobilePhoneNumber": "+3247" } } },
            }),
        )
        .await;
        assert_eq!(s, 400, "{body}");
        assert_eq!(
            body["errors"][0]["propertyName"],
            "order.customer.contactDetails.mobilePhoneNumber"
        );
        let (s, created) = post(
            &app,
            &k,
            "/hostedcheckouts",
            &serde_json::json!({
                "order": { "amountOfMoney": { "amount": 1250, "currencyCode": "EUR" },
                           "customer": { "contactDetails": { "mobilePhoneNumber": "+31612345678" } } },
                "hostedCheckoutSpecificInput": { "locale": "nl_NL" },
            }),
        )
        .await;
        assert_eq!(s, 201, "{created}");
        let id = created["hostedCheckoutId"].as_str().unwrap();
        app.call(
            "pay/pay",
            &[
                ("id", id),
                ("number", "4111111111111111"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("holder", "Pat Payer"),
            ],
            None,
        )
        .await
        .ok();
        let sent = outbox(&app).await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].to_number, "+31612345678");
        assert!(sent[0].body.contains("betaling"), "{}", sent[0].body);
    }
);
