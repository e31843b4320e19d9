//! Merchants A (`shopa`) and B (`shopb`) and support organizations A (Demo Retail) and B
//! (Other Corp), with one of everything B can own, and the fingerprint of B's records.

use crate::helpers::TestApp;
use crate::payments::{card_payment, key, post, Key};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use server::entities::{
    api_key, filter_template, job, merchant, operation, payment, support_attachment,
    support_comment, support_participant, support_ticket, terminal, terminal_payment,
    webhook_delivery, webhook_endpoint,
};

/// B's ids, and every string that would show B's data in an answer.
pub(crate) struct World {
    /// A's API key: id and secret.
    pub(crate) a_key: (String, String),
    /// One of A's own payments and one of organization A's own tickets: what every
    /// actor must still reach, before its cells and after them.
    pub(crate) a_payment: String,
    pub(crate) a_ticket: String,
    pub(crate) b_merchant: i64,
    /// An authorised payment (capturable, cancellable).
    pub(crate) b_authorised: String,
    /// A captured payment (refundable).
    pub(crate) b_sale: String,
    pub(crate) b_checkout: String,
    pub(crate) b_tokenization: String,
    pub(crate) b_token: String,
    pub(crate) b_key_row: i64,
    pub(crate) b_endpoint: i64,
    pub(crate) b_delivery: i64,
    pub(crate) b_template: i64,
    pub(crate) b_terminal: String,
    pub(crate) b_terminal_payment: i64,
    pub(crate) b_ticket: String,
    pub(crate) b_attachment: i64,
    /// A payment link made through the API and an invoice issued in the back office.
    pub(crate) b_link: String,
    pub(crate) b_invoice: String,
    /// B's Operator, named with [`super::users::B_USER_MARKERS`].
    pub(crate) b_user: i64,
    /// A fraud rule of B's (a BIN range named by a marker).
    pub(crate) b_fraud_rule: i64,
    pub(crate) markers: Vec<String>,
}

pub(crate) const A_OWN_REFERENCE: &str = "A-own-ref";
pub(crate) const A_OWN_SUMMARY: &str = "Alice own ticket";
pub(crate) const B_TERMINAL: &str = "TB000002";
const B_OFFLINE_TERMINAL: &str = "TB000003";
/// Connected, bound to no merchant: listed to none.
const UNBOUND_TERMINAL: &str = "TU000009";

fn id(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {v}"))
        .to_owned()
}

/// B's payment with a merchant reference of its own.
async fn b_payment(app: &TestApp, key: &Key, amount: i64, mode: &str, reference: &str) -> String {
    let mut body = card_payment(amount, "4111111111111111", mode);
    body["order"]["references"]["merchantReference"] = json!(reference);
    let (status, v) = post(app, key, "/payments", &body).await;
    assert_eq!(status, 201, "{v}");
    id(&v, "/payment/id")
}

