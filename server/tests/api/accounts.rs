//! Login, lockout, sessions, isolation between merchants and password reset.

use crate::both_backends;
use crate::helpers::*;
use app::account::{Me, PasswordRules};
use app::error::{AppError, Problem};
use sea_orm::{EntityTrait, QueryOrder};
use server::entities::{audit_log, email_outbox};
use std::time::Duration;

both_backends!(
    login_with_pspid_or_as_user,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let res = app.login_pspid("shop", PASSWORD).await;
        res.ok();
        let cookie = res.session_cookie.clone().unwrap();
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.login, "admin", "PSPID login is the main user");
        assert_eq!(me.pspid, "shop");

        // Login as user: PSPID optional when the login names one user; any letter case.
        for pspid in ["shop", ""] {
            let res = app.login_user(pspid, "OPERATOR", PASSWORD, None).await;
            res.ok();
            let me: Me = serde_json::from_str(
                &app.call("me", &[], res.session_cookie.as_deref())
                    .await
                    .ok()
                    .body,
            )
            .unwrap();
            assert_eq!(me.login, "operator");
            assert_eq!(me.role, domain::Role::Operator);
        }
    }
);

both_backends!(
    wrong_password_and_unknown_user_get_one_message,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        assert_eq!(
            app.login_pspid("shop", "Wrong-Password-1!").await.error(),
            AppError::InvalidCredentials
        );
        assert_eq!(
            app.login_pspid("nobody", "Wrong-Password-1!").await.error(),
            AppError::InvalidCredentials
        );
        // A TEST account does not exist in production.
        let production = app
            .call(
                "login",
                &[
                    ("mode", "pspid"),
                    ("env", "production"),
                    ("pspid", "shop"),
                    ("password", PASSWORD),
                ],
                None,
            )
            .await
            .error();
        assert_eq!(production, AppError::InvalidCredentials);
        assert_eq!(
            app.login_user("shop", "ghost", PASSWORD, None)
                .await
                .error(),
            AppError::InvalidCredentials
        );
        let empty = app
            .call(
                "login",
                &[
                    ("mode", "pspid"),
                    ("env", "test"),
                    ("pspid", ""),
                    ("password", ""),
                ],
                None,
            )
            .await
            .error();
        assert_eq!(empty.problem_for("pspid"), Some(&Problem::Required));
        assert_eq!(empty.problem_for("password"), Some(&Problem::Required));

        // Every attempt is audited with the client address.
        let rows = audit_log::Entity::find().all(&app.db).await.unwrap();
        let failures: Vec<_> = rows
            .iter()
            .filter(|r| r.action == "login.failure")
            .collect();
        assert_eq!(failures.len(), 4);
        assert!(failures.iter().all(|r| r.ip == "127.0.0.1"));
    }
);

both_backends!(
    ten_failures_lock_the_user_until_the_period_ends,
    &[("OPENPSP_LOCKOUT_SECONDS", "2")],
    |app: TestApp| async move {
        app.merchant("shop").await;
        for i in 0..9 {
            let err = app
                .login_user("shop", "operator", &format!("Wrong-{i}-Password!"), None)
                .await
                .error();
            assert_eq!(err, AppError::InvalidCredentials, "attempt {i}");
        }
        let tenth = app
            .login_user("shop", "operator", "Wrong-9-Password!", None)
            .await
            .error();
        assert!(matches!(tenth, AppError::Locked { .. }), "{tenth:?}");
        let right = app
            .login_user("shop", "operator", PASSWORD, None)
            .await
            .error();
        assert!(
            matches!(right, AppError::Locked { .. }),
            "right password refused while locked"
        );
        // Other users are not affected.
        app.login_user("shop", "admin", PASSWORD, None).await.ok();

        tokio::time::sleep(Duration::from_millis(2_500)).await;
        app.login_user("shop", "operator", PASSWORD, None)
            .await
            .ok();
        // The count started again: one failure does not lock.
        let err = app
            .login_user("shop", "operator", "Wrong-Again-1!", None)
            .await
            .error();
        assert_eq!(err, AppError::InvalidCredentials);
    }
);

