//! The dashboard (MB-30): the period's payments folded per day in the user's zone,
//! conversion, refusal causes, gross and net amounts.

use super::operations::OperationsService;
use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::payment;
use app::account::Actor;
use app::error::AppError;
use app::error::Problem;
use app::payments::{DashboardDay, DashboardQuery, DashboardView, RefusalStat};
use domain::payment::Stage;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

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
    pub(crate) async fn dashboard_view(
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
            Period::parse(&q.period)
                .ok_or_else(|| AppError::field("period", Problem::OutOfRange))?
        };
        let today = zone.localize(chrono::Utc::now()).date_naive();
        let (first, last) = period.days(today, &q.from, &q.to).map_err(|e| match e {
            PeriodError::InvalidDate
                if chrono::NaiveDate::parse_from_str(q.from.trim(), "%Y-%m-%d").is_err() =>
            {
                AppError::field("from", Problem::InvalidDate)
            }
            PeriodError::InvalidDate => AppError::field("to", Problem::InvalidDate),
            PeriodError::Reversed | PeriodError::TooLong => {
                AppError::field("to", Problem::OutOfRange)
            }
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
                .ok_or_else(|| AppError::field("currency", Problem::OutOfRange))?
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
