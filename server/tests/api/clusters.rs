//! Clusters (PL-4) with two servers on two databases: World, and a Europe deployment that
//! is a generic endpoint. An API call to Europe for a merchant homed in World is passed
//! to World unchanged (its v1HMAC signature verifies there) and answered as World
//! answers, with nothing of the merchant written in Europe's database; Europe's own
//! merchants are served locally; a home cluster that does not answer gives a Direct-style
//! 502; without the generic endpoint nothing is passed on.

use crate::both_backends;
use crate::helpers::*;
use crate::idempotence::keyed;
use crate::payments::{card_payment, get, key, post};
use sea_orm::{EntityTrait, PaginatorTrait};
use server::entities::{idempotency_key, merchant, payment};

both_backends!(
    a_generic_endpoint_passes_calls_to_the_merchants_home_cluster,
    &[("OPENPSP_CLUSTER", "world")],
    |world: TestApp| async move {
        let k = key(&world, "globex").await;
        let urls = format!("world={},india=http://127.0.0.1:9", world.base);
        let Some(europe) = spawn_app(
            Backend::Sqlite,
            &[
                ("OPENPSP_GENERIC_ENDPOINT", "on"),
                ("OPENPSP_CLUSTER_URLS", urls.as_str()),
            ],
        )
        .await
        else {
            return;
        };
        server::direct::home::set_home(&europe.db, "europe", "globex", "world")
            .await
            .unwrap();
        // A merchant of Europe cannot be recorded as homed elsewhere, nor Europe itself.
        let own = key(&europe, "shop").await;
        assert!(
            server::direct::home::set_home(&europe.db, "europe", "shop", "world")
                .await
                .is_err()
        );
        assert!(
            server::direct::home::set_home(&europe.db, "europe", "x", "europe")
                .await
                .is_err()
        );

        // Created through Europe, made in World.
        let body = card_payment(1_500, "4111111111111111", "SALE");
        let (s1, first) = keyed(&europe, &k, "/payments", &body, "clusters-1").await;
        assert_eq!(s1, 201, "{first}");
        let (s2, again) = keyed(&europe, &k, "/payments", &body, "clusters-1").await;
        assert_eq!(s2, 201, "{again}");
        assert_eq!(first["payment"]["id"], again["payment"]["id"]);
        let id = first["payment"]["id"].as_str().unwrap();
        let (s, read) = get(&europe, &k, &format!("/payments/{id}")).await;
        assert_eq!(s, 200, "{read}");
        assert_eq!(read["status"], "CAPTURED", "{read}");
        assert_eq!(payment::Entity::find().count(&world.db).await.unwrap(), 1);
        assert_eq!(
            idempotency_key::Entity::find()
                .count(&world.db)
                .await
                .unwrap(),
            1
        );
        // Nothing of it in Europe.
        assert_eq!(payment::Entity::find().count(&europe.db).await.unwrap(), 0);
        assert_eq!(
            idempotency_key::Entity::find()
                .count(&europe.db)
                .await
                .unwrap(),
            0
        );
        // Nor can it be created here.
        let m = europe.db.clone();
        let refused = server::account::provisioning::create_merchant(
            &m,
            server::account::provisioning::NewMerchant {
                pspid: "globex".into(),
                environment: domain::Environment::Test,
                commercial_name: "Globex".into(),
                legal_name: "Globex".into(),
                email: "ops@globex.example".into(),
                time_zone: "Europe/Brussels".into(),
            },
        )
        .await;
        assert!(refused.is_err(), "{refused:?}");
        let europeans: Vec<String> = merchant::Entity::find()
            .all(&europe.db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.pspid)
            .collect();
        assert_eq!(europeans, ["shop"]);

        // A caller accepting gzip reads the answer once unpacked (it is compressed here
        // at most once, never passed on compressed by World and compressed again).
        let (s, read, _) = crate::payments::signed(
            &europe,
            &k,
            "GET",
            &format!("/v2/globex/payments/{id}"),
            None,
            &[("Accept-Encoding", "gzip")],
            chrono::Utc::now(),
        )
        .await;
        assert_eq!(s, 200, "{read}");
        assert_eq!(read["id"], id, "{read}");

        // World's errors come back as World sends them.
        let (s, missing) = get(&europe, &k, "/payments/0000009999_0").await;
        assert_eq!(s, 404, "{missing}");

        // Europe's own merchant is served in Europe.
        let (s, v) = post(&europe, &own, "/payments", &body).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(payment::Entity::find().count(&europe.db).await.unwrap(), 1);

        // A home cluster that does not answer: 502, retriable, nothing written.
        server::direct::home::set_home(&europe.db, "europe", "initech", "india")
            .await
            .unwrap();
        let lost = key(&world, "initech").await;
        let (s, v) = post(&europe, &lost, "/payments", &body).await;
        assert_eq!(s, 502, "{v}");
        assert_eq!(v["errors"][0]["retriable"], true, "{v}");
        assert_eq!(payment::Entity::find().count(&europe.db).await.unwrap(), 1);

        // Without the generic endpoint, World's merchant is unknown to Europe.
        let Some(plain) = spawn_app(Backend::Sqlite, &[]).await else {
            return;
        };
        server::direct::home::set_home(&plain.db, "europe", "globex", "world")
            .await
            .unwrap();
        let (s, v) = post(&plain, &k, "/payments", &body).await;
        assert_eq!(s, 403, "{v}");
    }
);
