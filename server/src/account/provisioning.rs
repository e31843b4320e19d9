//! Creating merchants and users (the CLI, the demo seeding, Admins on the Users page),
//! with the same password rules as the pages: the policy of a merchant and the
//! generated passwords; and the mail carrying a link to choose a password, for a new
//! user, a forgotten password or one an Admin sends.

use crate::entities::{merchant, password_reset_token, user};
use crate::platform::config::Config;
use crate::platform::sessions::is_unique_violation;
use crate::platform::{crypto, mail};
use app::i18n::T;
use chrono::{Duration, Utc};
use domain::{normalize_login, Environment, Lang, PasswordContext, PasswordPolicy, Role};
use rand::seq::SliceRandom;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, Set,
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

/// Creates a merchant with the default settings.
pub async fn create_merchant<C: ConnectionTrait>(
    conn: &C,
    new: NewMerchant,
) -> Result<merchant::Model, ProvisionError> {
    insert_merchant(conn, new, None).await
}

/// Creates, through `conn` (the caller's transaction), the PRODUCTION copy of the TEST
/// merchant `test` under `pspid` (MB-18): its company details, time zone, payment-page
/// languages, general conditions, currencies, retention, payment settings, sign-in
/// rules, download format and webhook event types. Not copied, so at their defaults:
/// subscription and options, VAT number, invoicing, and what lives in other tables
/// (users, API keys, webhook endpoints and key, terminals, payments). `Exists` when the
/// PSPID is taken in PRODUCTION.
pub async fn create_production_copy<C: ConnectionTrait>(
    conn: &C,
    test: &merchant::Model,
    pspid: &str,
) -> Result<merchant::Model, ProvisionError> {
    let new = NewMerchant {
        pspid: pspid.to_owned(),
        environment: Environment::Production,
        commercial_name: test.commercial_name.clone(),
        legal_name: test.legal_name.clone(),
        email: test.email.clone(),
        time_zone: test.default_time_zone.clone(),
    };
    insert_merchant(conn, new, Some(test)).await
}

