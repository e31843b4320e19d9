//! The dashboard (MB-30): the period's payments summed per day in the user's zone,
//! conversion, refusal causes, gross and net amounts. The database does the sums: one
//! `GROUP BY` over the merchant's payments of the period (the day found by comparing the
//! creation time with the local midnights, computed here), grouped by refusal code too so
//! that the same rows give the refusal causes; what comes back is a few rows per day,
//! however many payments there are.

use super::operations::OperationsService;
use crate::account::service::{internal, load_actor, zone_of};
use crate::entities::payment;
use app::account::Actor;
use app::error::AppError;
use app::error::Problem;
use app::payments::{DashboardDay, DashboardQuery, DashboardView, RefusalStat};
use domain::payment::Stage;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// The period's payments of one day, currency, stage, outcome and refusal code, summed:
/// the columns of the `GROUP BY` in their order, read by position. The refusal code and
/// reason come as `''` rather than NULL (a NULL read into an `Option` costs sea-orm a
/// formatted error per column and row); an empty code is no refusal cause.
type DayGroup = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// `CAST(expr AS BIGINT)`: PostgreSQL sums `bigint` into `numeric`, and a `CASE` of
/// small literals is an `integer`.
fn big(expr: impl Into<sea_orm::sea_query::SimpleExpr>) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Func};
    Func::cast_as(expr.into(), Alias::new("BIGINT")).into()
}

/// Refusal causes shown on the dashboard.
const TOP_REFUSALS: usize = 8;

impl OperationsService {
    /// The dashboard (MB-30): the period's payments of one currency summed per day in
    /// the user's zone by the database.
    pub(crate) async fn dashboard_view(
        &self,
        actor: &Actor,
        q: DashboardQuery,
    ) -> Result<DashboardView, AppError> {
        use domain::report::{days_between, DayFigures, PaymentFacts, Period, PeriodError};
        use payment::Column as C;
        use sea_orm::sea_query::{Alias, CaseStatement, Expr, Func};
        use sea_orm::{Condition, QuerySelect};
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
        // Day `i` holds what was created before the local midnight ending it.
        let mut day_of = CaseStatement::new();
        for (i, day) in days.iter().enumerate() {
            let end_of_day = zone
                .start_of_day(&day_text(*day + chrono::Duration::days(1)))
                .ok_or(AppError::Internal)?;
            day_of = day_of.case(C::CreatedAt.lt(end_of_day), i as i64);
        }
        let day_of = day_of.finally(days.len() as i64);
        let in_period = Condition::all()
            .add(C::MerchantId.eq(m.id))
            .add(C::CreatedAt.gte(start))
            .add(C::CreatedAt.lt(end));
        let groups = payment::Entity::find()
            .select_only()
            .column_as(big(day_of), "day_index")
            .column(C::Currency)
            .column(C::Stage)
            .column_as(
                big(CaseStatement::new().case(C::Authorised.gt(0), 1).finally(0)),
                "approved",
            )
            .column_as(
                sea_orm::sea_query::SimpleExpr::from(Func::coalesce([
                    Expr::col(C::RefusalCode),
                    Expr::val(""),
                ])),
                "code",
            )
            .column_as(
                sea_orm::sea_query::SimpleExpr::from(Func::coalesce([
                    C::RefusalReason.max(),
                    Expr::val(""),
                ])),
                "reason",
            )
            .column_as(C::Id.count(), "n")
            .column_as(big(Func::sum(Expr::col(C::Amount))), "amount")
            .column_as(big(Func::sum(Expr::col(C::Authorised))), "authorised")
            .column_as(big(Func::sum(Expr::col(C::Captured))), "captured")
            .column_as(big(Func::sum(Expr::col(C::Refunded))), "refunded")
            .filter(in_period)
            .group_by(Expr::col(Alias::new("day_index")))
            .group_by(C::Currency)
            .group_by(C::Stage)
            .group_by(Expr::col(Alias::new("approved")))
            .group_by(C::RefusalCode)
            .into_tuple::<DayGroup>()
            .all(db)
            .await
            .map_err(internal)?;
        for (
            day_index,
            currency,
            stage,
            approved,
            code,
            reason,
            n,
            amount,
            authorised,
            captured,
            refunded,
        ) in groups
        {
            let Ok(index) = usize::try_from(day_index) else {
                continue;
            };
            if index >= days.len() {
                continue;
            }
            let stage = Stage::parse(&stage);
            let count = u64::try_from(n).unwrap_or(0);
            if stage == Some(Stage::Rejected) && !code.is_empty() {
                let cause = refusals.entry((currency.clone(), code)).or_default();
                // One meaning per code: the greatest stored over all its groups, compared
                // by bytes here (PostgreSQL's MAX within a group follows its collation).
                if reason > cause.0 {
                    cause.0 = reason;
                }
                cause.1 += count;
            }
            let figures = per_currency
                .entry(currency)
                .or_insert_with(|| vec![DayFigures::default(); days.len()]);
            figures[index].add_many(
                PaymentFacts {
                    amount,
                    authorised,
                    captured,
                    refunded,
                    successful: approved > 0 && stage != Some(Stage::Rejected),
                    cancelled: stage == Some(Stage::Cancelled),
                },
                count,
            );
        }
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
