//! The payments pages' port (MB-31..33): the filtered, sorted, paginated list, one
//! payment's information, and capture/cancel/refund through the engine. Read-only users
//! see and do nothing that moves money; refunds need Admin or the "may refund" right.
//! The port's dashboard, saved views, financial history and mail orders are answered by
//! `dashboard`, `views`, `history` and `moto`.

use crate::account::service::{internal, load_actor, load_actor_who_may, zone_of};
use crate::entities::{cart_line, merchant, payment, user};
use crate::payments::engine::{Initiator, PaymentEngine};
use crate::payments::error::EngineError;
use crate::payments::history::{done_by, user_logins};
use crate::payments::list::{filtered, label_of};
use crate::payments::records::{ledger, line_state, parse_public_id, public_id, stored_money};
use app::account::Actor;
use app::checkout::CartLineView;
use app::error::{AppError, FieldError, Problem};
use app::payments::OperationsPort;
use app::payments::{
    ActivityView, DashboardQuery, DashboardView, HistoryFilter, HistoryPage, ListSettings,
    ListViews, MotoForm, MotoResult, PaymentDetail, PaymentFilter, PaymentRow, PaymentsPage,
};
use domain::cart::{parse_refund_quantity, LineError, Quantity};
use domain::money::Money;
use domain::payment::PaymentError;
use domain::{Lang, MoneyMove, Role};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;

/// The port.
pub struct OperationsService {
    pub(crate) engine: PaymentEngine,
}

impl OperationsService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        OperationsService { engine }
    }
}

/// The user as the engine records who did an operation.
pub(crate) fn user_initiator(u: &user::Model, ip: &str) -> Initiator {
    Initiator::User {
        id: u.id,
        login: u.login.clone(),
        ip: ip.to_owned(),
    }
}

/// The label and back-office address of the link or invoice a payment was paid through.
fn paid_through(link: &crate::entities::payment_link::Model, lang: Lang) -> (String, String) {
    use app::i18n::T;
    if link.kind == "invoice" {
        (
            T::PaidThroughInvoice
                .text(lang)
                .replace("{reference}", &link.merchant_reference),
            format!(
                "/operations/invoices?q={}",
                app::url::encode(&link.merchant_reference)
            ),
        )
    } else {
        let name = if link.name.is_empty() {
            &link.public_id
        } else {
            &link.name
        };
        (
            T::PaidThroughLink.text(lang).replace("{name}", name),
            format!("/operations/links/{}", link.public_id),
        )
    }
}

/// The payer's entries stored with a payment (a JSON object), as pairs.
pub(crate) fn payer_fields(stored: Option<&str>) -> Vec<(String, String)> {
    stored
        .and_then(|s| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).ok())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn engine_error(e: EngineError) -> AppError {
    match e {
        EngineError::NotFound => AppError::NotFound,
        EngineError::Refused(PaymentError::OverCapture | PaymentError::OverRefund) => {
            AppError::field("amount", Problem::ExceedsLimit)
        }
        EngineError::Refused(PaymentError::NotPositive) => {
            AppError::field("amount", Problem::InvalidAmount)
        }
        EngineError::Refused(_) => AppError::NotAllowedNow,
        EngineError::Line(_, LineError::Nothing) => AppError::field("lines", Problem::Required),
        EngineError::Line(i, LineError::MoreThanRemaining) => {
            AppError::field(&format!("qty-{i}"), Problem::ExceedsLimit)
        }
        EngineError::Line(i, LineError::Quantity(_)) => {
            AppError::field(&format!("qty-{i}"), Problem::InvalidAmount)
        }
        EngineError::Line(i, LineError::Price) => {
            AppError::field(&format!("price-{i}"), Problem::InvalidAmount)
        }
        EngineError::Invalid { property, .. } if property == "lines" => {
            AppError::field("lines", Problem::OutOfRange)
        }
        EngineError::Db(e) => internal(e),
        EngineError::Acquirer(e) => {
            tracing::warn!(error = %e, "acquirer unavailable");
            AppError::Unavailable
        }
        other => {
            tracing::error!(error = %other, "payment operation failed");
            AppError::Internal
        }
    }
}

impl OperationsService {
    async fn row(&self, m: &merchant::Model, id: &str) -> Result<payment::Model, AppError> {
        let id = parse_public_id(id).ok_or(AppError::NotFound)?;
        self.engine.payment(m.id, id).await.map_err(engine_error)
    }

