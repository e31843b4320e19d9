//! Card terminals pinned to where they were paired from, the networks and the number of
//! connections the gateway takes, terminals that leave ids out, and the cap on live POS
//! event streams. Other source addresses are other loopback addresses (127.0.0.2, …),
//! which Linux routes to the gateway listening on 127.0.0.1.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::payments::{get, key, post};
use crate::terminals::{bind, finished, pay, pos_id, wait_connected, wait_for};
use app::error::{AppError, Problem};
use domain::terminal::{Body, TerminalStage, TransactionOutcome, TransactionResult};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use server::entities::{audit_log, payment, terminal};
use server::terminals::link::{Incoming, LinkError, Outgoing};
use server::terminals::sim::{self, connect_from, SimOptions};
use std::net::IpAddr;
use std::time::Duration;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

type Link = (Outgoing<OwnedWriteHalf>, Incoming<OwnedReadHalf>);

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// Connects from `source` and says Hello as `terminal_id` (with `ecr` as cash register
/// id): the link when the gateway answered, `None` when it closed the connection.
async fn hello_from(app: &TestApp, source: &str, terminal_id: &str, ecr: &str) -> Option<Link> {
    let stream = connect_from(ip(source), &app.terminals).await.ok()?;
    let (reader, writer) = stream.into_split();
    let mut out = Outgoing::new(writer, terminal_id, ecr);
    let mut incoming = Incoming::new(reader, Duration::from_secs(20), Duration::from_secs(5));
    // The gateway may have closed already: a failed write is a refusal too.
    out.send(Body::Hello { model: None }).await.ok()?;
    match incoming.next().await {
        Ok(m) => match m.body {
            Body::HelloResponse { result: 0, .. } => Some((out, incoming)),
            other => panic!("unexpected {other:?}"),
        },
        Err(LinkError::Closed | LinkError::Io(_)) => None,
        Err(e) => panic!("unexpected {e}"),
    }
}

/// A simulated terminal connecting from `source`.
fn simulate_from(app: &TestApp, source: &str, terminal_id: &str) -> tokio::task::JoinHandle<()> {
    let mut options = SimOptions::new(&app.terminals, terminal_id);
    options.step = Duration::from_millis(60);
    options.source = Some(ip(source));
    tokio::spawn(async move {
        let _ = sim::run(options, |_| {}).await;
    })
}

async fn row(app: &TestApp, terminal_id: &str) -> Option<terminal::Model> {
    terminal::Entity::find()
        .filter(terminal::Column::TerminalId.eq(terminal_id))
        .one(&app.db)
        .await
        .unwrap()
}

