//! The dashboard's arithmetic (MB-30): which days a period covers, and the daily
//! figures (conversion, counts, gross and net amounts) folded from payments.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The periods a user may pick.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    /// Today in the user's zone.
    Today,
    /// Yesterday.
    Yesterday,
    /// The last 7 days, today included.
    Last7Days,
    /// The last 30 days, today included.
    Last30Days,
    /// From the 1st of this month to today.
    ThisMonth,
    /// From one date to another, both included.
    Custom,
}

/// Why a custom range was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// A date is missing or not `YYYY-MM-DD`.
    #[error("not a date")]
    InvalidDate,
    /// The end is before the start.
    #[error("the range ends before it starts")]
    Reversed,
    /// More than a year and a day.
    #[error("the range is longer than 366 days")]
    TooLong,
}

impl Period {
    /// Every period, in the order the selector lists them.
    pub const ALL: [Period; 6] = [
        Period::Today,
        Period::Yesterday,
        Period::Last7Days,
        Period::Last30Days,
        Period::ThisMonth,
        Period::Custom,
    ];

    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Yesterday => "yesterday",
            Period::Last7Days => "7d",
            Period::Last30Days => "30d",
            Period::ThisMonth => "month",
            Period::Custom => "custom",
        }
    }

    /// From a code; `None` when unknown.
    pub fn parse(code: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The first and last day (both included) given today's date in the user's zone,
    /// and the typed dates for a custom range.
    pub fn days(
        self,
        today: NaiveDate,
        from: &str,
        to: &str,
    ) -> Result<(NaiveDate, NaiveDate), PeriodError> {
        Ok(match self {
            Period::Today => (today, today),
            Period::Yesterday => (today - Duration::days(1), today - Duration::days(1)),
            Period::Last7Days => (today - Duration::days(6), today),
            Period::Last30Days => (today - Duration::days(29), today),
            Period::ThisMonth => (today.with_day(1).unwrap_or(today), today),
            Period::Custom => {
                let parse = |s: &str| {
                    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                        .map_err(|_| PeriodError::InvalidDate)
                };
                let (first, last) = (parse(from)?, parse(to)?);
                if last < first {
                    return Err(PeriodError::Reversed);
                }
                if (last - first).num_days() > 366 {
                    return Err(PeriodError::TooLong);
                }
                (first, last)
            }
        })
    }
}

/// What the dashboard needs of one payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentFacts {
    /// Requested amount, minor units.
    pub amount: i64,
    /// Authorised (0 unless approved).
    pub authorised: i64,
    /// Captured so far.
    pub captured: i64,
    /// Refunded so far.
    pub refunded: i64,
    /// Approved by the issuer (whatever happened next).
    pub successful: bool,
    /// Cancelled after approval, or before it.
    pub cancelled: bool,
}

/// One day's figures, minor units.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigures {
    /// Payments created that day.
    pub all: u64,
    /// Of which approved.
    pub successful: u64,
    /// Authorised amount of the approved ones.
    pub gross_successful: i64,
    /// Amount of the cancelled ones.
    pub gross_cancelled: i64,
    /// Captured amount.
    pub captured: i64,
    /// Refunded amount.
    pub refunded: i64,
}

impl DayFigures {
    /// Adds one payment.
    pub fn add(&mut self, p: PaymentFacts) {
        self.all += 1;
        if p.successful {
            self.successful += 1;
            self.gross_successful += p.authorised;
        }
        if p.cancelled {
            self.gross_cancelled += p.amount;
        }
        self.captured += p.captured;
        self.refunded += p.refunded;
    }

    /// Adds `count` payments at once, alike in `successful` and `cancelled`, whose
    /// amounts are summed in `sums` (what a database's `GROUP BY` gives): the same figures
    /// as adding each of them with [`DayFigures::add`].
    pub fn add_many(&mut self, sums: PaymentFacts, count: u64) {
        self.all += count;
        if sums.successful {
            self.successful += count;
            self.gross_successful += sums.authorised;
        }
        if sums.cancelled {
            self.gross_cancelled += sums.amount;
        }
        self.captured += sums.captured;
        self.refunded += sums.refunded;
    }

    /// Adds another day's figures (totals).
    pub fn merge(&mut self, other: &DayFigures) {
        self.all += other.all;
        self.successful += other.successful;
        self.gross_successful += other.gross_successful;
        self.gross_cancelled += other.gross_cancelled;
        self.captured += other.captured;
        self.refunded += other.refunded;
    }

    /// Captured minus refunded.
    pub fn net(&self) -> i64 {
        self.captured - self.refunded
    }

    /// Successful ÷ all, in tenths of a percent (0..=1000); `None` with no payment.
    pub fn conversion_permille(&self) -> Option<u32> {
        (self.all > 0).then(|| ((self.successful * 1000 + self.all / 2) / self.all) as u32)
    }
}

/// `permille` as a percentage with one decimal: `875` → `87.5 %`.
pub fn format_permille(permille: u32) -> String {
    format!("{}.{} %", permille / 10, permille % 10)
}

/// The days from `first` to `last`, both included.
pub fn days_between(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .collect::<Vec<_>>()
}