    async fn detail(&self, u: &user::Model, p: payment::Model) -> Result<PaymentDetail, AppError> {
        let zone = zone_of(u);
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let money = |minor: i64| {
            stored_money(minor, &p.currency)
                .map(|m| m.format_in(lang))
                .unwrap_or_default()
        };
        let major = |minor: i64| {
            stored_money(minor, &p.currency)
                .map(Money::format_major)
                .unwrap_or_default()
        };
        let ops = self.engine.operations(p.id).await.map_err(engine_error)?;
        let cart = self.engine.cart(p.id).await.map_err(engine_error)?;
        let role = Role::parse(&u.role).unwrap_or(Role::ReadOnly);
        let l = ledger(&p).map_err(|_| AppError::Internal)?;
        let merchant = merchant::Entity::find_by_id(p.merchant_id)
            .one(self.engine.db())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let capturable = l.capturable(merchant.over_capture_percent.max(0) as u32);
        let users = user_logins(self.engine.db(), &ops).await?;
        let paid_through = match p.payment_link_id {
            None => None,
            Some(link) => crate::entities::payment_link::Entity::find_by_id(link)
                .filter(crate::entities::payment_link::Column::MerchantId.eq(p.merchant_id))
                .one(self.engine.db())
                .await
                .map_err(internal)?
                .map(|l| paid_through(&l, lang)),
        };
        Ok(PaymentDetail {
            paid_through,
            payer_fields: payer_fields(p.payer_fields.as_deref()),
            fraud: p
                .fraud_rule
                .clone()
                .map(|rule| (p.fraud_result.clone().unwrap_or_default(), rule)),
            id: public_id(p.id),
            reference: p.merchant_reference.clone(),
            channel: p.channel.clone(),
            method: p.brand.clone().unwrap_or_default(),
            status: label_of(&p).code().to_owned(),
            currency: p.currency.clone(),
            amount: money(p.amount),
            authorised: money(p.authorised),
            captured: money(p.captured),
            refunded: money(p.refunded),
            created: zone.format(p.created_at),
            eci: p.eci.clone().unwrap_or_default(),
            session_id: p.hosted_checkout_id.clone().unwrap_or_default(),
            masked_card: p.masked_card.clone().unwrap_or_default(),
            expiry: p
                .card_expiry
                .as_deref()
                .filter(|e| e.len() == 4)
                .map(|e| format!("{}/{}", &e[..2], &e[2..]))
                .unwrap_or_default(),
            holder: p.card_holder.clone().unwrap_or_default(),
            email: p.customer_email.clone().unwrap_or_default(),
            ip: p.customer_ip.clone().unwrap_or_default(),
            authorisation_code: p.authorisation_code.clone().unwrap_or_default(),
            terminal_id: p.terminal_id.clone().unwrap_or_default(),
            receipt: p.receipt.clone().unwrap_or_default(),
            activity: ops
                .iter()
                .map(|op| ActivityView {
                    kind: op.kind.clone(),
                    succeeded: op.result == "approved",
                    date: zone.format(op.created_at),
                    amount: money(op.amount),
                    refusal: op
                        .refusal_code
                        .as_ref()
                        .map(|c| format!("{c} {}", op.refusal_reason.clone().unwrap_or_default())),
                    by: done_by(op, &users),
                })
                .collect(),
            cart: cart
                .iter()
                .map(|c: &cart_line::Model| CartLineView {
                    name: c.product_name.clone(),
                    code: c.product_code.clone(),
                    quantity: domain::cart::format_thousandths(c.quantity_thousandths),
                    unit_price: money(c.unit_price),
                    amount: money(c.amount),
                    refunded: domain::cart::format_thousandths(c.refunded_thousandths),
                    state: Some(line_state(c)),
                    unit_price_major: major(c.unit_price),
                })
                .collect(),
            capturable: (capturable > 0).then(|| major(capturable)),
            cancellable: l.direct_status().is_cancellable,
            refundable: (l.refundable() > 0).then(|| major(l.refundable())),
            may_operate: role.may_move_money(MoneyMove::Capture, u.may_refund),
            may_refund: role.may_move_money(MoneyMove::Refund, u.may_refund),
        })
    }

    fn amount(p: &payment::Model, typed: &str) -> Result<i64, AppError> {
        let currency = domain::money::Currency::parse(&p.currency).ok_or(AppError::Internal)?;
        if typed.trim().is_empty() {
            return Err(AppError::field("amount", Problem::Required));
        }
        Money::parse_major(typed, currency)
            .map(Money::minor)
            .map_err(|_| AppError::field("amount", Problem::InvalidAmount))
    }
}

#[async_trait::async_trait]
impl OperationsPort for OperationsService {
    async fn dashboard(
        &self,
        actor: &Actor,
        query: DashboardQuery,
    ) -> Result<DashboardView, AppError> {
        self.dashboard_view(actor, query).await
    }

