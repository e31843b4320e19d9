//! Sessions end when they must: a password change ends the user's other sessions (not
//! the one that made it), a reset by link ends all of them, and every session ends at
//! its absolute lifetime however active it is. Password changes are throttled and
//! audited.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp, PASSWORD};
use app::error::{AppError, Problem};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use server::entities::{audit_log, email_outbox};

const NEW_PASSWORD: &str = "Fresh-Meadow-88!";

async fn change_password(
    app: &TestApp,
    cookie: &str,
    current: &str,
    new: &str,
) -> crate::helpers::FnResponse {
    app.call(
        "change_password",
        &[
            ("current", current),
            ("new_password", new),
            ("confirm", new),
        ],
        Some(cookie),
    )
    .await
}

/// Whether `cookie` is still signed in, asked the way the shell asks.
async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    let res = app.call("me", &[], Some(cookie)).await;
    if res.status < 300 {
        return true;
    }
    assert_eq!(res.error(), AppError::Unauthenticated, "{}", res.body);
    false
}

/// Where a page request with `cookie` is sent (`None`: the page itself).
async fn page_redirect(app: &TestApp, cookie: &str) -> Option<String> {
    let res = app
        .http
        .get(format!("{}/", app.base))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    res.status().is_redirection().then(|| {
        res.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned()
    })
}

both_backends!(
    a_password_change_ends_the_users_other_sessions,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let laptop = app.session("shop", "operator").await;
        let phone = app.session("shop", "operator").await;
        let colleague = app.session("shop", "admin").await;
        assert!(signed_in(&app, &laptop).await && signed_in(&app, &phone).await);
        let changed = change_password(&app, &laptop, PASSWORD, NEW_PASSWORD).await;
        changed.ok();
        // The session that changed the password goes on, under a fresh id.
        let laptop_now = changed
            .session_cookie
            .clone()
            .expect("the session id is renewed");
        assert_ne!(laptop_now, laptop);
        assert!(signed_in(&app, &laptop_now).await);
        assert_eq!(page_redirect(&app, &laptop_now).await, None);
        // The other one is signed out, on pages too.
        assert!(!signed_in(&app, &phone).await);
        assert_eq!(page_redirect(&app, &phone).await.as_deref(), Some("/login"));
        // Another user's session is untouched.
        assert!(signed_in(&app, &colleague).await);
        // Signing in again with the new password works.
        let again = app.login_user("shop", "operator", NEW_PASSWORD, None).await;
        again.ok();
        assert!(signed_in(&app, again.session_cookie.as_deref().unwrap()).await);
        // The change is audited.
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("password.change"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);
    }
);

both_backends!(
    a_reset_by_link_ends_every_session,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let one = app.session("shop", "operator").await;
        let two = app.session("shop", "operator").await;
        app.call(
            "request_password_reset",
            &[("env", "test"), ("pspid", "shop"), ("user_id", "operator")],
            None,
        )
        .await
        .ok();
        // Asking for a link alone signs nobody out.
        assert!(signed_in(&app, &one).await && signed_in(&app, &two).await);
        let mail = email_outbox::Entity::find()
            .order_by_desc(email_outbox::Column::Id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let token = mail
            .body_text
            .split_whitespace()
            .find_map(|w| w.split("/reset-password?token=").nth(1))
            .expect("a reset link")
            .to_owned();
        app.call(
            "reset_password",
            &[
                ("token", token.as_str()),
                ("new_password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
            None,
        )
        .await
        .ok();
        assert!(!signed_in(&app, &one).await);
        assert!(!signed_in(&app, &two).await);
        assert_eq!(page_redirect(&app, &two).await.as_deref(), Some("/login"));
        let fresh = app.login_user("shop", "operator", NEW_PASSWORD, None).await;
        fresh.ok();
        assert!(signed_in(&app, fresh.session_cookie.as_deref().unwrap()).await);
    }
);

both_backends!(
    sessions_end_at_their_absolute_lifetime_however_active,
    &[("OPENPSP_SESSION_MAX_SECONDS", "8")],
    |app: TestApp| async move {
        use std::time::Duration;
        app.merchant("shop").await;
        // The sign-in's end is kept in whole seconds, so an 8 s lifetime lasts between
        // 7 and 8 s: signed in for sure until 7 s after `asked`, signed out for sure from
        // 8 s after `signed_in_at`. Seconds of margin on each side hold on a loaded machine.
        let asked = tokio::time::Instant::now();
        let cookie = app.session("shop", "operator").await;
        let signed_in_at = tokio::time::Instant::now();
        // Busy all along: the idle expiry never comes near.
        loop {
            assert!(
                signed_in(&app, &cookie).await,
                "signed out after {:?}",
                asked.elapsed()
            );
            if asked.elapsed() >= Duration::from_secs(3) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        tokio::time::sleep_until(signed_in_at + Duration::from_secs(10)).await;
        assert!(!signed_in(&app, &cookie).await);
        assert_eq!(
            page_redirect(&app, &cookie).await.as_deref(),
            Some("/login")
        );
        // A new sign-in starts a new lifetime.
        let again = app.session("shop", "operator").await;
        assert!(signed_in(&app, &again).await);
    }
);

both_backends!(
    password_changes_are_throttled_per_user_and_audited,
    &[],
    |app: TestApp| async move {
        use server::account::service::CHANGES_PER_HOUR;
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        for _ in 0..CHANGES_PER_HOUR {
            let wrong = change_password(&app, &cookie, "Wrong-Guess-11!", NEW_PASSWORD).await;
            assert_eq!(
                wrong.error().problem_for("current"),
                Some(&Problem::WrongCurrentPassword)
            );
        }
        // Even the right current password waits now.
        let throttled = change_password(&app, &cookie, PASSWORD, NEW_PASSWORD).await;
        assert_eq!(throttled.error(), AppError::RateLimited);
        app.login_user("shop", "operator", PASSWORD, None)
            .await
            .ok();
        let actions: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.starts_with("password.change"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "password.change_refused")
                .count() as u64,
            CHANGES_PER_HOUR
        );
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "password.change_throttled")
                .count(),
            1
        );
        // Another user of the merchant is not held back.
        let admin = app.session("shop", "admin").await;
        change_password(&app, &admin, PASSWORD, NEW_PASSWORD)
            .await
            .ok();
    }
);