both_backends!(
    session_id_changes_at_login,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let first = app.session("shop", "operator").await;
        let res = app
            .login_user("shop", "admin", PASSWORD, Some(&first))
            .await;
        res.ok();
        let second = res.session_cookie.clone().expect("a new cookie at login");
        assert_ne!(first, second);
        // The old id is worthless now.
        assert_eq!(
            app.call("me", &[], Some(&first)).await.error(),
            AppError::Unauthenticated
        );
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&second)).await.ok().body).unwrap();
        assert_eq!(me.login, "admin");
    }
);

both_backends!(
    idle_sessions_expire,
    &[("OPENPSP_SESSION_IDLE_SECONDS", "3")],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        // Activity keeps the session alive past its first deadline.
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            app.call("me", &[], Some(&cookie)).await.ok();
        }
        tokio::time::sleep(Duration::from_millis(4_500)).await;
        assert_eq!(
            app.call("me", &[], Some(&cookie)).await.error(),
            AppError::Unauthenticated
        );
    }
);

both_backends!(
    sessions_survive_a_restart_and_are_shared_by_servers,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        // A second server process on the same database (same keys) accepts the session.
        let other = start_server(app.db.clone(), app.config.clone()).await;
        let res = app
            .http
            .post(format!("{other}/api/me"))
            .header("accept", "application/json")
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let me: Me = res.json().await.unwrap();
        assert_eq!(me.login, "operator");
        // Logout ends it everywhere.
        app.call("logout", &[], Some(&cookie)).await.ok();
        let res = app
            .http
            .post(format!("{other}/api/me"))
            .header("accept", "application/json")
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_server_error() || res.status().is_client_error());
    }
);

both_backends!(
    a_user_of_one_merchant_never_sees_another,
    &[],
    |app: TestApp| async move {
        app.merchant("alpha").await;
        app.merchant("beta").await;
        let cookie = app.session("alpha", "operator").await;
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.pspid, "alpha");
        let rules: PasswordRules = serde_json::from_str(
            &app.call("password_rules", &[], Some(&cookie))
                .await
                .ok()
                .body,
        )
        .unwrap();
        assert!(rules
            .context
            .store_names
            .iter()
            .all(|n| !n.contains("beta")));
        // alpha's operator cannot log into beta, whose users share the same logins.
        assert_eq!(
            app.login_pspid("beta", "Wrong-Password-1!").await.error(),
            AppError::InvalidCredentials
        );
        // Without a PSPID an ambiguous login is refused rather than guessed.
        assert_eq!(
            app.login_user("", "operator", PASSWORD, None).await.error(),
            AppError::InvalidCredentials
        );
    }
);

pub(crate) async fn last_reset_token(app: &TestApp) -> String {
    let mail = email_outbox::Entity::find()
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a mail in the outbox");
    let link = mail
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .expect("a reset link")
        .to_owned();
    assert!(link.starts_with(&app.config.public_url));
    link.split("token=").nth(1).unwrap().to_owned()
}

both_backends!(
    reset_links_work_once_and_expire,
    &[("OPENPSP_RESET_TOKEN_TTL_SECONDS", "2")],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let ask = |user: &'static str| {
            let app = &app;
            async move {
                app.call(
                    "request_password_reset",
                    &[("env", "test"), ("pspid", "shop"), ("user_id", user)],
                    None,
                )
                .await
                .ok();
            }
        };
        let reset = |token: String, password: &'static str| {
            let app = &app;
            async move {
                app.call(
                    "reset_password",
                    &[
                        ("token", &token),
                        ("new_password", password),
                        ("confirm", password),
                    ],
                    None,
                )
                .await
            }
        };
        ask("operator").await;
        let token = last_reset_token(&app).await;
        let weak = reset(token.clone(), "short").await.error();
        assert!(matches!(
            weak.problem_for("new_password"),
            Some(Problem::Policy(_))
        ));
        let new = "Quiet-River-2026!";
        reset(token.clone(), new).await.ok();
        app.login_user("shop", "operator", new, None).await.ok();
        let again = reset(token, new).await.error();
        assert_eq!(
            again.problem_for("token"),
            Some(&Problem::InvalidLink),
            "single use"
        );

        ask("admin").await;
        let token = last_reset_token(&app).await;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let late = reset(token, new).await.error();
        assert_eq!(
            late.problem_for("token"),
            Some(&Problem::InvalidLink),
            "expired"
        );

        // Unknown users get the same answer and no mail.
        let before = email_outbox::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len();
        ask("ghost").await;
        assert_eq!(
            email_outbox::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .len(),
            before
        );
    }
);

