//! Create production account (MB-18): an Admin of a TEST account copies it to a new
//! PRODUCTION PSPID. What the seed says is transferred is equal in both merchants, what
//! it lists as "to configure again" is at its defaults; the production Admin is the only
//! user, chooses a password from the mailed link and signs in to production; a taken
//! PSPID, a bad UserID or address is refused next to its field; Operators, Read-only
//! users and production Admins are refused; the TEST account goes on working.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, FnResponse, TestApp, PASSWORD};
use app::account::Me;
use app::error::{AppError, Problem};
use app::production::{ProductionCreated, ProductionDefaults, CONFIGURE_AGAIN, COPIED};
use domain::{Environment, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use server::entities::{api_key, audit_log, email_outbox, merchant, user, webhook_endpoint};

/// The password the production Admin chooses.
const LIVE_PASSWORD: &str = "Quiet-River-2026!";

async fn merchant_of(app: &TestApp, pspid: &str, env: Environment) -> merchant::Model {
    merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid))
        .filter(merchant::Column::Environment.eq(env.code()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("merchant {pspid} in {env:?}"))
}

/// The TEST merchant `shop` with every setting away from its default.
async fn configured_shop(app: &TestApp) -> merchant::Model {
    app.merchant("shop").await;
    let mut m = merchant_of(app, "shop", Environment::Test)
        .await
        .into_active_model();
    m.legal_name = Set("Shop Holding SA".into());
    m.commercial_name = Set("Shop & Co".into());
    m.email = Set("contact@shop.example".into());
    m.phone = Set("+32 2 123 45 67".into());
    m.address_street = Set("Rue du Commerce 1".into());
    m.address_postcode = Set("1000".into());
    m.address_city = Set("Bruxelles".into());
    m.country = Set("BE".into());
    m.web_site = Set("https://shop.example".into());
    m.default_time_zone = Set("America/New_York".into());
    m.languages = Set("fr,nl".into());
    m.general_conditions_url = Set("https://shop.example/terms".into());
    m.currencies = Set("EUR,USD".into());
    m.retention_days = Set(90);
    m.capture_procedure = Set("delayed".into());
    m.capture_delay_hours = Set(48);
    m.retry_count = Set(5);
    m.show_final_page = Set(false);
    m.session_minutes = Set(45);
    m.over_capture_percent = Set(15);
    m.password_min_length = Set(14);
    m.password_lifetime_days = Set(180);
    m.report_format = Set("xlsx".into());
    m.report_columns = Set("id,amount,status".into());
    m.vat_number = Set("BE0123456749".into());
    m.invoicing_method = Set("post".into());
    m.invoicing_email = Set("billing@shop.example".into());
    m.invoicing_address = Set("Rue du Commerce 1, 1000 Bruxelles".into());
    m.subscription = Set("professional".into());
    m.options = Set("fraud,aliases".into());
    m.update(&app.db).await.unwrap()
}

async fn create(app: &TestApp, cookie: &str, pspid: &str, login: &str, email: &str) -> FnResponse {
    app.call(
        "production/create",
        &[("pspid", pspid), ("login", login), ("email", email)],
        Some(cookie),
    )
    .await
}

/// The newest mail to `to`.
async fn mail_to(app: &TestApp, to: &str) -> email_outbox::Model {
    email_outbox::Entity::find()
        .filter(email_outbox::Column::ToAddress.eq(to))
        .order_by_desc(email_outbox::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("a mail to {to}"))
}

/// The token of the set-password link in `mail`.
fn token_of(app: &TestApp, mail: &email_outbox::Model) -> String {
    let link = mail
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/reset-password?token="))
        .unwrap_or_else(|| panic!("a link in {}", mail.body_text));
    assert!(link.starts_with(&app.config.public_url), "{link}");
    link.split("token=").nth(1).unwrap().to_owned()
}