both_backends!(
    parallel_password_changes_check_at_most_the_limit,
    &[],
    |app: TestApp| async move {
        use server::account::service::CHANGES_PER_HOUR;
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        // Twenty guesses at once: only the hour's allowance is checked, the rest wait.
        let guesses: Vec<String> = (0..20).map(|i| format!("Wrong-Guess-{i}!")).collect();
        let answers = futures_util::future::join_all(
            guesses
                .iter()
                .map(|guess| change_password(&app, &cookie, guess, NEW_PASSWORD)),
        )
        .await;
        let errors: Vec<AppError> = answers.iter().map(|r| r.error()).collect();
        let checked = errors
            .iter()
            .filter(|e| e.problem_for("current") == Some(&Problem::WrongCurrentPassword))
            .count();
        let throttled = errors
            .iter()
            .filter(|e| **e == AppError::RateLimited)
            .count();
        assert_eq!(checked as u64, CHANGES_PER_HOUR, "{errors:?}");
        assert_eq!(checked + throttled, guesses.len(), "{errors:?}");
        let refused = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("password.change_refused"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(refused.len() as u64, CHANGES_PER_HOUR);
        // The right password waits too, and nothing changed.
        let right = change_password(&app, &cookie, PASSWORD, NEW_PASSWORD).await;
        assert_eq!(right.error(), AppError::RateLimited);
        app.login_user("shop", "operator", PASSWORD, None)
            .await
            .ok();
    }
);

both_backends!(
    a_deactivated_user_is_signed_out_at_once_and_cannot_sign_in,
    &[],
    |app: TestApp| async move {
        use sea_orm::{ActiveModelTrait, Set};
        use server::entities::user;
        app.merchant("shop").await;
        let laptop = app.session("shop", "operator").await;
        let colleague = app.session("shop", "admin").await;
        assert!(signed_in(&app, &laptop).await);
        // Deactivated (by an Admin or the operator's CLI): every session ends on its next
        // request, pages and server functions alike; other users stay.
        let row = user::Entity::find()
            .filter(user::Column::Login.eq("operator"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut off: user::ActiveModel = row.into();
        off.active = Set(false);
        off.update(&app.db).await.unwrap();
        assert!(!signed_in(&app, &laptop).await);
        assert_eq!(
            page_redirect(&app, &laptop).await.as_deref(),
            Some("/login")
        );
        assert!(signed_in(&app, &colleague).await);
        let again = app.login_user("shop", "operator", PASSWORD, None).await;
        assert!(again.status >= 400, "{}", again.body);
        assert!(
            again.session_cookie.is_none()
                || !signed_in(&app, again.session_cookie.as_deref().unwrap()).await
        );
    }
);
