//! User time zones (MB-6): a named zone, and whether to follow daylight saving.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, Tz};
use serde::{Deserialize, Serialize};

/// The default zone of a new PSPID: Central European Time.
pub const DEFAULT_ZONE: &str = "Europe/Paris";

/// Whether `text` is a time as the product writes one: `YYYY-MM-DD HH:MM:SS`
/// ([`ZonePreference::format`]) or `YYYY-MM-DD HH:MM UTC` (the support portal), and a
/// time that exists (no 30 February, no 24:00). A time read back from a page's address
/// is shown only when it is one, never as free text.
pub fn is_time_text(text: &str) -> bool {
    // Shorter than 16 bytes, or a character across the 16th: not a time.
    if !text.is_char_boundary(16) {
        return false;
    }
    let (minutes, rest) = text.split_at(16);
    let shaped = minutes.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b' ',
        13 => b == b':',
        _ => b.is_ascii_digit(),
    });
    let exists = shaped && {
        // Read by position (the shape is checked): no date parser in the browser's code.
        let number = |at: usize, len: usize| minutes[at..at + len].parse::<u32>().ok();
        let date = number(0, 4).zip(number(5, 2)).zip(number(8, 2));
        let time = number(11, 2).zip(number(14, 2));
        matches!(
            (date, time),
            (Some(((y, m), d)), Some((h, min)))
                if h < 24 && min < 60 && NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
        )
    };
    let seconds = matches!(rest.as_bytes(), [b':', b'0'..=b'5', units] if units.is_ascii_digit());
    exists && (seconds || rest == " UTC")
}

/// How a user wants dates shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZonePreference {
    /// IANA name, e.g. `Europe/Paris`.
    pub zone: String,
    /// "Automatically adjust to daylight saving changes": when off, the zone's standard
    /// offset is used all year.
    pub auto_dst: bool,
}

impl Default for ZonePreference {
    fn default() -> Self {
        ZonePreference {
            zone: DEFAULT_ZONE.to_owned(),
            auto_dst: true,
        }
    }
}

/// A countdown's sentence: `template` with `{time}` as the seconds left read `m:ss`
/// (`1:05`), never negative.
pub fn countdown(template: &str, seconds: i64) -> String {
    let seconds = seconds.max(0);
    template.replace("{time}", &format!("{}:{:02}", seconds / 60, seconds % 60))
}

/// Parses an IANA zone name; `None` when unknown.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// Every zone name a user may choose, sorted.
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    names
}

impl ZonePreference {
    /// The offset from UTC this preference gives at `instant`.
    pub fn offset_at(&self, instant: DateTime<Utc>) -> FixedOffset {
        let tz = parse_zone(&self.zone).unwrap_or(Tz::Europe__Paris);
        let offset = tz.offset_from_utc_datetime(&instant.naive_utc());
        if self.auto_dst {
            offset.fix()
        } else {
            let base = offset.base_utc_offset();
            FixedOffset::east_opt(base.num_seconds() as i32).unwrap_or_else(|| offset.fix())
        }
    }

