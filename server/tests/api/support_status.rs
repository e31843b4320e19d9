//! The support portal's service status page (SP-3): public to read, as a page and as
//! JSON; only agents change a component's status, open an incident and post updates.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, portal};
use app::error::{AppError, Problem};

both_backends!(
    the_status_page_is_public_and_only_agents_edit_it,
    &[],
    |app: TestApp| async move {
        let [agent, alice, _, _] = portal(&app).await;
        server::support::status::seed_demo_status(&app.db)
            .await
            .unwrap();
        let get_json = || async {
            let res = app
                .http
                .get(format!("{}/support/status.json", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<serde_json::Value>().await.unwrap()
        };
        let page = get_json().await;
        assert_eq!(page["overall"], "degraded");
        assert_eq!(page["components"].as_array().unwrap().len(), 6);
        assert_eq!(page["active"].as_array().unwrap().len(), 2);
        assert_eq!(page["active"][0]["updates"][0]["stage"], "identified");
        assert_eq!(page["can_edit"], false);
        // The HTML page needs no sign-in either.
        assert_eq!(page_status(&app, "/support/status").await, 200);

        let webhooks = page["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Webhooks")
            .unwrap()["id"]
            .to_string();
        let incident = page["active"][0]["id"].to_string();
        // Customers read but do not edit.
        let res = app
            .call(
                "support/status-component",
                &[("id", &webhooks), ("status", "operational")],
                Some(&alice),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));
        let res = app
            .call(
                "support/status-component",
                &[("id", &webhooks), ("status", "operational")],
                None,
            )
            .await;
        assert!(matches!(res.error(), AppError::Unauthenticated));
        // Agents do: a bad status or stage is named.
        let res = app
            .call(
                "support/status-component",
                &[("id", &webhooks), ("status", "on_fire")],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error().problem_for("status"),
            Some(&Problem::OutOfRange)
        );
        let res = app
            .call(
                "support/status-update",
                &[("id", &incident), ("stage", "scheduled"), ("body", "x")],
                Some(&agent),
            )
            .await;
        assert_eq!(res.error().problem_for("stage"), Some(&Problem::OutOfRange));
        app.call(
            "support/status-update",
            &[
                ("id", &incident),
                ("stage", "resolved"),
                ("body", "Deliveries are **on time** again."),
            ],
            Some(&agent),
        )
        .await
        .ok();
        app.call(
            "support/status-component",
            &[("id", &webhooks), ("status", "operational")],
            Some(&agent),
        )
        .await
        .ok();
        let page = get_json().await;
        assert_eq!(page["overall"], "operational");
        assert_eq!(
            page["active"].as_array().unwrap().len(),
            1,
            "the maintenance remains"
        );
        assert_eq!(
            page["recent"][0]["updates"][0]["html"],
            "<p>Deliveries are <strong>on time</strong> again.</p>"
        );
        let res = app
            .call(
                "support/status-open",
                &[("kind", "incident"), ("title", ""), ("body", "")],
                Some(&agent),
            )
            .await;
        let error = res.error();
        assert_eq!(error.problem_for("title"), Some(&Problem::Required));
        assert_eq!(error.problem_for("body"), Some(&Problem::Required));
        let res = app
            .call(
                "support/status-open",
                &[
                    ("kind", "incident"),
                    ("title", "Hosted pages slow"),
                    ("body", "Looking into it"),
                    ("components", "2"),
                ],
                Some(&agent),
            )
            .await;
        let page = json(&res.ok().body);
        assert_eq!(page["active"][0]["title"], "Hosted pages slow");
        assert_eq!(
            page["active"][0]["components"],
            serde_json::json!(["Hosted payment pages"])
        );
        assert_eq!(page["can_edit"], true);
    }
);

async fn page_status(app: &TestApp, path: &str) -> u16 {
    app.http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
