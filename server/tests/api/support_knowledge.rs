//! The support portal's knowledge base, announcements, virtual agent, attachments and
//! agents' console (SP-2, SP-6, SP-8..SP-11), through the server functions and the
//! upload and download addresses the pages use, on SQLite and PostgreSQL.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, portal, raise, step};
use app::error::{AppError, Problem};
use sea_orm::{EntityTrait, PaginatorTrait};
use server::support::knowledge;

async fn knowledge(app: &TestApp) -> [String; 4] {
    let sessions = portal(app).await;
    let added = knowledge::ensure_articles(&app.db).await.unwrap();
    assert!(added >= 12, "the shipped articles are loaded: {added}");
    sessions
}

async fn search(app: &TestApp, cookie: &str, query: &str) -> serde_json::Value {
    let res = app
        .call("support/kb/search", &[("query", query)], Some(cookie))
        .await;
    json(&res.ok().body)
}

fn slugs(found: &serde_json::Value) -> Vec<String> {
    found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap().to_owned())
        .collect()
}

/// The highlighted words of a hit's part (`title` or `snippet`).
fn marked(hit: &serde_json::Value, part: &str) -> Vec<String> {
    hit[part]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p[1] == true)
        .map(|p| p[0].as_str().unwrap().to_lowercase())
        .collect()
}

both_backends!(
    the_knowledge_base_ranks_stems_corrects_typos_and_highlights,
    &[],
    |app: TestApp| async move {
        let [agent, alice, _, _] = knowledge(&app).await;
        // Ranked: the article about refunds first; the stem finds "refunding".
        let found = search(&app, &alice, "refunding a payment").await;
        assert_eq!(slugs(&found)[0], "refunds-and-cancellations");
        assert!(found["corrected"].is_null());
        let first = &found["hits"][0];
        assert!(
            marked(first, "title")
                .iter()
                .any(|w| w.starts_with("refund")),
            "title highlighted: {first}"
        );
        assert!(
            marked(first, "snippet")
                .iter()
                .any(|w| w.starts_with("refund")),
            "snippet highlighted: {first}"
        );
        // The articles with every word come first (refunds and captures both speak of
        // partial amounts), then those with some of the words.
        let found = slugs(&search(&app, &alice, "refund a payment partially").await);
        assert!(
            found[..2].contains(&"refunds-and-cancellations".to_owned()),
            "{found:?}"
        );
        assert!(
            found.len() > 3,
            "then the articles with some of the words: {found:?}"
        );
        // Typos in keywords are corrected against the articles' words.
        let found = search(&app, &alice, "webhok signatur").await;
        assert_eq!(found["corrected"], "webhook signature");
        assert_eq!(slugs(&found)[0], "webhooks");
        // Words no article uses find nothing, and nothing is invented.
        let found = search(&app, &alice, "qwxzv").await;
        assert!(slugs(&found).is_empty());
        // Only stop words: nothing to search.
        assert!(slugs(&search(&app, &alice, "how do I").await).is_empty());

        // A draft with a script in it: agents find it, customers do not.
        let res = app
            .call(
                "support/kb/save",
                &[
                    ("form[original_slug]", ""),
                    ("form[slug]", "zanzibar-draft"),
                    ("form[title]", "Zanzibar settlement files"),
                    ("form[summary]", "Where the zanzibar files go."),
                    ("form[keywords]", "zanzibar"),
                    ("form[body]", "Zanzibar <script>alert(1)</script> files."),
                    ("form[request_type]", ""),
                    ("form[published]", "false"),
                ],
                Some(&agent),
            )
            .await;
        assert_eq!(step(&res.ok().body), "zanzibar-draft");
        assert!(slugs(&search(&app, &alice, "zanzibar").await).is_empty());
        let found = search(&app, &agent, "zanzibar").await;
        assert_eq!(slugs(&found), vec!["zanzibar-draft"]);
        assert_eq!(found["hits"][0]["draft"], true);
        let res = app
            .call(
                "support/kb/article",
                &[("slug", "zanzibar-draft")],
                Some(&alice),
            )
            .await;
        assert_eq!(res.error(), AppError::NotFound);
        let res = app
            .call(
                "support/kb/article",
                &[("slug", "zanzibar-draft")],
                Some(&agent),
            )
            .await;
        let article = json(&res.ok().body);
        assert_eq!(article["can_edit"], true);
        assert!(!article["html"].as_str().unwrap().contains("<script"));
        assert!(article["html"].as_str().unwrap().contains("&lt;script&gt;"));
        // Publishing it makes it searchable for customers at once.
        app.call(
            "support/kb/save",
            &[
                ("form[original_slug]", "zanzibar-draft"),
                ("form[slug]", "zanzibar-draft"),
                ("form[title]", "Zanzibar settlement files"),
                ("form[summary]", "Where the zanzibar files go."),
                ("form[keywords]", "zanzibar"),
                ("form[body]", "Zanzibar files."),
                ("form[request_type]", ""),
                ("form[published]", "true"),
            ],
            Some(&agent),
        )
        .await
        .ok();
        assert_eq!(
            slugs(&search(&app, &alice, "zanzibar").await),
            vec!["zanzibar-draft"]
        );

        // Customers cannot write articles; bad input is named field by field.
        let res = app
            .call(
                "support/kb/save",
                &[
                    ("form[original_slug]", ""),
                    ("form[slug]", "mine"),
                    ("form[title]", "Mine"),
                    ("form[summary]", ""),
                    ("form[keywords]", ""),
                    ("form[body]", "text"),
                    ("form[request_type]", ""),
                    ("form[published]", "true"),
                ],
                Some(&alice),
            )
            .await;
        assert_eq!(res.error(), AppError::Forbidden);
        let res = app
            .call(
                "support/kb/save",
                &[
                    ("form[original_slug]", ""),
                    ("form[slug]", "Webhooks Here"),
                    ("form[title]", ""),
                    ("form[summary]", ""),
                    ("form[keywords]", ""),
                    ("form[body]", ""),
                    ("form[request_type]", ""),
                    ("form[published]", "true"),
                ],
                Some(&agent),
            )
            .await;
        let AppError::Invalid(problems) = res.error() else {
            panic!("expected field problems");
        };
        let named: Vec<(String, Problem)> =
            problems.into_iter().map(|p| (p.field, p.problem)).collect();
        assert!(named.contains(&("slug".into(), Problem::InvalidSlug)));
        assert!(named.contains(&("title".into(), Problem::Required)));
        assert!(named.contains(&("body".into(), Problem::Required)));
        let res = app
            .call(
                "support/kb/save",
                &[
                    ("form[original_slug]", ""),
                    ("form[slug]", "webhooks"),
                    ("form[title]", "Another"),
                    ("form[summary]", ""),
                    ("form[keywords]", ""),
                    ("form[body]", "x"),
                    ("form[request_type]", ""),
                    ("form[published]", "true"),
                ],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "slug",
                Problem::SlugTaken
            )])
        );
    }
);

