//! Support sign-in codes cannot be guessed forever: codes are limited per person and
//! per client address per hour, three codes used up by wrong tries within an hour lock
//! sign-in by code for an hour, and an invitee's organizations stay hidden until the
//! code is proven.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use app::error::{AppError, Problem};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use server::entities::{audit_log, email_outbox, support_code, support_user};
use server::support::accounts::codes::{
    CODES_PER_ADDRESS_HOUR, CODES_PER_PERSON_HOUR, CODE_ATTEMPTS,
};
use server::support::accounts::invitations;

/// Invites `email` into `organization` and starts their sign-in: the session cookie.
async fn invited(app: &TestApp, email: &str, organization: &str) -> String {
    invitations::invite(
        &app.db,
        &app.config,
        email,
        Some(organization),
        false,
        "Agnes",
    )
    .await
    .unwrap();
    let res = app.call("support/begin", &[("email", email)], None).await;
    res.ok();
    res.session_cookie.clone().unwrap()
}

/// Moves every code back by `minutes`, as if sent that long ago.
async fn age_codes(app: &TestApp, minutes: i64) {
    for code in support_code::Entity::find().all(&app.db).await.unwrap() {
        let created = code.created_at;
        let mut code: support_code::ActiveModel = code.into();
        code.created_at = Set(created - Duration::minutes(minutes));
        code.update(&app.db).await.unwrap();
    }
}

async fn codes_mailed(app: &TestApp, to: &str) -> usize {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .filter(email_outbox::Column::Subject.contains("code"))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

/// The code of the last mail to `to`.
async fn code_for(app: &TestApp, to: &str) -> String {
    let mail = email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    mail.body_text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 8)
        .unwrap()
        .to_owned()
}

fn wrong_for(code: &str) -> &'static str {
    if code == "12345678" {
        "87654321"
    } else {
        "12345678"
    }
}

both_backends!(
    a_person_gets_a_few_codes_an_hour,
    &[],
    |app: TestApp| async move {
        let email = "dana@demo-retail.test";
        let cookie = invited(&app, email, "Demo Retail").await;
        for _ in 1..CODES_PER_PERSON_HOUR {
            // Past the one-minute wait, within the hour.
            age_codes(&app, 2).await;
            app.call("support/resend", &[], Some(&cookie)).await.ok();
        }
        assert_eq!(
            codes_mailed(&app, email).await as u64,
            CODES_PER_PERSON_HOUR
        );
        age_codes(&app, 2).await;
        let res = app.call("support/resend", &[], Some(&cookie)).await;
        assert_eq!(res.error(), AppError::RateLimited);
        // Starting over from the e-mail step does not get around it.
        let res = app.call("support/begin", &[("email", email)], None).await;
        assert_eq!(res.error(), AppError::RateLimited);
        assert_eq!(
            codes_mailed(&app, email).await as u64,
            CODES_PER_PERSON_HOUR
        );
        // An hour later codes flow again.
        age_codes(&app, 60).await;
        app.call("support/resend", &[], Some(&cookie)).await.ok();
        assert_eq!(
            codes_mailed(&app, email).await as u64,
            CODES_PER_PERSON_HOUR + 1
        );
    }
);