both_backends!(
    change_password_checks_current_and_policy,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        let call = |current: &'static str, new: &'static str, confirm: &'static str| {
            let app = &app;
            let cookie = cookie.clone();
            async move {
                app.call(
                    "change_password",
                    &[
                        ("current", current),
                        ("new_password", new),
                        ("confirm", confirm),
                    ],
                    Some(&cookie),
                )
                .await
            }
        };
        let wrong = call("Nope-Nope-123!", "Fresh-Meadow-88!", "Fresh-Meadow-88!")
            .await
            .error();
        assert_eq!(
            wrong.problem_for("current"),
            Some(&Problem::WrongCurrentPassword)
        );
        let differ = call(PASSWORD, "Fresh-Meadow-88!", "Fresh-Meadow-89!")
            .await
            .error();
        assert_eq!(
            differ.problem_for("confirm"),
            Some(&Problem::PasswordsDiffer)
        );
        let login_inside = call(PASSWORD, "My-OPERATOR-88!", "My-OPERATOR-88!")
            .await
            .error();
        assert_eq!(
            login_inside.problem_for("new_password"),
            Some(&Problem::Policy(vec![domain::PasswordRule::NoLogin]))
        );
        call(PASSWORD, "Fresh-Meadow-88!", "Fresh-Meadow-88!")
            .await
            .ok();
        assert_eq!(
            app.login_user("shop", "operator", PASSWORD, None)
                .await
                .error(),
            AppError::InvalidCredentials
        );
        app.login_user("shop", "operator", "Fresh-Meadow-88!", None)
            .await
            .ok();
        // Without a session nothing changes.
        let anonymous = app
            .call(
                "change_password",
                &[
                    ("current", PASSWORD),
                    ("new_password", "X"),
                    ("confirm", "X"),
                ],
                None,
            )
            .await
            .error();
        assert_eq!(anonymous, AppError::Unauthenticated);
    }
);

both_backends!(
    login_attempts_are_rate_limited_per_address,
    &[("OPENPSP_LOGIN_RATE_PER_MINUTE", "3")],
    |app: TestApp| async move {
        app.merchant("shop").await;
        for _ in 0..3 {
            assert_eq!(
                app.login_pspid("shop", "Wrong-Password-1!").await.error(),
                AppError::InvalidCredentials
            );
        }
        assert_eq!(
            app.login_pspid("shop", PASSWORD).await.error(),
            AppError::RateLimited
        );
    }
);

both_backends!(
    profile_keeps_a_checked_recovery_email,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        let bad = app
            .call(
                "update_profile",
                &[("full_name", "Olga Operator"), ("email", "olga@nowhere")],
                Some(&cookie),
            )
            .await
            .error();
        assert_eq!(bad.problem_for("email"), Some(&Problem::InvalidEmail));
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.email, "operator@shop.example", "nothing half-written");
        app.call(
            "update_profile",
            &[
                ("full_name", " Olga Operator "),
                ("email", "Olga@Shop.EXAMPLE"),
            ],
            Some(&cookie),
        )
        .await
        .ok();
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.full_name, "Olga Operator");
        assert_eq!(me.email, "Olga@shop.example");
        let anonymous = app
            .call("update_profile", &[("full_name", "x"), ("email", "")], None)
            .await
            .error();
        assert_eq!(anonymous, AppError::Unauthenticated);
    }
);

