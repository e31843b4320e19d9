//! The PSPID's password rules (MB-7, PCI DSS 4.0 §8.3.6–8.3.9): an Admin sets the
//! minimum length and the lifetime on the Users page, next to the requirement of a
//! second factor; a new password, changed or reset, is none of the user's last four.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp, PASSWORD};
use crate::users::{
    act, audits, change_password, id_of, mail_to, overview, set_password, sign_in, token_of,
};
use app::error::Problem;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::entities::{merchant, password_history};

both_backends!(
    a_new_password_is_none_of_the_last_four,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let id = id_of(&app, &admin, "operator").await;
        let pw = [
            PASSWORD,
            "Quiet-River-2026!",
            "Amber-Falcon-7104!",
            "Cobalt-Meadow-38#",
            "Silver-Harbor-55?",
            "Linen-Compass-90!",
        ];
        // A fresh link from the Admin each time: resets are not throttled.
        let (app_ref, admin_ref) = (&app, &admin);
        let link = move || async move {
            act(app_ref, admin_ref, "users/send_password", id)
                .await
                .ok();
            token_of(app_ref, &mail_to(app_ref, "operator@shop.example").await)
        };
        let cookie = app.session("shop", "operator").await;
        change_password(&app, &cookie, pw[0], pw[1]).await.ok();
        set_password(&app, &link().await, pw[2]).await.ok();
        set_password(&app, &link().await, pw[3]).await.ok();
        set_password(&app, &link().await, pw[4]).await.ok();
        // Current: 4; before it 3, 2, 1, 0.
        let token = link().await;
        for old in [pw[0], pw[1], pw[3], pw[4]] {
            let err = set_password(&app, &token, old).await.error();
            assert_eq!(
                err.problem_for("new_password"),
                Some(&Problem::PasswordReused),
                "{old}"
            );
        }
        let cookie = sign_in(&app, "operator", pw[4]).await;
        let err = change_password(&app, &cookie, pw[4], pw[2]).await.error();
        assert_eq!(
            err.problem_for("new_password"),
            Some(&Problem::PasswordReused)
        );
        // The refused link still works once, for a new password.
        set_password(&app, &token, pw[5]).await.ok();
        let kept = password_history::Entity::find()
            .filter(password_history::Column::UserId.eq(id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(kept, 4, "only what the rule needs is kept");
        // Five changes later the first password is allowed again.
        let cookie = sign_in(&app, "operator", pw[5]).await;
        change_password(&app, &cookie, pw[5], pw[0]).await.ok();
    }
);

both_backends!(
    admins_set_the_password_policy_and_the_two_factor_requirement,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        let o = overview(&app, &admin).await;
        assert_eq!(o.password.min_length, 12);
        assert_eq!(o.password.lifetime_days, 90);
        assert!(!o.require_two_factor);
        let save = |min: &'static str, days: &'static str| {
            let (app, admin) = (&app, &admin);
            async move {
                app.call(
                    "users/password_policy",
                    &[("min_length", min), ("lifetime_days", days)],
                    Some(admin),
                )
                .await
            }
        };
        for (min, days, field) in [
            ("7", "90", "min_length"),
            ("65", "90", "min_length"),
            ("twelve", "90", "min_length"),
            ("12", "29", "lifetime_days"),
            ("12", "366", "lifetime_days"),
            ("12", "", "lifetime_days"),
        ] {
            let err = save(min, days).await.error();
            assert_eq!(
                err.problem_for(field),
                Some(&Problem::OutOfRange),
                "{min} {days}"
            );
        }
        save("64", "0").await.ok();
        save("20", "365").await.ok();
        let m = merchant::Entity::find()
            .filter(merchant::Column::Pspid.eq("shop"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((m.password_min_length, m.password_lifetime_days), (20, 365));
        let policy = audits(&app, "users.password_policy").await;
        assert_eq!(
            policy[0].detail,
            "password_min_length: 12 → 64; password_lifetime_days: 90 → 0"
        );
        assert_eq!(
            policy[1].detail,
            "password_min_length: 64 → 20; password_lifetime_days: 0 → 365"
        );
        // The new minimum applies to the next password.
        let id = id_of(&app, &admin, "operator").await;
        act(&app, &admin, "users/send_password", id).await.ok();
        let token = token_of(&app, &mail_to(&app, "operator@shop.example").await);
        let err = set_password(&app, &token, "Quiet-River-2026!")
            .await
            .error();
        assert!(matches!(
            err.problem_for("new_password"),
            Some(Problem::Policy(rules)) if rules.contains(&domain::PasswordRule::MinLength(20))
        ));

        app.call(
            "users/require_two_factor",
            &[("required", "on")],
            Some(&admin),
        )
        .await
        .ok();
        assert!(overview(&app, &admin).await.require_two_factor);
        app.call("users/require_two_factor", &[], Some(&admin))
            .await
            .ok();
        let required = audits(&app, "users.require_two_factor").await;
        assert_eq!(required.len(), 2);
        assert_eq!(required[0].detail, "require_two_factor: false → true");
        assert_eq!(required[1].detail, "require_two_factor: true → false");
    }
);