async fn wait_disconnected(app: &TestApp, terminal_id: &str) {
    for _ in 0..200 {
        if row(app, terminal_id).await.is_some_and(|r| !r.connected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("terminal {terminal_id} never disconnected");
}

async fn list(app: &TestApp, cookie: &str) -> Vec<Value> {
    let res = app.call("terminals/list", &[], Some(cookie)).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

both_backends!(
    a_bound_terminal_is_pinned_to_its_pairing,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        app.merchant("othershop").await;
        let admin = app.session("shop", "admin").await;
        let real = simulate_from(&app, "127.0.0.1", "T7000007");
        wait_connected(&app, "T7000007").await;
        let res = app
            .call(
                "terminals/bind",
                &[("terminal_id", "T7000007"), ("address", "127.0.0.1")],
                Some(&admin),
            )
            .await;
        res.ok();
        assert_eq!(
            row(&app, "T7000007")
                .await
                .unwrap()
                .bound_address
                .as_deref(),
            Some("127.0.0.1")
        );
        // A payment in flight on the real terminal (77 waits for a cancel).
        let started = pay(&app, &key, "T7000007", 1277).await;
        let id = started["id"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_millis(300)).await;

        // The same id from another address: refused, audited, and the real terminal
        // keeps its connection and its payment.
        assert!(hello_from(&app, "127.0.0.2", "T7000007", "X")
            .await
            .is_none());
        let refused = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("terminal.refused"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].ip, "127.0.0.2");
        assert!(refused[0].detail.contains("T7000007"));
        let (status, body) = get(&app, &key, &format!("/terminals/payments/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["stage"], "WAITING_FOR_CARD", "{body}");
        let (status, _) = post(
            &app,
            &key,
            &format!("/terminals/payments/{id}/cancel"),
            &json!({}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(finished(&app, &key, &started).await["result"], "STOPPED");

        // With the real terminal gone, the impostor is still refused: pinning, not the
        // live connection, refuses it.
        real.abort();
        wait_disconnected(&app, "T7000007").await;
        assert!(hello_from(&app, "127.0.0.2", "T7000007", "X")
            .await
            .is_none());
        assert!(!row(&app, "T7000007").await.unwrap().connected);

        // The Admin is told of the refused attempts (not offered their address) and
        // re-pairs it to the address typed from its screen; only an address it tried
        // from is taken.
        let terminals = list(&app, &admin).await;
        assert_eq!(terminals[0]["refused_addresses"], 1, "{terminals:?}");
        assert_eq!(terminals[0]["repairable"], true, "{terminals:?}");
        assert_eq!(terminals[0]["paired_from"], "127.0.0.1/32");
        let res = app
            .call(
                "terminals/repair",
                &[("terminal_id", "T7000007"), ("address", "127.0.0.9")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("address"),
            Some(&Problem::TerminalNotConnected)
        );
        let operator = app.session("shop", "operator").await;
        let res = app
            .call(
                "terminals/repair",
                &[("terminal_id", "T7000007"), ("address", "127.0.0.2")],
                Some(&operator),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let res = app
            .call(
                "terminals/repair",
                &[("terminal_id", "T7000007"), ("address", "127.0.0.2")],
                Some(&admin),
            )
            .await;
        assert!(res.ok().body.contains("127.0.0.2/32"));
        let _moved = simulate_from(&app, "127.0.0.2", "T7000007");
        wait_connected(&app, "T7000007").await;
        let done = finished(&app, &key, &pay(&app, &key, "T7000007", 500).await).await;
        assert_eq!(done["result"], "APPROVED");
        // The old address is now the outsider.
        assert!(hello_from(&app, "127.0.0.1", "T7000007", "X")
            .await
            .is_none());

        // Widened to a /24, a neighbour address may connect; the width has bounds.
        let res = app
            .call(
                "terminals/widen",
                &[("terminal_id", "T7000007"), ("prefix", "4")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("prefix"),
            Some(&Problem::OutOfRange)
        );
        let res = app
            .call(
                "terminals/widen",
                &[("terminal_id", "T7000007"), ("prefix", "24")],
                Some(&admin),
            )
            .await;
        assert!(res.ok().body.contains("127.0.0.0/24"));
        assert_eq!(row(&app, "T7000007").await.unwrap().bound_prefix, Some(24));
        // (The simulator on 127.0.0.2 holds the id; the neighbour's Hello is refused as
        // a second connection, and it is not pinning that refuses it: no audit row.)
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("terminal.refused"))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        assert!(hello_from(&app, "127.0.0.3", "T7000007", "X")
            .await
            .is_none());
        let after = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("terminal.refused"))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        assert_eq!(audited, after);
        // Another merchant can neither re-pair nor widen it.
        let other = app.session("othershop", "admin").await;
        let res = app
            .call(
                "terminals/widen",
                &[("terminal_id", "T7000007"), ("prefix", "8")],
                Some(&other),
            )
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
    }
);

both_backends!(
    an_impostor_is_never_offered_while_the_terminal_is_connected,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let real = simulate_from(&app, "127.0.0.1", "T7100001");
        wait_connected(&app, "T7100001").await;
        let res = app
            .call(
                "terminals/bind",
                &[("terminal_id", "T7100001"), ("address", "127.0.0.1")],
                Some(&admin),
            )
            .await;
        res.ok();
        // Anyone knowing the id says Hello from elsewhere, again and again; the last
        // refused address is the one they want re-paired to.
        for source in ["127.0.0.3", "127.0.0.2", "127.0.0.2"] {
            assert!(hello_from(&app, source, "T7100001", "X").await.is_none());
        }
        // The page counts the distinct addresses, offers none of them, and offers no
        // re-pairing while the real terminal is connected from inside its binding.
        let res = app.call("terminals/list", &[], Some(&admin)).await;
        let body = res.ok().body.clone();
        assert!(!body.contains("127.0.0.2"), "{body}");
        assert!(!body.contains("127.0.0.3"), "{body}");
        let terminals: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(terminals[0]["refused_addresses"], 2, "{terminals:?}");
        assert_eq!(terminals[0]["repairable"], false, "{terminals:?}");
        // Typing the impostor's address is refused: the terminal stays pinned.
        for address in ["127.0.0.2", "127.0.0.3", ""] {
            let res = app
                .call(
                    "terminals/repair",
                    &[("terminal_id", "T7100001"), ("address", address)],
                    Some(&admin),
                )
                .await;
            assert!(res.error().problem_for("address").is_some(), "{address}");
        }
        let pinned = row(&app, "T7100001").await.unwrap();
        assert_eq!(pinned.bound_address.as_deref(), Some("127.0.0.1"));
        assert_eq!(pinned.bound_prefix, Some(32));
        assert!(hello_from(&app, "127.0.0.2", "T7100001", "X")
            .await
            .is_none());

        // The terminal really moves: gone from its address, refused from the new one.
        real.abort();
        wait_disconnected(&app, "T7100001").await;
        assert!(hello_from(&app, "127.0.0.4", "T7100001", "X")
            .await
            .is_none());
        let terminals = list(&app, &admin).await;
        assert_eq!(terminals[0]["refused_addresses"], 3, "{terminals:?}");
        assert_eq!(terminals[0]["repairable"], true, "{terminals:?}");
        // The Admin types the address the terminal shows: re-paired there, and it
        // connects from there.
        let res = app
            .call(
                "terminals/repair",
                &[("terminal_id", "T7100001"), ("address", " 127.0.0.4 ")],
                Some(&admin),
            )
            .await;
        assert!(res.ok().body.contains("127.0.0.4/32"));
        assert!(hello_from(&app, "127.0.0.4", "T7100001", "X")
            .await
            .is_some());
        // The refused attempts were forgotten with the re-pairing.
        assert_eq!(list(&app, &admin).await[0]["refused_addresses"], 0);
    }
);

both_backends!(
    a_merchant_binds_by_id_and_address,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        app.merchant("othershop").await;
        let admin = app.session("shop", "admin").await;
        let other = app.session("othershop", "admin").await;
        let _sim = simulate_from(&app, "127.0.0.1", "T8000008");
        wait_connected(&app, "T8000008").await;
        // Nobody's terminal is listed to no merchant.
        for cookie in [&admin, &other] {
            assert!(list(&app, cookie).await.is_empty());
        }
        let try_bind = |cookie: String, id: &'static str, address: &'static str| {
            let app = &app;
            async move {
                app.call(
                    "terminals/bind",
                    &[("terminal_id", id), ("address", address)],
                    Some(&cookie),
                )
                .await
            }
        };
        // Both fields are needed.
        let res = try_bind(admin.clone(), "T8000008", " ").await;
        assert_eq!(res.error().problem_for("address"), Some(&Problem::Required));
        // The wrong address, an unknown id, an address that is not one, and a terminal
        // that is not connected: one and the same answer.
        bind(&app, "othershop", "T8000099").await;
        for (id, address) in [
            ("T8000008", "127.0.0.2"),
            ("T8UNKNOWN", "127.0.0.1"),
            ("T8000008", "localhost"),
            ("T8000099", "127.0.0.1"),
        ] {
            let res = try_bind(admin.clone(), id, address).await;
            assert_eq!(
                res.error(),
                AppError::Invalid(vec![app::error::FieldError::new(
                    "terminal_id",
                    Problem::TerminalNotConnected
                )]),
                "{id} {address}"
            );
        }
        // The id and the address of the live connection: bound, pinned there.
        let res = try_bind(admin.clone(), "T8000008", "127.0.0.1").await;
        res.ok();
        let bound = row(&app, "T8000008").await.unwrap();
        assert_eq!(bound.bound_address.as_deref(), Some("127.0.0.1"));
        assert_eq!(bound.bound_prefix, Some(32));
        assert_eq!(list(&app, &admin).await.len(), 1);
        // Now another merchant with the same id and address gets the same answer.
        let res = try_bind(other.clone(), "T8000008", "127.0.0.1").await;
        assert_eq!(
            res.error().problem_for("terminal_id"),
            Some(&Problem::TerminalNotConnected)
        );
        // Bound by the operator while not connected: pinned to no address, refused until
        // re-paired, and offered for re-pairing at the address it tried from.
        assert!(hello_from(&app, "127.0.0.1", "T8000099", "X")
            .await
            .is_none());
        let terminals = list(&app, &other).await;
        assert_eq!(terminals[0]["paired_from"], "");
        assert_eq!(terminals[0]["refused_addresses"], 1);
        assert_eq!(terminals[0]["repairable"], true);
        let res = app
            .call(
                "terminals/repair",
                &[("terminal_id", "T8000099"), ("address", "127.0.0.1")],
                Some(&other),
            )
            .await;
        assert!(res.ok().body.contains("127.0.0.1/32"));
    }
);

both_backends!(
    only_allowed_networks_may_connect,
    &[("OPENPSP_TERMINAL_ALLOW", "127.0.0.2/31, 127.0.0.9")],
    |app: TestApp| async move {
        let started = std::time::Instant::now();
        assert!(hello_from(&app, "127.0.0.1", "T9100001", "X")
            .await
            .is_none());
        // Closed at once, not after the Hello timeout, and never listed.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "well before the 10 s Hello timeout"
        );
        assert!(row(&app, "T9100001").await.is_none());
        assert!(hello_from(&app, "127.0.0.4", "T9100001", "X")
            .await
            .is_none());
        assert!(hello_from(&app, "127.0.0.3", "T9100003", "X")
            .await
            .is_some());
        assert!(hello_from(&app, "127.0.0.9", "T9100009", "X")
            .await
            .is_some());
    }
);

both_backends!(
    connections_beyond_the_cap_are_closed,
    &[("OPENPSP_TERMINAL_MAX_CONNECTIONS", "3")],
    |app: TestApp| async move {
        let mut held = Vec::new();
        for i in 0..3 {
            let id = format!("T92{i:05}");
            held.push(
                hello_from(&app, "127.0.0.1", &id, "X")
                    .await
                    .expect("within the cap"),
            );
        }
        // The fourth is closed before anything is read.
        let started = std::time::Instant::now();
        assert!(hello_from(&app, "127.0.0.1", "T9299999", "X")
            .await
            .is_none());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "well before the 10 s Hello timeout"
        );
        assert!(row(&app, "T9299999").await.is_none());
        // One goes: there is room again.
        held.pop();
        for _ in 0..100 {
            if let Some(link) = hello_from(&app, "127.0.0.1", "T9299999", "X").await {
                held.push(link);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("a freed place was never given again");
    }
);

both_backends!(
    an_empty_ecr_id_and_a_result_without_the_transaction_echo,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        // The terminal does not know the cash register's name yet.
        let (mut out, mut incoming) = hello_from(&app, "127.0.0.1", "T9300003", "")
            .await
            .expect("an empty cash register id is accepted");
        wait_connected(&app, "T9300003").await;
        bind(&app, "shop", "T9300003").await;
        // A result with no transaction in flight, echo or not, is not taken.
        let outcome = |transaction_id: Option<u64>, amount: u32| {
            Body::TransactionResponse(TransactionOutcome {
                transaction_id,
                result: TransactionResult::Approved,
                stage: TerminalStage::Finished,
                amount: Some(amount),
                currency: Some(978),
                authorisation_code: Some("OK1234".into()),
                brand: Some("Visa".into()),
                masked_pan: None,
                receipt: None,
            })
        };
        out.send(outcome(None, 700)).await.unwrap();
        out.send(Body::KeepAlive).await.unwrap();
        assert!(matches!(
            incoming.next().await.unwrap().body,
            Body::KeepAliveResponse
        ));
        // One transaction in flight: its stage and its result without the echo.
        let started = pay(&app, &key, "T9300003", 700).await;
        let transaction_id = loop {
            match incoming.next().await.unwrap().body {
                Body::TransactionRequest { transaction_id, .. } => break transaction_id,
                Body::KeepAlive => {}
                other => panic!("unexpected {other:?}"),
            }
        };
        out.send(Body::Information {
            transaction_id: None,
            stage: TerminalStage::WaitingForPin,
        })
        .await
        .unwrap();
        let id = started["id"].as_str().unwrap();
        wait_for(&app, &key, id, |b| b["stage"] == "WAITING_FOR_PIN").await;
        // A result naming another transaction is still not taken.
        out.send(outcome(Some(transaction_id + 1000), 700))
            .await
            .unwrap();
        out.send(outcome(None, 700)).await.unwrap();
        let done = finished(&app, &key, &started).await;
        assert_eq!(done["result"], "APPROVED", "{done}");
        let payments = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(payments.len(), 1, "one payment, from the one result taken");
        assert_eq!(payments[0].captured, 700);
    }
);

both_backends!(
    live_pos_streams_are_capped_per_user,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let operator = app.session("shop", "operator").await;
        let admin = app.session("shop", "admin").await;
        let _sim = simulate_from(&app, "127.0.0.1", "T9400004");
        wait_connected(&app, "T9400004").await;
        bind(&app, "shop", "T9400004").await;
        // 77 waits for a cancel: a payment that stays open.
        let res = app
            .call(
                "pos/start",
                &[
                    ("terminal", "T9400004"),
                    ("currency", "EUR"),
                    ("amount", "1.77"),
                    ("reference", ""),
                ],
                Some(&operator),
            )
            .await;
        let id = pos_id(&res.ok().body);
        let open = |cookie: String| {
            let app = &app;
            async move {
                app.http
                    .get(format!("{}/operations/pos/events/{id}", app.base))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let mut streams = Vec::new();
        for _ in 0..server::terminals::events::MAX_STREAMS_PER_USER {
            let res = open(operator.clone()).await;
            assert_eq!(res.status(), 200);
            streams.push(res);
        }
        assert_eq!(open(operator.clone()).await.status(), 429);
        // Another user has streams of their own.
        let theirs = open(admin.clone()).await;
        assert_eq!(theirs.status(), 200);
        // A stream closed gives its place back.
        drop(streams.pop());
        let mut again = None;
        for _ in 0..100 {
            let res = open(operator.clone()).await;
            if res.status() == 200 {
                again = Some(res);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut again = again.expect("the place of a closed stream is given again");
        // The stream still tells the changes: the cancel ends it.
        let res = app
            .call("pos/cancel", &[("id", &id.to_string())], Some(&operator))
            .await;
        res.ok();
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, again.chunk()).await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("STOPPED") {
                break;
            }
        }
        assert!(text.contains("STOPPED"), "{text}");
    }
);

both_backends!(
    unbound_terminals_long_unheard_are_forgotten,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ActiveValue::Set, PaginatorTrait};
        app.merchant("shop").await;
        let merchant = server::entities::merchant::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let now = chrono::Utc::now();
        let days = chrono::Duration::days;
        let row =
            |id: String,
             merchant_id: Option<i64>,
             last_seen: Option<chrono::DateTime<chrono::Utc>>,
             created_at: chrono::DateTime<chrono::Utc>| terminal::ActiveModel {
                terminal_id: Set(id),
                merchant_id: Set(merchant_id),
                model: Set(String::new()),
                connected: Set(false),
                peer: Set("198.51.100.1:4000".into()),
                last_seen: Set(last_seen),
                bound_at: Set(None),
                bound_address: Set(None),
                bound_prefix: Set(None),
                created_at: Set(created_at),
                ..Default::default()
            };
        // Strangers' ids, more than one delete takes, unheard for 8 days; one never
        // connected, listed 8 days ago.
        let mut rows: Vec<_> = (0..600)
            .map(|i| {
                row(
                    format!("GONE{i:04}"),
                    None,
                    Some(now - days(8)),
                    now - days(9),
                )
            })
            .collect();
        rows.push(row("NEVER".into(), None, None, now - days(8)));
        // Heard from yesterday, or bound: kept.
        rows.push(row(
            "RECENT".into(),
            None,
            Some(now - days(1)),
            now - days(30),
        ));
        rows.push(row("LISTED".into(), None, None, now - days(1)));
        rows.push(row(
            "BOUND".into(),
            Some(merchant.id),
            Some(now - days(30)),
            now - days(30),
        ));
        for chunk in rows.chunks(100) {
            terminal::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&app.db)
                .await
                .unwrap();
        }
        let hub = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .terminals;
        hub.purge_unbound().await.unwrap();
        let mut kept: Vec<String> = terminal::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.terminal_id)
            .collect();
        kept.sort();
        assert_eq!(kept, ["BOUND", "LISTED", "RECENT"]);
        // Nothing more to forget.
        assert_eq!(hub.purge_unbound().await.unwrap(), 0);
        assert_eq!(terminal::Entity::find().count(&app.db).await.unwrap(), 3);
    }
);
