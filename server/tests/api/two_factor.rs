//! Two-factor sign-in (MB-2): an authenticator app with recovery codes, e-mailed codes to
//! a confirmed address, lockout, replay, and a PSPID that requires a second factor.

use crate::both_backends;
use crate::helpers::*;
use app::account::security::{AuthenticatorSetup, LoginNext, SecurityOverview};
use app::error::{AppError, Problem};
use domain::two_factor::Method;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use server::entities::{audit_log, email_outbox, merchant, user};

/// The code an authenticator app shows for `secret` (as shown: groups of four) at
/// `now + offset` seconds.
fn app_code(secret: &str, offset: i64) -> String {
    let secret: String = secret.split_whitespace().collect();
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(&secret).expect("base32 secret"))
        .build()
        .expect("RFC 6238 parameters");
    let at = (chrono::Utc::now().timestamp() + offset) as u64;
    totp.generate(at).to_string()
}

fn next(res: &FnResponse) -> LoginNext {
    res.ok();
    serde_json::from_str(&res.body).expect("LoginNext")
}

/// The last mail sent to `to`.
async fn last_mail(app: &TestApp, to: &str) -> String {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("a mail")
        .body_text
}

/// The first run of `digits` digits in `text` that stands alone.
fn code_in(text: &str, digits: usize) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == digits)
        .expect("a code in the mail")
        .to_owned()
}

/// Turns the authenticator on for the session `cookie`: the secret, the recovery codes
/// and the session cookie from then on (a session held to the security page gets a new
/// id once it is free).
async fn enable_authenticator(app: &TestApp, cookie: &str) -> (String, Vec<String>, String) {
    let setup: AuthenticatorSetup = serde_json::from_str(
        &app.call(
            "security_start_authenticator",
            &[("password", PASSWORD)],
            Some(cookie),
        )
        .await
        .ok()
        .body,
    )
    .unwrap();
    assert!(
        setup.qr_svg.contains("<svg"),
        "a QR code drawn on the server"
    );
    assert!(
        setup.uri.starts_with("otpauth://totp/OpenPSP:"),
        "{}",
        setup.uri
    );
    let res = app
        .call(
            "security_confirm_authenticator",
            &[("code", &app_code(&setup.secret, 0))],
            Some(cookie),
        )
        .await;
    let codes: Vec<String> = serde_json::from_str(&res.ok().body).unwrap();
    let cookie = res
        .session_cookie
        .clone()
        .unwrap_or_else(|| cookie.to_owned());
    (setup.secret, codes, cookie)
}

