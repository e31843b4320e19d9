//! The support portal's accounts (SP-1) through the server functions the pages call:
//! invitation, activation code, password policy, the mailed second factor and the
//! trusted browser, lockout, code expiry and tries, and the portal's own sign-in gate.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp, PASSWORD};
use app::error::{AppError, Problem};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::entities::{email_outbox, support_code};
use server::support::accounts::{demo, invitations};

/// The last mail sent to `to`: subject and body.
pub(crate) async fn last_mail(app: &TestApp, to: &str) -> (String, String) {
    let mail = email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a mail was sent");
    (mail.subject, mail.body_text)
}

pub(crate) async fn mails_to(app: &TestApp, to: &str) -> usize {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

/// The 8-digit code of the last mail to `to`.
async fn code_for(app: &TestApp, to: &str) -> String {
    let (_, body) = last_mail(app, to).await;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 8)
        .expect("an 8-digit code in the mail")
        .to_owned()
}

pub(crate) fn step(body: &str) -> String {
    serde_json::from_str::<String>(body).unwrap()
}

/// Status and `Location` of a page request with `cookie`.
async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String) {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let res = req.send().await.unwrap();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (res.status().as_u16(), location)
}

both_backends!(
    an_invited_customer_activates_and_signs_in_with_a_mailed_code,
    &[],
    |app: TestApp| async move {
        let email = "dana@demo-retail.test";
        invitations::invite(
            &app.db,
            &app.config,
            email,
            Some("Demo Retail"),
            false,
            "Agnes",
        )
        .await
        .unwrap();
        let (subject, body) = last_mail(&app, email).await;
        assert!(subject.contains("invited"), "{subject}");
        assert!(body.contains("Login to your account"));
        assert!(body.contains("/support/login?email=dana%40demo-retail.test"));

        // The e-mail step mails an 8-digit activation code.
        let res = app.call("support/begin", &[("email", email)], None).await;
        assert_eq!(step(&res.ok().body), "ActivationCode");
        let cookie = res.session_cookie.clone().unwrap();
        let res = app
            .call("support/verify", &[("code", "00000000")], Some(&cookie))
            .await;
        assert_eq!(res.error().problem_for("code"), Some(&Problem::InvalidCode));
        let code = code_for(&app, email).await;
        let res = app
            .call("support/verify", &[("code", &code)], Some(&cookie))
            .await;
        assert_eq!(step(&res.ok().body), "SetPassword");
        // A code works once.
        let res = app
            .call("support/verify", &[("code", &code)], Some(&cookie))
            .await;
        assert_eq!(res.error().problem_for("code"), Some(&Problem::InvalidCode));

        // Name and password, under the domain's policy.
        let res = app
            .call(
                "support/activate",
                &[("full_name", ""), ("password", "short")],
                Some(&cookie),
            )
            .await;
        let error = res.error();
        assert_eq!(error.problem_for("full_name"), Some(&Problem::Required));
        assert!(matches!(
            error.problem_for("password"),
            Some(Problem::Policy(_))
        ));
        let res = app
            .call(
                "support/activate",
                &[("full_name", "Dana Lee"), ("password", PASSWORD)],
                Some(&cookie),
            )
            .await;
        assert_eq!(step(&res.ok().body), "LoginCode");

        // Then the mailed second factor signs in and trusts the browser.
        let (subject, _) = last_mail(&app, email).await;
        assert!(subject.contains("login code"), "{subject}");
        let code = code_for(&app, email).await;
        let res = app
            .call("support/verify", &[("code", &code)], Some(&cookie))
            .await;
        assert_eq!(step(&res.ok().body), "Done");
        assert!(res
            .cookies
            .iter()
            .any(|c| c.starts_with("openpsp_support_device=")));
        let session = res
            .session_cookie
            .clone()
            .expect("a new session id at sign-in");
        assert_ne!(session, cookie);
        let res = app.call("support/me", &[], Some(&session)).await;
        let me: serde_json::Value = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(me["email"], email);
        assert_eq!(me["full_name"], "Dana Lee");
        assert_eq!(me["organizations"], serde_json::json!(["Demo Retail"]));

        // The portal's pages need the portal's sign-in; the back office is another world.
        assert_eq!(page(&app, "/support", Some(&session)).await.0, 200);
        assert_eq!(
            page(&app, "/support/login", Some(&session)).await,
            (303, "/support".into())
        );
        assert_eq!(
            page(&app, "/support", None).await,
            (303, "/support/login".into())
        );
        assert_eq!(
            page(&app, "/support/profile", Some(&cookie)).await.1,
            "/support/login?next=%2Fsupport%2Fprofile"
        );
        assert_eq!(page(&app, "/", Some(&session)).await.1, "/login");
        let res = app.call("me", &[], Some(&session)).await;
        assert!(matches!(res.error(), AppError::Unauthenticated));

        // Profile.
        let res = app
            .call(
                "support/profile",
                &[("full_name", "Dana Lee-Martin")],
                Some(&session),
            )
            .await;
        let me: serde_json::Value = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(me["full_name"], "Dana Lee-Martin");
        assert_eq!(me["notify_email"], false);
        let res = app
            .call("support/profile", &[("full_name", " ")], Some(&session))
            .await;
        assert_eq!(
            res.error().problem_for("full_name"),
            Some(&Problem::Required)
        );

        // Log out.
        let res = app.call("support/logout", &[], Some(&session)).await;
        let after = res.ok().session_cookie.clone().unwrap_or(session);
        let res = app.call("support/me", &[], Some(&after)).await;
        assert!(matches!(res.error(), AppError::Unauthenticated));
    }
);

