//! The terminal gateway with simulated terminals on a real TCP port: payments through the
//! POS API end in the ledger with the right statuses, hostile connections are dropped
//! alone, and a hundred terminals work at once.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, post, Key};
use domain::terminal::{Body, Header, Message, PROTOCOL_ID};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{operation, payment, terminal};
use server::terminal::sim::{self, SimOptions};
use server::terminal::{GatewaySettings, TerminalHub};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn bind(app: &TestApp, pspid: &str, terminal_id: &str) {
    let m = server::provisioning::find_merchant(&app.db, pspid, domain::Environment::Test)
        .await
        .unwrap();
    let hub = TerminalHub::new(
        server::services::payments::PaymentEngine::simulated(app.db.clone(), app.config.clone()),
        GatewaySettings::default(),
    );
    hub.bind(&m, terminal_id, "test", None, "").await.unwrap();
}

fn simulate(app: &TestApp, terminal_id: &str) -> tokio::task::JoinHandle<()> {
    let mut options = SimOptions::new(&app.terminals, terminal_id);
    options.step = Duration::from_millis(60);
    tokio::spawn(async move {
        let _ = sim::run(options, |_| {}).await;
    })
}

async fn wait_connected(app: &TestApp, terminal_id: &str) {
    for _ in 0..200 {
        let row = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .one(&app.db)
            .await
            .unwrap();
        if row.is_some_and(|r| r.connected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("terminal {terminal_id} never connected");
}

async fn wait_for(app: &TestApp, key: &Key, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..400 {
        let (status, body) = get(app, key, &format!("/terminals/payments/{id}")).await;
        assert_eq!(status, 200, "{body}");
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("terminal payment {id} did not get there");
}

async fn pay(app: &TestApp, key: &Key, terminal_id: &str, amount: i64) -> Value {
    let (status, body) = post(
        app,
        key,
        &format!("/terminals/{terminal_id}/payments"),
        &json!({ "amountOfMoney": { "amount": amount, "currencyCode": "EUR" }, "merchantReference": format!("POS-{amount}") }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["stage"], "WAITING_FOR_CARD");
    assert!(body.get("result").is_none());
    body
}

async fn finished(app: &TestApp, key: &Key, started: &Value) -> Value {
    let id = started["id"].as_str().unwrap();
    wait_for(app, key, id, |b| b["stage"] == "FINISHED").await
}

async fn ledger(app: &TestApp, public: &str) -> payment::Model {
    let id = server::services::payments::parse_public_id(public).unwrap();
    payment::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

both_backends!(
    terminal_payments_end_in_the_ledger,
    &[],
    |app: TestApp| async move {
        let other = key(&app, "othershop").await;
        let key = key(&app, "shop").await;
        bind(&app, "shop", "T1000001").await;
        let _sim = simulate(&app, "T1000001");
        let _unbound = simulate(&app, "T9000009");
        wait_connected(&app, "T1000001").await;
        wait_connected(&app, "T9000009").await;

        // Approved: a captured card-present payment with the terminal's details.
        let done = finished(&app, &key, &pay(&app, &key, "T1000001", 1234).await).await;
        assert_eq!(done["result"], "APPROVED", "{done}");
        assert_eq!(done["card"]["cardNumber"], "476173******0010");
        assert!(done["receipt"].as_str().unwrap().contains("APPROVED"));
        let payment_id = done["paymentId"].as_str().unwrap();
        let (status, api) = get(&app, &key, &format!("/payments/{payment_id}")).await;
        assert_eq!(status, 200);
        assert_eq!(api["status"], "CAPTURED", "{api}");
        let row = ledger(&app, payment_id).await;
        assert_eq!(row.channel, "POS");
        assert_eq!(row.terminal_id.as_deref(), Some("T1000001"));
        assert_eq!((row.amount, row.captured), (1234, 1234));
        assert_eq!(row.currency, "EUR");
        assert_eq!(row.brand.as_deref(), Some("Visa"));
        assert_eq!(row.card_last4.as_deref(), Some("0010"));
        assert_eq!(
            row.authorisation_code,
            done["authorizationCode"].as_str().map(String::from)
        );
        assert_eq!(row.merchant_reference, "POS-1234");
        assert!(row.receipt.unwrap().contains("AUTH CODE"));
        let ops = operation::Entity::find()
            .filter(operation::Column::PaymentId.eq(row.id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(ops.len(), 2);

        // Declined and technical problem: rejected, with their reasons.
        let done = finished(&app, &key, &pay(&app, &key, "T1000001", 1205).await).await;
        assert_eq!(done["result"], "DECLINED");
        let row = ledger(&app, done["paymentId"].as_str().unwrap()).await;
        assert_eq!(
            (row.stage.as_str(), row.refusal_code.as_deref()),
            ("rejected", Some("05"))
        );
        let done = finished(&app, &key, &pay(&app, &key, "T1000001", 1313).await).await;
        assert_eq!(done["result"], "TECHNICAL_PROBLEM");
        let row = ledger(&app, done["paymentId"].as_str().unwrap()).await;
        assert_eq!(
            (row.stage.as_str(), row.refusal_code.as_deref()),
            ("rejected", Some("91"))
        );

        // 77 waits for a cancel: the terminal is busy meanwhile; the cancel stops it.
        let waiting = pay(&app, &key, "T1000001", 1277).await;
        let id = waiting["id"].as_str().unwrap();
        let (status, busy) = post(
            &app,
            &key,
            "/terminals/T1000001/payments",
            &json!({ "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } }),
        )
        .await;
        assert_eq!(status, 409, "{busy}");
        assert_eq!(busy["errors"][0]["id"], "TERMINAL_BUSY");
        // Another merchant sees neither the payment nor the terminal.
        let (status, _) = get(&app, &other, &format!("/terminals/payments/{id}")).await;
        assert_eq!(status, 404);
        let (status, _) = post(
            &app,
            &other,
            &format!("/terminals/payments/{id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) = post(
            &app,
            &other,
            "/terminals/T1000001/payments",
            &json!({ "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } }),
        )
        .await;
        assert_eq!(status, 404);
        wait_for(&app, &key, id, |b| {
            b["stage"] == "WAITING_FOR_CARD" && b["cancelRequested"] == false
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, body) = post(
            &app,
            &key,
            &format!("/terminals/payments/{id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["cancelRequested"], true);
        let done = finished(&app, &key, &waiting).await;
        assert_eq!(done["result"], "STOPPED", "{done}");
        let row = ledger(&app, done["paymentId"].as_str().unwrap()).await;
        assert_eq!(row.stage, "cancelled");
        let (status, again) = post(
            &app,
            &key,
            &format!("/terminals/payments/{id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 409, "{again}");

        // A connected terminal nobody bound takes no payment; a bad amount is named.
        let (status, _) = post(
            &app,
            &key,
            "/terminals/T9000009/payments",
            &json!({ "amountOfMoney": { "amount": 100, "currencyCode": "EUR" } }),
        )
        .await;
        assert_eq!(status, 404);
        let (status, body) = post(
            &app,
            &key,
            "/terminals/T1000001/payments",
            &json!({ "amountOfMoney": { "amount": 100_000_000, "currencyCode": "EUR" } }),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"][0]["propertyName"], "amountOfMoney.amount");
    }
);

fn frame(sequence: u16, body: Body) -> Vec<u8> {
    Message {
        header: Header {
            protocol_id: PROTOCOL_ID,
            terminal_id: "HOSTILE1".into(),
            ecr_id: "X".into(),
            sequence,
        },
        body,
    }
    .encode()
    .unwrap()
}

/// Writes `bytes` on a fresh connection and says whether the gateway then closed it.
async fn closed_after(app: &TestApp, bytes: &[u8]) -> bool {
    let mut stream = TcpStream::connect(&app.terminals).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // The Hello response may come first.
            Ok(Ok(_)) => continue,
        }
    }
}

both_backends!(
    hostile_connections_are_dropped_alone,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        bind(&app, "shop", "T1000001").await;
        let _sim = simulate(&app, "T1000001");
        wait_connected(&app, "T1000001").await;
        let started = pay(&app, &key, "T1000001", 1277).await;

        assert!(closed_after(&app, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await);
        assert!(
            closed_after(&app, &[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]).await,
            "4 GiB frame"
        );
        let mut bad_crc = frame(1, Body::Hello { model: None });
        let last = bad_crc.len() - 1;
        bad_crc[last] ^= 0x55;
        assert!(closed_after(&app, &bad_crc).await, "wrong CRC");
        let mut wrong_sequence = frame(1, Body::Hello { model: None });
        wrong_sequence.extend(frame(5, Body::KeepAlive));
        assert!(closed_after(&app, &wrong_sequence).await, "wrong sequence");
        let mut transaction_from_terminal = frame(1, Body::Hello { model: None });
        transaction_from_terminal.extend(frame(
            2,
            Body::TransactionRequest {
                transaction_id: 1,
                amount: 100,
                print_origin: 0,
            },
        ));
        assert!(
            closed_after(&app, &transaction_from_terminal).await,
            "unexpected message"
        );

        // The real terminal kept its connection and its payment.
        let id = started["id"].as_str().unwrap();
        let (status, _) = post(
            &app,
            &key,
            &format!("/terminals/payments/{id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(finished(&app, &key, &started).await["result"], "STOPPED");
        let done = finished(&app, &key, &pay(&app, &key, "T1000001", 250).await).await;
        assert_eq!(done["result"], "APPROVED");
    }
);

both_backends!(
    a_hundred_terminals_at_once,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let ids: Vec<String> = (0..100).map(|i| format!("T{:07}", 2_000_000 + i)).collect();
        for id in &ids {
            bind(&app, "shop", id).await;
        }
        let _sims: Vec<_> = ids.iter().map(|id| simulate(&app, id)).collect();
        for id in &ids {
            wait_connected(&app, id).await;
        }
        let started = futures_util::future::join_all(ids.iter().enumerate().map(|(i, id)| {
            let (app, key) = (&app, &key);
            async move { pay(app, key, id, 1000 + i as i64 * 100).await }
        }))
        .await;
        let done =
            futures_util::future::join_all(started.iter().map(|s| finished(&app, &key, s))).await;
        for d in &done {
            assert_eq!(d["result"], "APPROVED", "{d}");
        }
        let pos = payment::Entity::find()
            .filter(payment::Column::Channel.eq("POS"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(pos.len(), 100);
        assert!(pos.iter().all(|p| p.captured == p.amount));
    }
);
