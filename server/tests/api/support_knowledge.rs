//! The support portal's knowledge base, announcements and virtual agent (SP-2, SP-8,
//! SP-9), through the server functions the pages use, on SQLite and PostgreSQL.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::support::{json, portal, step};
use app::error::{AppError, Problem};
use server::support::knowledge;

/// The demo portal's sessions (see `portal`), with the shipped articles loaded.
pub(crate) async fn knowledge(app: &TestApp) -> [String; 4] {
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
