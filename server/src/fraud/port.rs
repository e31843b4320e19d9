//! Advanced → Fraud detection (MB-19): `app::fraud::FraudPort` over the `fraud_rules`
//! table. Admins only, re-read with every call; every query is the actor's merchant's;
//! adding and deleting a rule write their audit rows in the same transaction. A card to
//! block is kept only as its keyed fingerprint, shown masked 6+4.

use super::rules::{entry, rows};
use super::screen::{fingerprint, screen, Attempt};
use crate::account::service::{internal, load_admin, zone_of};
use crate::entities::{fraud_rule, merchant, user};
use crate::platform::audit::{self, changes, AuditEntry};
use crate::platform::config::Config;
use crate::platform::db::BeginWrite;
use app::account::Actor;
use app::error::{AppError, FieldError, Problem};
use app::fraud::{
    read_rule, FraudPage, FraudPort, FraudRuleRow, NewRuleForm, TestForm, TestResult, TypedRule,
};
use chrono::Utc;
use domain::fraud::{card_country, IpCountry, Rule, MAX_RULES};
use domain::money::{Currency, Money};
use domain::ZonePreference;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, PaginatorTrait,
    QueryFilter, Set,
};
use std::sync::Arc;

/// The port's implementation.
pub struct FraudService {
    db: DatabaseConnection,
    config: Arc<Config>,
}

impl FraudService {
    /// Over `db`, with the data key and IP database of `config`.
    pub fn new(db: DatabaseConnection, config: Arc<Config>) -> Self {
        FraudService { db, config }
    }
}

/// A stored rule as the list shows it; `None` for a row no rule reads.
fn row_view(
    row: &fraud_rule::Model,
    zone: &ZonePreference,
    ip_database: bool,
) -> Option<FraudRuleRow> {
    let rule = entry(row)?;
    Some(FraudRuleRow {
        id: row.id,
        kind: row.kind.clone(),
        description: rule.rule.describe(),
        action: rule.action.code().to_owned(),
        created: zone.format(row.created_at),
        created_by: row.created_by.clone(),
        unavailable: matches!(rule.rule, Rule::IpCountry(_)) && !ip_database,
    })
}

/// The audit row of a change by `u`.
fn audit_entry<'a>(
    m: &merchant::Model,
    u: &'a user::Model,
    action: &'a str,
    detail: String,
    ip: &'a str,
) -> AuditEntry<'a> {
    AuditEntry {
        merchant_id: Some(m.id),
        user_id: Some(u.id),
        actor: &u.login,
        action,
        detail,
        ip,
    }
}

/// The test box's values, or their problems next to their fields.
fn test_values(form: &TestForm) -> Result<(Money, Option<domain::card::CardNumber>), AppError> {
    let mut problems = Vec::new();
    let currency = Currency::parse(form.currency.trim());
    if currency.is_none() {
        problems.push(FieldError::new(
            "currency",
            Problem::FraudRule(domain::fraud::RuleError::Currency),
        ));
    }
    let amount = currency.and_then(|c| Money::parse_major(form.amount.trim(), c).ok());
    if currency.is_some() && amount.is_none_or(|a| a.minor() <= 0) {
        problems.push(FieldError::new("amount", Problem::InvalidAmount));
    }
    let card = if form.card_number.trim().is_empty() {
        None
    } else {
        match domain::card::CardNumber::parse(&form.card_number) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(FieldError::new("card_number", Problem::Card(e)));
                None
            }
        }
    };
    if form.email.chars().count() > 254 {
        problems.push(FieldError::new("email", Problem::TooLong));
    }
    let ip = form.ip.trim();
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        problems.push(FieldError::new("ip", Problem::OutOfRange));
    }
    match amount {
        Some(amount) if problems.is_empty() => Ok((amount, card)),
        _ => Err(AppError::Invalid(problems)),
    }
}

/// Who adds a rule: a user of the page, or the operator's command line.
pub struct By<'a> {
    /// Login (or `cli`).
    pub login: &'a str,
    /// The user, when one.
    pub user_id: Option<i64>,
    /// Their address.
    pub ip: &'a str,
}

