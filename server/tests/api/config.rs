//! Configuration pages through their server functions: API keys (secret shown for five
//! minutes, then first and last three characters only), roles, settings validation.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use app::configuration::ApiKeyView;
use app::error::{AppError, Problem};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::entities::{api_key, audit_log};

both_backends!(
    api_key_secrets_hide_after_five_minutes_and_only_admins_manage_keys,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let res = app
            .call(
                "config/create_api_key",
                &[("name", "Backend")],
                Some(&admin),
            )
            .await;
        res.ok();
        let created: ApiKeyView = serde_json::from_str(&res.body).unwrap();
        let secret = created.secret.clone().expect("the new secret is shown");
        assert_eq!(secret.len(), 44);
        assert!(
            created.seconds_left > 290 && created.seconds_left <= 300,
            "{}",
            created.seconds_left
        );
        assert_eq!(
            created.hint,
            format!("{}…{}", &secret[..3], &secret[secret.len() - 3..])
        );

        // Five minutes later only the hint is left, for good.
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::RevealUntil,
                (chrono::Utc::now() - chrono::Duration::seconds(1)).into(),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let res = app.call("config/api_keys", &[], Some(&admin)).await;
        res.ok();
        let list: Vec<ApiKeyView> = serde_json::from_str(&res.body).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].secret, None);
        assert!(!res.body.contains(&secret), "the secret never comes back");
        // The database keeps it encrypted only.
        let rows = api_key::Entity::find().all(&app.db).await.unwrap();
        assert!(!format!("{rows:?}").contains(&secret));

        // An operator may not list, create or delete keys.
        let operator = app.session("shop", "operator").await;
        for (endpoint, form) in [
            ("config/api_keys", vec![]),
            ("config/create_api_key", vec![("name", "x")]),
            (
                "config/delete_api_key",
                vec![("id", "1"), ("password", crate::helpers::PASSWORD)],
            ),
        ] {
            let res = app.call(endpoint, &form, Some(&operator)).await;
            assert!(matches!(res.error(), AppError::Forbidden), "{endpoint}");
        }

        // Deleting needs the admin's password.
        let id = list[0].id.to_string();
        let res = app
            .call(
                "config/delete_api_key",
                &[("id", &id), ("password", "wrong")],
                Some(&admin),
            )
            .await;
        assert_eq!(
            res.error().problem_for("password"),
            Some(&Problem::WrongCurrentPassword)
        );
        app.call(
            "config/delete_api_key",
            &[("id", &id), ("password", crate::helpers::PASSWORD)],
            Some(&admin),
        )
        .await
        .ok();
        assert!(api_key::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .is_empty());
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.is_in(["api_key.create", "api_key.delete"]))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), 2);
    }
);

both_backends!(
    payment_settings_are_checked_field_by_field,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let res = app
            .call(
                "config/save_payment_settings",
                &[
                    ("retry_count", "0"),
                    ("capture_procedure", "sometimes"),
                    ("capture_delay_hours", "2"),
                    ("session_minutes", "abc"),
                    ("over_capture_percent", "10"),
                    ("web_site", "shop.example"),
                ],
                Some(&admin),
            )
            .await;
        let error = res.error();
        assert_eq!(
            error.problem_for("session_minutes"),
            Some(&Problem::OutOfRange)
        );
        let res = app
            .call(
                "config/save_payment_settings",
                &[
                    ("retry_count", "0"),
                    ("capture_procedure", "sometimes"),
                    ("capture_delay_hours", "2"),
                    ("session_minutes", "15"),
                    ("over_capture_percent", "10"),
                    ("web_site", "shop.example"),
                ],
                Some(&admin),
            )
            .await;
        let error = res.error();
        assert_eq!(error.problem_for("retry_count"), Some(&Problem::OutOfRange));
        assert_eq!(
            error.problem_for("capture_procedure"),
            Some(&Problem::OutOfRange)
        );
        assert_eq!(error.problem_for("web_site"), Some(&Problem::InvalidUrl));
        app.call(
            "config/save_payment_settings",
            &[
                ("retry_count", "2"),
                ("capture_procedure", "delayed"),
                ("capture_delay_hours", "2"),
                ("session_minutes", "15"),
                ("over_capture_percent", "10"),
                ("web_site", "https://shop.example"),
            ],
            Some(&admin),
        )
        .await
        .ok();
        let m = server::entities::merchant::Entity::find()
            .filter(server::entities::merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                m.retry_count,
                m.capture_procedure.as_str(),
                m.capture_delay_hours,
                m.show_final_page,
                m.session_minutes,
                m.over_capture_percent
            ),
            (2, "delayed", 2, false, 15, 10)
        );
    }
);

both_backends!(
    turning_webhooks_on_shows_the_first_signing_secret_once,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let save = |enabled: &'static str| {
            let (app, admin) = (&app, admin.clone());
            async move {
                let res = app
                    .call(
                        "config/save_webhooks",
                        &[("enabled", enabled), ("events", "payment.created")],
                        Some(&admin),
                    )
                    .await;
                serde_json::from_str::<Option<String>>(&res.ok().body).unwrap()
            }
        };
        // Off: no key, no secret.
        assert_eq!(save("false").await, None);
        // First time on: a key, and its secret once.
        let secret = save("true").await.expect("the first key's secret");
        assert!(secret.len() >= 32, "a real secret");
        let merchant = server::entities::merchant::Entity::find()
            .filter(server::entities::merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(merchant.webhook_key_id.is_some());
        // Saved again: the same key, no secret.
        assert_eq!(save("true").await, None);
        let again = server::entities::merchant::Entity::find_by_id(merchant.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.webhook_key_id, merchant.webhook_key_id);
    }
);