both_backends!(
    a_control_character_sent_to_a_server_function_is_refused_on_its_field,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        // A NUL cannot be stored in PostgreSQL: such a write failed there as a 500.
        for name in ["Olga\u{0}", "Olga\u{7}Operator"] {
            let e = app
                .call(
                    "update_profile",
                    &[("full_name", name), ("email", "olga@shop.example")],
                    Some(&cookie),
                )
                .await
                .error();
            assert_eq!(
                e.problem_for("full_name"),
                Some(&Problem::ControlCharacter),
                "{name:?}"
            );
        }
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.email, "operator@shop.example", "nothing written");
        // Before any lookup, signed in or not.
        let e = app
            .login_pspid("sh\u{0}op", "Any-Password-1!")
            .await
            .error();
        assert_eq!(e.problem_for("pspid"), Some(&Problem::ControlCharacter));
        // Arguments sent as JSON too, named by their path.
        let res = app
            .call_json(
                "links/list",
                &serde_json::json!({ "filter": { "text": "a\u{0}b" } }),
                Some(&cookie),
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.body);
        assert_eq!(
            res.error().problem_for("text"),
            Some(&Problem::ControlCharacter)
        );
    }
);

both_backends!(
    language_chosen_before_login_becomes_the_users,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let res = app
            .call(
                "login",
                &[
                    ("mode", "user"),
                    ("env", "test"),
                    ("pspid", "shop"),
                    ("user_id", "operator"),
                    ("password", PASSWORD),
                ],
                Some("openpsp_lang=fr"),
            )
            .await;
        res.ok();
        let cookie = res.session_cookie.clone().unwrap();
        let me: Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.lang, domain::Lang::Fr);
        // Another browser without a language cookie gets the saved language.
        let page = app
            .http
            .get(format!("{}/", app.base))
            .header("cookie", app.session("shop", "operator").await)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let admin: Me = serde_json::from_str(
            &app.call("me", &[], Some(&app.session("shop", "admin").await))
                .await
                .ok()
                .body,
        )
        .unwrap();
        assert_eq!(admin.lang, domain::Lang::En, "only the user who chose it");
    }
);

both_backends!(
    requests_within_a_minute_do_not_rewrite_the_session,
    &[],
    |app: TestApp| async move {
        use server::entities::session;
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        let deadline = || async {
            session::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.expires_at)
                .max()
                .unwrap()
        };
        let first = deadline().await;
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        app.call("me", &[], Some(&cookie)).await.ok();
        assert_eq!(
            deadline().await,
            first,
            "a deadline one second later is not worth a write"
        );
    }
);

both_backends!(
    reset_mail_speaks_the_users_language,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        app.call("set_language", &[("lang", "fr")], Some(&cookie))
            .await
            .ok();
        app.call(
            "request_password_reset",
            &[("env", "test"), ("pspid", "shop"), ("user_id", "operator")],
            None,
        )
        .await
        .ok();
        let mail = email_outbox::Entity::find()
            .order_by_desc(email_outbox::Column::Id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(mail.subject, "Réinitialisez votre mot de passe OpenPSP");
        assert!(mail.body_text.starts_with("Bonjour operator,"));
        assert!(mail.body_text.contains("dans les 60 minutes"));
        assert!(!mail.body_text.contains('{'), "every placeholder filled");
    }
);

