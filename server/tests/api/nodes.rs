//! Several nodes on one database (PL-2): three servers, each with its own pool, state
//! and terminal gateway, behind a tiny round-robin front that sends every new connection
//! to the next node. A session works on any node; the sign-in limit per client address
//! holds across nodes (counted in the database, not per process); an idempotence key
//! sent to two nodes makes one payment; a job claimed by three runners at once runs
//! once; and a terminal connected to one node serves a point-of-sale payment started on
//! another.

use crate::both_backends;
use crate::helpers::*;
use crate::idempotence::keyed;
use crate::payments::{card_payment, key};
use crate::terminals::{bind, finished, pay, simulate, wait_connected};
use app::error::AppError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::entities::{job, payment, webhook_delivery};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

/// A round-robin front before `nodes` (their base URLs): each accepted connection is
/// piped to the next node in turn. Answers the front's base URL.
async fn front(nodes: &[&TestApp]) -> String {
    let targets: Vec<String> = nodes
        .iter()
        .map(|n| n.base.trim_start_matches("http://").to_owned())
        .collect();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = targets[next.fetch_add(1, Ordering::Relaxed) % targets.len()].clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    base
}

both_backends!(
    three_nodes_behind_a_round_robin_front_act_as_one,
    &[("OPENPSP_LOGIN_RATE_PER_MINUTE", "6")],
    |a: TestApp| async move {
        let b = a.another_node().await;
        let c = a.another_node().await;
        let nodes = [&a, &b, &c];
        let via = a.through(&front(&nodes).await);
        let k = key(&a, "shop").await;

        // The sign-in limit counts per minute of the clock (fixed windows): the sign-ins
        // counted below must fall in one window, so a start in a minute's last seconds
        // waits for the next minute.
        let second = chrono::Utc::now().timestamp().rem_euclid(60);
        if second >= 50 {
            tokio::time::sleep(std::time::Duration::from_secs((61 - second) as u64)).await;
        }

        // A session opened through the front works on every node, and through the front.
        let cookie = via.session("shop", "admin").await;
        for node in nodes {
            node.call("config/methods", &[], Some(&cookie)).await.ok();
        }
        for _ in 0..6 {
            via.call("config/methods", &[], Some(&cookie)).await.ok();
        }

        // The sign-in limit per address holds across nodes: one sign-in above, four
        // wrong passwords spread over the three nodes, then the sixth attempt is the
        // last one allowed and the seventh is refused, whichever node gets it.
        for _ in 0..4 {
            assert_eq!(
                via.login_pspid("shop", "Wrong-Password-1!").await.error(),
                AppError::InvalidCredentials
            );
        }
        via.session("shop", "admin").await;
        for node in nodes {
            assert_eq!(
                node.login_pspid("shop", PASSWORD).await.error(),
                AppError::RateLimited
            );
        }

        // One idempotence key sent to two nodes: one payment, the same answer.
        let body = card_payment(1_500, "4111111111111111", "SALE");
        let (s1, first) = keyed(&a, &k, "/payments", &body, "nodes-1").await;
        let (s2, second) = keyed(&b, &k, "/payments", &body, "nodes-1").await;
        assert_eq!((s1, s2), (201, 201), "{first} {second}");
        assert_eq!(first["payment"]["id"], second["payment"]["id"]);
        let made = payment::Entity::find()
            .filter(payment::Column::Channel.eq("ECOMMERCE"))
            .count(&a.db)
            .await
            .unwrap();
        assert_eq!(made, 1);

        // A terminal connected to node A serves a payment started on node C.
        let _sim = simulate(&a, "T1000001");
        wait_connected(&a, "T1000001").await;
        bind(&a, "shop", "T1000001").await;
        let done = finished(&c, &k, &pay(&c, &k, "T1000001", 1234).await).await;
        assert_eq!(done["result"], "APPROVED", "{done}");
    }
);

both_backends!(
    three_runners_run_each_job_once,
    &[],
    |a: TestApp| async move {
        let k = key(&a, "shop").await;
        let (port, seen) = crate::webhook_addresses::counting_receiver().await;
        let m = crate::webhook_addresses::webhooks_on(&a, "shop").await;
        crate::webhook_addresses::store_endpoint(&a, m.id, &format!("http://127.0.0.1:{port}/in"))
            .await;
        for i in 0..10 {
            let body = card_payment(1_000 + i, "4111111111111111", "SALE");
            let (s, v) = crate::payments::post(&a, &k, "/payments", &body).await;
            assert_eq!(s, 201, "{v}");
        }
        let deliveries = webhook_delivery::Entity::find().count(&a.db).await.unwrap();
        assert!(deliveries >= 10, "{deliveries}");

        // Three nodes' runners, each with its own pool, claim the same queue at once.
        let mut runs = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let db = server::platform::db::connect_and_migrate(&a.config.database_url)
                .await
                .unwrap();
            let runner = server::state::AppState::builder(db, a.config.clone())
                .build()
                .worker(None);
            runs.spawn(async move {
                let mut ran = 0;
                while runner.run_once().await.unwrap() {
                    ran += 1;
                }
                ran
            });
        }
        let ran: usize = runs.join_all().await.into_iter().sum();
        assert_eq!(
            seen.load(Ordering::SeqCst) as u64,
            deliveries,
            "each delivery reached the receiver once"
        );
        let open = job::Entity::find()
            .filter(job::Column::Kind.eq(server::platform::jobs::kind::WEBHOOK))
            .filter(job::Column::State.ne("done"))
            .count(&a.db)
            .await
            .unwrap();
        assert_eq!(open, 0);
        assert!(
            ran as u64 >= deliveries,
            "{ran} runs for {deliveries} deliveries"
        );
    }
);