    /// `instant` in the user's zone.
    pub fn localize(&self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.offset_at(instant))
    }

    /// The instant the day `date` (`YYYY-MM-DD`) starts in the user's zone; `None` when
    /// `date` is not a date.
    pub fn start_of_day(&self, date: &str) -> Option<DateTime<Utc>> {
        let day = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
        let midnight = day.and_hms_opt(0, 0, 0)?;
        // The offset at that local midnight: read at the same wall time taken as UTC,
        // then corrected once (exact except within the hour of a DST change).
        let guess = midnight.and_utc();
        let offset = self.offset_at(
            guess - chrono::Duration::seconds(i64::from(self.offset_at(guess).local_minus_utc())),
        );
        Some(guess - chrono::Duration::seconds(i64::from(offset.local_minus_utc())))
    }

    /// The instant of a local date and time typed in the user's zone
    /// (`YYYY-MM-DDTHH:MM`, as a `datetime-local` input sends it, or `YYYY-MM-DD` for the
    /// day's end); `None` when it is neither.
    pub fn instant_of(&self, local: &str) -> Option<DateTime<Utc>> {
        let local = local.trim();
        let wall = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"))
            .ok()
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(local, "%Y-%m-%d")
                    .ok()?
                    .and_hms_opt(23, 59, 59)
            })?;
        let guess = wall.and_utc();
        let offset = self.offset_at(
            guess - chrono::Duration::seconds(i64::from(self.offset_at(guess).local_minus_utc())),
        );
        Some(guess - chrono::Duration::seconds(i64::from(offset.local_minus_utc())))
    }

    /// `instant` as `YYYY-MM-DD HH:MM:SS` in the user's zone.
    pub fn format(&self, instant: DateTime<Utc>) -> String {
        self.localize(instant)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    /// The zone's label with its current offset, e.g. `Europe/Paris (UTC+01:00)`.
    pub fn label(&self, instant: DateTime<Utc>) -> String {
        let offset = self.offset_at(instant);
        format!("{} (UTC{})", self.zone, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_reads_minutes_and_seconds() {
        assert_eq!(countdown("ends in {time}.", 75), "ends in 1:15.");
        assert_eq!(countdown("{time}", -3), "0:00");
    }

    #[test]
    fn a_typed_local_time_is_read_in_the_users_zone() {
        let paris = ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: true,
        };
        let summer = paris.instant_of("2026-07-01T12:30").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-01T10:30:00+00:00");
        let winter = paris.instant_of("2026-12-01T12:30").unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-12-01T11:30:00+00:00");
        let day_end = paris.instant_of("2026-12-01").unwrap();
        assert_eq!(day_end.to_rfc3339(), "2026-12-01T22:59:59+00:00");
        assert!(paris.instant_of("tomorrow").is_none());
    }

    #[test]
    fn days_start_at_local_midnight() {
        let paris = ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: true,
        };
        assert_eq!(
            paris.start_of_day("2026-01-15").unwrap().to_rfc3339(),
            "2026-01-14T23:00:00+00:00"
        );
        assert_eq!(
            paris.start_of_day("2026-07-15").unwrap().to_rfc3339(),
            "2026-07-14T22:00:00+00:00"
        );
        let winter_all_year = ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: false,
        };
        assert_eq!(
            winter_all_year
                .start_of_day("2026-07-15")
                .unwrap()
                .to_rfc3339(),
            "2026-07-14T23:00:00+00:00"
        );
        assert_eq!(paris.start_of_day("15/07/2026"), None);
    }
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn paris_summer_time_follows_dst_when_switch_on() {
        let pref = ZonePreference::default();
        assert_eq!(
            pref.format(at("2026-07-01T10:00:00Z")),
            "2026-07-01 12:00:00"
        );
        assert_eq!(
            pref.format(at("2026-01-15T10:00:00Z")),
            "2026-01-15 11:00:00"
        );
    }

    #[test]
    fn switch_off_keeps_standard_time_all_year() {
        let pref = ZonePreference {
            zone: "Europe/Paris".into(),
            auto_dst: false,
        };
        assert_eq!(
            pref.format(at("2026-07-01T10:00:00Z")),
            "2026-07-01 11:00:00"
        );
        assert_eq!(
            pref.label(at("2026-07-01T10:00:00Z")),
            "Europe/Paris (UTC+01:00)"
        );
    }

    #[test]
    fn zone_list_is_sorted_and_knows_paris() {
        let names = zone_names();
        assert!(names.windows(2).all(|w| w[0] <= w[1]));
        assert!(names.contains(&"Europe/Paris"));
        assert!(parse_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn only_a_time_as_the_product_writes_one_is_a_time_text() {
        assert!(is_time_text("2026-07-01 12:00:00"));
        assert!(is_time_text("2026-07-01 12:00 UTC"));
        for text in [
            "2026-07-01 12:00",
            "2026-07-01T12:00:00",
            "2026-07-01 12:00 UTC, call 0800 000 000",
            "2026-07-01 12:00:0é",
            "2026-07-01 12:0é",
            "call 0800 000 000!!",
            "9999-99-99 99:99:99",
            "2026-02-30 12:00:00",
            "2026-07-01 24:00:00",
            "2026-07-01 12:60 UTC",
            "2026-07-01 12:00:60",
            "2026-07-01 12:00:5",
            "",
        ] {
            assert!(!is_time_text(text), "{text}");
        }
    }

    proptest! {
        #[test]
        fn every_formatted_time_is_a_time_text(secs in 0i64..250_000_000_000, zone in 0usize..400, auto_dst: bool) {
            let names = zone_names();
            let pref = ZonePreference { zone: names[zone % names.len()].into(), auto_dst };
            let instant = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            prop_assert!(is_time_text(&pref.format(instant)));
        }

        #[test]
        fn utc_zone_never_shifts(secs in 0i64..4_000_000_000) {
            let instant = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let pref = ZonePreference { zone: "UTC".into(), auto_dst: true };
            prop_assert_eq!(pref.localize(instant).naive_local(), instant.naive_utc());
        }
    }
}
