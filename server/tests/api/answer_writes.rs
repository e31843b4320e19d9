//! A card payment's two writes (its intent, then the acquirer's answer), whole or not at
//! all, on both databases: on PostgreSQL the common case writes each in one statement
//! (`payments::records::insert_payment_audited`, `payments::engine::answer`), so these
//! tests read back what a transaction of several statements wrote before.

use crate::acquirers::{Before, Simulated};
use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, TestApp};
use crate::idempotence::keyed;
use crate::payments::{card_payment, key};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder,
};
use server::entities::{audit_log, idempotency_key, operation, payment};
use server::payments::acquirer::{AuthRequest, AuthResult};
use server::payments::records::{parse_public_id, public_id};
use std::sync::{Arc, OnceLock};

const VISA: &str = "4111111111111111";

async fn operations_of(db: &DatabaseConnection, payment_id: i64) -> Vec<operation::Model> {
    operation::Entity::find()
        .filter(operation::Column::PaymentId.eq(payment_id))
        .order_by_asc(operation::Column::Id)
        .all(db)
        .await
        .unwrap()
}

both_backends!(
    a_sales_intent_and_answer_are_written_whole,
    &[],
    |app: TestApp| async move {
        let key = key(&app, "shop").await;
        if app.db.get_database_backend() == DbBackend::Postgres {
            // Ids of more than ten digits: the public id PostgreSQL writes in the audit
            // row is still Rust's.
            app.db
                .execute_unprepared(
                    "SELECT setval(pg_get_serial_sequence('payments', 'id'), 12345678900)",
                )
                .await
                .unwrap();
        }
        let body = card_payment(15_000, VISA, "SALE");
        let (status, first) = keyed(&app, &key, "/payments", &body, "whole-1").await;
        assert_eq!(status, 201, "{first}");
        assert_eq!(first["payment"]["status"], "CAPTURED", "{first}");
        let public = first["payment"]["id"].as_str().unwrap().to_owned();
        let id = parse_public_id(&public).unwrap();

        // The intent: the payment and its audit row, naming it as the engine does.
        assert_eq!(public_id(id), public);
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("payment.create"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);
        assert_eq!(
            audited[0].detail,
            format!("payment {public} ECOMMERCE 150.00 EUR 411111******1111")
        );
        assert!(audited[0].actor.starts_with("api:"), "{:?}", audited[0]);
        assert!(!audited[0].detail.contains(VISA));

        // The answer: the payment captured, with its two operations.
        let stored = payment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored.captured, stored.attempts), (15_000, 1));
        assert_eq!(stored.awaiting_since, None);
        let kinds: Vec<_> = operations_of(&app.db, id)
            .await
            .into_iter()
            .map(|o| (o.kind, o.result, o.is_final))
            .collect();
        assert_eq!(
            kinds,
            [
                ("authorise".to_owned(), "approved".to_owned(), false),
                ("capture".to_owned(), "approved".to_owned(), true),
            ]
        );

        // The answer was stored with it: the same request again gets it, and nothing
        // more is written.
        let (status, again) = keyed(&app, &key, "/payments", &body, "whole-1").await;
        assert_eq!((status, &again), (201, &first));
        assert_eq!(operations_of(&app.db, id).await.len(), 2);

        // A refusal: one operation, the payment rejected.
        let (status, declined) = keyed(
            &app,
            &key,
            "/payments",
            &card_payment(15_000, "4000000000000002", "SALE"),
            "whole-2",
        )
        .await;
        assert_eq!(status, 402, "{declined}");
        let refused = operation::Entity::find()
            .filter(operation::Column::Result.eq("declined"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(refused.len(), 1);
        let rejected = payment::Entity::find_by_id(refused[0].payment_id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rejected.stage, "rejected");
        assert!(rejected.refusal_code.is_some());
    }
);

/// The simulated acquirer, which changes the payment it is asked about before it
/// answers, as another request could.
#[derive(Default)]
struct Meddling {
    db: OnceLock<DatabaseConnection>,
}

#[async_trait::async_trait]
impl Before for Meddling {
    async fn authorise(&self, request: &AuthRequest<'_>) -> Option<AuthResult> {
        let db = self.db.get().expect("the database");
        payment::Entity::update_many()
            .col_expr(payment::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(payment::Column::Rrn.eq(request.reference))
            .exec(db)
            .await
            .unwrap();
        None
    }
}

async fn a_payment_changed_meanwhile_keeps_nothing_of_the_answer(backend: Backend) {
    let meddling = Arc::new(Simulated(Meddling::default()));
    let Some(app) = spawn_app_with(backend, &[], Some(meddling.clone())).await else {
        return;
    };
    meddling.db.set(app.db.clone()).ok();
    let key = key(&app, "shop").await;
    let body = card_payment(15_000, VISA, "SALE");
    let (status, answer) = keyed(&app, &key, "/payments", &body, "meddled").await;
    assert_ne!(status, 201, "{answer}");
    // The intent stays, awaiting its answer (the reconciliation asks the acquirer);
    // nothing of the answer was written: no operation, no capture.
    let rows = payment::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].captured, rows[0].attempts), (0, 0));
    assert!(rows[0].awaiting_since.is_some());
    assert!(operations_of(&app.db, rows[0].id).await.is_empty());
    // Nor the request's answer: a retry is not answered "captured".
    let record = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Key.eq("meddled"))
        .one(&app.db)
        .await
        .unwrap();
    assert!(
        record
            .as_ref()
            .is_none_or(|r| r.status_code.is_none() && r.response_body.is_none()),
        "{record:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_changed_meanwhile_keeps_nothing_of_the_answer_sqlite() {
    a_payment_changed_meanwhile_keeps_nothing_of_the_answer(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_changed_meanwhile_keeps_nothing_of_the_answer_postgres() {
    a_payment_changed_meanwhile_keeps_nothing_of_the_answer(Backend::Postgres).await;
}
