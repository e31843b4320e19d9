//! Configuration → Users (MB-12) and the password policy (MB-7): Admins create users who
//! choose their password from a mailed link, edit them, deactivate them (their sessions
//! end at once), unlock them, send them a new password, reset their second factor; an
//! Admin keeps their own Admin role and the PSPID one active Admin; a new password is
//! none of the last four; every change is audited with what it changed.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, FnResponse, TestApp, PASSWORD};
use app::error::{AppError, Problem};
use app::users::{SecondFactor, UserRow, UsersOverview};
use domain::Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use server::entities::{
    audit_log, email_outbox, merchant, password_reset_token, recovery_code, user, user_code,
};

pub(crate) async fn overview(app: &TestApp, cookie: &str) -> UsersOverview {
    let res = app.call("users/list", &[], Some(cookie)).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

fn row<'a>(o: &'a UsersOverview, login: &str) -> &'a UserRow {
    o.users
        .iter()
        .find(|u| u.login == login)
        .unwrap_or_else(|| panic!("{login} in {:?}", o.users))
}

pub(crate) async fn id_of(app: &TestApp, cookie: &str, login: &str) -> i64 {
    row(&overview(app, cookie).await, login).id
}

/// One of the user's dialog actions (`users/deactivate`, …) on `id`.
pub(crate) async fn act(app: &TestApp, cookie: &str, endpoint: &str, id: i64) -> FnResponse {
    app.call(endpoint, &[("id", &id.to_string())], Some(cookie))
        .await
}

async fn update(
    app: &TestApp,
    cookie: &str,
    id: i64,
    role: &str,
    may_refund: bool,
    email: &str,
) -> FnResponse {
    let id = id.to_string();
    let mut form = vec![
        ("id", id.as_str()),
        ("full_name", "Olivia Operator"),
        ("email", email),
        ("role", role),
    ];
    if may_refund {
        form.push(("may_refund", "on"));
    }
    app.call("users/update", &form, Some(cookie)).await
}

async fn create(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> FnResponse {
    app.call("users/create", form, Some(cookie)).await
}

/// The newest mail to `to`.
pub(crate) async fn mail_to(app: &TestApp, to: &str) -> email_outbox::Model {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("a mail to {to}"))
}

/// The token of the set-password link in `mail`, which points at the reset page.
pub(crate) fn token_of(app: &TestApp, mail: &email_outbox::Model) -> String {
    let link = mail
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .unwrap_or_else(|| panic!("a link in {}", mail.body_text));
    assert!(link.starts_with(&app.config.public_url), "{link}");
    link.split("token=").nth(1).unwrap().to_owned()
}

pub(crate) async fn set_password(app: &TestApp, token: &str, password: &str) -> FnResponse {
    app.call(
        "reset_password",
        &[
            ("token", token),
            ("new_password", password),
            ("confirm", password),
        ],
        None,
    )
    .await
}

