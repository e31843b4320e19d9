//! Limits a signed-in user cannot get around: API key deletions per merchant and hour,
//! concurrent exports per merchant, the attachment storage of an organization.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use app::configuration::ApiKeyView;
use app::error::Problem;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::configuration::keys::MAX_KEY_DELETIONS_PER_HOUR;
use server::entities::{api_key, audit_log};

/// Creates an API key through the page's server function; its row id.
async fn new_key(app: &TestApp, admin: &str, name: &str) -> i64 {
    let res = app
        .call("config/create_api_key", &[("name", name)], Some(admin))
        .await;
    res.ok();
    serde_json::from_str::<ApiKeyView>(&res.body).unwrap().id
}

async fn delete(app: &TestApp, admin: &str, id: i64, password: &str) -> crate::helpers::FnResponse {
    app.call(
        "config/delete_api_key",
        &[("id", &id.to_string()), ("password", password)],
        Some(admin),
    )
    .await
}

both_backends!(
    api_key_deletions_are_throttled_per_merchant_and_audited,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        app.merchant("other").await;
        let admin = app.session("shop", "admin").await;
        let other_admin = app.session("other", "admin").await;
        let limit = MAX_KEY_DELETIONS_PER_HOUR as usize;
        let mut ids = Vec::new();
        for i in 0..limit + 2 {
            ids.push(new_key(&app, &admin, &format!("key {i}")).await);
        }
        let other_key = new_key(&app, &other_admin, "theirs").await;

        // A wrong password counts as an attempt and is audited.
        let res = delete(&app, &admin, ids[0], "wrong").await;
        assert_eq!(
            res.error().problem_for("password"),
            Some(&Problem::WrongCurrentPassword)
        );
        for id in &ids[..limit - 1] {
            delete(&app, &admin, *id, crate::helpers::PASSWORD)
                .await
                .ok();
        }
        // The next one is refused before the password is even checked; nothing deleted.
        let res = delete(&app, &admin, ids[limit - 1], crate::helpers::PASSWORD).await;
        assert_eq!(
            res.error().problem_for("password"),
            Some(&Problem::TooManyKeyDeletions)
        );
        let left = api_key::Entity::find()
            .filter(api_key::Column::Id.is_in(ids.clone()))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(left.len(), 3);
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.is_in(["api_key.delete", "api_key.delete_denied"]))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), limit);
        assert_eq!(
            audited
                .iter()
                .filter(|a| a.action == "api_key.delete_denied")
                .count(),
            1
        );
        let deleted_key = audited
            .iter()
            .find(|a| a.action == "api_key.delete")
            .unwrap();
        assert!(
            deleted_key.detail.contains("key "),
            "{}",
            deleted_key.detail
        );

        // Another merchant is not held back, and cannot delete this merchant's keys.
        let res = delete(&app, &other_admin, ids[limit], crate::helpers::PASSWORD).await;
        assert!(matches!(res.error(), app::error::AppError::NotFound));
        delete(&app, &other_admin, other_key, crate::helpers::PASSWORD)
            .await
            .ok();

        // An hour later the merchant may delete again.
        audit_log::Entity::update_many()
            .col_expr(
                audit_log::Column::CreatedAt,
                (chrono::Utc::now() - chrono::Duration::minutes(61)).into(),
            )
            .exec(&app.db)
            .await
            .unwrap();
        delete(&app, &admin, ids[limit - 1], crate::helpers::PASSWORD)
            .await
            .ok();
    }
);

both_backends!(
    parallel_api_key_deletions_check_at_most_the_limit,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let id = new_key(&app, &admin, "kept").await;
        let limit = MAX_KEY_DELETIONS_PER_HOUR as usize;
        // Twice the hour's allowance of password guesses at once: only the allowance is
        // checked, the rest are refused before the password is.
        let answers = futures_util::future::join_all(
            (0..2 * limit).map(|_| delete(&app, &admin, id, "wrong")),
        )
        .await;
        let problems: Vec<Option<Problem>> = answers
            .iter()
            .map(|r| r.error().problem_for("password").cloned())
            .collect();
        let checked = problems
            .iter()
            .filter(|p| **p == Some(Problem::WrongCurrentPassword))
            .count();
        let throttled = problems
            .iter()
            .filter(|p| **p == Some(Problem::TooManyKeyDeletions))
            .count();
        assert_eq!(checked, limit, "{problems:?}");
        assert_eq!(throttled, limit, "{problems:?}");
        let denied = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("api_key.delete_denied"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(denied.len(), limit);
        // The right password waits too; the key is still there.
        let res = delete(&app, &admin, id, crate::helpers::PASSWORD).await;
        assert_eq!(
            res.error().problem_for("password"),
            Some(&Problem::TooManyKeyDeletions)
        );
        assert!(api_key::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .is_some());
    }
);
