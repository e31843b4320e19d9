//! The agents' console (SP-8, SP-10) through the server functions its pages call:
//! the queue's filters, assignment, priority and internal notes, the payment a ticket is
//! about, and the organizations, invitations and catalogue agents manage.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, raise, step};
use crate::support_knowledge::knowledge;
use app::error::{AppError, Problem};
use sea_orm::EntityTrait;

/// The queue as an agent filters it: the references.
async fn queue(app: &TestApp, cookie: &str, filters: &[(&str, &str)]) -> serde_json::Value {
    let mut form: Vec<(String, String)> = filters
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), (*v).to_owned()))
        .collect();
    form.push(("query[page]".into(), "1".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    json(
        &app.call("support/requests", &pairs, Some(cookie))
            .await
            .ok()
            .body,
    )
}

fn references(page: &serde_json::Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(
    agents_filter_the_queue_assign_set_priority_and_keep_internal_notes,
    &[],
    |app: TestApp| async move {
        let [agent, alice, _, carol] = knowledge(&app).await;
        let lyon = raise(
            &app,
            &alice,
            "incident",
            "Terminal offline in Lyon",
            "Since 9:00",
        )
        .await;
        let other = raise(&app, &carol, "request", "Export for October", "Please").await;
        // Everything unassigned at first; the organization filter keeps one side.
        let page = queue(&app, &agent, &[("assignee", "unassigned")]).await;
        assert_eq!(references(&page).len(), 2);
        let demo_retail = page["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o[1] == "Demo Retail")
            .map(|o| o[0].as_i64().unwrap().to_string())
            .unwrap();
        assert_eq!(
            references(&queue(&app, &agent, &[("organization", &demo_retail)]).await),
            vec![lyon.clone()]
        );
        // Each row carries its service level for agents: nobody answered yet.
        let row = &page["rows"][0];
        assert!(
            ["running", "at_risk", "breached"].contains(&row["sla"].as_str().unwrap()),
            "{row}"
        );
        assert!(!row["organization"].as_str().unwrap().is_empty());

        // Assign to the agent: "mine" finds it, "unassigned" no longer does.
        let res = app
            .call("support/request", &[("reference", &lyon)], Some(&agent))
            .await;
        let detail = json(&res.ok().body);
        let me = detail["agents"][0][0].as_i64().unwrap().to_string();
        assert!(detail["sla"]["response_target"].as_str().is_some());
        app.call(
            "support/assign",
            &[("reference", &lyon), ("agent", &me)],
            Some(&agent),
        )
        .await
        .ok();
        assert_eq!(
            references(&queue(&app, &agent, &[("assignee", "mine")]).await),
            vec![lyon.clone()]
        );
        assert_eq!(
            references(&queue(&app, &agent, &[("assignee", "unassigned")]).await),
            vec![other.clone()]
        );
        // Only agents can be assignees.
        let res = app
            .call(
                "support/assign",
                &[("reference", &lyon), ("agent", "999999")],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "assignee",
                Problem::UnknownPerson
            )])
        );

        // Priority: set, then filtered on.
        let res = app
            .call(
                "support/priority",
                &[("reference", &lyon), ("priority", "lowest")],
                Some(&agent),
            )
            .await;
        assert_eq!(json(&res.ok().body)["priority"], "lowest");
        assert_eq!(
            references(&queue(&app, &agent, &[("priority", "lowest")]).await),
            vec![lyon.clone()]
        );
        let res = app
            .call(
                "support/priority",
                &[("reference", &lyon), ("priority", "urgent!")],
                Some(&agent),
            )
            .await;
        assert!(matches!(res.error(), AppError::Invalid(_)));

        // An internal note: agents see it, the reporter never does, and no mail goes.
        let before = crate::support::mails_to(&app, "alice@demo-retail.test").await;
        app.call(
            "support/note",
            &[
                ("reference", &lyon),
                ("body", "Checked the gateway log: **no Hello** since 08:58"),
            ],
            Some(&agent),
        )
        .await
        .ok();
        let seen_by = |cookie: String| {
            let (app, lyon) = (&app, lyon.clone());
            async move {
                let res = app
                    .call("support/request", &[("reference", &lyon)], Some(&cookie))
                    .await;
                res.ok().body.clone()
            }
        };
        assert!(seen_by(agent.clone()).await.contains("no Hello"));
        let customer_view = seen_by(alice.clone()).await;
        assert!(!customer_view.contains("no Hello"));
        assert_eq!(
            crate::support::mails_to(&app, "alice@demo-retail.test").await,
            before
        );
        let customer = json(&customer_view);
        assert!(customer["agents"].as_array().unwrap().is_empty());
        assert!(customer["sla"].is_null());
        // Customers cannot use the agents' tools.
        for (function, args) in [
            (
                "support/note",
                vec![("reference", lyon.as_str()), ("body", "x")],
            ),
            (
                "support/assign",
                vec![("reference", lyon.as_str()), ("agent", "")],
            ),
            (
                "support/priority",
                vec![("reference", lyon.as_str()), ("priority", "highest")],
            ),
        ] {
            assert_eq!(
                app.call(function, &args, Some(&alice)).await.error(),
                AppError::Forbidden,
                "{function}"
            );
        }
        // A customer's list ignores the agents' filters.
        let mine = queue(&app, &alice, &[("assignee", "unassigned")]).await;
        assert_eq!(references(&mine), vec![lyon.clone()]);
        assert!(mine["rows"][0]["sla"].as_str().unwrap().is_empty());
        // The agent's answer is the first response: met.
        app.call(
            "support/comment",
            &[("reference", &lyon), ("body", "Looking at it")],
            Some(&agent),
        )
        .await
        .ok();
        let res = app
            .call("support/request", &[("reference", &lyon)], Some(&agent))
            .await;
        assert_eq!(json(&res.ok().body)["sla"]["response_state"], "met");
    }
);

