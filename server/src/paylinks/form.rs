//! The server's decision on a link template's form and an invoice's form: every value
//! checked by the domain's rules (the same the browser runs as typed), every problem
//! named by its field, nothing written unless all pass.

use super::store::{Kind, NewLink, StoredLine};
use app::error::{AppError, FieldError, Problem};
use app::paylinks::{InvoiceForm, LinkForm};
use chrono::{DateTime, Duration, Utc};
use domain::money::{Currency, Money};
use domain::paylink::{self, AmountRule, Asked, LinkAmountError, Standard};
use domain::timezone::ZonePreference;

/// Most lines an invoice's cart may have (as many as a CSV import takes).
pub const MAX_LINES: usize = domain::cart_import::MAX_ROWS;
/// The farthest end a link or invoice may have.
pub const MAX_DAYS: i64 = 5 * 366;

/// Collects field problems.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// Adds a problem.
    pub fn add(&mut self, field: &str, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    /// A required text of at most `most` characters, trimmed.
    pub fn text(&mut self, field: &str, value: &str, most: usize, required: bool) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            self.add(field, Problem::Required);
        } else if value.chars().count() > most {
            self.add(field, Problem::TooLong);
        }
        value.to_owned()
    }

    /// An amount above zero typed in major units of `currency`.
    pub fn amount(&mut self, field: &str, value: &str, currency: Option<Currency>) -> i64 {
        let Some(currency) = currency else { return 0 };
        if value.trim().is_empty() {
            self.add(field, Problem::Required);
            return 0;
        }
        match Money::parse_major(value.trim(), currency) {
            Ok(m) if m.minor() > 0 => m.minor(),
            _ => {
                self.add(field, Problem::InvalidAmount);
                0
            }
        }
    }

    /// A currency code.
    pub fn currency(&mut self, value: &str) -> Option<Currency> {
        let c = Currency::parse(value.trim());
        if c.is_none() {
            self.add("currency", Problem::OutOfRange);
        }
        c
    }

    /// A future moment typed in the user's zone (`YYYY-MM-DDTHH:MM` or a day, whose end
    /// it is), at most [`MAX_DAYS`] ahead.
    pub fn moment(
        &mut self,
        field: &str,
        value: &str,
        zone: &ZonePreference,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if value.trim().is_empty() {
            self.add(field, Problem::Required);
            return None;
        }
        match zone.instant_of(value) {
            None => {
                self.add(field, Problem::InvalidDate);
                None
            }
            Some(at) if at <= now => {
                self.add(field, Problem::DateInPast);
                None
            }
            Some(at) if at > now + Duration::days(MAX_DAYS) => {
                self.add(field, Problem::OutOfRange);
                None
            }
            Some(at) => Some(at),
        }
    }

    /// `Err` with every problem, or `Ok`.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// The field and problem of a custom field's refused setting.
pub fn field_problem(
    index: usize,
    error: &paylink::FieldError,
    spec: &paylink::FieldSpec,
) -> FieldError {
    use paylink::FieldError as E;
    let (part, problem) = match error {
        E::Label if spec.label.trim().is_empty() => ("label", Problem::Required),
        E::Label => ("label", Problem::TooLong),
        E::Name => ("name", Problem::InvalidFieldName),
        E::DuplicateName => ("name", Problem::DuplicateName),
        E::TooLong if spec.placeholder.chars().count() > paylink::MAX_TEXT_CHARS => {
            ("placeholder", Problem::TooLong)
        }
        E::TooLong => ("fixed", Problem::TooLong),
        E::PatternTooLong | E::Pattern(_) => ("pattern", Problem::InvalidPattern),
        E::FixedMismatch => ("fixed", Problem::PatternMismatch),
        E::TooMany => return FieldError::new("fields", Problem::OutOfRange),
    };
    FieldError::new(&format!("fields.{index}.{part}"), problem)
}

