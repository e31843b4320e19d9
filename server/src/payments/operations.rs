//! The payments pages' port (MB-31..33): the filtered, sorted, paginated list, one
//! payment's information, and capture/cancel/refund through the engine. Read-only users
//! see and do nothing that moves money; refunds need Admin or the "may refund" right.

use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::{cart_line, filter_template, merchant, payment, user};
use crate::payments::engine::{
    AttemptResult, AuthMode, CardInput, CardSource, Initiator, NewPayment, PaymentEngine,
};
use crate::payments::error::EngineError;
use crate::payments::history::{done_by, history_filtered, user_logins};
use crate::payments::list::{filtered, label_of};
use crate::payments::records::{ledger, line_state, parse_public_id, public_id, stored_money};
use app::account::Actor;
use app::checkout::CartLineView;
use app::error::{AppError, FieldError, Problem};
use app::payments::OperationsPort;
use app::payments::{
    ActivityView, DashboardQuery, DashboardView, HistoryFilter, HistoryPage, HistoryRow,
    ListSettings, ListViews, MotoForm, MotoResult, PaymentDetail, PaymentFilter, PaymentRow,
    PaymentsPage, TemplateView, DEFAULT_COLUMNS, LIST_COLUMNS, LIST_FILTERS,
};
use domain::cart::{parse_refund_quantity, LineError, Quantity};
use domain::money::Money;
use domain::payment::PaymentError;
use domain::{Lang, MoneyMove, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};

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
fn user_initiator(u: &user::Model, ip: &str) -> Initiator {
    Initiator::User {
        id: u.id,
        login: u.login.clone(),
        ip: ip.to_owned(),
    }
}

