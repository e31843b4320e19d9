//! The demo portal's people (SP-1): an agent and three customers in two organizations,
//! created active so the portal can be tried at once; seeding again leaves them alone
//! unless a new password is given.

use super::organizations::{join, organization_named};
use super::status;
use crate::account::service::internal;
use crate::entities::support_user;
use crate::platform::crypto;
use crate::platform::db::BeginWrite;
use app::error::{AppError, FieldError, Problem};
use chrono::Utc;
use domain::password::{PasswordContext, PasswordPolicy};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};

/// The demo portal's people: (e-mail, full name, organization, agent).
pub const DEMO_PEOPLE: [(&str, &str, Option<&str>, bool); 4] = [
    ("agent@openpsp.test", "Agnes Agent", None, true),
    (
        "alice@demo-retail.test",
        "Alice Martin",
        Some("Demo Retail"),
        false,
    ),
    (
        "bob@demo-retail.test",
        "Bob Dupont",
        Some("Demo Retail"),
        false,
    ),
    (
        "carol@other-corp.test",
        "Carol Rossi",
        Some("Other Corp"),
        false,
    ),
];

/// Creates the demo portal's people, active, with `password` (else a generated one).
/// Idempotent: an existing person is left alone unless a password is given, which
/// replaces theirs. Returns (e-mail, password) of those created or reset, and the
/// e-mails left as they were.
pub async fn seed_demo_people(
    db: &DatabaseConnection,
    password: Option<&str>,
) -> Result<(Vec<(String, String)>, Vec<String>), AppError> {
    let (mut set, mut unchanged) = (Vec::new(), Vec::new());
    for (email, name, organization, agent) in DEMO_PEOPLE {
        let existing = support_user::Entity::find()
            .filter(support_user::Column::Email.eq(email))
            .one(db)
            .await
            .map_err(internal)?;
        if existing.is_some() && password.is_none() {
            unchanged.push(email.to_owned());
            continue;
        }
        let context = PasswordContext {
            store_names: organization.map(str::to_owned).into_iter().collect(),
            logins: vec![email.split('@').next().unwrap_or("").to_owned()],
        };
        let chosen = match password {
            Some(pw) => {
                PasswordPolicy::default()
                    .validate(pw, &context)
                    .map_err(|failed| {
                        AppError::Invalid(vec![FieldError::new(
                            "password",
                            Problem::Policy(failed),
                        )])
                    })?;
                pw.to_owned()
            }
            None => crate::account::provisioning::generate_password(&context),
        };
        let hash = crypto::hash_password(chosen.clone()).await;
        let now = Utc::now();
        let txn = db.begin_write().await.map_err(internal)?;
        let user = match existing {
            Some(u) => {
                let mut active = u.into_active_model();
                active.password_hash = Set(Some(hash));
                active.failed_logins = Set(0);
                active.locked_until = Set(None);
                active.update(&txn).await.map_err(internal)?
            }
            None => support_user::ActiveModel {
                email: Set(email.to_owned()),
                full_name: Set(name.to_owned()),
                password_hash: Set(Some(hash)),
                is_agent: Set(agent),
                status: Set(status::ACTIVE.to_owned()),
                notify_email: Set(true),
                failed_logins: Set(0),
                locked_until: Set(None),
                invited_by: Set("seed-demo".to_owned()),
                created_at: Set(now),
                activated_at: Set(Some(now)),
                last_login_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(internal)?,
        };
        if let Some(org) = organization {
            let org = organization_named(&txn, org).await.map_err(internal)?;
            join(&txn, user.id, org.id).await.map_err(internal)?;
        }
        txn.commit().await.map_err(internal)?;
        set.push((email.to_owned(), chosen));
    }
    Ok((set, unchanged))
}
