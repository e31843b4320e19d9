//! [`PaylinksPort`] for the pages: any user of the merchant reads links and invoices,
//! users who may sell create and change them; the payer's page needs no session.

use super::store::{self, amount_rule, status, Kind};
use super::{form, wire, By, LinkError, PaylinkService};
use crate::account::service::{load_actor, load_actor_who_may, zone_of};
use crate::entities::{payment_link, user};
use crate::payments::records::public_id;
use crate::platform::qr;
use app::account::Actor;
use app::error::AppError;
use app::paylinks::{
    InvoiceFilter, InvoiceForm, InvoiceRow, InvoiceStatus, IssuedInvoice, LinkDetail, LinkFilter,
    LinkForm, LinkRow, PaylinksPort, PrepayForm, PrepayView,
};
use chrono::{DateTime, Duration, Utc};

use domain::paylink::{AmountRule, LinkStatus, Standard};
use domain::{Lang, MoneyMove};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Rows one list shows.
const LIST_LIMIT: u64 = 200;

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "payment links failed");
    AppError::Internal
}

fn link_error(e: LinkError) -> AppError {
    match e {
        LinkError::NotFound => AppError::NotFound,
        LinkError::NotNow(_) => AppError::NotAllowedNow,
        LinkError::Currency => {
            AppError::field("currency", app::error::Problem::CurrencyNotAccepted)
        }
        LinkError::Db(e) => internal(e),
    }
}

fn by<'a>(u: &'a user::Model, ip: &'a str) -> By<'a> {
    By {
        user_id: Some(u.id),
        actor: &u.login,
        ip,
    }
}

/// The status of an invoice.
pub fn invoice_status(row: &payment_link::Model, now: DateTime<Utc>) -> InvoiceStatus {
    match row.status_at(now) {
        LinkStatus::Disabled => InvoiceStatus::Cancelled,
        LinkStatus::Paid => InvoiceStatus::Paid,
        LinkStatus::Expired => InvoiceStatus::Expired,
        LinkStatus::Active if row.due_at.is_some_and(|d| d <= now) => InvoiceStatus::Overdue,
        LinkStatus::Active => InvoiceStatus::Issued,
    }
}

/// Words of a search, each matched anywhere in `columns`.
fn search(q: &str, columns: &[payment_link::Column]) -> Condition {
    let mut all = Condition::all();
    for word in q.split_whitespace().take(5) {
        let word: String = word.chars().take(50).collect();
        let mut any = Condition::any();
        for c in columns {
            any = any.add(c.contains(&word));
        }
        all = all.add(any);
    }
    all
}

impl PaylinkService {
    fn form_of(&self, row: &payment_link::Model, u: &user::Model) -> LinkForm {
        let asked = store::asked(row);
        let has = |s: Standard| asked.standard.contains(&s);
        let (amount, payer_amount, min, max) = match amount_rule(row) {
            AmountRule::Fixed(a) => (
                super::mail::major_text(a, &row.currency),
                false,
                String::new(),
                String::new(),
            ),
            AmountRule::Entered { min, max } => (
                String::new(),
                true,
                super::mail::major_text(min, &row.currency),
                super::mail::major_text(max, &row.currency),
            ),
        };
        LinkForm {
            id: row.public_id.clone(),
            name: row.name.clone(),
            internal_note: row.internal_note.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            currency: row.currency.clone(),
            amount,
            payer_amount,
            min_amount: min,
            max_amount: max,
            ends_on: row
                .expires_at
                .map(|e| zone_of(u).localize(e).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            indefinite: row.expires_at.is_none(),
            reusable: row.reusable,
            ask_address: has(Standard::Address),
            ask_email: has(Standard::Email),
            ask_name: has(Standard::FullName),
            ask_phone: has(Standard::Phone),
            fields: asked.custom,
        }
    }

    fn detail(&self, row: &payment_link::Model, u: &user::Model) -> LinkDetail {
        let url = wire::url(self.public_url(), row);
        LinkDetail {
            form: self.form_of(row, u),
            status: row.status_at(Utc::now()),
            qr_svg: qr::svg(&url),
            url,
        }
    }

    async fn rows(
        &self,
        merchant_id: i64,
        kinds: &[&str],
        condition: Condition,
    ) -> Result<Vec<payment_link::Model>, AppError> {
        payment_link::Entity::find()
            .filter(payment_link::Column::MerchantId.eq(merchant_id))
            .filter(payment_link::Column::Kind.is_in(kinds.iter().copied()))
            .filter(condition)
            .order_by_desc(payment_link::Column::Id)
            .limit(LIST_LIMIT)
            .all(self.engine.db())
            .await
            .map_err(internal)
    }
}

#[async_trait::async_trait]
impl PaylinksPort for PaylinkService {
    async fn links(&self, actor: &Actor, filter: LinkFilter) -> Result<Vec<LinkRow>, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let zone = zone_of(&u);
        let now = Utc::now();
        let rows = self
            .rows(
                m.id,
                &[Kind::Link.code(), Kind::Api.code()],
                search(
                    &filter.q,
                    &[
                        payment_link::Column::Name,
                        payment_link::Column::Title,
                        payment_link::Column::PublicId,
                        payment_link::Column::MerchantReference,
                    ],
                ),
            )
            .await?;
        let wanted = match filter.status.as_str() {
            "active" => Some(LinkStatus::Active),
            "expired" => Some(LinkStatus::Expired),
            "disabled" => Some(LinkStatus::Disabled),
            "paid" => Some(LinkStatus::Paid),
            _ => None,
        };
        Ok(rows
            .iter()
            .filter(|r| wanted.is_none_or(|w| r.status_at(now) == w))
            .map(|r| LinkRow {
                id: r.public_id.clone(),
                name: if r.name.is_empty() {
                    r.merchant_reference.clone()
                } else {
                    r.name.clone()
                },
                title: r.title.clone(),
                amount: match amount_rule(r) {
                    AmountRule::Fixed(a) => super::mail::amount_text(a, &r.currency, lang),
                    AmountRule::Entered { min, max } => format!(
                        "{} – {}",
                        super::mail::amount_text(min, &r.currency, lang),
                        super::mail::amount_text(max, &r.currency, lang)
                    ),
                },
                status: r.status_at(now),
                reusable: r.reusable,
                ends: r.expires_at.map(|e| zone.format(e)).unwrap_or_default(),
                url: wire::url(self.public_url(), r),
                payments: u64::try_from(r.payments).unwrap_or(0),
                created: zone.format(r.created_at),
            })
            .collect())
    }

