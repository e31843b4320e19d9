//! The terminal gateway with simulated terminals on a real TCP port: payments through the
//! POS API end in the ledger with the right statuses, hostile connections are dropped
//! alone, and a hundred terminals work at once.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, post, signed, Key};
use app::error::{AppError, Problem};
use domain::terminal::{Body, Header, Message, PROTOCOL_ID};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{operation, payment, terminal};
use server::terminals::sim::{self, SimOptions};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) async fn bind(app: &TestApp, pspid: &str, terminal_id: &str) {
    let m = server::account::provisioning::find_merchant(&app.db, pspid, domain::Environment::Test)
        .await
        .unwrap();
    let hub = server::state::AppState::builder(app.db.clone(), app.config.clone())
        .build()
        .terminals;
    hub.bind(&m, terminal_id, "test", None, "").await.unwrap();
}

pub(crate) fn simulate(app: &TestApp, terminal_id: &str) -> tokio::task::JoinHandle<()> {
    simulate_with_steps(app, terminal_id, Duration::from_millis(60))
}

/// A simulator pausing `step` between stages (long enough to watch each one).
pub(crate) fn simulate_with_steps(
    app: &TestApp,
    terminal_id: &str,
    step: Duration,
) -> tokio::task::JoinHandle<()> {
    let mut options = SimOptions::new(&app.terminals, terminal_id);
    options.step = step;
    tokio::spawn(async move {
        let _ = sim::run(options, |_| {}).await;
    })
}