both_backends!(
    an_address_gets_a_few_codes_an_hour,
    // The per-minute sign-in limit stays out of the way: the hour's limit is tested.
    &[("OPENPSP_LOGIN_RATE_PER_MINUTE", "1000")],
    |app: TestApp| async move {
        // Other people's codes asked from this address in the last hour.
        let mut n = 0;
        while n < CODES_PER_ADDRESS_HOUR {
            let email = format!("p{n}@spray.test");
            invited(&app, &email, "Spray").await;
            n += 1;
            // Each person's own hour allows more: spread the spray over people.
            let mut mine = 1;
            while mine < CODES_PER_PERSON_HOUR && n < CODES_PER_ADDRESS_HOUR {
                age_codes(&app, 2).await;
                let res = app.call("support/begin", &[("email", &email)], None).await;
                res.ok();
                mine += 1;
                n += 1;
            }
        }
        let total = support_code::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(total.len() as u64, CODES_PER_ADDRESS_HOUR);
        assert!(total.iter().all(|c| c.ip.as_deref() == Some("127.0.0.1")));
        invitations::invite(
            &app.db,
            &app.config,
            "fresh@demo-retail.test",
            Some("Demo Retail"),
            false,
            "Agnes",
        )
        .await
        .unwrap();
        let res = app
            .call(
                "support/begin",
                &[("email", "fresh@demo-retail.test")],
                None,
            )
            .await;
        assert_eq!(res.error(), AppError::RateLimited);
        assert_eq!(codes_mailed(&app, "fresh@demo-retail.test").await, 0);
        let limited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("support.code.limited"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(limited.len(), 1);
    }
);

both_backends!(
    three_used_up_codes_lock_sign_in_by_code_for_an_hour,
    &[],
    |app: TestApp| async move {
        let email = "erin@other-corp.test";
        let cookie = invited(&app, email, "Other Corp").await;
        let verify = |code: String| {
            let (app, cookie) = (&app, cookie.clone());
            async move {
                app.call("support/verify", &[("code", &code)], Some(&cookie))
                    .await
            }
        };
        for round in 1..=3 {
            if round > 1 {
                age_codes(&app, 2).await;
                app.call("support/resend", &[], Some(&cookie)).await.ok();
            }
            let right = code_for(&app, email).await;
            for i in 0..CODE_ATTEMPTS {
                let error = verify(wrong_for(&right).to_owned()).await.error();
                if round == 3 && i == CODE_ATTEMPTS - 1 {
                    assert!(
                        matches!(&error, AppError::Locked { until } if until.ends_with("UTC")),
                        "{error:?}"
                    );
                } else if i == CODE_ATTEMPTS - 1 {
                    assert_eq!(error.problem_for("code"), Some(&Problem::CodeExhausted));
                } else {
                    assert_eq!(error.problem_for("code"), Some(&Problem::InvalidCode));
                }
            }
        }
        // Locked: no code is checked or sent, even from the start.
        let last = code_for(&app, email).await;
        assert!(matches!(
            verify(last).await.error(),
            AppError::Locked { .. }
        ));
        age_codes(&app, 2).await;
        let res = app.call("support/resend", &[], Some(&cookie)).await;
        assert!(matches!(res.error(), AppError::Locked { .. }));
        let res = app.call("support/begin", &[("email", email)], None).await;
        assert!(matches!(res.error(), AppError::Locked { .. }));
        assert_eq!(codes_mailed(&app, email).await, 3);
        let person = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let until = person.code_locked_until.expect("locked");
        assert!(until > Utc::now() + Duration::minutes(55));
        assert_eq!(
            audit_log::Entity::find()
                .filter(audit_log::Column::Action.eq("support.code.locked"))
                .all(&app.db)
                .await
                .unwrap()
                .len(),
            1
        );
        // An hour later the person may try again, with a new code.
        support_user::Entity::update_many()
            .col_expr(
                support_user::Column::CodeLockedUntil,
                Expr::value(Utc::now() - Duration::seconds(1)),
            )
            .exec(&app.db)
            .await
            .unwrap();
        age_codes(&app, 61).await;
        app.call("support/resend", &[], Some(&cookie)).await.ok();
        let fresh = code_for(&app, email).await;
        let res = verify(fresh).await;
        assert_eq!(crate::support::step(&res.ok().body), "SetPassword");
    }
);

both_backends!(
    an_invitees_organizations_stay_hidden_until_the_code_is_proven,
    &[],
    |app: TestApp| async move {
        let email = "dana@demo-retail.test";
        let cookie = invited(&app, email, "Secret Harbour Ltd").await;
        // Anyone who types the address has a sign-in in progress; it shows nothing.
        let res = app
            .call("support/activation-rules", &[], Some(&cookie))
            .await;
        assert_eq!(res.error(), AppError::Unauthenticated);
        assert!(!res.body.contains("Secret Harbour"));
        let code = code_for(&app, email).await;
        app.call("support/verify", &[("code", &code)], Some(&cookie))
            .await
            .ok();
        let res = app
            .call("support/activation-rules", &[], Some(&cookie))
            .await;
        let rules: app::account::PasswordRules = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(
            rules.context.store_names,
            vec!["Secret Harbour Ltd".to_owned()]
        );
    }
);

/// Asks for codes for the same person `n` times at once.
async fn at_once(
    app: &TestApp,
    n: usize,
    endpoint: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> Vec<crate::helpers::FnResponse> {
    futures_util::future::join_all((0..n).map(|_| app.call(endpoint, form, cookie))).await
}

both_backends!(
    parallel_requests_do_not_pass_the_code_limits,
    // The per-minute sign-in limit stays out of the way: the code limits are tested.
    &[("OPENPSP_LOGIN_RATE_PER_MINUTE", "1000")],
    |app: TestApp| async move {
        let email = "gale@demo-retail.test";
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
        // Twenty sign-ins at once: each is told to type the code, one code is mailed.
        let answers = at_once(&app, 20, "support/begin", &[("email", email)], None).await;
        for answer in &answers {
            assert_eq!(crate::support::step(&answer.ok().body), "ActivationCode");
        }
        assert_eq!(codes_mailed(&app, email).await, 1);
        let cookie = answers[0].session_cookie.clone().unwrap();
        // Each minute twenty resends at once: one code each time until the hour's are
        // used up, whatever the order the requests reach the database in.
        for round in 2..=CODES_PER_PERSON_HOUR + 1 {
            age_codes(&app, 2).await;
            let answers = at_once(&app, 20, "support/resend", &[], Some(&cookie)).await;
            let sent = answers.iter().filter(|a| a.status < 300).count();
            if round <= CODES_PER_PERSON_HOUR {
                assert_eq!(sent, 1, "round {round}");
                for refused in answers.iter().filter(|a| a.status >= 300) {
                    assert_eq!(
                        refused.error().problem_for("code"),
                        Some(&Problem::ResendTooSoon)
                    );
                }
            } else {
                assert_eq!(sent, 0);
                assert!(answers.iter().all(|a| a.error() == AppError::RateLimited));
            }
            assert_eq!(
                codes_mailed(&app, email).await as u64,
                round.min(CODES_PER_PERSON_HOUR)
            );
        }
        assert_eq!(
            support_code::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .len() as u64,
            CODES_PER_PERSON_HOUR
        );
        // Only the last code works: every earlier one was voided when the next went out.
        let open = support_code::Entity::find()
            .filter(support_code::Column::Used.eq(false))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
    }
);
