//! The merchant's account (MB-10): `app`'s `CompanyPort` — the account page's details,
//! checked by `domain::company` and audited before → after — and the data retention's
//! daily purge (`retention`).

pub mod retention;

use crate::account::service::{internal, load_admin, zone_of};
use crate::entities::{audit_log, job, merchant};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use crate::platform::jobs::kind;
use app::account::Actor;
use app::company::{AccountForm, AccountPage, CompanyPort, RetentionStatus};
use app::error::{AppError, FieldError, Problem};
use chrono::{Duration, Utc};
use domain::company;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

/// The account page's service.
pub struct CompanyService {
    db: DatabaseConnection,
}

impl CompanyService {
    /// Over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        CompanyService { db }
    }
}

fn form_of(m: &merchant::Model) -> AccountForm {
    AccountForm {
        legal_name: m.legal_name.clone(),
        commercial_name: m.commercial_name.clone(),
        phone: m.phone.clone(),
        email: m.email.clone(),
        address_street: m.address_street.clone(),
        address_postcode: m.address_postcode.clone(),
        address_city: m.address_city.clone(),
        country: m.country.clone(),
        vat_number: m.vat_number.clone(),
        invoicing_method: m.invoicing_method.clone(),
        invoicing_email: m.invoicing_email.clone(),
        invoicing_address: m.invoicing_address.clone(),
        languages: m
            .languages
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        general_conditions_url: m.general_conditions_url.clone(),
        currencies: m.currencies.clone(),
        retention_days: m.retention_days.to_string(),
    }
}

/// The form checked field by field: the values to store, or every problem at once.
fn checked(form: AccountForm) -> Result<AccountForm, AppError> {
    let mut problems = Vec::new();
    let mut bad = |field: &str, problem: Problem| problems.push(FieldError::new(field, problem));
    let trim = |s: &str, max: usize| s.trim().chars().take(max + 1).collect::<String>();
    let mut out = AccountForm {
        legal_name: trim(&form.legal_name, 200),
        commercial_name: trim(&form.commercial_name, 200),
        address_street: trim(&form.address_street, 200),
        address_postcode: trim(&form.address_postcode, 16),
        address_city: trim(&form.address_city, 100),
        invoicing_address: trim(&form.invoicing_address, 500),
        ..AccountForm::default()
    };
    for (name, value, max) in [
        ("legal_name", &out.legal_name, 200),
        ("commercial_name", &out.commercial_name, 200),
        ("address_street", &out.address_street, 200),
        ("address_postcode", &out.address_postcode, 16),
        ("address_city", &out.address_city, 100),
        ("invoicing_address", &out.invoicing_address, 500),
    ] {
        if value.chars().count() > max {
            bad(name, Problem::TooLong);
        }
    }
    out.phone = match form.phone.trim() {
        "" => String::new(),
        typed => company::phone(typed).unwrap_or_else(|| {
            bad("phone", Problem::InvalidPhone);
            String::new()
        }),
    };
    for (name, typed, slot) in [
        ("email", form.email.trim(), &mut out.email),
        (
            "invoicing_email",
            form.invoicing_email.trim(),
            &mut out.invoicing_email,
        ),
    ] {
        if !typed.is_empty() {
            match domain::parse_email(typed) {
                Ok(e) => *slot = e,
                Err(_) => bad(name, Problem::InvalidEmail),
            }
        }
    }
    out.country = form.country.trim().to_ascii_uppercase();
    if !out.country.is_empty() && !company::countries().contains(&out.country.as_str()) {
        bad("country", Problem::OutOfRange);
    }
    out.vat_number = match form.vat_number.trim() {
        "" => String::new(),
        typed => company::vat_number(&out.country, typed).unwrap_or_else(|_| {
            bad("vat_number", Problem::InvalidVatNumber);
            String::new()
        }),
    };
    out.invoicing_method = match form.invoicing_method.as_str() {
        "email" | "post" => form.invoicing_method.clone(),
        _ => {
            bad("invoicing_method", Problem::OutOfRange);
            String::new()
        }
    };
    match company::languages(&form.languages.join(",")) {
        Some(list) => out.languages = list.iter().map(|l| l.code().to_owned()).collect(),
        None => bad("languages", Problem::NoLanguage),
    }
    out.general_conditions_url = match form.general_conditions_url.trim() {
        "" => String::new(),
        typed => company::web_address(typed).unwrap_or_else(|| {
            bad("general_conditions_url", Problem::InvalidUrl);
            String::new()
        }),
    };
    match company::currencies(&form.currencies) {
        Some(list) => out.currencies = list.iter().map(|c| c.code()).collect::<Vec<_>>().join(","),
        None => bad("currencies", Problem::InvalidCurrency),
    }
    match form.retention_days.trim().parse::<i32>() {
        Ok(days) if company::retention_ok(days) => out.retention_days = days.to_string(),
        _ => bad("retention_days", Problem::OutOfRange),
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(problems))
    }
}

