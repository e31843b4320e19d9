//! The demo account that `seed-demo` creates: TEST merchant `demo` with its users,
//! technical messages, a bound card terminal, a year of payments (`payments`), and the
//! support portal's demo people, tickets, status page and announcement.

pub mod payments;

use crate::account::provisioning::{
    create_merchant, create_user, find_merchant, generate_password, policy_for, NewMerchant,
    NewUser, ProvisionError,
};
use crate::entities::{technical_message, user};
use crate::platform::crypto;
use chrono::{Duration, Utc};
use domain::{Environment, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

/// What `seed-demo` did.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Users created or given the demo password, with the password.
    pub passwords: Vec<(String, String)>,
    /// Users left as they were.
    pub unchanged: Vec<String>,
    /// Demo payments written (none when the merchant had payments already).
    pub payments: usize,
}

/// The demo account: TEST merchant `demo` with users `admin`, `operator` and `viewer`,
/// two technical messages and a year of payments. Idempotent: running it again creates nothing twice; with
/// `password` set, every demo user gets that password.
/// The demo merchant's card terminal (the simulator's default id).
pub const DEMO_TERMINAL: &str = "T1000001";

pub async fn seed_demo(
    db: &DatabaseConnection,
    password: Option<String>,
    support_project_key: &str,
) -> Result<SeedReport, ProvisionError> {
    let m = match find_merchant(db, "demo", Environment::Test).await {
        Ok(m) => m,
        Err(ProvisionError::NotFound(_)) => {
            create_merchant(
                db,
                NewMerchant {
                    pspid: "demo".into(),
                    environment: Environment::Test,
                    commercial_name: "Demo Shop".into(),
                    legal_name: String::new(),
                    email: String::new(),
                    time_zone: domain::timezone::DEFAULT_ZONE.into(),
                },
            )
            .await?
        }
        Err(e) => return Err(e),
    };
    let mut report = SeedReport::default();
    let people = [
        (
            "admin",
            "Alice Admin",
            Some("admin@demo.example"),
            Role::Admin,
            true,
        ),
        (
            "operator",
            "Oscar Operator",
            Some("operator@demo.example"),
            Role::Operator,
            false,
        ),
        ("viewer", "Vera Viewer", None, Role::ReadOnly, false),
    ];
    for (login, name, email, role, primary) in people {
        let existing = user::Entity::find()
            .filter(user::Column::MerchantId.eq(m.id))
            .filter(user::Column::Login.eq(login))
            .one(db)
            .await?;
        let (policy, context) = policy_for(db, &m, Some(login)).await?;
        match (existing, &password) {
            (Some(u), Some(pw)) => {
                policy.validate(pw, &context).map_err(|f| {
                    ProvisionError::Invalid(format!(
                        "OPENPSP_DEMO_PASSWORD breaks the policy: {f:?}"
                    ))
                })?;
                let mut active: user::ActiveModel = u.into();
                active.password_hash = Set(crypto::hash_password(pw.clone()).await);
                active.failed_logins = Set(0);
                active.locked_until = Set(None);
                active.update(db).await?;
                report.passwords.push((login.into(), pw.clone()));
            }
            (Some(_), None) => report.unchanged.push(login.into()),
            (None, _) => {
                let pw = password
                    .clone()
                    .unwrap_or_else(|| generate_password(&context));
                create_user(
                    db,
                    &m,
                    NewUser {
                        login: login.into(),
                        full_name: name.into(),
                        email: email.map(str::to_owned),
                        role,
                        primary,
                        password: pw.clone(),
                        may_refund: role != Role::ReadOnly,
                    },
                )
                .await?;
                report.passwords.push((login.into(), pw));
            }
        }
    }
    // The terminal `openpsp terminal-sim` plays by default, bound to the demo merchant
    // so the point of sale works as soon as the simulator runs.
    crate::entities::terminal::Entity::insert(crate::entities::terminal::ActiveModel {
        terminal_id: Set(DEMO_TERMINAL.into()),
        merchant_id: Set(Some(m.id)),
        model: Set("Lane/5000".into()),
        connected: Set(false),
        peer: Set(String::new()),
        last_seen: Set(None),
        bound_at: Set(Some(Utc::now())),
        // Paired from this machine: the simulator connects to 127.0.0.1 by default.
        bound_address: Set(Some("127.0.0.1".into())),
        bound_prefix: Set(Some(32)),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([crate::entities::terminal::Column::TerminalId])
    .exec(db)
    .await?;
    if technical_message::Entity::find().count(db).await? == 0 {
        let now = Utc::now();
        for (severity, title, body, published, expires) in [
            (
                "maintenance",
                "Planned maintenance of the TEST platform",
                "The TEST environment will be unavailable for up to 30 minutes during the next Sunday maintenance window (02:00–02:30 CET). Production is not affected.",
                now - Duration::hours(2),
                Some(now + Duration::days(14)),
            ),
            (
                "info",
                "Welcome to OpenPSP",
                "Your TEST account is ready. Replace the initial passwords, complete the company details, then create an API key to connect your shop.",
                now - Duration::days(1),
                None,
            ),
        ] {
            technical_message::ActiveModel {
                environment: Set(None),
                severity: Set(severity.into()),
                title: Set(title.into()),
                body: Set(body.into()),
                published_at: Set(published),
                expires_at: Set(expires),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    crate::support::tickets::catalogue::ensure_catalogue(db).await?;
    // The support portal's demo people (SP-1).
    let (set, unchanged) =
        crate::support::accounts::demo::seed_demo_people(db, password.as_deref())
            .await
            .map_err(|e| ProvisionError::Invalid(format!("support demo people: {e:?}")))?;
    report.passwords.extend(set);
    report.unchanged.extend(unchanged);
    crate::support::tickets::demo::seed_demo_tickets(db, support_project_key).await?;
    crate::support::status::seed_demo_status(db).await?;
    crate::support::knowledge::ensure_articles(db).await?;
    crate::support::knowledge::seed_demo_announcement(db).await?;
    crate::paylinks::demo::seed_demo_links(db, &m).await?;
    report.payments = payments::seed_year(db, &m, Utc::now()).await?;
    Ok(report)
}