fn engine_error(e: EngineError) -> AppError {
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
            AppError::Internal
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
        Ok(PaymentDetail {
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

    /// The actor when they may do `what` (the domain's rule: role and refund right).
    async fn allowed(
        &self,
        actor: &Actor,
        what: MoneyMove,
    ) -> Result<(merchant::Model, user::Model), AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let role = Role::parse(&u.role).unwrap_or(Role::ReadOnly);
        if !role.may_move_money(what, u.may_refund) {
            return Err(AppError::Forbidden);
        }
        Ok((m, u))
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

/// A comma-separated choice, or `default` when empty.
fn choice(stored: &str, default: &[&str]) -> Vec<String> {
    let chosen: Vec<String> = stored
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if chosen.is_empty() {
        default.iter().map(|c| (*c).to_owned()).collect()
    } else {
        chosen
    }
}

/// Longest template name.
const TEMPLATE_NAME_MAX: usize = 80;
/// Longest template query.
const TEMPLATE_QUERY_MAX: usize = 2000;

impl OperationsService {
    async fn views_of(&self, u: &user::Model) -> Result<ListViews, AppError> {
        let db = self.engine.db();
        let templates = filter_template::Entity::find()
            .filter(filter_template::Column::MerchantId.eq(u.merchant_id))
            .filter(
                Condition::any()
                    .add(filter_template::Column::UserId.eq(u.id))
                    .add(filter_template::Column::Shared.eq(true)),
            )
            .order_by_asc(filter_template::Column::Name)
            .all(db)
            .await
            .map_err(internal)?;
        let owners: Vec<i64> = templates.iter().map(|t| t.user_id).collect();
        let logins = user::Entity::find()
            .filter(user::Column::Id.is_in(owners))
            .all(db)
            .await
            .map_err(internal)?;
        Ok(ListViews {
            settings: ListSettings {
                filters: choice(&u.payment_filters, &LIST_FILTERS),
                columns: choice(&u.payment_columns, &DEFAULT_COLUMNS),
            },
            templates: templates
                .into_iter()
                .map(|t| TemplateView {
                    id: t.id,
                    owner: logins
                        .iter()
                        .find(|l| l.id == t.user_id)
                        .map(|l| l.login.clone())
                        .unwrap_or_default(),
                    mine: t.user_id == u.id,
                    name: t.name,
                    query: t.query,
                    shared: t.shared,
                })
                .collect(),
        })
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
        let (m, u) = self.allowed(actor, MoneyMove::Capture).await?;
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
        let (m, u) = self.allowed(actor, MoneyMove::Cancel).await?;
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
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        self.views_of(&u).await
    }

    async fn save_template(
        &self,
        actor: &Actor,
        name: String,
        query: String,
        shared: bool,
    ) -> Result<ListViews, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let name = name.trim().to_owned();
        let query = query.trim().trim_start_matches('?').to_owned();
        if name.is_empty() {
            return Err(AppError::field("name", Problem::Required));
        }
        if name.chars().count() > TEMPLATE_NAME_MAX {
            return Err(AppError::field("name", Problem::TooLong));
        }
        if query.len() > TEMPLATE_QUERY_MAX {
            return Err(AppError::field("query", Problem::TooLong));
        }
        // A template is only ever a valid filter.
        filtered(m.id, &zone_of(&u), &PaymentFilter::from_query(&query))?;
        let db = self.engine.db();
        let existing = filter_template::Entity::find()
            .filter(filter_template::Column::UserId.eq(u.id))
            .filter(filter_template::Column::Name.eq(name.clone()))
            .one(db)
            .await
            .map_err(internal)?;
        let mut row: filter_template::ActiveModel = match existing {
            Some(t) => t.into(),
            None => filter_template::ActiveModel {
                merchant_id: Set(m.id),
                user_id: Set(u.id),
                name: Set(name.clone()),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            },
        };
        row.query = Set(query);
        row.shared = Set(shared);
        row.save(db).await.map_err(internal)?;
        self.views_of(&u).await
    }

    async fn delete_template(&self, actor: &Actor, id: i64) -> Result<ListViews, AppError> {
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        let result = filter_template::Entity::delete_many()
            .filter(filter_template::Column::Id.eq(id))
            .filter(filter_template::Column::UserId.eq(u.id))
            .exec(self.engine.db())
            .await
            .map_err(internal)?;
        if result.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        self.views_of(&u).await
    }

    async fn save_list_settings(
        &self,
        actor: &Actor,
        settings: ListSettings,
    ) -> Result<ListViews, AppError> {
        let (_, u) = load_actor(self.engine.db(), actor).await?;
        let keep = |chosen: &[String], allowed: &[&str]| -> Option<String> {
            let kept: Vec<&str> = allowed
                .iter()
                .copied()
                .filter(|a| chosen.iter().any(|c| c == a))
                .collect();
            (kept.len() == chosen.len() && !kept.is_empty()).then(|| kept.join(","))
        };
        let filters = keep(&settings.filters, &LIST_FILTERS)
            .ok_or_else(|| AppError::field("filters", Problem::OutOfRange))?;
        let columns = keep(&settings.columns, &LIST_COLUMNS)
            .ok_or_else(|| AppError::field("columns", Problem::OutOfRange))?;
        let mut row: user::ActiveModel = u.into();
        row.payment_filters = Set(filters);
        row.payment_columns = Set(columns);
        let u = row.update(self.engine.db()).await.map_err(internal)?;
        self.views_of(&u).await
    }

    async fn history(&self, actor: &Actor, f: HistoryFilter) -> Result<HistoryPage, AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let zone = zone_of(&u);
        let lang = Lang::parse(&u.language).unwrap_or_default();
        let db = self.engine.db();
        let query = history_filtered(db, m.id, &zone, &f).await?;
        let paginator = query.paginate(db, PAGE_SIZE);
        let total = paginator.num_items().await.map_err(internal)?;
        let pages = total.div_ceil(PAGE_SIZE).max(1) as u32;
        let page = f.page.clamp(1, pages);
        let ops = paginator
            .fetch_page(u64::from(page - 1))
            .await
            .map_err(internal)?;
        let rows = crate::payments::history::entries(db, &ops)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| HistoryRow {
                date: zone.format(e.at),
                amount: stored_money(e.amount, &e.currency)
                    .map(|m| m.format_in(lang))
                    .unwrap_or_default(),
                kind: e.kind,
                payment_id: e.payment_id,
                reference: e.reference,
                by: e.by,
            })
            .collect();
        let users = user::Entity::find()
            .filter(user::Column::MerchantId.eq(m.id))
            .order_by_asc(user::Column::Login)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|u| u.login)
            .collect();
        Ok(HistoryPage {
            rows,
            total,
            page,
            pages,
            zone: zone.zone.clone(),
            users,
        })
    }

    async fn moto(&self, actor: &Actor, form: MotoForm, ip: &str) -> Result<MotoResult, AppError> {
        let (m, u) = self.allowed(actor, MoneyMove::Sale).await?;
        let mut problems = Vec::new();
        let currency = domain::money::Currency::parse(form.currency.trim());
        if currency.is_none() {
            problems.push(FieldError::new("currency", Problem::OutOfRange));
        }
        let amount = match currency {
            Some(c) if !form.amount.trim().is_empty() => Money::parse_major(&form.amount, c)
                .ok()
                .filter(|m| m.minor() > 0)
                .or_else(|| {
                    problems.push(FieldError::new("amount", Problem::InvalidAmount));
                    None
                }),
            Some(_) => {
                problems.push(FieldError::new("amount", Problem::Required));
                None
            }
            None => None,
        };
        let mode = match form.mode.as_str() {
            "" | "SALE" => AuthMode::Sale,
            "PRE_AUTHORIZATION" => AuthMode::PreAuthorization,
            _ => {
                problems.push(FieldError::new("mode", Problem::OutOfRange));
                AuthMode::Sale
            }
        };
        for (name, value, most) in [
            ("reference", &form.reference, 50),
            ("description", &form.description, 250),
            ("customer_id", &form.customer_id, 50),
            ("holder", &form.holder, 50),
        ] {
            if value.chars().count() > most {
                problems.push(FieldError::new(name, Problem::TooLong));
            }
        }
        if form.number.trim().is_empty() {
            problems.push(FieldError::new("number", Problem::Required));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let amount = amount.ok_or(AppError::Internal)?;
        let reference = match form.reference.trim() {
            "" => format!(
                "MOTO-{}-{}",
                chrono::Utc::now().format("%Y%m%d"),
                crate::platform::crypto::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
            ),
            typed => typed.to_owned(),
        };
        let expiry: String = form.expiry.chars().filter(char::is_ascii_digit).collect();
        let by = user_initiator(&u, ip);
        let attempt = self
            .engine
            .create_payment(
                &m,
                NewPayment {
                    channel: "MOTO",
                    amount,
                    merchant_reference: reference.clone(),
                    merchant_customer_id: Some(form.customer_id.trim().to_owned())
                        .filter(|c| !c.is_empty()),
                    description: form.description.trim().to_owned(),
                    mode: Some(mode),
                    source: CardSource::Card(CardInput {
                        number: form.number.clone(),
                        cvv: Some(form.cvc.trim().to_owned()).filter(|c| !c.is_empty()),
                        expiry,
                        holder: form.holder.trim().to_owned(),
                    }),
                    tokenize: false,
                    return_url: None,
                    cart: Vec::new(),
                    customer_email: None,
                    customer_ip: None,
                    locale: u.language.clone(),
                    hosted_checkout_id: None,
                },
                &by,
            )
            .await
            .map_err(|e| match e {
                EngineError::Card { property, error } => {
                    let name = if property.ends_with("expiryDate") {
                        "expiry"
                    } else if property.ends_with("cvv") {
                        "cvc"
                    } else {
                        "number"
                    };
                    AppError::Invalid(vec![FieldError::new(name, Problem::Card(error))])
                }
                other => engine_error(other),
            })?;
        let p = attempt.payment;
        let lang = Lang::parse(&u.language).unwrap_or_default();
        Ok(MotoResult {
            payment_id: public_id(p.id),
            reference,
            approved: matches!(attempt.result, AttemptResult::Approved),
            status: label_of(&p).code().to_owned(),
            amount: amount.format_in(lang),
            authorisation_code: p.authorisation_code.clone().unwrap_or_default(),
            refusal: match attempt.result {
                AttemptResult::Declined { code, reason } => format!("{code} {reason}"),
                AttemptResult::Uncertain => "92".to_owned(),
                _ => String::new(),
            },
        })
    }

    async fn refund_lines(
        &self,
        actor: &Actor,
        id: &str,
        quantities: Vec<String>,
        ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, MoneyMove::Refund).await?;
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
        let (m, u) = self.allowed(actor, MoneyMove::Capture).await?;
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
        let (m, u) = self.allowed(actor, MoneyMove::Refund).await?;
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