#[async_trait::async_trait]
impl CompanyPort for CompanyService {
    async fn account(&self, actor: &Actor) -> Result<AccountPage, AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        let zone = zone_of(&u);
        let next = job::Entity::find()
            .filter(job::Column::Kind.eq(kind::RETENTION_PURGE))
            .filter(job::Column::State.eq("queued"))
            .order_by_asc(job::Column::RunAt)
            .one(&self.db)
            .await
            .map_err(internal)?;
        let last = audit_log::Entity::find()
            .filter(audit_log::Column::MerchantId.eq(m.id))
            .filter(audit_log::Column::Action.eq(retention::ACTION))
            .order_by_desc(audit_log::Column::Id)
            .one(&self.db)
            .await
            .map_err(internal)?;
        let cutoff = Utc::now() - Duration::days(i64::from(m.retention_days));
        Ok(AccountPage {
            pspid: m.pspid.clone(),
            environment: m.environment.clone(),
            form: form_of(&m),
            subscription: m.subscription.clone(),
            options: m
                .options
                .split(',')
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            countries: company::countries()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            retention: RetentionStatus {
                next_run: next.map(|j| zone.format(j.run_at)),
                last_run: last.as_ref().map(|a| zone.format(a.created_at)),
                last_counts: last.map(|a| a.detail).unwrap_or_default(),
                cutoff: zone.format(cutoff),
            },
        })
    }

    async fn save_account(
        &self,
        actor: &Actor,
        form: AccountForm,
        ip: &str,
    ) -> Result<(), AppError> {
        let (m, u) = load_admin(&self.db, actor).await?;
        let new = checked(form)?;
        let old = form_of(&m);
        let detail = audit::changes(&[
            ("legal_name", old.legal_name, new.legal_name.clone()),
            (
                "commercial_name",
                old.commercial_name,
                new.commercial_name.clone(),
            ),
            ("phone", old.phone, new.phone.clone()),
            ("email", old.email, new.email.clone()),
            (
                "address_street",
                old.address_street,
                new.address_street.clone(),
            ),
            (
                "address_postcode",
                old.address_postcode,
                new.address_postcode.clone(),
            ),
            ("address_city", old.address_city, new.address_city.clone()),
            ("country", old.country, new.country.clone()),
            ("vat_number", old.vat_number, new.vat_number.clone()),
            (
                "invoicing_method",
                old.invoicing_method,
                new.invoicing_method.clone(),
            ),
            (
                "invoicing_email",
                old.invoicing_email,
                new.invoicing_email.clone(),
            ),
            (
                "invoicing_address",
                old.invoicing_address,
                new.invoicing_address.clone(),
            ),
            (
                "languages",
                old.languages.join(","),
                new.languages.join(","),
            ),
            (
                "general_conditions_url",
                old.general_conditions_url,
                new.general_conditions_url.clone(),
            ),
            ("currencies", old.currencies, new.currencies.clone()),
            (
                "retention_days",
                old.retention_days,
                new.retention_days.clone(),
            ),
        ]);
        if detail.is_empty() {
            return Ok(());
        }
        let retention: i32 = new.retention_days.parse().map_err(|_| AppError::Internal)?;
        let txn = self.db.begin_write().await.map_err(internal)?;
        let mut active = m.clone().into_active_model();
        active.legal_name = Set(new.legal_name);
        active.commercial_name = Set(new.commercial_name);
        active.phone = Set(new.phone);
        active.email = Set(new.email);
        active.address_street = Set(new.address_street);
        active.address_postcode = Set(new.address_postcode);
        active.address_city = Set(new.address_city);
        active.country = Set(new.country);
        active.vat_number = Set(new.vat_number);
        active.invoicing_method = Set(new.invoicing_method);
        active.invoicing_email = Set(new.invoicing_email);
        active.invoicing_address = Set(new.invoicing_address);
        active.languages = Set(new.languages.join(","));
        active.general_conditions_url = Set(new.general_conditions_url);
        active.currencies = Set(new.currencies);
        active.retention_days = Set(retention);
        active.update(&txn).await.map_err(internal)?;
        // A new retention applies at once: a purge run is queued for now.
        if retention != m.retention_days {
            retention::queue_now(&txn).await.map_err(internal)?;
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(m.id),
                user_id: Some(u.id),
                actor: &u.login,
                action: "config.account",
                detail,
                ip,
            },
        )
        .await
        .map_err(internal)?;
        txn.commit().await.map_err(internal)
    }
}