both_backends!(
    agents_see_the_payment_a_ticket_is_about,
    &[],
    |app: TestApp| async move {
        use server::payments::engine::{CardPresent, Initiator};
        let [agent, alice, _, _] = knowledge(&app).await;
        app.merchant("shop").await;
        let merchant = server::entities::merchant::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let engine = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .engine;
        let payment = engine
            .record_card_present(
                &app.db,
                &merchant,
                CardPresent {
                    terminal_id: "T1".into(),
                    amount: domain::Money::new(1234, domain::Currency::parse("EUR").unwrap())
                        .unwrap(),
                    merchant_reference: "POS-1".into(),
                    result: domain::terminal::TransactionResult::Declined,
                    authorisation_code: None,
                    brand: Some("VISA".into()),
                    masked_card: Some("************1111".into()),
                    receipt: None,
                },
                &Initiator::System,
            )
            .await
            .unwrap();
        let id = server::payments::records::public_id(payment.id);
        let rt = {
            use sea_orm::{ColumnTrait, QueryFilter};
            server::entities::support_request_type::Entity::find()
                .filter(server::entities::support_request_type::Column::Kind.eq("incident"))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .id
                .to_string()
        };
        let res = app
            .call(
                "support/raise",
                &[
                    ("form[request_type]", rt.as_str()),
                    ("form[summary]", "Refused at the till"),
                    ("form[description]", "See the payment"),
                    ("form[impact]", "minor"),
                    ("form[urgency]", "low"),
                    ("form[payment_id]", id.as_str()),
                ],
                Some(&alice),
            )
            .await;
        let reference = step(&res.ok().body);
        let res = app
            .call(
                "support/request",
                &[("reference", &reference)],
                Some(&agent),
            )
            .await;
        let summary = json(&res.ok().body)["payment"].clone();
        assert_eq!(summary["id"], id);
        assert_eq!(summary["merchant"], "shop");
        assert_eq!(summary["refusal"], "05");
        assert_eq!(summary["channel"], "POS");
        assert!(
            summary["amount"].as_str().unwrap().contains("12.34"),
            "{summary}"
        );
        // The reporter sees the id they gave, not the payment's details.
        let res = app
            .call(
                "support/request",
                &[("reference", &reference)],
                Some(&alice),
            )
            .await;
        let detail = json(&res.ok().body);
        assert_eq!(detail["payment_id"], id);
        assert!(detail["payment"].is_null());
    }
);

