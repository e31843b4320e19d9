//! Support tickets (SP-4..SP-7) through the server functions the pages call:
//! gap-free references under concurrency, who sees which request (their own, shared with
//! their organization, or one they take part in), text kept as text, the status moves
//! with the 7-day close, and the demo portal's tickets.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, last_mail, mails_to, portal, raise};
use app::error::{AppError, Problem};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn list(app: &TestApp, cookie: &str, params: &[(&str, &str)]) -> Vec<String> {
    let mut form: Vec<(String, String)> =
        ["scope", "status", "request_type", "search", "sort", "dir"]
            .iter()
            .map(|k| {
                let v = params
                    .iter()
                    .find(|(p, _)| p == k)
                    .map(|(_, v)| *v)
                    .unwrap_or("");
                (format!("query[{k}]"), v.to_owned())
            })
            .collect();
    form.push(("query[page]".into(), "1".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = app.call("support/requests", &pairs, Some(cookie)).await;
    json(&res.ok().body)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(
    references_are_unique_and_gap_free_under_concurrency,
    &[],
    |app: TestApp| async move {
        let [_, alice, _, _] = portal(&app).await;
        let refs = futures_util::future::join_all((0..50).map(|i| {
            let (app, alice) = (&app, &alice);
            async move {
                raise(
                    app,
                    alice,
                    "request",
                    &format!("Parallel request {i}"),
                    "Body",
                )
                .await
            }
        }))
        .await;
        let mut numbers: Vec<i64> = refs
            .iter()
            .map(|r| domain::ticket::parse_reference(r).unwrap().1)
            .collect();
        numbers.sort();
        assert_eq!(numbers, (10_001..=10_050).collect::<Vec<_>>());
        assert!(refs.iter().all(|r| r.starts_with("UCSUP-")));
        // Each one confirmed by e-mail.
        assert_eq!(mails_to(&app, "alice@demo-retail.test").await, 50 + 1);
    }
);

both_backends!(
    customers_see_their_own_shared_and_participated_tickets_only,
    &[],
    |app: TestApp| async move {
        let [agent, alice, bob, carol] = portal(&app).await;
        let private = raise(
            &app,
            &alice,
            "incident",
            "Terminal offline in Lyon",
            "Since **9:00**",
        )
        .await;
        let shared = raise(
            &app,
            &alice,
            "request",
            "New user for the shop",
            "Please add Dan",
        )
        .await;
        let res = app
            .call(
                "support/share",
                &[("reference", &shared), ("shared", "true")],
                Some(&alice),
            )
            .await;
        assert_eq!(json(&res.ok().body)["shared"], true);

        // Incident priority comes from impact and urgency.
        let res = app
            .call("support/request", &[("reference", &private)], Some(&alice))
            .await;
        let detail = json(&res.ok().body);
        assert_eq!(detail["priority"], "highest");
        assert_eq!(
            detail["description_html"],
            "<p>Since <strong>9:00</strong></p>"
        );
        assert_eq!(detail["actions"], serde_json::json!(["cancel"]));

        assert_eq!(list(&app, &alice, &[("scope", "mine")]).await.len(), 2);
        assert_eq!(list(&app, &bob, &[]).await, vec![shared.clone()]);
        assert_eq!(
            list(&app, &bob, &[("scope", "organization")]).await,
            vec![shared.clone()]
        );
        assert!(list(&app, &bob, &[("scope", "mine")]).await.is_empty());
        assert!(list(&app, &carol, &[]).await.is_empty());
        assert_eq!(list(&app, &agent, &[]).await.len(), 2);
        // Search by reference or keyword stays inside what one may see.
        assert_eq!(
            list(&app, &alice, &[("search", &private.to_lowercase())]).await,
            vec![private.clone()]
        );
        assert_eq!(
            list(&app, &alice, &[("search", "lyon")]).await,
            vec![private.clone()]
        );
        assert!(list(&app, &carol, &[("search", &private)]).await.is_empty());
        assert!(list(&app, &carol, &[("search", "lyon")]).await.is_empty());

        // Another organization: every door is the same "not found".
        for (endpoint, extra) in [
            ("support/request", None),
            ("support/comment", Some(("body", "hello"))),
            ("support/act", Some(("action", "cancel"))),
            ("support/share", Some(("shared", "false"))),
            (
                "support/participant",
                Some(("email", "carol@other-corp.test")),
            ),
        ] {
            let mut form = vec![("reference", private.as_str())];
            form.extend(extra);
            let res = app.call(endpoint, &form, Some(&carol)).await;
            assert!(matches!(res.error(), AppError::NotFound), "{endpoint}");
        }
        // Bob sees the private ticket once Alice adds him; Carol cannot be added.
        let res = app
            .call(
                "support/participant",
                &[("reference", &private), ("email", "carol@other-corp.test")],
                Some(&alice),
            )
            .await;
        assert_eq!(
            res.error().problem_for("email"),
            Some(&Problem::UnknownPerson)
        );
        let res = app
            .call("support/request", &[("reference", &private)], Some(&bob))
            .await;
        assert!(matches!(res.error(), AppError::NotFound));
        let res = app
            .call(
                "support/participant",
                &[("reference", &private), ("email", "bob@demo-retail.test")],
                Some(&alice),
            )
            .await;
        assert_eq!(
            json(&res.ok().body)["participants"],
            serde_json::json!(["Bob Dupont"])
        );
        assert_eq!(
            list(&app, &bob, &[("scope", "participant")]).await,
            vec![private.clone()]
        );
        // A participant comments but may not cancel.
        let res = app
            .call(
                "support/comment",
                &[("reference", &private), ("body", "Same in Paris")],
                Some(&bob),
            )
            .await;
        assert_eq!(json(&res.ok().body)["history"][0]["author"], "Bob Dupont");
        let res = app
            .call(
                "support/act",
                &[("reference", &private), ("action", "cancel")],
                Some(&bob),
            )
            .await;
        assert!(matches!(res.error(), AppError::Forbidden));

        // The reporter cancels; the ticket then counts among the closed ones.
        let res = app
            .call(
                "support/act",
                &[("reference", &private), ("action", "cancel")],
                Some(&alice),
            )
            .await;
        assert_eq!(json(&res.ok().body)["status"], "cancelled");
        assert_eq!(
            list(&app, &alice, &[("status", "closed")]).await,
            vec![private.clone()]
        );
        assert_eq!(
            list(&app, &alice, &[("status", "open")]).await,
            vec![shared.clone()]
        );
        let res = app
            .call(
                "support/comment",
                &[("reference", &private), ("body", "again")],
                Some(&alice),
            )
            .await;
        assert!(matches!(res.error(), AppError::NotAllowedNow));
        // Bob was told (he follows it and wants e-mail).
        let (subject, _) = last_mail(&app, "bob@demo-retail.test").await;
        assert!(subject.contains("Status changed to cancelled"), "{subject}");
    }
);

both_backends!(
    scripts_in_summaries_and_comments_stay_text,
    &[],
    |app: TestApp| async move {
        let [_, alice, _, _] = portal(&app).await;
        let hostile = "</title><script>alert('x')</script><img src=x onerror=alert(1)>";
        let reference = raise(&app, &alice, "request", hostile, hostile).await;
        app.call(
            "support/comment",
            &[
                ("reference", &reference),
                (
                    "body",
                    "[click](javascript:alert(1)) <script>alert(2)</script>",
                ),
            ],
            Some(&alice),
        )
        .await
        .ok();
        let res = app
            .call(
                "support/request",
                &[("reference", &reference)],
                Some(&alice),
            )
            .await;
        let detail = json(&res.ok().body);
        for html in [
            detail["description_html"].as_str().unwrap(),
            detail["history"][0]["html"].as_str().unwrap(),
        ] {
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("href=\"javascript"), "{html}");
        }
        // The page itself renders them inert.
        let page = app
            .http
            .get(format!("{}/support/requests/{reference}", app.base))
            .header("cookie", &alice)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        if let Some(at) = html.find("<script>alert") {
            panic!(
                "a typed script reached the page: …{}…",
                &html[at.saturating_sub(300)..(at + 100).min(html.len())]
            );
        }
        assert!(
            !html.contains("<img src=x"),
            "a typed image reached the page"
        );
        assert!(
            html.contains("&lt;script&gt;alert"),
            "the text is shown, escaped"
        );
    }
);

both_backends!(
    agents_move_tickets_and_resolved_ones_close_after_seven_days,
    &[],
    |app: TestApp| async move {
        use server::entities::{job, support_ticket};
        let [agent, alice, _, _] = portal(&app).await;
        let reference = raise(
            &app,
            &alice,
            "incident",
            "Refunds fail",
            "Every refund is refused",
        )
        .await;
        let act = |cookie: String, action: &'static str| {
            let (app, reference) = (&app, reference.clone());
            async move {
                app.call(
                    "support/act",
                    &[("reference", reference.as_str()), ("action", action)],
                    Some(&cookie),
                )
                .await
            }
        };
        // Customers cannot do an agent's moves.
        assert!(matches!(
            act(alice.clone(), "resolve").await.error(),
            AppError::Forbidden
        ));
        assert!(matches!(
            act(alice.clone(), "start").await.error(),
            AppError::Forbidden
        ));
        assert_eq!(
            json(&act(agent.clone(), "start").await.ok().body)["status"],
            "in_progress"
        );
        app.call(
            "support/comment",
            &[("reference", &reference), ("body", "Looking into it")],
            Some(&agent),
        )
        .await
        .ok();
        let (subject, _) = last_mail(&app, "alice@demo-retail.test").await;
        assert!(subject.contains("New reply from support"), "{subject}");
        assert_eq!(
            json(&act(agent.clone(), "request_information").await.ok().body)["status"],
            "waiting_for_reporter"
        );
        let (subject, _) = last_mail(&app, "alice@demo-retail.test").await;
        assert!(subject.contains("Information requested"), "{subject}");
        // The reporter's answer puts it back to work.
        let res = app
            .call(
                "support/comment",
                &[("reference", &reference), ("body", "It started yesterday")],
                Some(&alice),
            )
            .await;
        assert_eq!(json(&res.ok().body)["status"], "in_progress");

        // Resolved, reopened by the reporter, resolved again.
        assert_eq!(
            json(&act(agent.clone(), "resolve").await.ok().body)["status"],
            "resolved"
        );
        let first = support_ticket::Entity::find()
            .filter(support_ticket::Column::Reference.eq(reference.as_str()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let first_resolution = first.resolved_at.unwrap().timestamp();
        assert!(first.first_response_at.is_some());
        let detail = json(&act(alice.clone(), "reopen").await.ok().body);
        assert_eq!(detail["status"], "in_progress");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        act(agent.clone(), "resolve").await.ok();
        let ticket = support_ticket::Entity::find_by_id(first.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let second_resolution = ticket.resolved_at.unwrap().timestamp();
        assert_ne!(first_resolution, second_resolution);

        // One auto-close job per resolution, due 7 days later.
        let jobs = job::Entity::find()
            .filter(job::Column::Kind.eq("close_ticket"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(jobs.len(), 2);
        for j in &jobs {
            let due = j.run_at.timestamp();
            assert!(due == first_resolution + 7 * 86_400 || due == second_resolution + 7 * 86_400);
        }
        // The first job finds a ticket resolved again since: it leaves it alone.
        assert!(!support_account_close(&app, first.id, first_resolution).await);
        assert!(support_account_close(&app, first.id, second_resolution).await);
        let detail = json(
            &app.call(
                "support/request",
                &[("reference", &reference)],
                Some(&alice),
            )
            .await
            .ok()
            .body,
        );
        assert_eq!(detail["status"], "closed");
        assert_eq!(detail["actions"], serde_json::json!([]));
        let (subject, _) = last_mail(&app, "alice@demo-retail.test").await;
        assert!(subject.contains("Closed"), "{subject}");
        // Nothing moves a closed ticket.
        assert!(matches!(
            act(alice.clone(), "reopen").await.error(),
            AppError::NotAllowedNow
        ));
        assert!(matches!(
            act(agent.clone(), "start").await.error(),
            AppError::NotAllowedNow
        ));
    }
);

async fn support_account_close(app: &TestApp, id: i64, resolved_at: i64) -> bool {
    server::support::tickets::close_job::auto_close(&app.db, &app.config, id, resolved_at)
        .await
        .unwrap()
}

both_backends!(
    the_demo_portal_has_tickets_in_every_status,
    &[],
    |app: TestApp| async move {
        let [agent, alice, bob, carol] = portal(&app).await;
        let created = server::support::tickets::demo::seed_demo_tickets(&app.db, "UCSUP")
            .await
            .unwrap();
        assert_eq!(created, 7);
        assert_eq!(
            server::support::tickets::demo::seed_demo_tickets(&app.db, "UCSUP")
                .await
                .unwrap(),
            0,
            "once only"
        );
        let statuses: std::collections::BTreeSet<String> =
            server::entities::support_ticket::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.status)
                .collect();
        assert_eq!(statuses.len(), 6, "{statuses:?}");
        assert_eq!(list(&app, &agent, &[("status", "all")]).await.len(), 7);
        // Alice: her three and Bob's two shared with Demo Retail.
        assert_eq!(list(&app, &alice, &[("status", "all")]).await.len(), 5);
        assert_eq!(list(&app, &bob, &[("status", "all")]).await.len(), 3);
        assert_eq!(list(&app, &carol, &[("status", "all")]).await.len(), 2);
    }
);