    async fn link(&self, actor: &Actor, id: &str) -> Result<LinkDetail, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let row = store::find(self.engine.db(), m.id, id)
            .await
            .map_err(internal)?
            .filter(|r| r.kind != Kind::Invoice.code())
            .ok_or(AppError::NotFound)?;
        Ok(self.detail(&row, &u))
    }

    async fn new_link(&self, actor: &Actor) -> Result<LinkForm, AppError> {
        let (_, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        let ends = zone_of(&u).localize(Utc::now() + Duration::days(30));
        Ok(LinkForm {
            currency: "EUR".to_owned(),
            amount: "100.00".to_owned(),
            ends_on: ends.format("%Y-%m-%d").to_string(),
            ..LinkForm::default()
        })
    }

    async fn save_link(
        &self,
        actor: &Actor,
        form: LinkForm,
        ip: &str,
    ) -> Result<LinkDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        let new = form::link(&form, &zone_of(&u), &u.language, Utc::now())?;
        let row = if form.id.is_empty() {
            self.create(&m, new, false, &by(&u, ip)).await
        } else {
            let existing = store::find(self.engine.db(), m.id, &form.id)
                .await
                .map_err(internal)?
                .filter(|r| r.kind != Kind::Invoice.code())
                .ok_or(AppError::NotFound)?;
            self.update(&m, &existing.public_id, new, &by(&u, ip)).await
        }
        .map_err(link_error)?;
        Ok(self.detail(&row, &u))
    }

    async fn disable_link(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        self.cancel(&m, id, &by(&u, ip))
            .await
            .map(|_| ())
            .map_err(link_error)
    }

    async fn invoices(
        &self,
        actor: &Actor,
        filter: InvoiceFilter,
    ) -> Result<Vec<InvoiceRow>, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let zone = zone_of(&u);
        let now = Utc::now();
        let rows = self
            .rows(
                m.id,
                &[Kind::Invoice.code()],
                search(
                    &filter.q,
                    &[
                        payment_link::Column::MerchantReference,
                        payment_link::Column::RecipientName,
                        payment_link::Column::RecipientEmail,
                    ],
                ),
            )
            .await?;
        Ok(rows
            .iter()
            .filter(|r| filter.status.is_empty() || invoice_status(r, now).code() == filter.status)
            .map(|r| InvoiceRow {
                id: r.public_id.clone(),
                reference: r.merchant_reference.clone(),
                customer_name: r.recipient_name.clone(),
                email: r.recipient_email.clone(),
                amount: super::mail::amount_text(r.amount.unwrap_or(0), &r.currency, lang),
                due: r.due_at.map(|d| zone.format(d)).unwrap_or_default(),
                status: invoice_status(r, now),
                payment_id: r.payment_id.map(public_id),
                url: wire::url(self.public_url(), r),
                sent: r.sent_at.map(|s| zone.format(s)).unwrap_or_default(),
                created: zone.format(r.created_at),
            })
            .collect())
    }

    async fn issue_invoice(
        &self,
        actor: &Actor,
        form: InvoiceForm,
        ip: &str,
    ) -> Result<IssuedInvoice, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        let new = form::invoice(&form, &zone_of(&u), Utc::now())?;
        let row = self
            .create(&m, new, !form.hold_back, &by(&u, ip))
            .await
            .map_err(link_error)?;
        Ok(IssuedInvoice {
            id: row.public_id.clone(),
            reference: row.merchant_reference.clone(),
            url: wire::url(self.public_url(), &row),
            sent: row.sent_at.is_some(),
        })
    }

    async fn cancel_invoice(&self, actor: &Actor, id: &str, ip: &str) -> Result<(), AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Sale).await?;
        let row = store::find(self.engine.db(), m.id, id)
            .await
            .map_err(internal)?
            .filter(|r| r.kind == Kind::Invoice.code())
            .ok_or(AppError::NotFound)?;
        if row.status == status::PAID {
            return Err(AppError::NotAllowedNow);
        }
        self.cancel(&m, id, &by(&u, ip))
            .await
            .map(|_| ())
            .map_err(link_error)
    }

    async fn prepay(&self, id: &str, lang: Lang) -> Result<PrepayView, AppError> {
        self.prepay_view(id, lang).await
    }

    async fn start(
        &self,
        id: &str,
        form: PrepayForm,
        lang: Lang,
        _ip: &str,
    ) -> Result<String, AppError> {
        self.start_checkout(id, form, lang).await
    }
}