both_backends!(
    login_without_pspid_looks_only_in_the_pages_environment,
    &[],
    |app: TestApp| async move {
        use server::account::provisioning::{create_merchant, create_user, NewMerchant, NewUser};
        // Two production merchants share the login; the TEST one is the only match in TEST.
        for pspid in ["live1", "live2"] {
            let m = create_merchant(
                &app.db,
                NewMerchant {
                    pspid: pspid.into(),
                    environment: domain::Environment::Production,
                    commercial_name: String::new(),
                    legal_name: String::new(),
                    email: String::new(),
                    time_zone: "Europe/Paris".into(),
                },
            )
            .await
            .unwrap();
            create_user(
                &app.db,
                &m,
                NewUser {
                    login: "operator".into(),
                    full_name: String::new(),
                    email: None,
                    role: domain::Role::Operator,
                    primary: true,
                    password: PASSWORD.into(),
                    may_refund: false,
                },
            )
            .await
            .unwrap();
        }
        app.merchant("shop").await;
        let res = app.login_user("", "operator", PASSWORD, None).await;
        res.ok();
        let me: Me = serde_json::from_str(
            &app.call("me", &[], res.session_cookie.as_deref())
                .await
                .ok()
                .body,
        )
        .unwrap();
        assert_eq!(me.pspid, "shop");
    }
);

both_backends!(
    an_expired_password_holds_the_session_to_the_change_password_page,
    &[],
    |app: TestApp| async move {
        use app::account::security::LoginNext;
        use sea_orm::{ActiveModelTrait, ColumnTrait, IntoActiveModel, QueryFilter, Set};
        use server::entities::user;
        app.merchant("shop").await;
        // Set 91 days ago, under the default 90-day lifetime.
        let u = user::Entity::find()
            .filter(user::Column::Login.eq("operator"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active = u.into_active_model();
        active.password_changed_at = Set(Some(chrono::Utc::now() - chrono::Duration::days(91)));
        active.update(&app.db).await.unwrap();

        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        let next: LoginNext = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(next, LoginNext::ChangePassword);
        let cookie = res.session_cookie.clone().unwrap();
        let page = app
            .http
            .get(format!("{}/operations/payments", app.base))
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.headers()["location"].to_str().unwrap(),
            "/profile/password?expired=1"
        );
        assert_eq!(
            app.call("home", &[], Some(&cookie)).await.error(),
            AppError::Forbidden
        );
        app.call("password_rules", &[], Some(&cookie)).await.ok();
        let res = app
            .call(
                "change_password",
                &[
                    ("current", PASSWORD),
                    ("new_password", "Fresh-Lantern-77!"),
                    ("confirm", "Fresh-Lantern-77!"),
                ],
                Some(&cookie),
            )
            .await;
        res.ok();
        let cookie = res.session_cookie.clone().unwrap_or(cookie);
        app.call("home", &[], Some(&cookie)).await.ok();
        // A password changed today does not expire.
        let res = app
            .login_user("shop", "operator", "Fresh-Lantern-77!", None)
            .await;
        let next: LoginNext = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(next, LoginNext::Home);
    }
);

both_backends!(
    home_asks_an_admin_alone_to_create_users,
    &[],
    |app: TestApp| async move {
        use app::account::{HomeData, SetupStep};
        use sea_orm::{ColumnTrait, QueryFilter};
        use server::entities::user;
        use SetupStep::{ChangePassword, CompanyDetails, MoreUsers, RecoveryEmail};
        let steps = |cookie: String| {
            let app = &app;
            async move {
                let home: HomeData =
                    serde_json::from_str(&app.call("home", &[], Some(&cookie)).await.ok().body)
                        .unwrap();
                home.steps_to_do
            }
        };
        // An admin and an operator: the account has more than one user.
        app.merchant("solo").await;
        let admin = app.session("solo", "admin").await;
        assert_eq!(steps(admin.clone()).await, [CompanyDetails, ChangePassword]);
        user::Entity::delete_many()
            .filter(user::Column::Login.eq("operator"))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(
            steps(admin.clone()).await,
            [CompanyDetails, ChangePassword, MoreUsers]
        );
        let operator = app
            .user_session("solo", "clerk", domain::Role::Operator)
            .await;
        assert_eq!(steps(admin).await, [CompanyDetails, ChangePassword]);
        // The account's steps are the Admins' to do; an operator sees their own only.
        assert_eq!(steps(operator).await, [RecoveryEmail, ChangePassword]);
    }
);