/// A template's form as a new link, or its problems.
pub fn link(
    form: &LinkForm,
    zone: &ZonePreference,
    locale: &str,
    now: DateTime<Utc>,
) -> Result<NewLink, AppError> {
    let mut p = Problems::default();
    let name = p.text("name", &form.name, 100, true);
    let title = p.text("title", &form.title, 200, true);
    let internal_note = p.text("internal_note", &form.internal_note, 500, false);
    let description = p.text("description", &form.description, 1000, false);
    let currency = p.currency(&form.currency);
    let amount = if form.payer_amount {
        let min = p.amount("min_amount", &form.min_amount, currency);
        let max = p.amount("max_amount", &form.max_amount, currency);
        let rule = AmountRule::Entered { min, max };
        if min > 0 && max > 0 && rule.check() == Err(LinkAmountError::Inverted) {
            p.add("max_amount", Problem::BelowMinimum);
        }
        rule
    } else {
        AmountRule::Fixed(p.amount("amount", &form.amount, currency))
    };
    let expires_at = if form.indefinite {
        None
    } else {
        p.moment("ends_on", &form.ends_on, zone, now)
    };
    let custom: Vec<paylink::FieldSpec> = form
        .fields
        .iter()
        .map(|f| paylink::FieldSpec {
            label: f.label.trim().to_owned(),
            name: f.name.trim().to_owned(),
            placeholder: f.placeholder.trim().to_owned(),
            pattern: f.pattern.clone(),
            fixed: f.fixed.trim().to_owned(),
            required: f.required,
        })
        .collect();
    if custom.len() > paylink::MAX_FIELDS {
        p.add("fields", Problem::OutOfRange);
    } else {
        for (i, spec) in custom.iter().enumerate() {
            if let Err(e) = paylink::check_field(spec) {
                p.0.push(field_problem(i, &e, spec));
            }
        }
        if let Err((i, e @ paylink::FieldError::DuplicateName)) = paylink::check_fields(&custom) {
            p.0.push(field_problem(i, &e, &custom[i]));
        }
    }
    p.finish()?;
    let standard = [
        (form.ask_name, Standard::FullName),
        (form.ask_email, Standard::Email),
        (form.ask_phone, Standard::Phone),
        (form.ask_address, Standard::Address),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then_some(s))
    .collect();
    Ok(NewLink {
        kind: Kind::Link,
        name,
        internal_note,
        title,
        description,
        currency: currency.ok_or(AppError::Internal)?,
        amount,
        merchant_reference: String::new(),
        recipient_name: String::new(),
        recipient_email: String::new(),
        merchant_customer_id: None,
        locale: locale.to_owned(),
        cart: Vec::new(),
        asked: Asked { standard, custom },
        reusable: form.reusable,
        due_at: None,
        expires_at,
        remind: false,
        return_url: None,
    })
}

/// An invoice reference when the merchant leaves it empty: `INV-YYYYMMDD-XXXXXX`.
pub fn invoice_reference(now: DateTime<Utc>) -> String {
    format!(
        "INV-{}-{}",
        now.format("%Y%m%d"),
        crate::platform::crypto::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
    )
}

/// An invoice's form as a new link, or its problems.
pub fn invoice(
    form: &InvoiceForm,
    zone: &ZonePreference,
    now: DateTime<Utc>,
) -> Result<NewLink, AppError> {
    let mut p = Problems::default();
    let reference = p.text("reference", &form.reference, 50, false);
    let customer_name = p.text("customer_name", &form.customer_name, 100, true);
    let email = match domain::account::parse_email(&form.email) {
        Ok(e) if e.len() <= 254 => e,
        _ => {
            p.add(
                "email",
                if form.email.trim().is_empty() {
                    Problem::Required
                } else {
                    Problem::InvalidEmail
                },
            );
            String::new()
        }
    };
    let lang = domain::Lang::parse(form.language.trim()).unwrap_or_default();
    let due = p.moment("due", &form.due, zone, now);
    let until = if form.payable_until.trim().is_empty() {
        due
    } else {
        match (
            p.moment("payable_until", &form.payable_until, zone, now),
            due,
        ) {
            (Some(until), Some(due)) if until < due => {
                p.add("payable_until", Problem::OutOfRange);
                None
            }
            (until, _) => until,
        }
    };
    let customer_id = p.text("customer_id", &form.customer_id, 50, false);
    let description = p.text("description", &form.description, 250, false);
    let currency = p.currency(&form.currency);
    let amount = p.amount("amount", &form.amount, currency);
    if form.lines.len() > MAX_LINES {
        p.add("lines", Problem::OutOfRange);
    }
    let mut cart = Vec::new();
    let mut total: Option<i64> = Some(0);
    for (i, line) in form.lines.iter().take(MAX_LINES).enumerate() {
        let name = p.text(&format!("lines.{i}.name"), &line.name, 100, true);
        let measure = p.text(&format!("lines.{i}.measure"), &line.measure, 20, false);
        let article = p.text(&format!("lines.{i}.article"), &line.article, 30, false);
        let price = p.amount(&format!("lines.{i}.price"), &line.price, currency);
        let quantity = match domain::cart::Quantity::parse(line.quantity.trim()) {
            Ok(q) => Some(q),
            Err(_) => {
                p.add(&format!("lines.{i}.quantity"), Problem::OutOfRange);
                None
            }
        };
        if let Some(q) = quantity {
            let amount = domain::cart::line_amount(price, q);
            total = total.and_then(|t| t.checked_add(amount));
            cart.push(StoredLine {
                name,
                unit_price: price,
                quantity_thousandths: q.thousandths(),
                measure,
                article,
            });
        }
    }
    if !form.lines.is_empty() && amount > 0 && total != Some(amount) {
        p.add("amount", Problem::CartTotalMismatch);
    }
    p.finish()?;
    Ok(NewLink {
        kind: Kind::Invoice,
        name: String::new(),
        internal_note: String::new(),
        title: String::new(),
        description,
        currency: currency.ok_or(AppError::Internal)?,
        amount: AmountRule::Fixed(amount),
        merchant_reference: if reference.is_empty() {
            invoice_reference(now)
        } else {
            reference
        },
        recipient_name: customer_name,
        recipient_email: email,
        merchant_customer_id: Some(customer_id).filter(|c| !c.is_empty()),
        locale: lang.code().to_owned(),
        cart,
        asked: Asked::default(),
        reusable: false,
        due_at: due,
        expires_at: until,
        remind: form.remind,
        return_url: None,
    })
}