pub(crate) async fn change_password(
    app: &TestApp,
    cookie: &str,
    current: &str,
    new: &str,
) -> FnResponse {
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

/// The audit rows of `action`, oldest first.
pub(crate) async fn audits(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .order_by_asc(audit_log::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
}

/// The stored user `login` of the merchant `shop`.
async fn user_row(app: &TestApp, login: &str) -> user::Model {
    let shop = merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq("shop"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    user::Entity::find()
        .filter(user::Column::MerchantId.eq(shop.id))
        .filter(user::Column::Login.eq(login))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

/// A session of `login` of `shop` signed in with `password`.
pub(crate) async fn sign_in(app: &TestApp, login: &str, password: &str) -> String {
    app.login_user("shop", login, password, None)
        .await
        .ok()
        .session_cookie
        .clone()
        .expect("a session cookie")
}

async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    let res = app.call("me", &[], Some(cookie)).await;
    if res.status < 300 {
        return true;
    }
    assert_eq!(res.error(), AppError::Unauthenticated, "{}", res.body);
    false
}

both_backends!(
    a_new_user_chooses_their_password_from_the_mailed_link_and_signs_in,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let res = create(
            &app,
            &admin,
            &[
                ("login", " Camille.Clerk "),
                ("full_name", "Camille Clerk"),
                ("email", "camille@shop.example"),
                ("role", "OPERATOR"),
                ("may_refund", "on"),
                ("language", "fr"),
            ],
        )
        .await;
        let created: UserRow = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(created.login, "camille.clerk", "logins are normalised");
        assert_eq!(created.role, Role::Operator);
        assert!(created.may_refund && created.active && !created.is_you);
        assert_eq!(created.second_factor, SecondFactor::Off);
        assert_eq!(created.last_login, None);

        // The mail is in the new user's language, with a link of 72 hours; no password.
        let mail = mail_to(&app, "camille@shop.example").await;
        assert!(mail.subject.contains("mot de passe"), "{}", mail.subject);
        assert!(mail.body_text.contains("72"), "{}", mail.body_text);
        let token = token_of(&app, &mail);
        let stored = password_reset_token::Entity::find()
            .filter(password_reset_token::Column::UserId.eq(created.id))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let hours = (stored.expires_at - chrono::Utc::now()).num_minutes() as f64 / 60.0;
        assert!((71.5..=72.0).contains(&hours), "{hours} hours");
        assert_ne!(stored.token_hash, token, "only the token's hash is kept");
        // Nobody knows the password the account was created with.
        assert_eq!(
            app.login_user("shop", "camille.clerk", PASSWORD, None)
                .await
                .error(),
            AppError::InvalidCredentials
        );

        let weak = set_password(&app, &token, "short").await.error();
        assert!(matches!(
            weak.problem_for("new_password"),
            Some(Problem::Policy(_))
        ));
        let chosen = "Quiet-River-2026!";
        set_password(&app, &token, chosen).await.ok();
        let cookie = sign_in(&app, "camille.clerk", chosen).await;
        let me: app::account::Me =
            serde_json::from_str(&app.call("me", &[], Some(&cookie)).await.ok().body).unwrap();
        assert_eq!(me.role, Role::Operator);
        assert_eq!(me.lang, domain::Lang::Fr);

        let o = overview(&app, &admin).await;
        assert!(row(&o, "camille.clerk").last_login.is_some());
        assert!(row(&o, "admin").is_you);
        let created = audits(&app, "user.created").await;
        assert_eq!(created.len(), 1);
        let detail = &created[0].detail;
        assert!(
            detail.contains("role: \"\" → OPERATOR")
                && detail.contains("email: \"\" → camille@shop.example"),
            "{detail}"
        );
        assert_eq!(created[0].actor, "admin");
    }
);

both_backends!(
    a_new_users_form_is_checked_field_by_field,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let err = create(
            &app,
            &admin,
            &[
                ("login", "two words"),
                ("full_name", " "),
                ("email", "not-an-address"),
                ("role", "BOSS"),
            ],
        )
        .await
        .error();
        assert_eq!(err.problem_for("login"), Some(&Problem::InvalidLogin));
        assert_eq!(err.problem_for("full_name"), Some(&Problem::Required));
        assert_eq!(err.problem_for("email"), Some(&Problem::InvalidEmail));
        assert_eq!(err.problem_for("role"), Some(&Problem::Required));
        let err = create(
            &app,
            &admin,
            &[
                ("login", ""),
                ("full_name", "A"),
                ("email", ""),
                ("role", "ADMIN"),
            ],
        )
        .await
        .error();
        assert_eq!(err.problem_for("login"), Some(&Problem::Required));
        assert_eq!(err.problem_for("email"), Some(&Problem::Required));
        // A login of the PSPID, in any letter case, is taken.
        let err = create(
            &app,
            &admin,
            &[
                ("login", "OPERATOR"),
                ("full_name", "Another"),
                ("email", "another@shop.example"),
                ("role", "READ_ONLY"),
            ],
        )
        .await
        .error();
        assert_eq!(err.problem_for("login"), Some(&Problem::LoginTaken));
        // Another merchant's login is free here.
        app.merchant("other").await;
        let other = app.session("other", "admin").await;
        create(
            &app,
            &other,
            &[
                ("login", "camille"),
                ("full_name", "Camille"),
                ("email", "camille@other.example"),
                ("role", "READ_ONLY"),
                ("may_refund", "on"),
            ],
        )
        .await
        .ok();
        let row: UserRow = serde_json::from_str(
            &create(
                &app,
                &admin,
                &[
                    ("login", "camille"),
                    ("full_name", "Camille"),
                    ("email", "camille@shop.example"),
                    ("role", "READ_ONLY"),
                    ("may_refund", "on"),
                ],
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert!(!row.may_refund, "Read-only users never refund");
        assert_eq!(audits(&app, "user.created").await.len(), 2);
    }
);

both_backends!(
    admins_edit_roles_and_keep_their_own,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        let (admin_id, operator_id) = (
            id_of(&app, &admin, "admin").await,
            id_of(&app, &admin, "operator").await,
        );
        let row: UserRow = serde_json::from_str(
            &update(
                &app,
                &admin,
                operator_id,
                "ADMIN",
                false,
                "olivia@shop.example",
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert_eq!(row.role, Role::Admin);
        assert!(row.may_refund, "Admins always refund");
        let updated = audits(&app, "user.updated").await;
        assert_eq!(updated.len(), 1);
        let detail = &updated[0].detail;
        for part in [
            "user operator:",
            "full_name: \"\" → Olivia Operator",
            "email: operator@shop.example → olivia@shop.example",
            "role: OPERATOR → ADMIN",
            "may_refund: false → true",
            "sessions ended",
        ] {
            assert!(detail.contains(part), "{part} in {detail}");
        }
        // A new role ends the user's sessions: no page keeps the old rights.
        assert!(!signed_in(&app, &operator).await);
        // Saving the same values changes nothing and writes nothing.
        update(
            &app,
            &admin,
            operator_id,
            "ADMIN",
            true,
            "olivia@shop.example",
        )
        .await
        .ok();
        assert_eq!(audits(&app, "user.updated").await.len(), 1);
        // An Admin keeps their own Admin role, and their own access.
        let err = update(
            &app,
            &admin,
            admin_id,
            "OPERATOR",
            true,
            "admin@shop.example",
        )
        .await
        .error();
        assert_eq!(err.problem_for("role"), Some(&Problem::OwnAccount));
        let err = act(&app, &admin, "users/deactivate", admin_id)
            .await
            .error();
        assert_eq!(err.problem_for("user"), Some(&Problem::OwnAccount));
        assert_eq!(user_row(&app, "admin").await.role, "ADMIN");
        // Back to Operator with the refund right; bad input by field.
        let row: UserRow = serde_json::from_str(
            &update(
                &app,
                &admin,
                operator_id,
                "OPERATOR",
                true,
                "olivia@shop.example",
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert!(row.role == Role::Operator && row.may_refund);
        let err = update(&app, &admin, operator_id, "OWNER", true, "olivia@")
            .await
            .error();
        assert_eq!(err.problem_for("role"), Some(&Problem::Required));
        assert_eq!(err.problem_for("email"), Some(&Problem::InvalidEmail));
    }
);

both_backends!(
    two_admins_demoting_each_other_at_once_leave_one_admin,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let first = app.session("shop", "admin").await;
        let operator_id = id_of(&app, &first, "operator").await;
        let admin_id = id_of(&app, &first, "admin").await;
        for round in 0..6 {
            // Both are Admins with fresh sessions.
            for login in ["admin", "operator"] {
                let mut u = user_row(&app, login).await.into_active_model();
                u.role = Set(Role::Admin.code().to_owned());
                u.active = Set(true);
                u.update(&app.db).await.unwrap();
            }
            let a = app.session("shop", "admin").await;
            let b = app.session("shop", "operator").await;
            let (one, two) = if round % 2 == 0 {
                tokio::join!(
                    update(&app, &a, operator_id, "OPERATOR", false, "o@shop.example"),
                    act(&app, &b, "users/deactivate", admin_id),
                )
            } else {
                tokio::join!(
                    act(&app, &a, "users/deactivate", operator_id),
                    update(&app, &b, admin_id, "READ_ONLY", false, "a@shop.example"),
                )
            };
            assert!(
                one.status >= 300 || two.status >= 300,
                "round {round}: both went through: {} / {}",
                one.body,
                two.body
            );
            for res in [&one, &two] {
                if res.status >= 300 {
                    let err = res.error();
                    let last_admin = err.problem_for("role") == Some(&Problem::LastAdmin)
                        || err.problem_for("user") == Some(&Problem::LastAdmin);
                    assert!(
                        last_admin || err == AppError::Unauthenticated,
                        "round {round}: {err:?}"
                    );
                }
            }
            let admins = user::Entity::find()
                .filter(user::Column::Role.eq("ADMIN"))
                .filter(user::Column::Active.eq(true))
                .count(&app.db)
                .await
                .unwrap();
            assert!(admins >= 1, "round {round}: no active Admin left");
        }
    }
);

both_backends!(
    deactivating_a_user_ends_their_open_session_at_once,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let operator = app.session("shop", "operator").await;
        assert!(signed_in(&app, &operator).await);
        let id = id_of(&app, &admin, "operator").await;
        let row: UserRow =
            serde_json::from_str(&act(&app, &admin, "users/deactivate", id).await.ok().body)
                .unwrap();
        assert!(!row.active);
        // The very next call of their open session is refused, whatever it asks, and
        // their pages send them to the sign-in.
        assert!(!signed_in(&app, &operator).await);
        let page = app
            .http
            .get(format!("{}/operations/payments", app.base))
            .header(reqwest::header::COOKIE, &operator)
            .send()
            .await
            .unwrap();
        assert!(page.status().is_redirection(), "{}", page.status());
        assert_eq!(page.headers()[reqwest::header::LOCATION], "/login");
        let res = app
            .call("ops/payments", &[("filter[page]", "1")], Some(&operator))
            .await;
        assert_eq!(res.error(), AppError::Unauthenticated);
        assert_eq!(
            app.login_user("shop", "operator", PASSWORD, None)
                .await
                .error(),
            AppError::InvalidCredentials
        );
        let deactivated = audits(&app, "user.deactivated").await;
        assert_eq!(deactivated.len(), 1);
        assert_eq!(
            deactivated[0].detail,
            "user operator: active: true → false; sessions ended"
        );
        // Deactivating twice changes nothing more.
        act(&app, &admin, "users/deactivate", id).await.ok();
        assert_eq!(audits(&app, "user.deactivated").await.len(), 1);

        act(&app, &admin, "users/reactivate", id).await.ok();
        assert!(
            !signed_in(&app, &operator).await,
            "the old session stays over"
        );
        let fresh = app.session("shop", "operator").await;
        assert!(signed_in(&app, &fresh).await);
        let reactivated = audits(&app, "user.reactivated").await;
        assert_eq!(reactivated[0].detail, "user operator: active: false → true");
    }
);

both_backends!(
    an_admin_unlocks_a_locked_user,
    &[("OPENPSP_MAX_FAILED_LOGINS", "3")],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        for _ in 0..3 {
            app.login_user("shop", "operator", "Wrong-Password-1!", None)
                .await
                .error();
        }
        assert!(matches!(
            app.login_user("shop", "operator", PASSWORD, None)
                .await
                .error(),
            AppError::Locked { .. }
        ));
        let o = overview(&app, &admin).await;
        let locked = row(&o, "operator");
        assert!(locked.locked_until.is_some() && locked.active);
        let until = user_row(&app, "operator").await.locked_until.unwrap();
        let row: UserRow =
            serde_json::from_str(&act(&app, &admin, "users/unlock", locked.id).await.ok().body)
                .unwrap();
        assert_eq!(row.locked_until, None);
        let stored = user_row(&app, "operator").await;
        assert_eq!((stored.failed_logins, stored.locked_until), (0, None));
        app.login_user("shop", "operator", PASSWORD, None)
            .await
            .ok();
        let unlocked = audits(&app, "user.unlocked").await;
        assert_eq!(unlocked.len(), 1);
        let expected = format!(
            "user operator: locked_until: {} → \"\"",
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        assert_eq!(unlocked[0].detail, expected);
    }
);

both_backends!(
    send_new_password_mails_a_link_that_sets_one,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let id = id_of(&app, &admin, "operator").await;
        act(&app, &admin, "users/send_password", id).await.ok();
        let mail = mail_to(&app, "operator@shop.example").await;
        assert_eq!(mail.subject, "Choose a new OpenPSP password");
        assert!(
            mail.body_text.contains("administrator"),
            "{}",
            mail.body_text
        );
        // The current password works until the link is used.
        app.login_user("shop", "operator", PASSWORD, None)
            .await
            .ok();
        let new = "Amber-Falcon-7104!";
        set_password(&app, &token_of(&app, &mail), new).await.ok();
        app.login_user("shop", "operator", new, None).await.ok();
        assert_eq!(
            audits(&app, "user.password_link_sent").await[0].detail,
            "user operator: link mailed to operator@shop.example"
        );
        // A user without an address: nothing to send to.
        app.user_session("shop", "silent", Role::ReadOnly).await;
        let silent = id_of(&app, &admin, "silent").await;
        let err = act(&app, &admin, "users/send_password", silent)
            .await
            .error();
        assert_eq!(err.problem_for("email"), Some(&Problem::Required));
        assert_eq!(audits(&app, "user.password_link_sent").await.len(), 1);
    }
);

both_backends!(
    resetting_the_second_factor_clears_it_and_tells_the_user,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let op = user_row(&app, "operator").await;
        let now = chrono::Utc::now();
        let mut active = op.clone().into_active_model();
        active.two_factor = Set("totp".into());
        active.totp_secret_enc = Set(Some("sealed-secret".into()));
        active.totp_pending_enc = Set(Some("sealed-pending".into()));
        active.totp_last_step = Set(Some(42));
        active.update(&app.db).await.unwrap();
        for n in 0..3 {
            recovery_code::ActiveModel {
                user_id: Set(op.id),
                code_hash: Set(format!("hash-{n}")),
                used_at: Set(None),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap();
        }
        user_code::ActiveModel {
            user_id: Set(op.id),
            purpose: Set("login".into()),
            code_hash: Set("code-hash".into()),
            target: Set(None),
            tries: Set(0),
            expires_at: Set(now + chrono::Duration::minutes(5)),
            used_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let o = overview(&app, &admin).await;
        assert_eq!(
            row(&o, "operator").second_factor,
            SecondFactor::Authenticator
        );

        let row: UserRow = serde_json::from_str(
            &act(&app, &admin, "users/reset_two_factor", op.id)
                .await
                .ok()
                .body,
        )
        .unwrap();
        assert_eq!(row.second_factor, SecondFactor::Off);
        let stored = user_row(&app, "operator").await;
        assert_eq!(stored.two_factor, "");
        assert_eq!(stored.totp_secret_enc, None);
        assert_eq!(stored.totp_pending_enc, None);
        assert_eq!(stored.totp_last_step, None);
        let codes = recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(op.id))
            .count(&app.db)
            .await
            .unwrap();
        let mailed = user_code::Entity::find()
            .filter(user_code::Column::UserId.eq(op.id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!((codes, mailed), (0, 0));
        let mail = mail_to(&app, "operator@shop.example").await;
        assert!(mail.subject.contains("two-factor"), "{}", mail.subject);
        assert_eq!(
            audits(&app, "user.two_factor_reset").await[0].detail,
            "user operator: two_factor: totp → \"\"; recovery codes deleted: 3; user told by e-mail"
        );
    }
);

both_backends!(
    only_admins_of_the_merchant_manage_its_users,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        app.merchant("other").await;
        let operator = app.session("shop", "operator").await;
        let reader = app.user_session("shop", "reader", Role::ReadOnly).await;
        let other_admin = app.session("other", "admin").await;
        let shop_admin = app.session("shop", "admin").await;
        let target = id_of(&app, &shop_admin, "operator").await;
        for cookie in [&operator, &reader] {
            assert_eq!(
                app.call("users/list", &[], Some(cookie)).await.error(),
                AppError::Forbidden
            );
            assert_eq!(
                act(&app, cookie, "users/unlock", target).await.error(),
                AppError::Forbidden
            );
        }
        // Another merchant's Admin sees only their own users and reaches none of these.
        let theirs = overview(&app, &other_admin).await;
        assert!(theirs.users.iter().all(|u| u.id != target));
        for endpoint in [
            "users/deactivate",
            "users/reactivate",
            "users/unlock",
            "users/send_password",
            "users/reset_two_factor",
        ] {
            assert_eq!(
                act(&app, &other_admin, endpoint, target).await.error(),
                AppError::NotFound,
                "{endpoint}"
            );
        }
        assert_eq!(
            update(&app, &other_admin, target, "ADMIN", true, "x@other.example")
                .await
                .error(),
            AppError::NotFound
        );
        let untouched = user_row(&app, "operator").await;
        assert!(untouched.active && untouched.role == "OPERATOR");
        assert!(signed_in(&app, &operator).await);
    }
);