both_backends!(
    announcements_show_until_each_person_dismisses_them,
    &[],
    |app: TestApp| async move {
        let [agent, alice, bob, _] = knowledge(&app).await;
        knowledge::seed_demo_announcement(&app.db).await.unwrap();
        let shown = |cookie: String| {
            let app = &app;
            async move {
                let res = app
                    .call("support/announcements", &[("all", "false")], Some(&cookie))
                    .await;
                json(&res.ok().body).as_array().unwrap().len()
            }
        };
        assert_eq!(shown(alice.clone()).await, 1);
        let id = {
            let res = app
                .call("support/announcements", &[("all", "false")], Some(&alice))
                .await;
            json(&res.ok().body)[0]["id"].as_i64().unwrap().to_string()
        };
        app.call(
            "support/announcements/dismiss",
            &[("id", &id)],
            Some(&alice),
        )
        .await
        .ok();
        // Twice is harmless.
        app.call(
            "support/announcements/dismiss",
            &[("id", &id)],
            Some(&alice),
        )
        .await
        .ok();
        assert_eq!(shown(alice.clone()).await, 0);
        assert_eq!(shown(bob.clone()).await, 1);
        // Customers cannot manage announcements.
        let res = app
            .call("support/announcements", &[("all", "true")], Some(&bob))
            .await;
        assert_eq!(res.error(), AppError::Forbidden);
        let res = app
            .call(
                "support/announcements/save",
                &[
                    ("id", "0"),
                    ("title", "Hi"),
                    ("body", ""),
                    ("active", "true"),
                ],
                Some(&bob),
            )
            .await;
        assert_eq!(res.error(), AppError::Forbidden);
        // An agent hides it: gone for everyone; a new one shows.
        app.call(
            "support/announcements/save",
            &[("id", &id), ("title", "Welcome"), ("body", "")],
            Some(&agent),
        )
        .await
        .ok();
        assert_eq!(shown(bob.clone()).await, 0);
        let res = app
            .call(
                "support/announcements/save",
                &[
                    ("id", "0"),
                    ("title", "Maintenance on Sunday"),
                    ("body", "**02:00–03:00 UTC**"),
                    ("active", "true"),
                ],
                Some(&agent),
            )
            .await;
        assert_eq!(json(&res.ok().body).as_array().unwrap().len(), 2);
        assert_eq!(shown(bob).await, 1);
        let res = app
            .call(
                "support/announcements/save",
                &[
                    ("id", "0"),
                    ("title", " "),
                    ("body", ""),
                    ("active", "true"),
                ],
                Some(&agent),
            )
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "title",
                Problem::Required
            )])
        );
    }
);

