//! When a card payment's authorisation is asked of the acquirer (MB-14 "processing for
//! individual transactions") and how long an uncaptured authorisation holds the payer's
//! funds (the card reservation period, seed 002: "The reserved funds on client's account
//! will be released if the reservation period expires before confirmation").
//!
//! Terminals are outside the processing mode: the terminal talks to the acquirer itself.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// How the platform times the authorisation requests it sends to the acquirer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProcessingMode {
    /// Always asked at once; when the acquirer cannot be reached the payment is refused
    /// (91) and the payer tries again later.
    OnlineAlways,
    /// Asked at once; when the acquirer cannot be reached the authorisation is queued and
    /// asked again until it answers (the default).
    OnlineWithFallback,
    /// Never asked at once: every card payment is queued and authorised shortly after.
    Offline,
}

impl ProcessingMode {
    /// Every mode, in the order the settings page lists them.
    pub const ALL: [ProcessingMode; 3] = [
        ProcessingMode::OnlineAlways,
        ProcessingMode::OnlineWithFallback,
        ProcessingMode::Offline,
    ];

    /// The mode of a merchant that never chose one.
    pub const DEFAULT: ProcessingMode = ProcessingMode::OnlineWithFallback;

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ProcessingMode::OnlineAlways => "online",
            ProcessingMode::OnlineWithFallback => "online_fallback",
            ProcessingMode::Offline => "offline",
        }
    }

    /// The mode of a stored code.
    pub fn parse(code: &str) -> Option<ProcessingMode> {
        ProcessingMode::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The mode of a stored code, the default for an unknown one.
    pub fn stored(code: &str) -> ProcessingMode {
        ProcessingMode::parse(code).unwrap_or(ProcessingMode::DEFAULT)
    }
}

/// Where an authorisation is when the mode is consulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The acquirer was not asked yet.
    NotAsked,
    /// The request never reached the acquirer (connection refused).
    Unreachable,
    /// The acquirer answered (approved, declined, challenge or a timeout).
    Answered,
}

/// What the engine does next with an authorisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Ask the acquirer now.
    AskNow,
    /// Queue the authorisation (the card sealed) and ask from a job until it answers;
    /// the payment waits as AUTHORIZATION_REQUESTED.
    Queue,
    /// Refuse the payment with [`UNREACHABLE_CODE`]: the payer tries again later.
    Refuse,
    /// Write the acquirer's answer.
    UseAnswer,
}

/// The refusal code of a payment refused because the acquirer could not be reached.
pub const UNREACHABLE_CODE: &str = "91";
/// Its meaning (ISO 8583).
pub const UNREACHABLE_REASON: &str = "Issuer or switch inoperative";

/// What to do with an authorisation under `mode`, at `reach`.
pub fn decide(mode: ProcessingMode, reach: Reach) -> Action {
    match (mode, reach) {
        (ProcessingMode::Offline, Reach::NotAsked) => Action::Queue,
        (_, Reach::NotAsked) => Action::AskNow,
        (ProcessingMode::OnlineAlways, Reach::Unreachable) => Action::Refuse,
        (_, Reach::Unreachable) => Action::Queue,
        (_, Reach::Answered) => Action::UseAnswer,
    }
}

/// The card reservation period of a merchant that never chose one, in days.
pub const DEFAULT_RESERVATION_DAYS: i32 = 7;
/// The reservation periods a merchant may choose, in days.
pub const RESERVATION_DAYS: RangeInclusive<i32> = 1..=30;

/// How long an automatic capture that falls within the reservation is waited for after
/// it was due, before the authorisation is released anyway (the capture job failed).
pub const AUTO_CAPTURE_GRACE_HOURS: i64 = 24;

/// Whether an uncaptured authorisation given at `authorised_at` is released at `now`
/// with a reservation period of `days`: the period is over, unless an automatic capture
/// (`capture_after`) falls within the period and is not a day overdue — it captures
/// first.
pub fn reservation_over(
    authorised_at: DateTime<Utc>,
    days: i32,
    capture_after: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let end = authorised_at + Duration::days(i64::from(days.max(1)));
    if now < end {
        return false;
    }
    match capture_after {
        Some(at) if at <= end => now - at >= Duration::hours(AUTO_CAPTURE_GRACE_HOURS),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_round_trip_and_unknown_is_the_default() {
        for mode in ProcessingMode::ALL {
            assert_eq!(ProcessingMode::parse(mode.code()), Some(mode));
        }
        assert_eq!(
            ProcessingMode::stored("x"),
            ProcessingMode::OnlineWithFallback
        );
    }

    #[test]
    fn each_mode_decides_as_the_setting_says() {
        use Action::*;
        use ProcessingMode::*;
        use Reach::*;
        assert_eq!(decide(OnlineAlways, NotAsked), AskNow);
        assert_eq!(decide(OnlineWithFallback, NotAsked), AskNow);
        assert_eq!(decide(Offline, NotAsked), Queue);
        assert_eq!(decide(OnlineAlways, Unreachable), Refuse);
        assert_eq!(decide(OnlineWithFallback, Unreachable), Queue);
        assert_eq!(decide(Offline, Unreachable), Queue);
        for mode in ProcessingMode::ALL {
            assert_eq!(decide(mode, Answered), UseAnswer);
        }
    }

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn the_reservation_ends_after_its_days_unless_a_capture_comes_first() {
        assert!(!reservation_over(at(0), 7, None, at(7 * 24 - 1)));
        assert!(reservation_over(at(0), 7, None, at(7 * 24)));
        assert!(reservation_over(at(0), 1, None, at(25)));
        // An automatic capture due within the period captures first...
        assert!(!reservation_over(at(0), 1, Some(at(20)), at(25)));
        // ...unless it is a day overdue.
        assert!(reservation_over(at(0), 1, Some(at(20)), at(44)));
        // One after the period does not hold the release.
        assert!(reservation_over(at(0), 1, Some(at(48)), at(25)));
    }

    proptest! {
        #[test]
        fn never_released_before_the_period_ends(
            days in RESERVATION_DAYS,
            elapsed in 0i64..(31 * 24),
            capture in proptest::option::of(0i64..(40 * 24)),
        ) {
            let over = reservation_over(at(0), days, capture.map(at), at(elapsed));
            if elapsed < i64::from(days) * 24 {
                prop_assert!(!over);
            }
            if capture.is_none() {
                prop_assert_eq!(over, elapsed >= i64::from(days) * 24);
            }
        }
    }
}