/// Round numbers for an axis from 0 to at least `max`: about `steps` ticks of 1, 2 or 5
/// times a power of ten.
pub fn axis_ticks(max: i64, steps: u32) -> Vec<i64> {
    let max = max.max(1);
    let raw = (max as f64 / f64::from(steps.max(1))).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power) as i64;
    let step = step.max(1);
    let top = (max + step - 1) / step * step;
    (0..=top / step).map(|i| i * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_cover_the_expected_days() {
        let today = day("2026-11-22");
        let d = |p: Period| p.days(today, "", "").unwrap();
        assert_eq!(d(Period::Today), (today, today));
        assert_eq!(d(Period::Yesterday), (day("2026-11-21"), day("2026-11-21")));
        assert_eq!(d(Period::Last7Days), (day("2026-11-16"), today));
        assert_eq!(d(Period::Last30Days), (day("2026-10-24"), today));
        assert_eq!(d(Period::ThisMonth), (day("2026-11-01"), today));
        assert_eq!(
            Period::Custom.days(today, "2026-01-01", "2026-01-31"),
            Ok((day("2026-01-01"), day("2026-01-31")))
        );
        assert_eq!(
            Period::Custom.days(today, "2026-02-01", "2026-01-31"),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::Custom.days(today, "yesterday", "2026-01-31"),
            Err(PeriodError::InvalidDate)
        );
        assert_eq!(
            Period::Custom.days(today, "2024-01-01", "2026-01-31"),
            Err(PeriodError::TooLong)
        );
        for p in Period::ALL {
            assert_eq!(Period::parse(p.code()), Some(p));
        }
    }

    #[test]
    fn conversion_is_successful_over_all() {
        let mut f = DayFigures::default();
        assert_eq!(f.conversion_permille(), None);
        let ok = PaymentFacts {
            amount: 1000,
            authorised: 1000,
            captured: 1000,
            refunded: 250,
            successful: true,
            cancelled: false,
        };
        let refused = PaymentFacts {
            authorised: 0,
            captured: 0,
            refunded: 0,
            successful: false,
            ..ok
        };
        f.add(ok);
        f.add(ok);
        f.add(refused);
        assert_eq!(f.conversion_permille(), Some(667));
        assert_eq!(format_permille(667), "66.7 %");
        assert_eq!(f.gross_successful, 2000);
        assert_eq!(f.net(), 1500);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(axis_ticks(0, 4), vec![0, 1]);
        assert_eq!(axis_ticks(7, 4), vec![0, 2, 4, 6, 8]);
        assert_eq!(axis_ticks(95_000, 4), vec![0, 50_000, 100_000]);
        assert_eq!(axis_ticks(100, 5), vec![0, 20, 40, 60, 80, 100]);
    }

    proptest! {
        #[test]
        fn conversion_never_exceeds_100_percent(
            outcomes in proptest::collection::vec(any::<bool>(), 1..200)
        ) {
            let mut f = DayFigures::default();
            for ok in &outcomes {
                f.add(PaymentFacts {
                    amount: 100,
                    authorised: if *ok { 100 } else { 0 },
                    captured: 0,
                    refunded: 0,
                    successful: *ok,
                    cancelled: false,
                });
            }
            let c = f.conversion_permille().unwrap();
            prop_assert!(c <= 1000);
            prop_assert_eq!(f.successful, outcomes.iter().filter(|o| **o).count() as u64);
        }

        #[test]
        fn a_group_adds_up_to_its_payments_one_by_one(
            payments in proptest::collection::vec(
                (0i64..1_000_000, 0i64..1_000_000, 0i64..1_000_000, 0i64..1_000_000, any::<bool>(), any::<bool>()),
                0..60,
            )
        ) {
            let facts: Vec<PaymentFacts> = payments
                .iter()
                .map(|&(amount, authorised, captured, refunded, successful, cancelled)| PaymentFacts {
                    amount, authorised, captured, refunded, successful, cancelled,
                })
                .collect();
            let mut one_by_one = DayFigures::default();
            facts.iter().for_each(|f| one_by_one.add(*f));
            // Grouped by the two flags, as the dashboard's query groups them.
            let mut grouped = DayFigures::default();
            for successful in [false, true] {
                for cancelled in [false, true] {
                    let group: Vec<&PaymentFacts> = facts
                        .iter()
                        .filter(|f| f.successful == successful && f.cancelled == cancelled)
                        .collect();
                    if group.is_empty() {
                        continue;
                    }
                    let sums = PaymentFacts {
                        amount: group.iter().map(|f| f.amount).sum(),
                        authorised: group.iter().map(|f| f.authorised).sum(),
                        captured: group.iter().map(|f| f.captured).sum(),
                        refunded: group.iter().map(|f| f.refunded).sum(),
                        successful,
                        cancelled,
                    };
                    grouped.add_many(sums, group.len() as u64);
                }
            }
            prop_assert_eq!(grouped, one_by_one);
        }

        #[test]
        fn ticks_cover_the_maximum(max in 0i64..10_000_000_000, steps in 1u32..10) {
            let ticks = axis_ticks(max, steps);
            prop_assert_eq!(ticks[0], 0);
            prop_assert!(*ticks.last().unwrap() >= max);
            prop_assert!(ticks.len() <= 2 * steps as usize + 2);
            prop_assert!(ticks.windows(2).all(|w| w[1] > w[0]));
        }

        #[test]
        fn merged_days_equal_one_day_with_every_payment(
            a in proptest::collection::vec((0i64..100_000, any::<bool>()), 0..50),
            b in proptest::collection::vec((0i64..100_000, any::<bool>()), 0..50),
        ) {
            let facts = |(amount, ok): (i64, bool)| PaymentFacts {
                amount,
                authorised: if ok { amount } else { 0 },
                captured: if ok { amount } else { 0 },
                refunded: 0,
                successful: ok,
                cancelled: !ok,
            };
            let (mut x, mut y, mut all) = (DayFigures::default(), DayFigures::default(), DayFigures::default());
            for p in &a { x.add(facts(*p)); all.add(facts(*p)); }
            for p in &b { y.add(facts(*p)); all.add(facts(*p)); }
            x.merge(&y);
            prop_assert_eq!(x, all);
        }
    }
}
