//! The payments pages' port (MB-31..33): the filtered, sorted, paginated list, one
//! payment's information, and capture/cancel/refund through the engine. Read-only users
//! see and do nothing that moves money; refunds need Admin or the "may refund" right.

use crate::entities::{cart_line, filter_template, merchant, operation, payment, user};
use crate::services::account::{internal, load_actor, zone_of};
use crate::services::field;
use crate::services::payments::{
    ledger, line_state, parse_public_id, public_id, stored_money, AttemptResult, AuthMode,
    CardInput, CardSource, EngineError, Initiator, NewPayment, PaymentEngine,
};
use app::account::Actor;
use app::checkout::CartLineView;
use app::error::{AppError, FieldError, Problem};
use app::payments::OperationsPort;
use app::payments::{
    ActivityView, DashboardDay, DashboardQuery, DashboardView, HistoryFilter, HistoryPage,
    HistoryRow, ListSettings, ListViews, MotoForm, MotoResult, PaymentDetail, PaymentFilter,
    PaymentRow, PaymentsPage, RefusalStat, TemplateView, DEFAULT_COLUMNS, LIST_COLUMNS,
    LIST_FILTERS,
};
use domain::cart::{parse_refund_quantity, LineError, Quantity};
use domain::money::Money;
use domain::payment::{Label, PaymentError, Stage};
use domain::{Lang, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;

/// The port.
pub struct OperationsService {
    engine: PaymentEngine,
}

impl OperationsService {
    /// Over `engine`.
    pub fn new(engine: PaymentEngine) -> Self {
        OperationsService { engine }
    }
}

/// The rows a label stands for.
fn label_condition(label: Label) -> Condition {
    use payment::Column as C;
    let authorised = C::Stage.eq(Stage::Authorised.code());
    match label {
        Label::New => Condition::any()
            .add(C::Stage.eq(Stage::Created.code()))
            .add(C::Stage.eq(Stage::Redirected.code()))
            .add(C::Stage.eq(Stage::Uncertain.code())),
        Label::Uncaptured => Condition::all().add(authorised).add(C::Captured.eq(0)),
        Label::Succeeded => Condition::all()
            .add(authorised)
            .add(C::Captured.gt(0))
            .add(C::Refunded.eq(0)),
        Label::PartialRefund => Condition::all().add(authorised).add(C::Refunded.gt(0)).add(
            sea_orm::sea_query::ExprTrait::lt(Expr::col(C::Refunded), Expr::col(C::Captured)),
        ),
        Label::Refunded => Condition::all().add(authorised).add(C::Refunded.gt(0)).add(
            sea_orm::sea_query::ExprTrait::eq(Expr::col(C::Refunded), Expr::col(C::Captured)),
        ),
        Label::Declined => Condition::all().add(C::Stage.eq(Stage::Rejected.code())),
        Label::Cancelled => Condition::all().add(C::Stage.eq(Stage::Cancelled.code())),
        Label::Expired => Condition::all().add(C::Stage.eq(Stage::Expired.code())),
    }
}

pub(crate) fn label_of(p: &payment::Model) -> Label {
    ledger(p).map(|l| l.label()).unwrap_or(Label::New)
}

/// The user as the engine records who did an operation.
fn user_initiator(u: &user::Model) -> Initiator {
    Initiator::User {
        id: u.id,
        login: u.login.clone(),
    }
}

fn engine_error(e: EngineError) -> AppError {
    match e {
        EngineError::NotFound => AppError::NotFound,
        EngineError::Refused(PaymentError::OverCapture | PaymentError::OverRefund) => {
            field("amount", Problem::ExceedsLimit)
        }
        EngineError::Refused(PaymentError::NotPositive) => field("amount", Problem::InvalidAmount),
        EngineError::Refused(_) => AppError::NotAllowedNow,
        EngineError::Line(_, LineError::Nothing) => field("lines", Problem::Required),
        EngineError::Line(i, LineError::MoreThanRemaining) => {
            field(&format!("qty-{i}"), Problem::ExceedsLimit)
        }
        EngineError::Line(i, LineError::Quantity(_)) => {
            field(&format!("qty-{i}"), Problem::InvalidAmount)
        }
        EngineError::Line(i, LineError::Price) => {
            field(&format!("price-{i}"), Problem::InvalidAmount)
        }
        EngineError::Invalid { property, .. } if property == "lines" => {
            field("lines", Problem::OutOfRange)
        }
        EngineError::Db(e) => internal(e),
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
            may_operate: matches!(role, Role::Admin | Role::Operator),
            may_refund: role == Role::Admin || (role == Role::Operator && u.may_refund),
        })
    }

    /// The actor when they may move money: Admins and Operators; refunds also need the
    /// "may refund" right unless Admin.
    async fn allowed(
        &self,
        actor: &Actor,
        refund: bool,
    ) -> Result<(merchant::Model, user::Model), AppError> {
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let allowed = match Role::parse(&u.role) {
            Some(Role::Admin) => true,
            Some(Role::Operator) => !refund || u.may_refund,
            _ => false,
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        Ok((m, u))
    }

    fn amount(p: &payment::Model, typed: &str) -> Result<i64, AppError> {
        let currency = domain::money::Currency::parse(&p.currency).ok_or(AppError::Internal)?;
        if typed.trim().is_empty() {
            return Err(field("amount", Problem::Required));
        }
        Money::parse_major(typed, currency)
            .map(Money::minor)
            .map_err(|_| field("amount", Problem::InvalidAmount))
    }
}