pub(crate) async fn seed(app: &TestApp) -> World {
    let a_key = key(app, "shopa").await;
    let b_key = key(app, "shopb").await;
    let a_merchant =
        server::account::provisioning::find_merchant(&app.db, "shopa", domain::Environment::Test)
            .await
            .unwrap();
    let (a_row, a_secret) = server::configuration::keys::create_api_key(
        &app.db,
        &app.config,
        a_merchant.id,
        "matrix",
        None,
    )
    .await
    .unwrap();
    let b = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq("shopb"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    // B's webhooks: on, with an endpoint, so B's payments leave deliveries and jobs.
    let b_admin = app.session("shopb", "admin").await;
    app.call(
        "config/save_webhooks",
        &[("enabled", "true"), ("events", "payment.created")],
        Some(&b_admin),
    )
    .await
    .ok();
    app.call(
        "config/add_endpoint",
        &[("url", "http://127.0.0.1:9/b-hook-secret")],
        Some(&b_admin),
    )
    .await
    .ok();
    app.call(
        "ops/save-template",
        &[
            ("name", "B-secret-template"),
            ("query", "reference=B-SECRET"),
            ("shared", "true"),
        ],
        Some(&b_admin),
    )
    .await
    .ok();
    let b_authorised = b_payment(app, &b_key, 98_761, "PRE_AUTHORIZATION", "B-SECRET-REF-1").await;
    let b_sale = b_payment(app, &b_key, 98_762, "SALE", "B-SECRET-REF-2").await;
    // A has payments of its own, so lists are not empty by accident.
    let a_payment = b_payment(app, &a_key, 1_000, "SALE", A_OWN_REFERENCE).await;
    let checkout = json!({
        "order": { "amountOfMoney": { "amount": 98_763, "currencyCode": "EUR" },
                   "references": { "merchantReference": "B-SECRET-REF-3" } },
        "hostedCheckoutSpecificInput": { "returnUrl": "https://b.example/return" },
    });
    let (status, v) = post(app, &b_key, "/hostedcheckouts", &checkout).await;
    assert_eq!(status, 201, "{v}");
    let b_checkout = id(&v, "/hostedCheckoutId");
    let link = json!({
        "order": { "amountOfMoney": { "amount": 98_764, "currencyCode": "EUR" },
                   "references": { "merchantReference": "B-SECRET-REF-4" } },
        "paymentLinkSpecificInput": { "recipientName": "B-secret-recipient" },
    });
    let (status, v) = post(app, &b_key, "/paymentlinks", &link).await;
    assert_eq!(status, 201, "{v}");
    let b_link = id(&v, "/paymentLinkId");
    let due = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let invoice = app
        .call_json(
            "invoices/issue",
            &json!({ "form": {
                "reference": "B-SECRET-INVOICE", "customer_name": "B-secret-customer",
                "email": "b-customer@b.example", "language": "en", "due": due,
                "payable_until": "", "customer_id": "", "description": "", "currency": "EUR",
                "amount": "987.65", "lines": [], "hold_back": true, "remind": false,
            } }),
            Some(&b_admin),
        )
        .await;
    invoice.ok();
    let b_invoice = serde_json::from_str::<Value>(&invoice.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, v) = post(app, &b_key, "/hostedtokenizations", &json!({})).await;
    assert_eq!(status, 201, "{v}");
    let b_tokenization = id(&v, "/hostedTokenizationId");
    let token = json!({ "paymentProductId": 1, "card": {
        "customer": { "merchantCustomerId": "B-customer-secret" },
        "data": { "cardWithoutCvv": { "cardNumber": "4111111111111111", "expiryDate": "1230", "cardholderName": "B Holder" } } } });
    let (status, v) = post(app, &b_key, "/tokens", &token).await;
    assert_eq!(status, 201, "{v}");
    let b_token = id(&v, "/token");
    let b_key_row = api_key::Entity::find()
        .filter(api_key::Column::MerchantId.eq(b.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let b_endpoint = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::MerchantId.eq(b.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("B's endpoint");
    let b_delivery = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::MerchantId.eq(b.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("B's delivery");
    let b_template = filter_template::Entity::find()
        .filter(filter_template::Column::MerchantId.eq(b.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("B's template");
    // B's card terminal, connected and bound, with a finished payment; a terminal bound
    // to nobody, connected; and B's second terminal, offline, with a payment waiting.
    let now = chrono::Utc::now();
    for id in [B_TERMINAL, UNBOUND_TERMINAL] {
        crate::terminals::simulate(app, id);
        crate::terminals::wait_connected(app, id).await;
    }
    crate::terminals::bind(app, "shopb", B_TERMINAL).await;
    let till = json!({ "amountOfMoney": { "amount": 98_765, "currencyCode": "EUR" }, "merchantReference": "B-till-secret" });
    let (status, v) = post(
        app,
        &b_key,
        &format!("/terminals/{B_TERMINAL}/payments"),
        &till,
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let started = id(&v, "/id");
    for _ in 0..200 {
        let (_, v) =
            crate::payments::get(app, &b_key, &format!("/terminals/payments/{started}")).await;
        if v["result"].is_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    terminal::ActiveModel {
        terminal_id: Set(B_OFFLINE_TERMINAL.into()),
        merchant_id: Set(Some(b.id)),
        model: Set("Lane/5000".into()),
        connected: Set(false),
        peer: Set("192.0.2.7:40000".into()),
        last_seen: Set(Some(now)),
        bound_at: Set(Some(now)),
        bound_address: Set(Some("192.0.2.7".into())),
        bound_prefix: Set(Some(32)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let b_terminal_payment = terminal_payment::ActiveModel {
        merchant_id: Set(b.id),
        terminal_id: Set(B_OFFLINE_TERMINAL.into()),
        amount: Set(98_764),
        currency: Set("EUR".into()),
        merchant_reference: Set("B-till-secret".into()),
        state: Set("queued".into()),
        stage: Set("WAITING_FOR_CARD".into()),
        cancel_requested: Set(false),
        receipt: Set(Some("B-receipt-secret".into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id;
    // Organization B's ticket (Carol, Other Corp) with an attachment.
    let [_, alice, _, carol] = crate::support::portal(app).await;
    let a_ticket =
        crate::support::raise(app, &alice, "incident", A_OWN_SUMMARY, "alice-own-body").await;
    let b_ticket = crate::support::raise(
        app,
        &carol,
        "incident",
        "Carol secret ticket",
        "carol-body-secret",
    )
    .await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"carol-file-secret\n".to_vec())
            .file_name("carol-secret.txt"),
    );
    let res = app
        .http
        .post(format!(
            "{}/support/requests/{b_ticket}/attachments",
            app.base
        ))
        .header("cookie", &carol)
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let b_attachment = support_attachment::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .expect("B's attachment")
        .id;
    let b_user = super::users::b_user(app, b.id).await;
    let b_fraud_rule = {
        use sea_orm::ActiveModelTrait;
        server::entities::fraud_rule::ActiveModel {
            merchant_id: sea_orm::Set(b.id),
            kind: sea_orm::Set("bin_range".into()),
            action: sea_orm::Set("block".into()),
            currency: sea_orm::Set(None),
            amount: sea_orm::Set(None),
            value: sea_orm::Set("987654".into()),
            value_high: sea_orm::Set("987659".into()),
            shown: sea_orm::Set(String::new()),
            max_attempts: sea_orm::Set(None),
            window_minutes: sea_orm::Set(None),
            created_at: sea_orm::Set(chrono::Utc::now()),
            created_by: sea_orm::Set("b-fraud-author".into()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    };
    let mut markers = [
        b_authorised.as_str(),
        b_sale.as_str(),
        b_checkout.as_str(),
        b_tokenization.as_str(),
        b_token.as_str(),
        b_key_row.key_id.as_str(),
        "B-SECRET-REF",
        "B-secret-template",
        "b-hook-secret",
        "shopb",
        "B-customer-secret",
        "B-secret-recipient",
        "B-SECRET-INVOICE",
        "B-secret-customer",
        b_link.as_str(),
        b_invoice.as_str(),
        B_TERMINAL,
        B_OFFLINE_TERMINAL,
        UNBOUND_TERMINAL,
        "B-till-secret",
        "B-receipt-secret",
        b_ticket.as_str(),
        "Carol secret ticket",
        "carol-body-secret",
        "carol-secret.txt",
        "carol-file-secret",
        "carol@other-corp.test",
        "Other Corp",
        "987654",
        "b-fraud-author",
    ]
    .map(str::to_owned)
    .to_vec();
    markers.extend(super::users::B_USER_MARKERS.map(str::to_owned));
    World {
        a_key: (a_row.key_id, a_secret),
        a_payment,
        a_ticket,
        b_merchant: b.id,
        b_authorised,
        b_sale,
        b_checkout,
        b_tokenization,
        b_token,
        b_key_row: b_key_row.id,
        b_endpoint: b_endpoint.id,
        b_delivery: b_delivery.id,
        b_template: b_template.id,
        b_link,
        b_invoice,
        b_user,
        b_fraud_rule,
        b_terminal: B_TERMINAL.into(),
        b_terminal_payment,
        b_ticket,
        b_attachment,
        markers,
    }
}

/// What B owns, as counts and states: equal before and after the matrix.
pub(crate) async fn fingerprint(app: &TestApp, world: &World) -> Vec<String> {
    let db = &app.db;
    let b = world.b_merchant;
    let payments = payment::Entity::find()
        .filter(payment::Column::MerchantId.eq(b))
        .all(db)
        .await
        .unwrap();
    let mut out: Vec<String> = payments
        .iter()
        .map(|p| format!("payment {} {} {} {}", p.id, p.stage, p.captured, p.refunded))
        .collect();
    let ids: Vec<i64> = payments.iter().map(|p| p.id).collect();
    let ticket = support_ticket::Entity::find()
        .filter(support_ticket::Column::Reference.eq(world.b_ticket.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let terminal = terminal::Entity::find()
        .filter(terminal::Column::TerminalId.eq(world.b_terminal.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let pos = terminal_payment::Entity::find_by_id(world.b_terminal_payment)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    for link in server::entities::payment_link::Entity::find()
        .filter(server::entities::payment_link::Column::MerchantId.eq(b))
        .all(db)
        .await
        .unwrap()
    {
        out.push(format!(
            "link {} {} {:?} {:?} {:?}",
            link.public_id, link.status, link.amount, link.expires_at, link.fields_json
        ));
    }
    out.extend([
        format!(
            "operations {}",
            operation::Entity::find()
                .filter(operation::Column::PaymentId.is_in(ids))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "keys {}",
            api_key::Entity::find()
                .filter(api_key::Column::MerchantId.eq(b))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "endpoints {}",
            webhook_endpoint::Entity::find()
                .filter(webhook_endpoint::Column::MerchantId.eq(b))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "deliveries {}",
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::MerchantId.eq(b))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "jobs {}",
            job::Entity::find()
                .filter(job::Column::MerchantId.eq(b))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "templates {}",
            filter_template::Entity::find()
                .filter(filter_template::Column::MerchantId.eq(b))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "ticket {} {} {:?} {}",
            ticket.status, ticket.priority, ticket.assignee_id, ticket.shared
        ),
        format!(
            "comments {}",
            support_comment::Entity::find()
                .filter(support_comment::Column::TicketId.eq(ticket.id))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "participants {}",
            support_participant::Entity::find()
                .filter(support_participant::Column::TicketId.eq(ticket.id))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "attachments {}",
            support_attachment::Entity::find()
                .filter(support_attachment::Column::TicketId.eq(ticket.id))
                .count(db)
                .await
                .unwrap()
        ),
        format!(
            "terminal {:?} {:?} {:?}",
            terminal.merchant_id, terminal.bound_address, terminal.bound_prefix
        ),
        format!("pos {} {} {}", pos.state, pos.stage, pos.cancel_requested),
    ]);
    // B's aliases: none added, removed or changed (expiry, last use).
    use sea_orm::QueryOrder;
    use server::entities::token;
    for t in token::Entity::find()
        .filter(token::Column::MerchantId.eq(b))
        .order_by_asc(token::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        out.push(format!("token {} {} {:?}", t.id, t.expiry, t.last_used_at));
    }
    // B's fraud rules: none added, removed or changed.
    for r in server::entities::fraud_rule::Entity::find()
        .filter(server::entities::fraud_rule::Column::MerchantId.eq(b))
        .order_by_asc(server::entities::fraud_rule::Column::Id)
        .all(db)
        .await
        .unwrap()
    {
        out.push(format!(
            "fraud rule {} {} {} {}",
            r.id, r.kind, r.action, r.value
        ));
    }
    out.extend(super::users::fingerprint(app, b).await);
    out
}