both_backends!(
    authenticator_sign_in_with_codes_used_once,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        // The password is asked again, and a wrong one sets nothing up.
        assert_eq!(
            app.call(
                "security_start_authenticator",
                &[("password", "Not-The-Password-9!")],
                Some(&cookie)
            )
            .await
            .error()
            .problem_for("password"),
            Some(&Problem::WrongCurrentPassword)
        );
        let setup: AuthenticatorSetup = serde_json::from_str(
            &app.call(
                "security_start_authenticator",
                &[("password", PASSWORD)],
                Some(&cookie),
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        // A wrong code does not turn it on.
        let wrong = if app_code(&setup.secret, 0) == "123456" {
            "654321"
        } else {
            "123456"
        };
        assert_eq!(
            app.call(
                "security_confirm_authenticator",
                &[("code", wrong)],
                Some(&cookie)
            )
            .await
            .error()
            .problem_for("code"),
            Some(&Problem::WrongAuthenticatorCode)
        );
        let first = app_code(&setup.secret, 0);
        let codes: Vec<String> = serde_json::from_str(
            &app.call(
                "security_confirm_authenticator",
                &[("code", &first)],
                Some(&cookie),
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert_eq!(codes.len(), 10);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'),
            "{codes:?}"
        );
        let overview: SecurityOverview =
            serde_json::from_str(&app.call("security", &[], Some(&cookie)).await.ok().body)
                .unwrap();
        assert_eq!(overview.method, Some(Method::Authenticator));
        assert_eq!(overview.recovery_left, 10);
        // Stored sealed and hashed: neither the secret nor a recovery code in clear.
        let row = user::Entity::find()
            .filter(user::Column::Login.eq("operator"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let plain: String = setup.secret.split_whitespace().collect();
        assert!(!row.totp_secret_enc.clone().unwrap().contains(&plain));
        assert!(row.totp_pending_enc.is_none());

        // Sign-in: the password alone creates no session.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        assert_eq!(next(&res), LoginNext::SecondFactor);
        let pending = res.session_cookie.clone().unwrap();
        assert_eq!(
            app.call("me", &[], Some(&pending)).await.error(),
            AppError::Unauthenticated
        );
        // The code used to confirm is not accepted again (same time step).
        assert_eq!(
            app.call("verify_sign_in", &[("code", &first)], Some(&pending))
                .await
                .error()
                .problem_for("code"),
            Some(&Problem::WrongAuthenticatorCode)
        );
        // The next step's code signs in (one step of drift allowed) …
        let code = app_code(&setup.secret, 30);
        let res = app
            .call("verify_sign_in", &[("code", &code)], Some(&pending))
            .await;
        assert_eq!(next(&res), LoginNext::Home);
        let signed_in = res.session_cookie.clone().unwrap_or(pending.clone());
        app.call("me", &[], Some(&signed_in)).await.ok();
        // … once: the same code in another sign-in is refused.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        let again = res.session_cookie.clone().unwrap();
        assert_eq!(
            app.call("verify_sign_in", &[("code", &code)], Some(&again))
                .await
                .error()
                .problem_for("code"),
            Some(&Problem::WrongAuthenticatorCode)
        );
        // A recovery code signs in once, typed in any case.
        let recovery = codes[3].to_uppercase();
        let res = app
            .call(
                "verify_sign_in",
                &[("code", &recovery), ("recovery", "1")],
                Some(&again),
            )
            .await;
        assert_eq!(next(&res), LoginNext::Home);
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        let third = res.session_cookie.clone().unwrap();
        assert_eq!(
            app.call(
                "verify_sign_in",
                &[("code", &codes[3]), ("recovery", "1")],
                Some(&third)
            )
            .await
            .error()
            .problem_for("code"),
            Some(&Problem::InvalidCode)
        );
        // New recovery codes void the old ones.
        let fresh: Vec<String> = serde_json::from_str(
            &app.call(
                "security_recovery_codes",
                &[("password", PASSWORD)],
                Some(&signed_in),
            )
            .await
            .ok()
            .body,
        )
        .unwrap();
        assert_eq!(
            app.call(
                "verify_sign_in",
                &[("code", &codes[4]), ("recovery", "1")],
                Some(&third)
            )
            .await
            .error()
            .problem_for("code"),
            Some(&Problem::InvalidCode)
        );
        let res = app
            .call(
                "verify_sign_in",
                &[("code", &fresh[0]), ("recovery", "1")],
                Some(&third),
            )
            .await;
        assert_eq!(next(&res), LoginNext::Home);
        let actions: Vec<String> = audit_log::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        for expected in [
            "two_factor.enabled",
            "login.second_factor_asked",
            "two_factor.recovery_code_used",
            "two_factor.recovery_codes",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{expected} in {actions:?}"
            );
        }
    }
);

both_backends!(
    wrong_second_factors_lock_the_user,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        let (secret, _, _) = enable_authenticator(&app, &cookie).await;
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        let pending = res.session_cookie.clone().unwrap();
        let right = app_code(&secret, 30);
        let wrong = if right == "111111" {
            "222222"
        } else {
            "111111"
        };
        let mut locked = false;
        for _ in 0..10 {
            match app
                .call("verify_sign_in", &[("code", wrong)], Some(&pending))
                .await
                .error()
            {
                AppError::Locked { .. } => {
                    locked = true;
                    break;
                }
                e => assert_eq!(
                    e.problem_for("code"),
                    Some(&Problem::WrongAuthenticatorCode)
                ),
            }
        }
        assert!(locked, "ten wrong codes lock the user");
        // Locked: neither the right code nor the password helps now.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        assert!(matches!(res.error(), AppError::Locked { .. }));
        let lockouts = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("login.lockout"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(lockouts.len(), 1);
        assert!(
            lockouts[0].detail.contains("wrong authenticator app"),
            "{}",
            lockouts[0].detail
        );
    }
);

both_backends!(
    emailed_codes_to_a_confirmed_address,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let cookie = app.session("shop", "operator").await;
        let address = "operator@shop.example";
        // Not confirmed yet: the e-mailed factor is refused.
        assert_eq!(
            app.call(
                "security_start_email",
                &[("password", PASSWORD)],
                Some(&cookie)
            )
            .await
            .error()
            .problem_for("password"),
            Some(&Problem::EmailNotConfirmed)
        );
        app.call("security_send_confirmation", &[], Some(&cookie))
            .await
            .ok();
        let mail = last_mail(&app, address).await;
        let token = mail
            .split("token=")
            .nth(1)
            .expect("a confirmation link")
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        app.call("security_confirm_email", &[("token", &token)], None)
            .await
            .ok();
        // A link works once.
        assert_eq!(
            app.call("security_confirm_email", &[("token", &token)], None)
                .await
                .error()
                .problem_for("token"),
            Some(&Problem::InvalidLink)
        );
        app.call(
            "security_start_email",
            &[("password", PASSWORD)],
            Some(&cookie),
        )
        .await
        .ok();
        let code = code_in(&last_mail(&app, address).await, 4);
        app.call(
            "security_confirm_email_factor",
            &[("code", &code)],
            Some(&cookie),
        )
        .await
        .ok();

        // Sign-in: a 4-digit code by e-mail.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        assert_eq!(next(&res), LoginNext::SecondFactor);
        let pending = res.session_cookie.clone().unwrap();
        let code = code_in(&last_mail(&app, address).await, 4);
        let wrong = if code == "0000" { "1111" } else { "0000" };
        assert_eq!(
            app.call("verify_sign_in", &[("code", wrong)], Some(&pending))
                .await
                .error()
                .problem_for("code"),
            Some(&Problem::InvalidCode)
        );
        // A new code at once is refused: one a minute.
        assert_eq!(
            app.call("resend_sign_in_code", &[], Some(&pending))
                .await
                .error()
                .problem_for("code"),
            Some(&Problem::ResendTooSoon)
        );
        let res = app
            .call("verify_sign_in", &[("code", &code)], Some(&pending))
            .await;
        assert_eq!(next(&res), LoginNext::Home);

        // A code takes five tries, then it is void even when right.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        let pending = res.session_cookie.clone().unwrap();
        // The last code was used: this sign-in got a new one at once.
        let code = code_in(&last_mail(&app, address).await, 4);
        let wrong = if code == "0000" { "1111" } else { "0000" };
        for _ in 0..5 {
            app.call("verify_sign_in", &[("code", wrong)], Some(&pending))
                .await
                .error();
        }
        assert_eq!(
            app.call("verify_sign_in", &[("code", &code)], Some(&pending))
                .await
                .error()
                .problem_for("code"),
            Some(&Problem::CodeExhausted)
        );
    }
);

both_backends!(
    a_required_second_factor_holds_the_session_to_the_security_page,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut active = m.into_active_model();
        active.require_two_factor = Set(true);
        active.update(&app.db).await.unwrap();

        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        assert_eq!(next(&res), LoginNext::SetUpSecondFactor);
        let cookie = res.session_cookie.clone().unwrap();
        // Pages lead to the security page; server functions other than its own refuse.
        let page = app
            .http
            .get(format!("{}/operations/payments", app.base))
            .header(reqwest::header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 303, "redirected");
        assert_eq!(
            page.headers()["location"].to_str().unwrap(),
            "/profile/security"
        );
        assert_eq!(
            app.call("home", &[], Some(&cookie)).await.error(),
            AppError::Forbidden
        );
        let overview: SecurityOverview =
            serde_json::from_str(&app.call("security", &[], Some(&cookie)).await.ok().body)
                .unwrap();
        assert!(overview.required && overview.method.is_none());
        app.call("me", &[], Some(&cookie)).await.ok();

        let (secret, _, cookie) = enable_authenticator(&app, &cookie).await;
        app.call("home", &[], Some(&cookie)).await.ok();
        // Required: it cannot be turned off.
        assert_eq!(
            app.call("security_disable", &[("password", PASSWORD)], Some(&cookie))
                .await
                .error()
                .problem_for("password"),
            Some(&Problem::TwoFactorRequired)
        );
        // The next sign-in asks the code, and then goes Home.
        let res = app.login_user("shop", "operator", PASSWORD, None).await;
        assert_eq!(next(&res), LoginNext::SecondFactor);
        let pending = res.session_cookie.clone().unwrap();
        let res = app
            .call(
                "verify_sign_in",
                &[("code", &app_code(&secret, 30))],
                Some(&pending),
            )
            .await;
        assert_eq!(next(&res), LoginNext::Home);
    }
);