/// Adds the rule `form` describes to `m`'s rules, with its audit row, in one
/// transaction: the page and the `add-fraud-rule` command both come here.
pub async fn add_rule(
    db: &DatabaseConnection,
    config: &Config,
    m: &merchant::Model,
    by: &By<'_>,
    form: &NewRuleForm,
) -> Result<fraud_rule::Model, AppError> {
    let (typed, action) = read_rule(form).map_err(AppError::Invalid)?;
    let mut row = fraud_rule::ActiveModel {
        merchant_id: Set(m.id),
        action: Set(action.code().to_owned()),
        currency: Set(None),
        amount: Set(None),
        value: Set(String::new()),
        value_high: Set(String::new()),
        shown: Set(String::new()),
        max_attempts: Set(None),
        window_minutes: Set(None),
        created_at: Set(Utc::now()),
        created_by: Set(by.login.to_owned()),
        ..Default::default()
    };
    let rule = match typed {
        TypedRule::Card(card) => Rule::CardNumber {
            fingerprint: fingerprint(&config.data_key, &card),
            masked: card.masked(),
        },
        TypedRule::Rule(rule) => rule,
    };
    super::rules::write(&rule, &mut row);
    let txn = db.begin_write().await.map_err(internal)?;
    let count = fraud_rule::Entity::find()
        .filter(fraud_rule::Column::MerchantId.eq(m.id))
        .count(&txn)
        .await
        .map_err(internal)?;
    if count >= MAX_RULES as u64 {
        return Err(AppError::field("kind", Problem::AboveMaximum));
    }
    let saved = row.insert(&txn).await.map_err(internal)?;
    let detail = changes(&[
        ("rule", String::new(), rule.describe()),
        ("action", String::new(), action.code().to_owned()),
    ]);
    audit::record(
        &txn,
        AuditEntry {
            merchant_id: Some(m.id),
            user_id: by.user_id,
            actor: by.login,
            action: "fraud_rule.create",
            detail,
            ip: by.ip,
        },
    )
    .await
    .map_err(internal)?;
    txn.commit().await.map_err(internal)?;
    Ok(saved)
}

#[async_trait::async_trait]
impl FraudPort for FraudService {
    async fn page(&self, actor: &Actor) -> Result<FraudPage, AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        let zone = zone_of(&u);
        let ip_database = self.config.geoip.is_some();
        let rules = rows(&self.db, m.id)
            .await
            .map_err(internal)?
            .iter()
            .filter_map(|r| row_view(r, &zone, ip_database))
            .collect();
        Ok(FraudPage {
            rules,
            ip_database,
            zone: zone.label(Utc::now()),
        })
    }

    async fn add(
        &self,
        actor: &Actor,
        form: NewRuleForm,
        ip: &str,
    ) -> Result<FraudRuleRow, AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        let by = By {
            login: &u.login,
            user_id: Some(u.id),
            ip,
        };
        let saved = add_rule(&self.db, &self.config, &m, &by, &form).await?;
        row_view(&saved, &zone_of(&u), self.config.geoip.is_some()).ok_or(AppError::Internal)
    }

    async fn delete(&self, actor: &Actor, id: i64, ip: &str) -> Result<(), AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        let row = fraud_rule::Entity::find_by_id(id)
            .filter(fraud_rule::Column::MerchantId.eq(m.id))
            .one(&txn)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let described = entry(&row)
            .map(|e| e.rule.describe())
            .unwrap_or_else(|| row.kind.clone());
        let detail = changes(&[
            ("rule", described, String::new()),
            ("action", row.action.clone(), String::new()),
        ]);
        row.delete(&txn).await.map_err(internal)?;
        audit::record(&txn, audit_entry(&m, &u, "fraud_rule.delete", detail, ip))
            .await
            .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }

    async fn test(&self, actor: &Actor, form: TestForm) -> Result<TestResult, AppError> {
        let (m, _) = load_admin(&self.db, actor).await?;
        let (amount, card) = test_values(&form)?;
        let (email, ip) = (form.email.trim(), form.ip.trim());
        let screening = screen(
            &self.db,
            &self.config,
            Attempt {
                merchant_id: m.id,
                amount,
                card: card.as_ref(),
                email: (!email.is_empty()).then_some(email),
                ip: (!ip.is_empty()).then_some(ip),
                bin: None,
            },
        )
        .await
        .map_err(internal)?;
        Ok(TestResult {
            result: screening.result().code().to_owned(),
            hits: screening
                .verdict
                .hits
                .iter()
                .map(|h| (h.action.code().to_owned(), h.reason.clone()))
                .collect(),
            unchecked: screening.unchecked.clone(),
            card_country: card
                .as_ref()
                .and_then(|c| card_country(c.expose_digits()))
                .map(str::to_owned),
            ip_country: match screening.ip_country {
                IpCountry::Known(c) => Some(c),
                _ => None,
            },
        })
    }
}