both_backends!(
    agents_manage_organizations_invitations_and_the_catalogue,
    &[],
    |app: TestApp| async move {
        let [agent, alice, _, _] = knowledge(&app).await;
        let res = app.call("support/organizations", &[], Some(&agent)).await;
        let orgs = json(&res.ok().body);
        assert_eq!(orgs[0]["id"], 0, "support staff first");
        assert!(orgs
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["name"] == "Demo Retail"
                && o["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["email"] == "alice@demo-retail.test")));
        // An invitation into a new organization: mailed, listed as invited.
        let res = app
            .call(
                "support/invite",
                &[("email", "dan@new-shop.test"), ("organization", "New Shop")],
                Some(&agent),
            )
            .await;
        let orgs = json(&res.ok().body);
        let new_shop = orgs
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "New Shop")
            .unwrap();
        assert_eq!(new_shop["members"][0]["email"], "dan@new-shop.test");
        assert_eq!(new_shop["members"][0]["status"], "invited");
        let (subject, body) = crate::support::last_mail(&app, "dan@new-shop.test").await;
        assert!(
            subject.contains("invit") || body.contains("Login to your account"),
            "{subject}"
        );
        // Bad input is named; customers may not invite or list.
        let res = app
            .call(
                "support/invite",
                &[("email", "not-an-address"), ("organization", "X")],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "email",
                Problem::InvalidEmail
            )])
        );
        let res = app
            .call(
                "support/invite",
                &[("email", "eve@x.test"), ("organization", " ")],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "organization",
                Problem::Required
            )])
        );
        assert_eq!(
            app.call("support/organizations", &[], Some(&alice))
                .await
                .error(),
            AppError::Forbidden
        );
        assert_eq!(
            app.call(
                "support/invite",
                &[("email", "eve@x.test"), ("organization", "Demo Retail")],
                Some(&alice)
            )
            .await
            .error(),
            AppError::Forbidden
        );

        // A product area and a request type: customers see them at once.
        let res = app
            .call(
                "support/areas/add",
                &[("name", "Loyalty"), ("description", "Points and vouchers")],
                Some(&agent),
            )
            .await;
        let areas = json(&res.ok().body);
        let loyalty = areas
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "Loyalty")
            .unwrap()["id"]
            .as_i64()
            .unwrap()
            .to_string();
        app.call(
            "support/request-types/add",
            &[
                ("area", &loyalty),
                ("name", "Points missing"),
                ("kind", "incident"),
                ("description", ""),
            ],
            Some(&agent),
        )
        .await
        .ok();
        let res = app.call("support/areas", &[], Some(&alice)).await;
        let areas = json(&res.ok().body);
        let area = areas
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "Loyalty")
            .unwrap();
        assert_eq!(area["request_types"][0]["name"], "Points missing");
        assert_eq!(area["request_types"][0]["kind"], "incident");
        let res = app
            .call(
                "support/request-types/add",
                &[
                    ("area", "999999"),
                    ("name", ""),
                    ("kind", "other"),
                    ("description", ""),
                ],
                Some(&agent),
            )
            .await;
        let AppError::Invalid(problems) = res.error() else {
            panic!("expected field problems");
        };
        let fields: Vec<String> = problems.into_iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["area", "name", "kind"]);
        assert_eq!(
            app.call(
                "support/areas/add",
                &[("name", "Mine"), ("description", "")],
                Some(&alice)
            )
            .await
            .error(),
            AppError::Forbidden
        );
    }
);

/// The terminals waiting to be paired as `cookie` is answered.
async fn unbound(app: &TestApp, cookie: &str) -> crate::helpers::FnResponse {
    app.call("support/terminals/unbound", &[], Some(cookie))
        .await
}

fn listed(res: &crate::helpers::FnResponse) -> Vec<serde_json::Value> {
    json(&res.ok().body).as_array().unwrap().clone()
}

both_backends!(
    unbound_terminals_are_listed_to_agents_alone_until_a_merchant_binds_them,
    &[],
    |app: TestApp| async move {
        let [agent, alice, _, _] = crate::support::portal(&app).await;
        app.merchant("shopt").await;
        let admin = app.session("shopt", "admin").await;
        let id = "T8800001";
        let _sim = crate::terminals::simulate(&app, id);
        crate::terminals::wait_connected(&app, id).await;
        // An agent sees it, with what its Hello said and where it connects from.
        let rows = listed(&unbound(&app, &agent).await);
        let row = rows
            .iter()
            .find(|r| r["terminal_id"] == id)
            .expect("the agent sees the unbound terminal");
        assert_eq!(row["model"], "Lane/5000");
        assert_eq!(row["connected"], true);
        assert!(row["address"].as_str().unwrap().starts_with("127.0.0.1:"));
        assert!(row["first_seen"].as_str().unwrap().ends_with("UTC"));
        assert!(row["last_seen"].as_str().unwrap().ends_with("UTC"));
        // So does the agent's page, and the operator on the host.
        let page = app
            .http
            .get(format!("{}/support/agent/terminals", app.base))
            .header("cookie", &agent)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(id), "{page}");
        let hub = server::state::AppState::builder(app.db.clone(), app.config.clone())
            .build()
            .terminals;
        let printed = server::terminals::operators::table(&hub.unbound().await.unwrap());
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with(&format!("{id}\tLane/5000\t127.0.0.1:"))),
            "{printed}"
        );
        // A customer of the portal and a merchant's Admin are refused, and see nothing.
        let res = unbound(&app, &alice).await;
        assert_eq!(res.error(), AppError::Forbidden);
        assert!(!res.body.contains(id));
        let page = app
            .http
            .get(format!("{}/support/agent/terminals", app.base))
            .header("cookie", &alice)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains(id));
        let res = unbound(&app, &admin).await;
        assert_eq!(res.error(), AppError::Unauthenticated);
        assert!(!res.body.contains(id));
        // Once a merchant binds it, it waits no more.
        app.call(
            "terminals/bind",
            &[("terminal_id", id), ("address", "127.0.0.1")],
            Some(&admin),
        )
        .await
        .ok();
        let rows = listed(&unbound(&app, &agent).await);
        assert!(rows.iter().all(|r| r["terminal_id"] != id), "{rows:?}");
        let printed = server::terminals::operators::table(&hub.unbound().await.unwrap());
        assert!(!printed.contains(id), "{printed}");
    }
);
