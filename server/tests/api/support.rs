//! The support portal's accounts (SP-1) through the server functions the pages call:
//! invitation, activation code, password policy, the mailed second factor and the
//! trusted browser, lockout, code expiry and tries, and the portal's own sign-in gate.
//! Its helpers (the demo people's sessions, raising a request) serve the other support
//! tests.

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
    a_ticket_of_a_person_in_two_organizations_goes_to_the_one_they_chose,
    &[],
    |app: TestApp| async move {
        use server::entities::{support_organization, support_ticket};
        let [_, _, _, carol] = portal(&app).await;
        // Carol of Other Corp joins Demo Retail too; Third Co is not hers.
        invitations::invite(
            &app.db,
            &app.config,
            "carol@other-corp.test",
            Some("Demo Retail"),
            false,
            "Agnes",
        )
        .await
        .unwrap();
        invitations::invite(
            &app.db,
            &app.config,
            "tom@third.test",
            Some("Third Co"),
            false,
            "Agnes",
        )
        .await
        .unwrap();
        let org = |name: &'static str| {
            let app = &app;
            async move {
                support_organization::Entity::find()
                    .filter(support_organization::Column::Name.eq(name))
                    .one(&app.db)
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            }
        };
        let (retail, other, third) = (
            org("Demo Retail").await,
            org("Other Corp").await,
            org("Third Co").await,
        );
        // The raise page offers both.
        let me: app::support::accounts::SupportMe =
            serde_json::from_str(&app.call("support/me", &[], Some(&carol)).await.ok().body)
                .unwrap();
        let mut offered: Vec<i64> = me.memberships.iter().map(|(id, _)| *id).collect();
        offered.sort();
        let mut expected = vec![retail, other];
        expected.sort();
        assert_eq!(offered, expected);
        let rt = request_type(&app, "request").await;
        let raise_for = |organization: i64| {
            let (app, carol, rt) = (&app, carol.clone(), rt.clone());
            async move {
                app.call(
                    "support/raise",
                    &[
                        ("form[request_type]", rt.as_str()),
                        ("form[summary]", "Settlement file missing"),
                        ("form[description]", "Yesterday's file never came."),
                        ("form[impact]", ""),
                        ("form[urgency]", ""),
                        ("form[payment_id]", ""),
                        ("form[organization]", &organization.to_string()),
                    ],
                    Some(&carol),
                )
                .await
            }
        };
        for chosen in [retail, other] {
            let reference = step(&raise_for(chosen).await.ok().body);
            let ticket = support_ticket::Entity::find()
                .filter(support_ticket::Column::Reference.eq(reference))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(ticket.organization_id, Some(chosen));
        }
        // An organization she is not in is refused, and nothing is raised.
        let before = support_ticket::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len();
        assert_eq!(raise_for(third).await.error(), AppError::Forbidden);
        assert_eq!(
            support_ticket::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .len(),
            before
        );
    }
);
