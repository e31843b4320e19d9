//! Creating merchants and users (the CLI, the demo seeding), with the same password
//! rules as the pages: the policy of a merchant and the generated passwords.

use crate::entities::{merchant, user};
use crate::platform::crypto;
use crate::platform::sessions::is_unique_violation;
use chrono::Utc;
use domain::{normalize_login, Environment, Lang, PasswordContext, PasswordPolicy, Role};
use rand::seq::SliceRandom;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

/// Why provisioning failed, in words for the command line.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// Input refused.
    #[error("{0}")]
    Invalid(String),
    /// Already there.
    #[error("{0} already exists")]
    Exists(String),
    /// Not found.
    #[error("{0} not found")]
    NotFound(String),
    /// Database failure.
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

/// A merchant to create.
pub struct NewMerchant {
    /// PSPID.
    pub pspid: String,
    /// TEST or PRODUCTION.
    pub environment: Environment,
    /// Commercial name shown to customers.
    pub commercial_name: String,
    /// Legal name.
    pub legal_name: String,
    /// Contact e-mail.
    pub email: String,
    /// Default zone of its users.
    pub time_zone: String,
}

/// Creates a merchant.
pub async fn create_merchant(
    db: &DatabaseConnection,
    new: NewMerchant,
) -> Result<merchant::Model, ProvisionError> {
    let pspid =
        normalize_login(&new.pspid).map_err(|e| ProvisionError::Invalid(format!("PSPID: {e}")))?;
    let zone = domain::timezone::parse_zone(&new.time_zone)
        .ok_or_else(|| ProvisionError::Invalid(format!("unknown time zone {}", new.time_zone)))?;
    let result = merchant::ActiveModel {
        pspid: Set(pspid.clone()),
        environment: Set(new.environment.code().to_owned()),
        legal_name: Set(new.legal_name),
        commercial_name: Set(new.commercial_name),
        email: Set(new.email),
        default_time_zone: Set(zone.name().to_owned()),
        languages: Set(Lang::ALL.map(|l| l.code()).join(",")),
        password_min_length: Set(domain::password::DEFAULT_MIN_LENGTH as i32),
        created_at: Set(Utc::now()),
        // Every column is given: SQLite's RETURNING has been seen to read columns added
        // by a later migration as missing when the insert left them to their default.
        retry_count: Set(3),
        capture_procedure: Set("immediate".to_owned()),
        capture_delay_hours: Set(0),
        show_final_page: Set(true),
        session_minutes: Set(30),
        over_capture_percent: Set(0),
        webhooks_enabled: Set(false),
        webhook_events: Set(String::new()),
        webhook_key_id: Set(None),
        webhook_secret_enc: Set(None),
        web_site: Set(String::new()),
        report_format: Set("csv".to_owned()),
        report_columns: Set(String::new()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match result {
        Ok(m) => Ok(m),
        Err(e) if is_unique_violation(&e) => Err(ProvisionError::Exists(format!(
            "PSPID {pspid} ({})",
            new.environment
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Finds a merchant by PSPID and environment.
pub async fn find_merchant(
    db: &DatabaseConnection,
    pspid: &str,
    environment: Environment,
) -> Result<merchant::Model, ProvisionError> {
    let pspid =
        normalize_login(pspid).map_err(|e| ProvisionError::Invalid(format!("PSPID: {e}")))?;
    merchant::Entity::find()
        .filter(merchant::Column::Pspid.eq(pspid.as_str()))
        .filter(merchant::Column::Environment.eq(environment.code()))
        .one(db)
        .await?
        .ok_or_else(|| ProvisionError::NotFound(format!("PSPID {pspid} ({environment})")))
}

/// A user to create.
pub struct NewUser {
    /// UserID.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Recovery e-mail.
    pub email: Option<String>,
    /// Role.
    pub role: Role,
    /// Whether "PSPID + password" logs in as this user.
    pub primary: bool,
    /// Initial password (checked against the merchant's policy).
    pub password: String,
    /// The "may refund" right (Admins always have it).
    pub may_refund: bool,
}

/// The password policy of a merchant and the names a password must not contain: its
/// PSPID and company names and every user's login, plus `extra_login` for a user about
/// to be created. The one place these names are gathered.
pub async fn policy_for(
    db: &DatabaseConnection,
    m: &merchant::Model,
    extra_login: Option<&str>,
) -> Result<(PasswordPolicy, PasswordContext), DbErr> {
    let mut logins: Vec<String> = user::Entity::find()
        .filter(user::Column::MerchantId.eq(m.id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.login)
        .collect();
    logins.extend(extra_login.map(str::to_owned));
    let store_names = [&m.pspid, &m.legal_name, &m.commercial_name]
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .collect();
    Ok((
        PasswordPolicy::with_min_length(m.password_min_length.max(0) as usize),
        PasswordContext {
            store_names,
            logins,
        },
    ))
}

/// Creates a user of `m`.
pub async fn create_user(
    db: &DatabaseConnection,
    m: &merchant::Model,
    new: NewUser,
) -> Result<user::Model, ProvisionError> {
    let login =
        normalize_login(&new.login).map_err(|e| ProvisionError::Invalid(format!("login: {e}")))?;
    if let Some(email) = &new.email {
        if !email.contains('@') || email.trim() != email {
            return Err(ProvisionError::Invalid(format!(
                "not an e-mail address: {email}"
            )));
        }
    }
    let (policy, context) = policy_for(db, m, Some(&login)).await?;
    policy.validate(&new.password, &context).map_err(|failed| {
        ProvisionError::Invalid(format!("password breaks the policy: {failed:?}"))
    })?;
    let hash = crypto::hash_password(new.password).await;
    let result = user::ActiveModel {
        merchant_id: Set(m.id),
        login: Set(login.clone()),
        full_name: Set(new.full_name),
        email: Set(new.email),
        role: Set(new.role.code().to_owned()),
        is_primary: Set(new.primary),
        active: Set(true),
        password_hash: Set(hash),
        password_changed_at: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        time_zone: Set(m.default_time_zone.clone()),
        auto_dst: Set(true),
        language: Set(Lang::En.code().to_owned()),
        created_at: Set(Utc::now()),
        may_refund: Set(new.may_refund || new.role == Role::Admin),
        payment_filters: Set(String::new()),
        payment_columns: Set(String::new()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match result {
        Ok(u) => Ok(u),
        Err(e) if is_unique_violation(&e) => Err(ProvisionError::Exists(format!(
            "user {login} of {}",
            m.pspid
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A random password that satisfies the default policy for any names: 18 characters of
/// every class, from an alphabet without look-alikes.
pub fn generate_password(context: &PasswordContext) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"!#+=?*";
    let mut rng = rand::thread_rng();
    loop {
        let mut chars: Vec<u8> = Vec::with_capacity(18);
        for (set, n) in [(UPPER, 5), (LOWER, 7), (DIGIT, 4), (SPECIAL, 2)] {
            for _ in 0..n {
                chars.push(set[rng.gen_range(0..set.len())]);
            }
        }
        chars.shuffle(&mut rng);
        let candidate = String::from_utf8(chars).expect("ASCII alphabet");
        if PasswordPolicy::default()
            .validate(&candidate, context)
            .is_ok()
        {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_pass_the_policy_and_avoid_names() {
        let ctx = PasswordContext {
            store_names: vec!["demo".into()],
            logins: vec!["admin".into(), "operator".into(), "viewer".into()],
        };
        for _ in 0..200 {
            let pw = generate_password(&ctx);
            assert_eq!(pw.len(), 18);
            assert!(
                PasswordPolicy::default().validate(&pw, &ctx).is_ok(),
                "{pw:?}"
            );
        }
    }
}