/// Who did `op`: the user's login, `API <key>`, or nobody (the system).
pub(crate) fn done_by(op: &operation::Model, logins: &[(i64, String)]) -> String {
    match (op.user_id, &op.api_key_id) {
        (Some(id), _) => logins
            .iter()
            .find(|(uid, _)| *uid == id)
            .map(|(_, login)| login.clone())
            .unwrap_or_default(),
        (None, Some(key)) => format!("API {key}"),
        _ => String::new(),
    }
}

/// The logins of the users who did `ops`.
pub(crate) async fn user_logins(
    db: &sea_orm::DatabaseConnection,
    ops: &[operation::Model],
) -> Result<Vec<(i64, String)>, AppError> {
    let ids: Vec<i64> = ops.iter().filter_map(|o| o.user_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|u| (u.id, u.login))
        .collect())
}

/// The merchant's payments matching `f`, sorted as asked (the list and the exports).
pub(crate) fn filtered(
    merchant_id: i64,
    zone: &domain::ZonePreference,
    f: &PaymentFilter,
) -> Result<sea_orm::Select<payment::Entity>, AppError> {
    use payment::Column as C;
    let mut problems = Vec::new();
    let mut query = payment::Entity::find().filter(C::MerchantId.eq(merchant_id));
    let mut start = None;
    let mut end = None;
    if !f.from.is_empty() {
        match zone.start_of_day(&f.from) {
            Some(t) => start = Some(t),
            None => problems.push(FieldError::new("from", Problem::InvalidDate)),
        }
    }
    if !f.to.is_empty() {
        match zone.start_of_day(&f.to) {
            Some(t) => end = Some(t + chrono::Duration::days(1)),
            None => problems.push(FieldError::new("to", Problem::InvalidDate)),
        }
    }
    if f.date_kind == "captured" {
        // Payments with an approved capture in the range.
        if start.is_some() || end.is_some() {
            let mut captures = sea_orm::sea_query::Query::select();
            captures
                .column(operation::Column::PaymentId)
                .from(operation::Entity)
                .and_where(operation::Column::Kind.eq("capture"))
                .and_where(operation::Column::Result.eq("approved"));
            if let Some(t) = start {
                captures.and_where(operation::Column::CreatedAt.gte(t));
            }
            if let Some(t) = end {
                captures.and_where(operation::Column::CreatedAt.lt(t));
            }
            query = query.filter(C::Id.in_subquery(captures.to_owned()));
        }
    } else {
        let date_col = if f.date_kind == "updated" {
            C::UpdatedAt
        } else {
            C::CreatedAt
        };
        if let Some(t) = start {
            query = query.filter(date_col.gte(t));
        }
        if let Some(t) = end {
            query = query.filter(date_col.lt(t));
        }
    }
    for (name, raw, min) in [
        ("min_amount", &f.min_amount, true),
        ("max_amount", &f.max_amount, false),
    ] {
        if raw.trim().is_empty() {
            continue;
        }
        match raw.trim().parse::<i64>() {
            Ok(v) if min => query = query.filter(C::Amount.gte(v)),
            Ok(v) => query = query.filter(C::Amount.lte(v)),
            Err(_) => problems.push(FieldError::new(name, Problem::InvalidAmount)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    if !f.reference.trim().is_empty() {
        query = query.filter(C::MerchantReference.contains(f.reference.trim()));
    }
    if !f.alias.trim().is_empty() {
        query = query.filter(C::TokenId.eq(f.alias.trim()));
    }
    if !f.email.trim().is_empty() {
        query = query.filter(C::CustomerEmail.contains(f.email.trim()));
    }
    if !f.last4.trim().is_empty() {
        query = query.filter(C::CardLast4.eq(f.last4.trim()));
    }
    if !f.payment_id.trim().is_empty() {
        query = query.filter(C::Id.eq(parse_public_id(f.payment_id.trim()).unwrap_or(-1)));
    }
    let labels: Vec<Label> = f.statuses.iter().filter_map(|s| Label::parse(s)).collect();
    if !labels.is_empty() {
        query = query.filter(
            labels
                .into_iter()
                .fold(Condition::any(), |c, l| c.add(label_condition(l))),
        );
    }
    let order = if f.desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    query = match f.sort.as_str() {
        "amount" => query.order_by(C::Amount, order.clone()),
        "reference" => query.order_by(C::MerchantReference, order.clone()),
        "updated" => query.order_by(C::UpdatedAt, order.clone()),
        _ => query.order_by(C::CreatedAt, order.clone()),
    }
    .order_by(C::Id, order);
    Ok(query)
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

/// The operations the financial history lists: money that moved.
pub const HISTORY_KINDS: [&str; 3] = ["capture", "refund", "cancel"];

/// The merchant's approved captures, refunds and cancels matching `f`, newest first.
pub(crate) async fn history_filtered(
    db: &sea_orm::DatabaseConnection,
    merchant_id: i64,
    zone: &domain::ZonePreference,
    f: &HistoryFilter,
) -> Result<sea_orm::Select<operation::Entity>, AppError> {
    use operation::Column as C;
    let mut problems = Vec::new();
    let mut payments = sea_orm::sea_query::Query::select();
    payments
        .column(payment::Column::Id)
        .from(payment::Entity)
        .and_where(payment::Column::MerchantId.eq(merchant_id));
    let mut query = operation::Entity::find()
        .filter(C::PaymentId.in_subquery(payments.to_owned()))
        .filter(C::Result.eq("approved"));
    for (name, raw, end) in [("from", &f.from, false), ("to", &f.to, true)] {
        if raw.trim().is_empty() {
            continue;
        }
        match zone.start_of_day(raw) {
            Some(t) if end => query = query.filter(C::CreatedAt.lt(t + chrono::Duration::days(1))),
            Some(t) => query = query.filter(C::CreatedAt.gte(t)),
            None => problems.push(FieldError::new(name, Problem::InvalidDate)),
        }
    }
    match f.kind.as_str() {
        "" => query = query.filter(C::Kind.is_in(HISTORY_KINDS)),
        kind if HISTORY_KINDS.contains(&kind) => query = query.filter(C::Kind.eq(kind)),
        _ => problems.push(FieldError::new("kind", Problem::OutOfRange)),
    }
    if !f.user.trim().is_empty() {
        let who = user::Entity::find()
            .filter(user::Column::MerchantId.eq(merchant_id))
            .filter(user::Column::Login.eq(f.user.trim().to_lowercase()))
            .one(db)
            .await
            .map_err(internal)?;
        match who {
            Some(u) => query = query.filter(C::UserId.eq(u.id)),
            None => problems.push(FieldError::new("user", Problem::InvalidIdentifier)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(query
        .order_by(C::CreatedAt, sea_orm::Order::Desc)
        .order_by(C::Id, sea_orm::Order::Desc))
}

/// What the dashboard reads of a payment.
#[derive(sea_orm::FromQueryResult)]
struct DashboardRow {
    created_at: chrono::DateTime<chrono::Utc>,
    currency: String,
    stage: String,
    amount: i64,
    authorised: i64,
    captured: i64,
    refunded: i64,
    refusal_code: Option<String>,
    refusal_reason: Option<String>,
}

/// Refusal causes shown on the dashboard.
const TOP_REFUSALS: usize = 8;

impl OperationsService {
    /// The dashboard (MB-30): the period's payments of one currency folded per day in
    /// the user's zone, in one pass over the merchant's payments of the period.
    async fn dashboard_view(
        &self,
        actor: &Actor,
        q: DashboardQuery,
    ) -> Result<DashboardView, AppError> {
        use domain::report::{days_between, DayFigures, PaymentFacts, Period, PeriodError};
        use futures_util::TryStreamExt;
        use payment::Column as C;
        use sea_orm::QuerySelect;
        let (m, u) = load_actor(self.engine.db(), actor).await?;
        let zone = zone_of(&u);
        let period = if q.period.is_empty() {
            Period::Last7Days
        } else {
            Period::parse(&q.period).ok_or_else(|| field("period", Problem::OutOfRange))?
        };
        let today = zone.localize(chrono::Utc::now()).date_naive();
        let (first, last) = period.days(today, &q.from, &q.to).map_err(|e| match e {
            PeriodError::InvalidDate
                if chrono::NaiveDate::parse_from_str(q.from.trim(), "%Y-%m-%d").is_err() =>
            {
                field("from", Problem::InvalidDate)
            }
            PeriodError::InvalidDate => field("to", Problem::InvalidDate),
            PeriodError::Reversed | PeriodError::TooLong => field("to", Problem::OutOfRange),
        })?;
        let days = days_between(first, last);
        let day_text = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        let start = zone
            .start_of_day(&day_text(first))
            .ok_or(AppError::Internal)?;
        let end = zone
            .start_of_day(&day_text(last + chrono::Duration::days(1)))
            .ok_or(AppError::Internal)?;
        let mut per_currency: std::collections::BTreeMap<String, Vec<DayFigures>> =
            std::collections::BTreeMap::new();
        let mut refusals: std::collections::HashMap<(String, String), (String, u64)> =
            std::collections::HashMap::new();
        let wanted = q.currency.trim().to_ascii_uppercase();
        let db = self.engine.db();
        let mut rows = payment::Entity::find()
            .select_only()
            .columns([
                C::CreatedAt,
                C::Currency,
                C::Stage,
                C::Amount,
                C::Authorised,
                C::Captured,
                C::Refunded,
                C::RefusalCode,
                C::RefusalReason,
            ])
            .filter(C::MerchantId.eq(m.id))
            .filter(C::CreatedAt.gte(start))
            .filter(C::CreatedAt.lt(end))
            .into_model::<DashboardRow>()
            .stream(db)
            .await
            .map_err(internal)?;
        while let Some(r) = rows.try_next().await.map_err(internal)? {
            let local = zone.localize(r.created_at).date_naive();
            let index = (local - first).num_days();
            if index < 0 || index as usize >= days.len() {
                continue;
            }
            let stage = Stage::parse(&r.stage);
            let successful = r.authorised > 0 && stage != Some(Stage::Rejected);
            let figures = per_currency
                .entry(r.currency.clone())
                .or_insert_with(|| vec![DayFigures::default(); days.len()]);
            figures[index as usize].add(PaymentFacts {
                amount: r.amount,
                authorised: r.authorised,
                captured: r.captured,
                refunded: r.refunded,
                successful,
                cancelled: stage == Some(Stage::Cancelled),
            });
            if let (Some(Stage::Rejected), Some(code)) = (stage, r.refusal_code) {
                refusals
                    .entry((r.currency, code))
                    .or_insert_with(|| (r.refusal_reason.unwrap_or_default(), 0))
                    .1 += 1;
            }
        }
        drop(rows);
        let currency = if !wanted.is_empty() {
            domain::money::Currency::parse(&wanted)
                .ok_or_else(|| field("currency", Problem::OutOfRange))?
                .code()
                .to_owned()
        } else {
            per_currency
                .iter()
                .max_by_key(|(_, days)| days.iter().map(|d| d.all).sum::<u64>())
                .map(|(c, _)| c.clone())
                .unwrap_or_else(|| "EUR".to_owned())
        };
        let figures = per_currency
            .remove(&currency)
            .unwrap_or_else(|| vec![DayFigures::default(); days.len()]);
        let mut totals = DayFigures::default();
        figures.iter().for_each(|f| totals.merge(f));
        let mut currencies: Vec<String> = per_currency.into_keys().collect();
        currencies.push(currency.clone());
        currencies.sort();
        currencies.dedup();
        let mut top: Vec<RefusalStat> = refusals
            .into_iter()
            .filter(|((c, _), _)| *c == currency)
            .map(|((_, code), (meaning, count))| RefusalStat {
                code,
                meaning,
                count,
            })
            .collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
        top.truncate(TOP_REFUSALS);
        Ok(DashboardView {
            period: period.code().to_owned(),
            first: day_text(first),
            last: day_text(last),
            zone: zone.zone.clone(),
            currency,
            currencies,
            days: days
                .into_iter()
                .zip(figures)
                .map(|(d, figures)| DashboardDay {
                    day: day_text(d),
                    figures,
                })
                .collect(),
            totals,
            refusals: top,
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
        _ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, false).await?;
        let p = self.row(&m, id).await?;
        let minor = Self::amount(&p, &amount)?;
        let by = user_initiator(&u);
        let (p, _) = self
            .engine
            .capture(&m, p.id, Some(minor), is_final, &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }

    async fn cancel(&self, actor: &Actor, id: &str, _ip: &str) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, false).await?;
        let p = self.row(&m, id).await?;
        let by = user_initiator(&u);
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
            return Err(field("name", Problem::Required));
        }
        if name.chars().count() > TEMPLATE_NAME_MAX {
            return Err(field("name", Problem::TooLong));
        }
        if query.len() > TEMPLATE_QUERY_MAX {
            return Err(field("query", Problem::TooLong));
        }
        // A template is only ever a valid filter.
        filtered(
            m.id,
            &zone_of(&u),
            &crate::export::filter_from_query(&query),
        )?;
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
            .ok_or_else(|| field("filters", Problem::OutOfRange))?;
        let columns = keep(&settings.columns, &LIST_COLUMNS)
            .ok_or_else(|| field("columns", Problem::OutOfRange))?;
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
        let cells = crate::export::history_cells(db, &ops, &zone)
            .await
            .map_err(internal)?;
        let rows = ops
            .iter()
            .zip(cells)
            .map(|(op, c)| HistoryRow {
                date: c[0].clone(),
                kind: op.kind.clone(),
                payment_id: c[2].clone(),
                reference: c[3].clone(),
                amount: stored_money(op.amount, &c[5])
                    .map(|m| m.format_in(lang))
                    .unwrap_or_default(),
                by: c[6].clone(),
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

    async fn moto(&self, actor: &Actor, form: MotoForm) -> Result<MotoResult, AppError> {
        let (m, u) = self.allowed(actor, false).await?;
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
                crate::crypto::random_from(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
            ),
            typed => typed.to_owned(),
        };
        let expiry: String = form.expiry.chars().filter(char::is_ascii_digit).collect();
        let by = user_initiator(&u);
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
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, true).await?;
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
        let by = user_initiator(&u);
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
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, false).await?;
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
        let by = user_initiator(&u);
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
        _ip: &str,
    ) -> Result<PaymentDetail, AppError> {
        let (m, u) = self.allowed(actor, true).await?;
        let p = self.row(&m, id).await?;
        let minor = Self::amount(&p, &amount)?;
        let by = user_initiator(&u);
        let (p, _) = self
            .engine
            .refund(&m, p.id, Some(minor), &by)
            .await
            .map_err(engine_error)?;
        self.detail(&u, p).await
    }
}