both_backends!(
    the_virtual_agent_answers_with_sources_and_suggests_what_to_raise,
    &[],
    |app: TestApp| async move {
        let [_, alice, _, _] = knowledge(&app).await;
        let res = app
            .call(
                "support/chat",
                &[("message", "How do I check the signature of a webhook?")],
                Some(&alice),
            )
            .await;
        let reply = json(&res.ok().body);
        assert_eq!(reply["found"], true);
        assert_eq!(reply["sources"][0]["slug"], "webhooks");
        assert!(!reply["summary"].as_str().unwrap().is_empty());
        assert!(reply["passage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[1] == true));
        assert_eq!(
            reply["suggestion"]["request_type"],
            "API or webhook problem"
        );
        assert_eq!(reply["suggestion"]["area"], "Payments platform");
        assert_eq!(reply["suggestion"]["kind"], "incident");
        // A terminal question is answered from the terminal articles.
        let res = app
            .call(
                "support/chat",
                &[(
                    "message",
                    "my card terminal does not connect to the gateway",
                )],
                Some(&alice),
            )
            .await;
        let reply = json(&res.ok().body);
        assert_eq!(reply["sources"][0]["slug"], "connecting-a-card-terminal");
        assert_eq!(reply["suggestion"]["area"], "The Estate Manager");
        // Nothing to say: it says so, and suggests nothing.
        let res = app
            .call("support/chat", &[("message", "qwxzv plrfk")], Some(&alice))
            .await;
        let reply = json(&res.ok().body);
        assert_eq!(reply["found"], false);
        assert!(reply["sources"].as_array().unwrap().is_empty());
        assert!(reply["suggestion"].is_null());
        let res = app
            .call("support/chat", &[("message", "  ")], Some(&alice))
            .await;
        assert_eq!(
            res.error(),
            AppError::Invalid(vec![app::error::FieldError::new(
                "message",
                Problem::Required
            )])
        );
        // Not signed in: no answer.
        let res = app
            .call("support/chat", &[("message", "webhooks")], None)
            .await;
        assert_eq!(res.error(), AppError::Unauthenticated);
    }
);

/// Posts files as the ticket page's form does: the status and the redirect's address.
async fn upload(
    app: &TestApp,
    cookie: &str,
    reference: &str,
    files: &[(&str, Vec<u8>)],
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let res = app
        .http
        .post(format!(
            "{}/support/requests/{reference}/attachments",
            app.base
        ))
        .header("cookie", cookie)
        .header("origin", &app.base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status().as_u16(), location)
}

async fn download(app: &TestApp, cookie: &str, id: i64) -> reqwest::Response {
    app.http
        .get(format!("{}/support/attachments/{id}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

both_backends!(
    attachments_are_checked_kept_outside_the_site_and_shown_only_to_who_sees_the_ticket,
    &[],
    |app: TestApp| async move {
        use server::entities::support_attachment;
        let [agent, alice, bob, carol] = knowledge(&app).await;
        let reference = raise(&app, &alice, "incident", "Receipt printer", "See the photo").await;
        let png = [b"\x89PNG\r\n\x1a\n".to_vec(), vec![7u8; 2000]].concat();
        let answer = upload(
            &app,
            &alice,
            &reference,
            &[
                ("photo.png", png.clone()),
                ("log.txt", b"05 refused\n".to_vec()),
            ],
        )
        .await;
        assert_eq!(
            answer,
            (303, format!("/support/requests/{reference}?attached=2"))
        );
        let res = app
            .call(
                "support/request",
                &[("reference", &reference)],
                Some(&alice),
            )
            .await;
        let detail = json(&res.ok().body);
        let files = detail["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0]["name"], "photo.png");
        assert_eq!(files[0]["content_type"], "image/png");
        assert_eq!(files[0]["size"], png.len());
        let id = files[0]["id"].as_i64().unwrap();
        // Kept in the data directory, never under the site root.
        let stored = support_attachment::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let path = app
            .config
            .data_dir
            .join("attachments")
            .join(&stored.storage_key);
        assert_eq!(std::fs::read(&path).unwrap(), png);
        assert!(!stored.storage_key.contains('/') && !stored.storage_key.contains(".."));

        let res = download(&app, &alice, id).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox"));
        assert_eq!(res.bytes().await.unwrap().to_vec(), png);
        // The agent may; another organization may not, nor a coworker before sharing.
        assert_eq!(download(&app, &agent, id).await.status().as_u16(), 200);
        assert_eq!(download(&app, &carol, id).await.status().as_u16(), 404);
        assert_eq!(download(&app, &bob, id).await.status().as_u16(), 404);
        // Nobody outside the ticket can add to it either.
        assert_eq!(
            upload(&app, &carol, &reference, &[("x.txt", b"hi".to_vec())])
                .await
                .0,
            404
        );
        // Shared with Demo Retail: Bob may download it now.
        app.call(
            "support/share",
            &[("reference", &reference), ("shared", "true")],
            Some(&alice),
        )
        .await
        .ok();
        assert_eq!(download(&app, &bob, id).await.status().as_u16(), 200);

        // Refused files: the reason comes back to the page, and nothing is kept.
        let refused = |code: &str| {
            (
                303,
                format!("/support/requests/{reference}?attach_error={code}"),
            )
        };
        let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
        assert_eq!(
            upload(&app, &alice, &reference, &[("tool.exe", program.clone())]).await,
            refused("type")
        );
        assert_eq!(
            upload(&app, &alice, &reference, &[("invoice.pdf", program)]).await,
            refused("type")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("invoice.pdf", b"plain text, not a PDF".to_vec())]
            )
            .await,
            refused("disguised")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("page.txt", b"<html><script>alert(1)</script>".to_vec())]
            )
            .await,
            refused("type")
        );
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[("big.txt", vec![b'a'; domain::attachment::MAX_BYTES + 1])]
            )
            .await,
            refused("too_large")
        );
        assert_eq!(
            upload(&app, &alice, &reference, &[("empty.txt", Vec::new())]).await,
            refused("empty")
        );
        let six: Vec<(&str, Vec<u8>)> = (0..6).map(|_| ("n.txt", b"note".to_vec())).collect();
        assert_eq!(
            upload(&app, &alice, &reference, &six).await,
            refused("too_many")
        );
        // One bad file among good ones: none is kept.
        assert_eq!(
            upload(
                &app,
                &alice,
                &reference,
                &[
                    ("ok.txt", b"fine".to_vec()),
                    ("bad.png", b"not png".to_vec())
                ]
            )
            .await,
            refused("disguised")
        );
        assert_eq!(
            support_attachment::Entity::find()
                .count(&app.db)
                .await
                .unwrap(),
            2
        );
        let kept = std::fs::read_dir(app.config.data_dir.join("attachments"))
            .unwrap()
            .count();
        assert_eq!(kept, 2, "no stray file on disk");
        // Not signed in: to the portal's sign-in.
        let (status, location) = upload(&app, "", &reference, &[("a.txt", b"a".to_vec())]).await;
        assert_eq!((status, location.as_str()), (303, "/support/login"));
        let res = download(&app, "", id).await;
        assert_eq!(res.status().as_u16(), 303);
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/support/login"));
    }
);

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