both_backends!(
    the_second_factor_is_asked_again_without_a_trusted_browser,
    &[("OPENPSP_MAX_FAILED_LOGINS", "3")],
    |app: TestApp| async move {
        demo::seed_demo_people(&app.db, Some(PASSWORD))
            .await
            .unwrap();
        let email = "alice@demo-retail.test";
        let res = app.call("support/begin", &[("email", email)], None).await;
        assert_eq!(step(&res.ok().body), "Password");
        let res = app
            .call(
                "support/login",
                &[("email", email), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(step(&res.ok().body), "LoginCode");
        let cookie = res.session_cookie.clone().unwrap();
        let code = code_for(&app, email).await;
        let res = app
            .call("support/verify", &[("code", &code)], Some(&cookie))
            .await;
        assert_eq!(step(&res.ok().body), "Done");
        let device = res
            .cookies
            .iter()
            .find(|c| c.starts_with("openpsp_support_device="))
            .unwrap()
            .clone();

        // The trusted browser signs in with the password alone; no code is mailed.
        let before = mails_to(&app, email).await;
        let res = app
            .call(
                "support/login",
                &[("email", email), ("password", PASSWORD)],
                Some(&device),
            )
            .await;
        assert_eq!(step(&res.ok().body), "Done");
        assert_eq!(mails_to(&app, email).await, before);
        // Another person's browser token, or an edited one, does not count.
        let bob_device = device.replace("openpsp_support_device=", "openpsp_support_device=x");
        let res = app
            .call(
                "support/login",
                &[("email", email), ("password", PASSWORD)],
                Some(&bob_device),
            )
            .await;
        assert_eq!(step(&res.ok().body), "LoginCode");
        let res = app
            .call(
                "support/login",
                &[("email", "bob@demo-retail.test"), ("password", PASSWORD)],
                Some(&device),
            )
            .await;
        assert_eq!(step(&res.ok().body), "LoginCode");

        // Unknown people and wrong passwords get one answer; three failures lock.
        let res = app
            .call("support/begin", &[("email", "nobody@nowhere.test")], None)
            .await;
        assert_eq!(step(&res.ok().body), "Password");
        assert_eq!(mails_to(&app, "nobody@nowhere.test").await, 0);
        let res = app
            .call("support/begin", &[("email", "not an address")], None)
            .await;
        assert_eq!(
            res.error().problem_for("email"),
            Some(&Problem::InvalidEmail)
        );
        for _ in 0..3 {
            let res = app
                .call(
                    "support/login",
                    &[("email", email), ("password", "Wrong-Pass-123!")],
                    None,
                )
                .await;
            assert!(matches!(res.error(), AppError::InvalidCredentials));
        }
        let res = app
            .call(
                "support/login",
                &[("email", email), ("password", PASSWORD)],
                Some(&device),
            )
            .await;
        assert!(matches!(res.error(), AppError::Locked { .. }));
    }
);

both_backends!(
    codes_expire_and_run_out_of_tries,
    &[],
    |app: TestApp| async move {
        let email = "erin@other-corp.test";
        invitations::invite(
            &app.db,
            &app.config,
            email,
            Some("Other Corp"),
            false,
            "Agnes",
        )
        .await
        .unwrap();
        let res = app.call("support/begin", &[("email", email)], None).await;
        let cookie = res.ok().session_cookie.clone().unwrap();
        let code = code_for(&app, email).await;
        // Ten minutes later the code is refused.
        support_code::Entity::update_many()
            .col_expr(
                support_code::Column::ExpiresAt,
                Expr::value(Utc::now() - Duration::seconds(1)),
            )
            .exec(&app.db)
            .await
            .unwrap();
        let res = app
            .call("support/verify", &[("code", &code)], Some(&cookie))
            .await;
        assert_eq!(res.error().problem_for("code"), Some(&Problem::InvalidCode));
        // A new code only after a minute.
        let res = app.call("support/resend", &[], Some(&cookie)).await;
        assert_eq!(
            res.error().problem_for("code"),
            Some(&Problem::ResendTooSoon)
        );
        support_code::Entity::update_many()
            .col_expr(
                support_code::Column::CreatedAt,
                Expr::value(Utc::now() - Duration::minutes(2)),
            )
            .exec(&app.db)
            .await
            .unwrap();
        app.call("support/resend", &[], Some(&cookie)).await.ok();
        let fresh = code_for(&app, email).await;
        // Five wrong tries use the code up: even the right one is refused then.
        let wrong = if fresh == "12345678" {
            "87654321"
        } else {
            "12345678"
        };
        for i in 0..5 {
            let res = app
                .call("support/verify", &[("code", wrong)], Some(&cookie))
                .await;
            let expected = if i < 4 {
                Problem::InvalidCode
            } else {
                Problem::CodeExhausted
            };
            assert_eq!(res.error().problem_for("code"), Some(&expected), "try {i}");
        }
        let res = app
            .call("support/verify", &[("code", &fresh)], Some(&cookie))
            .await;
        assert_eq!(
            res.error().problem_for("code"),
            Some(&Problem::CodeExhausted)
        );
        // Steps out of order are refused.
        let res = app
            .call(
                "support/activate",
                &[("full_name", "Erin"), ("password", PASSWORD)],
                Some(&cookie),
            )
            .await;
        assert!(matches!(res.error(), AppError::Unauthenticated));
        let res = app
            .call(
                "support/activate",
                &[("full_name", "Erin"), ("password", PASSWORD)],
                None,
            )
            .await;
        assert!(matches!(res.error(), AppError::Unauthenticated));
    }
);

/// A signed-in session of a demo person (password, then the mailed code).
pub(crate) async fn support_session(app: &TestApp, email: &str) -> String {
    let res = app
        .call(
            "support/login",
            &[("email", email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(step(&res.ok().body), "LoginCode", "{email}");
    let cookie = res.session_cookie.clone().unwrap();
    let code = code_for(app, email).await;
    let res = app
        .call("support/verify", &[("code", &code)], Some(&cookie))
        .await;
    assert_eq!(step(&res.ok().body), "Done");
    res.session_cookie.clone().unwrap()
}

/// The demo people and catalogue, and sessions for agent, alice, bob and carol.
pub(crate) async fn portal(app: &TestApp) -> [String; 4] {
    demo::seed_demo_people(&app.db, Some(PASSWORD))
        .await
        .unwrap();
    server::support::tickets::catalogue::ensure_catalogue(&app.db)
        .await
        .unwrap();
    [
        support_session(app, "agent@openpsp.test").await,
        support_session(app, "alice@demo-retail.test").await,
        support_session(app, "bob@demo-retail.test").await,
        support_session(app, "carol@other-corp.test").await,
    ]
}

/// The id of a request type of `kind`.
async fn request_type(app: &TestApp, kind: &str) -> String {
    use server::entities::support_request_type;
    support_request_type::Entity::find()
        .filter(support_request_type::Column::Kind.eq(kind))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

pub(crate) async fn raise(
    app: &TestApp,
    cookie: &str,
    kind: &str,
    summary: &str,
    description: &str,
) -> String {
    let rt = request_type(app, kind).await;
    let res = app
        .call(
            "support/raise",
            &[
                ("form[request_type]", rt.as_str()),
                ("form[summary]", summary),
                ("form[description]", description),
                ("form[impact]", "significant"),
                ("form[urgency]", "critical"),
                ("form[payment_id]", ""),
            ],
            Some(cookie),
        )
        .await;
    step(&res.ok().body)
}

pub(crate) fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap()
}

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

both_backends!(
    signing_in_again_at_once_mails_a_fresh_code,
    &[],
    |app: TestApp| async move {
        demo::seed_demo_people(&app.db, Some(PASSWORD))
            .await
            .unwrap();
        // Two sign-ins in a row from browsers that are not trusted: each gets its code.
        support_session(&app, "bob@demo-retail.test").await;
        support_session(&app, "bob@demo-retail.test").await;
    }
);

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