pub(crate) async fn wait_connected(app: &TestApp, terminal_id: &str) {
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

pub(crate) async fn wait_for(
    app: &TestApp,
    key: &Key,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
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

pub(crate) async fn pay(app: &TestApp, key: &Key, terminal_id: &str, amount: i64) -> Value {
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

pub(crate) async fn finished(app: &TestApp, key: &Key, started: &Value) -> Value {
    let id = started["id"].as_str().unwrap();
    wait_for(app, key, id, |b| b["stage"] == "FINISHED").await
}

async fn ledger(app: &TestApp, public: &str) -> payment::Model {
    let id = server::payments::records::parse_public_id(public).unwrap();
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
        let _sim = simulate(&app, "T1000001");
        let _unbound = simulate(&app, "T9000009");
        wait_connected(&app, "T1000001").await;
        wait_connected(&app, "T9000009").await;
        bind(&app, "shop", "T1000001").await;

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

/// The real terminal `T1000001` still holds its connection and `started`: a cancel stops
/// it, and the next payment is approved.
async fn kept_its_payment(app: &TestApp, key: &Key, started: &Value) {
    let id = started["id"].as_str().unwrap();
    let (status, _) = post(
        app,
        key,
        &format!("/terminals/payments/{id}/cancel"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(finished(app, key, started).await["result"], "STOPPED");
    let done = finished(app, key, &pay(app, key, "T1000001", 250).await).await;
    assert_eq!(done["result"], "APPROVED");
}

both_backends!(
    hostile_connections_are_dropped_alone,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let _sim = simulate(&app, "T1000001");
        wait_connected(&app, "T1000001").await;
        bind(&app, "shop", "T1000001").await;
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
        kept_its_payment(&app, &key, &started).await;
    }
);

both_backends!(
    a_hundred_terminals_at_once,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let ids: Vec<String> = (0..100).map(|i| format!("T{:07}", 2_000_000 + i)).collect();
        let _sims: Vec<_> = ids.iter().map(|id| simulate(&app, id)).collect();
        for id in &ids {
            wait_connected(&app, id).await;
            bind(&app, "shop", id).await;
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

/// The point-of-sale payment a server function returned.
pub(crate) fn pos_id(body: &str) -> i64 {
    serde_json::from_str::<Value>(body).unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Reads the page's event stream until the payment is finished: the stages it saw.
async fn follow_events(app: &TestApp, cookie: &str, id: i64) -> Vec<Value> {
    let mut res = app
        .http
        .get(format!("{}/operations/pos/events/{id}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let (mut text, mut seen) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, res.chunk()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                seen.push(serde_json::from_str::<Value>(data.trim()).unwrap());
            }
        }
        if seen.last().is_some_and(|v| v["stage"] == "FINISHED") {
            break;
        }
    }
    seen
}

both_backends!(
    point_of_sale_through_the_back_office,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        app.merchant("othershop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let reader = app
            .user_session("shop", "reader", domain::Role::ReadOnly)
            .await;
        let other = app.session("othershop", "admin").await;
        // Stages 400 ms apart: the event stream sends the current state, and each one
        // lasts long enough to be seen.
        let _sim = simulate_with_steps(&app, "T3000003", Duration::from_millis(400));
        wait_connected(&app, "T3000003").await;

        // Only Admins bind, by the id and the address the terminal shows; a bad id is
        // named next to its field.
        let here = [("terminal_id", "T3000003"), ("address", "127.0.0.1")];
        let res = app.call("terminals/bind", &here, Some(&operator)).await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let res = app
            .call(
                "terminals/bind",
                &[("terminal_id", "has space"), ("address", "127.0.0.1")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("terminal_id"),
            Some(&Problem::InvalidTerminalId)
        );
        let res = app.call("terminals/list", &[], Some(&other)).await;
        assert!(
            !res.ok().body.contains("T3000003"),
            "a terminal bound to nobody is listed to no merchant"
        );
        let res = app.call("terminals/bind", &here, Some(&admin)).await;
        let body = &res.ok().body;
        assert!(body.contains("\"bound\":true"), "{body}");
        assert!(body.contains("\"paired_from\":\"127.0.0.1/32\""), "{body}");
        // Bound elsewhere: the same answer as for an id that does not exist.
        let res = app.call("terminals/bind", &here, Some(&other)).await;
        assert_eq!(
            res.error().problem_for("terminal_id"),
            Some(&Problem::TerminalNotConnected)
        );
        let res = app.call("terminals/list", &[], Some(&other)).await;
        assert!(
            !res.ok().body.contains("T3000003"),
            "bound elsewhere: not listed"
        );

        // Read-only users take no payment; bad amounts are named.
        let start = |cookie: String, amount: &'static str| {
            let app = &app;
            async move {
                app.call(
                    "pos/start",
                    &[
                        ("terminal", "T3000003"),
                        ("currency", "EUR"),
                        ("amount", amount),
                        ("reference", ""),
                    ],
                    Some(&cookie),
                )
                .await
            }
        };
        assert!(matches!(
            start(reader.clone(), "1").await.error(),
            AppError::Forbidden
        ));
        let res = start(operator.clone(), "12.345").await;
        assert_eq!(
            res.error().problem_for("amount"),
            Some(&Problem::InvalidAmount)
        );

        // A payment waiting for its card keeps the terminal busy until cancelled.
        let res = start(operator.clone(), "1.77").await;
        let waiting = pos_id(&res.ok().body);
        // Starting a point-of-sale payment is audited with the cashier's address.
        let started = server::entities::audit_log::Entity::find()
            .filter(server::entities::audit_log::Column::Action.eq("pos.start"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(started.len(), 1);
        assert_eq!(
            (started[0].actor.as_str(), started[0].ip.as_str()),
            ("operator", "127.0.0.1")
        );
        let busy = start(operator.clone(), "1").await;
        assert_eq!(
            busy.error().problem_for("terminal"),
            Some(&Problem::TerminalBusy)
        );
        let res = app
            .call(
                "pos/cancel",
                &[("id", &waiting.to_string())],
                Some(&operator),
            )
            .await;
        assert!(res.ok().body.contains("\"cancel_requested\":true"));
        let events = follow_events(&app, &operator, waiting).await;
        assert_eq!(events.last().unwrap()["result"], "STOPPED");

        // An Operator sends 12.34 and follows it live.
        let res = start(operator.clone(), "12.34").await;
        let id = pos_id(&res.ok().body);
        let events = follow_events(&app, &operator, id).await;
        let stages: Vec<&str> = events
            .iter()
            .map(|e| e["stage"].as_str().unwrap())
            .collect();
        assert!(stages.contains(&"WAITING_FOR_PIN"), "{stages:?}");
        let last = events.last().unwrap();
        assert_eq!(last["result"], "APPROVED");
        assert!(last["reference"].as_str().unwrap().starts_with("POS-"));
        assert!(last["receipt"].as_str().unwrap().contains("APPROVED"));
        let payment_id = last["payment_id"].as_str().unwrap();
        let res = app
            .call("ops/payment", &[("id", payment_id)], Some(&operator))
            .await;
        let detail: Value = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(detail["channel"], "POS");
        assert_eq!(detail["terminal_id"], "T3000003");
        assert!(detail["receipt"].as_str().unwrap().contains("AUTH CODE"));

        // Another merchant sees none of it.
        let res = app
            .call("pos/payment", &[("id", &id.to_string())], Some(&other))
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        let res = app
            .http
            .get(format!("{}/operations/pos/events/{id}", app.base))
            .header("cookie", &other)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let res = app
            .call(
                "pos/start",
                &[
                    ("terminal", "T3000003"),
                    ("currency", "EUR"),
                    ("amount", "1"),
                    ("reference", ""),
                ],
                Some(&other),
            )
            .await;
        assert!(matches!(res.error(), AppError::NotFound));

        // Unbinding takes the terminal off the point of sale.
        let res = app
            .call(
                "terminals/unbind",
                &[("terminal_id", "T3000003")],
                Some(&admin),
            )
            .await;
        res.ok();
        let res = app.call("pos/terminals", &[], Some(&operator)).await;
        assert!(!res.ok().body.contains("T3000003"));
    }
);

both_backends!(
    repeated_starts_and_silent_connections,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let _sim = simulate(&app, "T4000004");
        wait_connected(&app, "T4000004").await;
        bind(&app, "shop", "T4000004").await;
        // The same idempotence key starts one payment, whatever the repeats.
        let body = json!({ "amountOfMoney": { "amount": 4321, "currencyCode": "EUR" } });
        let path = format!("/v2/{}/terminals/T4000004/payments", key.pspid);
        let header = [("X-GCS-Idempotence-Key", "pos-once-1")];
        let (s1, first, _) = signed(
            &app,
            &key,
            "POST",
            &path,
            Some(&body),
            &header,
            chrono::Utc::now(),
        )
        .await;
        let (s2, second, h2) = signed(
            &app,
            &key,
            "POST",
            &path,
            Some(&body),
            &header,
            chrono::Utc::now(),
        )
        .await;
        assert_eq!((s1, s2), (201, 201), "{first} {second}");
        assert_eq!(first["id"], second["id"]);
        assert!(h2.contains_key("x-gcs-idempotence-request-timestamp"));
        assert_eq!(finished(&app, &key, &first).await["result"], "APPROVED");

        // A connection that never says Hello is dropped; the terminal keeps working.
        let mut silent = TcpStream::connect(&app.terminals).await.unwrap();
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "dropped after the Hello timeout"
        );
        let done = finished(&app, &key, &pay(&app, &key, "T4000004", 999).await).await;
        assert_eq!(done["result"], "APPROVED");
    }
);

/// A frame from terminal `terminal_id`.
fn frame_from(terminal_id: &str, sequence: u16, body: Body) -> Vec<u8> {
    Message {
        header: Header {
            protocol_id: PROTOCOL_ID,
            terminal_id: terminal_id.into(),
            ecr_id: "X".into(),
            sequence,
        },
        body,
    }
    .encode()
    .unwrap()
}

both_backends!(
    a_second_connection_never_takes_a_terminal_over,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        let _sim = simulate(&app, "T1000001");
        wait_connected(&app, "T1000001").await;
        bind(&app, "shop", "T1000001").await;
        // Amounts ending in 77 wait for a cancel: a payment in flight on the real terminal.
        let started = pay(&app, &key, "T1000001", 1277).await;
        // Let the gateway hand it to the terminal.
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Someone else says Hello with the same id: refused, connection closed.
        assert!(
            closed_after(
                &app,
                &frame_from("T1000001", 1, Body::Hello { model: None })
            )
            .await,
            "the impostor is refused"
        );
        // The real terminal kept its connection and its payment: it is stopped on
        // request, not ended as an error by the impostor.
        kept_its_payment(&app, &key, &started).await;
    }
);

/// One payment on a terminal that answers "approved" for `reported` and prints the full
/// card number on its receipt: the payment as it finished.
async fn rogue_round(
    app: &TestApp,
    key: &Key,
    out: &mut server::terminals::link::Outgoing<tokio::net::tcp::OwnedWriteHalf>,
    incoming: &mut server::terminals::link::Incoming<tokio::net::tcp::OwnedReadHalf>,
    asked: i64,
    reported: u32,
) -> Value {
    let started = pay(app, key, "T2000002", asked).await;
    let transaction_id = loop {
        match incoming.next().await.unwrap().body {
            Body::TransactionRequest { transaction_id, .. } => break transaction_id,
            Body::KeepAlive => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    out.send(Body::TransactionResponse(
        domain::terminal::TransactionOutcome {
            transaction_id: Some(transaction_id),
            result: domain::terminal::TransactionResult::Approved,
            stage: domain::terminal::TerminalStage::Finished,
            amount: Some(reported),
            currency: Some(978),
            authorisation_code: Some("A1B2C3".into()),
            brand: Some("Visa".into()),
            masked_pan: Some("4111111111111111".into()),
            receipt: Some(format!(
                "CARD 4111 1111 1111 1111\nAMOUNT {asked} EUR\nRRN 123456789012"
            )),
        },
    ))
    .await
    .unwrap();
    finished(app, key, &started).await
}

both_backends!(
    a_terminal_cannot_change_the_amount_and_never_stores_a_card_number,
    &[],
    |app: TestApp| async move {
        use server::terminals::link::{Incoming, Outgoing};
        let key = key(&app, "shop").await;
        // A terminal that answers with what it likes.
        let stream = TcpStream::connect(&app.terminals).await.unwrap();
        let (reader, writer) = stream.into_split();
        let mut out = Outgoing::new(writer, "T2000002", "X");
        let mut incoming = Incoming::new(reader, Duration::from_secs(20), Duration::from_secs(5));
        out.send(Body::Hello { model: None }).await.unwrap();
        assert!(matches!(
            incoming.next().await.unwrap().body,
            Body::HelloResponse { .. }
        ));
        wait_connected(&app, "T2000002").await;
        bind(&app, "shop", "T2000002").await;
        // Asked 12.99, the terminal reports 1.00 approved: an error, never an approval.
        let changed = rogue_round(&app, &key, &mut out, &mut incoming, 1299, 100).await;
        assert_eq!(changed["result"], "ERROR", "{changed}");
        // The amount asked, reported back: approved; the card number is masked.
        let approved = rogue_round(&app, &key, &mut out, &mut incoming, 1500, 1500).await;
        assert_eq!(approved["result"], "APPROVED", "{approved}");
        let rows = server::entities::terminal_payment::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert_eq!(row.masked_card.as_deref(), Some("411111******1111"));
            let receipt = row.receipt.as_deref().unwrap();
            assert!(receipt.contains("CARD 4111 11** **** 1111"), "{receipt}");
            assert!(receipt.contains("RRN 123456789012"), "other numbers kept");
            assert!(!receipt.contains("4111 1111 1111 1111"));
        }
        let payments = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(payments.len(), 2);
        let mismatched = payments.iter().find(|p| p.amount == 1299).unwrap();
        assert_eq!(
            mismatched.captured, 0,
            "nothing captured for a changed amount"
        );
        let approved = payments.iter().find(|p| p.amount == 1500).unwrap();
        assert_eq!(approved.captured, 1500);
        for p in &payments {
            let json = serde_json::to_string(&format!("{p:?}")).unwrap();
            assert!(
                !json.contains("4111111111111111"),
                "no card number on the payment"
            );
        }
    }
);