/// The one place a merchant row is written: `new` with the default settings, or those
/// [`create_production_copy`] takes over from `copied`.
async fn insert_merchant<C: ConnectionTrait>(
    conn: &C,
    new: NewMerchant,
    copied: Option<&merchant::Model>,
) -> Result<merchant::Model, ProvisionError> {
    let pspid =
        normalize_login(&new.pspid).map_err(|e| ProvisionError::Invalid(format!("PSPID: {e}")))?;
    let zone = domain::timezone::parse_zone(&new.time_zone)
        .ok_or_else(|| ProvisionError::Invalid(format!("unknown time zone {}", new.time_zone)))?;
    let mut row = merchant::ActiveModel {
        pspid: Set(pspid.clone()),
        environment: Set(new.environment.code().to_owned()),
        legal_name: Set(new.legal_name),
        commercial_name: Set(new.commercial_name),
        email: Set(new.email),
        default_time_zone: Set(zone.name().to_owned()),
        languages: Set(Lang::ALL.map(|l| l.code()).join(",")),
        password_min_length: Set(domain::password::DEFAULT_MIN_LENGTH as i32),
        password_lifetime_days: Set(domain::password::DEFAULT_LIFETIME_DAYS as i32),
        require_two_factor: Set(false),
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
        phone: Set(String::new()),
        address_street: Set(String::new()),
        address_postcode: Set(String::new()),
        address_city: Set(String::new()),
        country: Set(String::new()),
        vat_number: Set(String::new()),
        invoicing_method: Set("email".to_owned()),
        invoicing_email: Set(String::new()),
        invoicing_address: Set(String::new()),
        subscription: Set("test".to_owned()),
        options: Set(String::new()),
        general_conditions_url: Set(String::new()),
        // Every currency until the merchant lists the ones they accept (MB-10).
        currencies: Set(String::new()),
        retention_days: Set(540),
        two_step_allowed: Set(true),
        default_return_url: Set(String::new()),
        session_events: Set(false),
        notification_emails: Set(String::new()),
        ..Default::default()
    };
    if let Some(from) = copied {
        take_over_settings(&mut row, from);
    }
    // A merchant homed in another cluster (PL-4) has its data there, never here.
    let homed_elsewhere = crate::entities::merchant_home::Entity::find_by_id(pspid.to_owned())
        .one(conn)
        .await?;
    if let Some(home) = homed_elsewhere {
        return Err(ProvisionError::Invalid(format!(
            "PSPID {pspid} is homed in the {} cluster",
            home.cluster
        )));
    }
    match row.insert(conn).await {
        Ok(m) => Ok(m),
        Err(e) if is_unique_violation(&e) => Err(ProvisionError::Exists(format!(
            "PSPID {pspid} ({})",
            new.environment
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The settings a production copy takes over from its TEST merchant (MB-18): what the
/// seed does not list as "to configure again". Webhooks stay off: the event types are
/// kept, but endpoints and the signing key are made again in production.
fn take_over_settings(row: &mut merchant::ActiveModel, from: &merchant::Model) {
    let from = from.clone();
    row.phone = Set(from.phone);
    row.address_street = Set(from.address_street);
    row.address_postcode = Set(from.address_postcode);
    row.address_city = Set(from.address_city);
    row.country = Set(from.country);
    row.web_site = Set(from.web_site);
    row.languages = Set(from.languages);
    row.general_conditions_url = Set(from.general_conditions_url);
    row.currencies = Set(from.currencies);
    row.retention_days = Set(from.retention_days);
    row.two_step_allowed = Set(from.two_step_allowed);
    row.default_return_url = Set(from.default_return_url);
    row.session_events = Set(from.session_events);
    row.notification_emails = Set(from.notification_emails);
    row.retry_count = Set(from.retry_count);
    row.capture_procedure = Set(from.capture_procedure);
    row.capture_delay_hours = Set(from.capture_delay_hours);
    row.show_final_page = Set(from.show_final_page);
    row.session_minutes = Set(from.session_minutes);
    row.over_capture_percent = Set(from.over_capture_percent);
    row.password_min_length = Set(from.password_min_length);
    row.password_lifetime_days = Set(from.password_lifetime_days);
    row.require_two_factor = Set(from.require_two_factor);
    row.report_format = Set(from.report_format);
    row.report_columns = Set(from.report_columns);
    row.webhook_events = Set(from.webhook_events);
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
    insert_user(
        db,
        m,
        new_row(&login, new.full_name, new.email, new.role, new.may_refund),
        hash,
        new.primary,
        Lang::En,
    )
    .await
}

/// The columns of a new user an Admin or the CLI names.
struct NewRow<'a> {
    login: &'a str,
    full_name: String,
    email: Option<String>,
    role: Role,
    may_refund: bool,
}

fn new_row(
    login: &str,
    full_name: String,
    email: Option<String>,
    role: Role,
    may_refund: bool,
) -> NewRow<'_> {
    NewRow {
        login,
        full_name,
        email,
        role,
        may_refund,
    }
}

/// Inserts a user of `m` through `conn`: the one place a user row is written. A user
/// starts in the merchant's zone; Admins always have the refund right, Read-only users
/// never.
async fn insert_user<C: ConnectionTrait>(
    conn: &C,
    m: &merchant::Model,
    new: NewRow<'_>,
    hash: String,
    primary: bool,
    language: Lang,
) -> Result<user::Model, ProvisionError> {
    let result = user::ActiveModel {
        merchant_id: Set(m.id),
        login: Set(new.login.to_owned()),
        full_name: Set(new.full_name),
        email: Set(new.email),
        role: Set(new.role.code().to_owned()),
        is_primary: Set(primary),
        active: Set(true),
        password_hash: Set(hash),
        password_changed_at: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        time_zone: Set(m.default_time_zone.clone()),
        auto_dst: Set(true),
        language: Set(language.code().to_owned()),
        created_at: Set(Utc::now()),
        may_refund: Set(refund_right(new.role, new.may_refund)),
        payment_filters: Set(String::new()),
        payment_columns: Set(String::new()),
        ..Default::default()
    }
    .insert(conn)
    .await;
    match result {
        Ok(u) => Ok(u),
        Err(e) if is_unique_violation(&e) => Err(ProvisionError::Exists(format!(
            "user {} of {}",
            new.login, m.pspid
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The stored "may refund" right of a user with `role` who was given `asked`: Admins
/// always have it, Read-only users never (they move no money at all).
pub fn refund_right(role: Role, asked: bool) -> bool {
    match role {
        Role::Admin => true,
        Role::Operator => asked,
        Role::ReadOnly => false,
    }
}

/// A user an Admin creates on the Users page: they choose their password themselves,
/// from the welcome link.
pub struct InvitedUser {
    /// UserID, already normalised.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// The address the link goes to, already checked.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The "may refund" right.
    pub may_refund: bool,
    /// Language of their mails and pages.
    pub language: Lang,
    /// The hash of a random password nobody knows ([`unusable_password`]), made before
    /// the caller's write transaction began: hashing takes tens of milliseconds, which
    /// no write turn should wait for.
    pub unusable_hash: String,
}

/// The hash of a random password nobody knows: an invited account's until its user
/// chooses one from the link.
pub async fn unusable_password() -> String {
    crypto::hash_password(crypto::random_token()).await
}

/// Creates `new` in `m` through `conn` (the caller's transaction) with a random
/// password nobody knows, so the account is unusable until the user follows the link
/// [`mail_password_link`] sends.
pub async fn create_invited_user<C: ConnectionTrait>(
    conn: &C,
    m: &merchant::Model,
    new: InvitedUser,
) -> Result<user::Model, ProvisionError> {
    invite(conn, m, new, false).await
}

/// [`create_invited_user`] for the first user of a new merchant (its production copy's
/// Admin): its main user, whom "PSPID + password" signs in.
pub async fn create_invited_main_user<C: ConnectionTrait>(
    conn: &C,
    m: &merchant::Model,
    new: InvitedUser,
) -> Result<user::Model, ProvisionError> {
    invite(conn, m, new, true).await
}

async fn invite<C: ConnectionTrait>(
    conn: &C,
    m: &merchant::Model,
    new: InvitedUser,
    primary: bool,
) -> Result<user::Model, ProvisionError> {
    let hash = new.unusable_hash;
    let row = new_row(
        &new.login,
        new.full_name,
        Some(new.email),
        new.role,
        new.may_refund,
    );
    insert_user(conn, m, row, hash, primary, new.language).await
}

/// Why a link to choose a password is mailed: its words and how long it works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordLink {
    /// "Forgot password": the user asked for it.
    Forgotten,
    /// "Send new password": an Admin sent it.
    SentByAdmin,
    /// A new user chooses their first password ([`WELCOME_LINK_HOURS`]).
    Welcome,
}

/// How long a new user's link works.
pub const WELCOME_LINK_HOURS: i64 = 72;

/// Stores a single-use token for `u` and queues, through `conn` (the caller's
/// transaction), the mail in `u`'s language with its `/reset-password?token=` link; only
/// the token's SHA-256 is kept. `Ok(false)`, with nothing written, when the user has no
/// e-mail address. The one writer of these mails.
pub async fn mail_password_link<C: ConnectionTrait>(
    conn: &C,
    config: &Config,
    m: &merchant::Model,
    u: &user::Model,
    why: PasswordLink,
) -> Result<bool, DbErr> {
    let Some(email) = u.email.as_deref().filter(|e| !e.trim().is_empty()) else {
        return Ok(false);
    };
    let ttl = match why {
        PasswordLink::Welcome => Duration::hours(WELCOME_LINK_HOURS),
        PasswordLink::Forgotten | PasswordLink::SentByAdmin => {
            Duration::seconds(config.reset_token_ttl_seconds)
        }
    };
    let token = crypto::random_token();
    let now = Utc::now();
    password_reset_token::ActiveModel {
        user_id: Set(u.id),
        token_hash: Set(crypto::token_hash(&token)),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let link = format!("{}/reset-password?token={token}", config.public_url);
    let lang = Lang::parse(&u.language).unwrap_or_default();
    let (subject, body) = match why {
        PasswordLink::Forgotten => (T::ResetMailSubject, T::ResetMailBody),
        PasswordLink::SentByAdmin => (T::NewPasswordMailSubject, T::NewPasswordMailBody),
        PasswordLink::Welcome => (T::WelcomeMailSubject, T::WelcomeMailBody),
    };
    let body = mail_text(body, lang, m, u)
        .replace("{minutes}", &((ttl.num_seconds() + 59) / 60).to_string())
        .replace("{hours}", &((ttl.num_seconds() + 3599) / 3600).to_string())
        .replace("{link}", &link);
    mail::enqueue(conn, Some(m.id), email, subject.text(lang), body).await?;
    Ok(true)
}

/// `text` in `lang` with the user's and merchant's placeholders filled: `{name}` (full
/// name, else login), `{login}`, `{pspid}`, `{env}`.
pub fn mail_text(text: T, lang: Lang, m: &merchant::Model, u: &user::Model) -> String {
    let name = if u.full_name.trim().is_empty() {
        &u.login
    } else {
        &u.full_name
    };
    text.text(lang)
        .replace("{name}", name)
        .replace("{login}", &u.login)
        .replace("{pspid}", &m.pspid)
        .replace("{env}", &m.environment)
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