async fn set_password(app: &TestApp, token: &str, password: &str) -> FnResponse {
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

/// "PSPID + password" on the production sign-in.
async fn login_production(app: &TestApp, pspid: &str, password: &str) -> FnResponse {
    app.call(
        "login",
        &[
            ("mode", "pspid"),
            ("env", "production"),
            ("pspid", pspid),
            ("password", password),
        ],
        None,
    )
    .await
}

async fn me(app: &TestApp, cookie: &str) -> Me {
    let res = app.call("me", &[], Some(cookie)).await;
    serde_json::from_str(&res.ok().body).unwrap()
}

/// Creates `shop-live` for `shop`'s Admin, sets its Admin's password from the mail and
/// signs in to production: the production Admin's session.
async fn live_admin_session(app: &TestApp, admin: &str) -> String {
    create(app, admin, "shop-live", "admin", "owner@shop.example")
        .await
        .ok();
    let token = token_of(app, &mail_to(app, "owner@shop.example").await);
    set_password(app, &token, LIVE_PASSWORD).await.ok();
    let res = login_production(app, "shop-live", LIVE_PASSWORD).await;
    res.ok();
    res.session_cookie.clone().expect("a production session")
}

both_backends!(
    an_admin_of_test_creates_the_production_account_whose_admin_signs_in,
    &[("OPENPSP_WEBHOOK_ALLOW_PRIVATE", "on")],
    |app: TestApp| async move {
        let test = configured_shop(&app).await;
        let admin = app.session("shop", "admin").await;
        // What is not copied exists in TEST: an API key, webhooks with a key and an
        // endpoint, several users.
        app.call(
            "config/create_api_key",
            &[("name", "shop key")],
            Some(&admin),
        )
        .await
        .ok();
        app.call(
            "config/save_webhooks",
            &[
                ("enabled", "true"),
                ("events", "payment.created,payment.refunded"),
            ],
            Some(&admin),
        )
        .await
        .ok();
        app.call(
            "config/add_endpoint",
            &[("url", "http://127.0.0.1:9/shop-hook")],
            Some(&admin),
        )
        .await
        .ok();
        let test = merchant::Entity::find_by_id(test.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(test.webhooks_enabled && test.webhook_key_id.is_some());

        // The form starts from the TEST PSPID and the Admin's UserID and address.
        let res = app.call("production/defaults", &[], Some(&admin)).await;
        let defaults: ProductionDefaults = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(
            defaults,
            ProductionDefaults {
                test_pspid: "shop".into(),
                login: "admin".into(),
                email: "admin@shop.example".into(),
            }
        );

        let res = create(&app, &admin, " Shop-Live ", "Admin", "owner@shop.example").await;
        let created: ProductionCreated = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(created.pspid, "shop-live", "PSPIDs are normalised");
        assert_eq!(created.login, "admin");
        assert_eq!(created.email, "owner@shop.example");
        assert_eq!(created.copied, COPIED.to_vec());
        assert_eq!(created.configure_again, CONFIGURE_AGAIN.to_vec());

        // Copied: equal in both merchants.
        let live = merchant_of(&app, "shop-live", Environment::Production).await;
        assert_ne!(live.id, test.id);
        let copied = |m: &merchant::Model| {
            (
                (
                    m.legal_name.clone(),
                    m.commercial_name.clone(),
                    m.email.clone(),
                    m.phone.clone(),
                    m.address_street.clone(),
                    m.address_postcode.clone(),
                    m.address_city.clone(),
                    m.country.clone(),
                    m.web_site.clone(),
                ),
                (
                    m.default_time_zone.clone(),
                    m.languages.clone(),
                    m.general_conditions_url.clone(),
                    m.currencies.clone(),
                    m.retention_days,
                ),
                (
                    m.capture_procedure.clone(),
                    m.capture_delay_hours,
                    m.retry_count,
                    m.show_final_page,
                    m.session_minutes,
                    m.over_capture_percent,
                ),
                (
                    m.password_min_length,
                    m.password_lifetime_days,
                    m.require_two_factor,
                    m.report_format.clone(),
                    m.report_columns.clone(),
                    m.webhook_events.clone(),
                ),
            )
        };
        assert_eq!(copied(&live), copied(&test));
        assert_eq!(live.default_time_zone, "America/New_York");
        assert_eq!(live.currencies, "EUR,USD");
        assert_eq!(live.webhook_events, test.webhook_events);
        assert!(live.webhook_events.contains("payment.refunded"));

        // Not copied: at their defaults.
        assert_eq!(live.environment, "PRODUCTION");
        assert_eq!(live.vat_number, "");
        assert_eq!(live.invoicing_method, "email");
        assert_eq!(live.invoicing_email, "");
        assert_eq!(live.invoicing_address, "");
        assert_eq!(live.subscription, "test");
        assert_eq!(live.options, "");
        assert!(!live.webhooks_enabled);
        assert_eq!(live.webhook_key_id, None);
        assert_eq!(live.webhook_secret_enc, None);
        let keys = api_key::Entity::find()
            .filter(api_key::Column::MerchantId.eq(live.id))
            .count(&app.db)
            .await
            .unwrap();
        let endpoints = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::MerchantId.eq(live.id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!((keys, endpoints), (0, 0));

        // Users: only the new Admin, the main user, in the TEST Admin's language.
        let users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(live.id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(users.len(), 1, "{users:?}");
        let live_admin = &users[0];
        assert_eq!(live_admin.login, "admin");
        assert_eq!(live_admin.role, Role::Admin.code());
        assert!(live_admin.is_primary && live_admin.active && live_admin.may_refund);
        assert_eq!(live_admin.email.as_deref(), Some("owner@shop.example"));
        assert_eq!(live_admin.time_zone, "America/New_York");

        // One audit row in each merchant.
        for (merchant_id, actor) in [(test.id, "admin"), (live.id, "admin (TEST shop)")] {
            let rows = audit_log::Entity::find()
                .filter(audit_log::Column::MerchantId.eq(merchant_id))
                .filter(audit_log::Column::Action.eq("account.production_created"))
                .all(&app.db)
                .await
                .unwrap();
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].actor, actor);
            assert!(rows[0].detail.contains("shop-live") || merchant_id == live.id);
            assert!(rows[0].detail.contains("owner@shop.example"), "{rows:?}");
        }

        // The password nobody knows does not sign in; the mailed link sets one.
        let mail = mail_to(&app, "owner@shop.example").await;
        assert!(
            mail.body_text.contains("PSPID shop-live (PRODUCTION)"),
            "{}",
            mail.body_text
        );
        assert!(!mail.body_text.contains(PASSWORD));
        let token = token_of(&app, &mail);
        assert_eq!(
            login_production(&app, "shop-live", PASSWORD).await.error(),
            AppError::InvalidCredentials
        );
        set_password(&app, &token, LIVE_PASSWORD).await.ok();
        let res = login_production(&app, "shop-live", LIVE_PASSWORD).await;
        res.ok();
        let live_session = res.session_cookie.clone().expect("a production session");
        let live_me = me(&app, &live_session).await;
        assert_eq!(live_me.pspid, "shop-live");
        assert_eq!(live_me.environment, Environment::Production);
        assert_eq!(live_me.role, Role::Admin);
        // The same PSPID and password do not open TEST.
        let res = app.login_pspid("shop-live", LIVE_PASSWORD).await;
        assert_eq!(res.error(), AppError::InvalidCredentials);

        // The TEST account goes on: the open session and a new sign-in.
        let still = me(&app, &admin).await;
        assert_eq!(
            (still.pspid.as_str(), still.environment),
            ("shop", Environment::Test)
        );
        let again = app.session("shop", "admin").await;
        assert_eq!(me(&app, &again).await.pspid, "shop");
        let test_users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(test.id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(test_users, 2, "TEST keeps its users");
    }
);

both_backends!(
    a_taken_pspid_a_bad_userid_or_address_is_refused_next_to_its_field,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let admin = app.session("shop", "admin").await;
        create(&app, &admin, "shop-live", "admin", "owner@shop.example")
            .await
            .ok();
        let productions = || async {
            merchant::Entity::find()
                .filter(merchant::Column::Environment.eq("PRODUCTION"))
                .count(&app.db)
                .await
                .unwrap()
        };
        assert_eq!(productions().await, 1);

        // The same PSPID, however typed, is taken in PRODUCTION.
        for pspid in ["shop-live", " SHOP-LIVE "] {
            let err = create(&app, &admin, pspid, "boss", "boss@shop.example")
                .await
                .error();
            assert_eq!(
                err.problem_for("pspid"),
                Some(&Problem::PspidTaken),
                "{err:?}"
            );
        }
        // Each problem next to its field, all at once.
        let err = create(&app, &admin, "two words", "a b", "not-an-address")
            .await
            .error();
        assert_eq!(err.problem_for("pspid"), Some(&Problem::InvalidLogin));
        assert_eq!(err.problem_for("login"), Some(&Problem::InvalidLogin));
        assert_eq!(err.problem_for("email"), Some(&Problem::InvalidEmail));
        let err = create(&app, &admin, " ", "", "").await.error();
        assert_eq!(err.problem_for("pspid"), Some(&Problem::Required));
        assert_eq!(err.problem_for("login"), Some(&Problem::Required));
        assert_eq!(err.problem_for("email"), Some(&Problem::Required));
        assert_eq!(productions().await, 1, "nothing created by a refusal");
        let mails = email_outbox::Entity::find()
            .filter(email_outbox::Column::ToAddress.eq("boss@shop.example"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(mails, 0);

        // PSPIDs are unique per environment: the TEST one is free in PRODUCTION.
        let res = create(&app, &admin, "shop", "admin", "owner@shop.example").await;
        let created: ProductionCreated = serde_json::from_str(&res.ok().body).unwrap();
        assert_eq!(created.pspid, "shop");
        assert_eq!(productions().await, 2);
        merchant_of(&app, "shop", Environment::Test).await;
    }
);

both_backends!(
    only_admins_of_test_accounts_create_production_accounts,
    &[],
    |app: TestApp| async move {
        app.merchant("shop").await;
        let operator = app.session("shop", "operator").await;
        let reader = app.user_session("shop", "reader", Role::ReadOnly).await;
        for cookie in [&operator, &reader] {
            let res = app.call("production/defaults", &[], Some(cookie)).await;
            assert_eq!(res.error(), AppError::Forbidden);
            let res = create(&app, cookie, "shop-live", "admin", "owner@shop.example").await;
            assert_eq!(res.error(), AppError::Forbidden);
        }
        let res = create(&app, "", "shop-live", "admin", "owner@shop.example").await;
        assert_eq!(res.error(), AppError::Unauthenticated);
        let count = merchant::Entity::find()
            .filter(merchant::Column::Environment.eq("PRODUCTION"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(count, 0, "nothing created by a refusal");

        // A production account's Admin has nothing to copy to production.
        let admin = app.session("shop", "admin").await;
        let live = live_admin_session(&app, &admin).await;
        let res = app.call("production/defaults", &[], Some(&live)).await;
        assert_eq!(res.error(), AppError::Forbidden);
        let res = create(&app, &live, "shop-live-2", "admin", "owner@shop.example").await;
        assert_eq!(res.error(), AppError::Forbidden);
        let count = merchant::Entity::find()
            .filter(merchant::Column::Environment.eq("PRODUCTION"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(count, 1);

        // An Admin demoted since signing in is refused on the fresh read.
        let second = app.user_session("shop", "second", Role::Admin).await;
        let mut row = user::Entity::find()
            .filter(user::Column::Login.eq("second"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into_active_model();
        row.role = Set(Role::Operator.code().to_owned());
        row.update(&app.db).await.unwrap();
        let res = create(&app, &second, "shop-live-3", "admin", "owner@shop.example").await;
        assert!(matches!(res.error(), AppError::Forbidden), "{}", res.body);
    }
);