    async fn payments(&self, actor: &Actor, f: PaymentFilter) -> Result<PaymentsPage, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let zone = zone_of(&u);
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let query = filtered(m.id, &zone, &f)?;
        let paginator = query.paginate(self.engine.db(), PAGE_SIZE);
        let total = paginator.num_items().await.map_err(internal)?;
        let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
        let page = f.page.clamp(1, pages);
        let rows = paginator
            .fetch_page(u64::from(page - 1))
            .await
            .map_err(internal)?
            .into_iter()
            .map(|p| PaymentRow {
                id: public_id(p.id),
                created: zone.format(p.created_at),
                reference: p.merchant_reference.clone(),
                amount: stored_money(p.amount, &p.currency)
                    .map(|m| m.format_in(lang))
                    .unwrap_or_default(),
                status: label_of(&p).code().to_owned(),
                card: p.masked_card.clone().unwrap_or_default(),
                channel: p.channel.clone(),
                brand: p.brand.clone().unwrap_or_default(),
                email: p.customer_email.clone().unwrap_or_default(),
                authorisation_code: p.authorisation_code.clone().unwrap_or_default(),
                updated: zone.format(p.updated_at),
            })
            .collect();
        Ok(PaymentsPage {
            rows,
            total,
            page,
            pages,
            zone: zone.zone.clone(),
            report_format: m.report_format.clone(),
        })
    }

    async fn payment(&self, actor: &Actor, id: &str) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let p = self.row(&m, id).await?;
        self.detail(&u, p).await
    }

    async fn capture(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        is_final: bool,
        ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Capture).await?;
        let p = self.row(&m, id).await?;
        let minor = Self::amount(&p, &amount)?;
        let by = user_initiator(&u, ip);
        let (p, _) = self
            .engine
            .capture(&m, p.id, Some(minor), is_final, &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }

    async fn cancel(&self, actor: &Actor, id: &str, ip: &str) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Cancel).await?;
        let p = self.row(&m, id).await?;
        let by = user_initiator(&u, ip);
        let (p, _) = self
            .engine
            .cancel(&m, p.id, &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }

    async fn list_views(&self, actor: &Actor) -> Result<ListViews, AppError> {
        self.list_views_of(actor).await
    }

    async fn save_template(
        &self,
        actor: &Actor,
        name: String,
        query: String,
        shared: bool,
    ) -> Result<ListViews, AppError> {
        self.save_template_of(actor, name, query, shared).await
    }

    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<ListViews, AppError> {
        self.delete_template_of(actor, id).await
    }

    async fn save_list_settings(
        &self,
        actor: &Actor,
        settings: ListSettings,
    ) -> Result<ListViews, AppError> {
        self.save_list_settings_of(actor, settings).await
    }

    async fn history(&self, actor: &Actor, f: HistoryFilter) -> Result<HistoryPage, AppError> {
        self.history_page(actor, f).await
    }

    async fn moto(&self, actor: &Actor, form: MotoForm, ip: &str) -> Result<MotoResult, AppError> {
        self.pay_moto(actor, form, ip).await
    }

    async fn refund_lines(
        &self,
        actor: &Actor,
        id: &str,
        quantities: Vec<String>,
        ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Refund).await?;
        let p = self.row(&m, id).await?;
        let mut more = Vec::with_capacity(quantities.len());
        let mut problems = Vec::new();
        for (i, q) in quantities.iter().enumerate() {
            match parse_refund_quantity(q) {
                Ok(q) => more.push(q),
                Err(_) => {
                    problems.push(FieldError::new(&format!("qty-{i}"), Problem::InvalidAmount))
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let by = user_initiator(&u, ip);
        let (p, _) = self
            .engine
            .refund_lines(&m, p.id, &more, &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }

    async fn capture_cart(
        &self,
        actor: &Actor,
        id: &str,
        prices: Vec<String>,
        quantities: Vec<String>,
        ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Capture).await?;
        let p = self.row(&m, id).await?;
        let currency = domain::money::Currency::parse(&p.currency).ok_or(AppError::Internal)?;
        let mut edited = Vec::with_capacity(prices.len());
        let mut problems = Vec::new();
        for (i, (price, q)) in prices.iter().zip(&quantities).enumerate() {
            let price = Money::parse_major(price, currency).map(Money::minor);
            let quantity = Quantity::parse(q);
            match (price, quantity) {
                (Ok(price), Ok(quantity)) if price >= 0 => edited.push((price, quantity)),
                (price, quantity) => {
                    if !matches!(price, Ok(p) if p >= 0) {
                        problems.push(FieldError::new(
                            &format!("price-{i}"),
                            Problem::InvalidAmount,
                        ));
                    }
                    if quantity.is_err() {
                        problems.push(FieldError::new(&format!("qty-{i}"), Problem::InvalidAmount));
                    }
                }
            }
        }
        if prices.len() != quantities.len() {
            problems.push(FieldError::new("lines", Problem::OutOfRange));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let by = user_initiator(&u, ip);
        let (p, _) = self
            .engine
            .capture_cart(&m, p.id, &edited, &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }

    async fn refund(
        &self,
        actor: &Actor,
        id: &str,
        amount: String,
        ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = load_actor_who_may(self.engine.db(), actor, MoneyMove::Refund).await?;
        let p = self.row(&m, id).await?;
        let minor = Self::amount(&p, &amount)?;
        let by = user_initiator(&u, ip);
        let (p, _) = self
            .engine
            .refund(&m, p.id, Some(minor), &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }
}
