//! Keeping what strangers can grow bounded: terminals bound to nobody and not heard from
//! for a week are forgotten (a few bounded deletes, at most once an hour per process),
//! and warnings about refused terminal connections are logged at most once a minute per
//! address, in a table of bounded size.

use super::TerminalHub;
use crate::entities::terminal;
use crate::platform::db::Autocommit;
use chrono::Utc;
use sea_orm::{ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A terminal bound to nobody and not heard from for this long is forgotten.
pub const UNBOUND_KEPT_DAYS: i64 = 7;
/// How often a process looks for such terminals.
pub(crate) const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// Rows deleted per statement, and statements per look.
const PURGE_BATCH: u64 = 500;
const PURGE_BATCHES: usize = 20;

/// At most one warning per address this often.
pub(crate) const WARN_EVERY: Duration = Duration::from_secs(60);
/// Addresses remembered for that; beyond, one warning a minute for all the others.
pub(crate) const WARN_TRACKED: usize = 4096;

impl TerminalHub {
    /// Forgets the terminals bound to nobody that were not heard from for
    /// [`UNBOUND_KEPT_DAYS`] days (never connected ones by when they were listed): at most
    /// a few thousand rows a call. Returns how many were forgotten.
    pub async fn purge_unbound(&self) -> Result<u64, DbErr> {
        let cutoff = Utc::now() - chrono::Duration::days(UNBOUND_KEPT_DAYS);
        let stale = || {
            Condition::all()
                .add(terminal::Column::MerchantId.is_null())
                .add(
                    Condition::any()
                        .add(terminal::Column::LastSeen.lt(cutoff))
                        .add(
                            Condition::all()
                                .add(terminal::Column::LastSeen.is_null())
                                .add(terminal::Column::CreatedAt.lt(cutoff)),
                        ),
                )
        };
        let mut purged = 0;
        for _ in 0..PURGE_BATCHES {
            let ids: Vec<i64> = terminal::Entity::find()
                .select_only()
                .column(terminal::Column::Id)
                .filter(stale())
                .order_by_asc(terminal::Column::Id)
                .limit(PURGE_BATCH)
                .into_tuple()
                .all(&self.db)
                .await?;
            if ids.is_empty() {
                break;
            }
            let full = ids.len() as u64 == PURGE_BATCH;
            // Checked again: a terminal bound or heard from meanwhile stays.
            purged += terminal::Entity::delete_many()
                .filter(terminal::Column::Id.is_in(ids))
                .filter(stale())
                .exec(&Autocommit(&self.db))
                .await?
                .rows_affected;
            if !full {
                break;
            }
        }
        if purged > 0 {
            tracing::info!(
                purged,
                "terminals bound to nobody and long unheard forgotten"
            );
        }
        Ok(purged)
    }

    /// Whether a warning about a terminal connection from `ip` may be logged now: `Some`
    /// with how many were left out since the last one, at most once a minute per
    /// address.
    pub(crate) fn may_warn(&self, ip: IpAddr) -> Option<u64> {
        self.warnings.allow(ip.to_canonical(), Instant::now())
    }
}

/// When the last warning about each address was logged.
#[derive(Default)]
pub(crate) struct WarnLimit {
    inner: Mutex<WarnTable>,
}

#[derive(Default)]
struct WarnTable {
    /// Per address: when last logged, and how many left out since.
    last: HashMap<IpAddr, (Instant, u64)>,
    /// The shared slot of the addresses beyond the table's size.
    overflow: Option<(Instant, u64)>,
    /// When the table was last cleared of old entries.
    pruned: Option<Instant>,
}

impl WarnLimit {
    fn allow(&self, ip: IpAddr, now: Instant) -> Option<u64> {
        let mut table = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, left_out)) = table.last.get_mut(&ip) {
            if now.duration_since(*at) < WARN_EVERY {
                *left_out += 1;
                return None;
            }
            *at = now;
            return Some(std::mem::take(left_out));
        }
        // Full: old entries go (at most once a second, so a flood costs no scan per
        // connection).
        if table.last.len() >= WARN_TRACKED
            && table
                .pruned
                .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
        {
            table.pruned = Some(now);
            table
                .last
                .retain(|_, (at, _)| now.duration_since(*at) < WARN_EVERY);
        }
        if table.last.len() >= WARN_TRACKED {
            return match &mut table.overflow {
                Some((at, left_out)) if now.duration_since(*at) < WARN_EVERY => {
                    *left_out += 1;
                    None
                }
                slot => {
                    let left_out = slot.map(|(_, n)| n).unwrap_or(0);
                    *slot = Some((now, 0));
                    Some(left_out)
                }
            };
        }
        table.last.insert(ip, (now, 0));
        Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_address_a_minute_in_a_bounded_table() {
        let limit = WarnLimit::default();
        let start = Instant::now();
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        assert_eq!(limit.allow(a, start), Some(0));
        for s in 1..10 {
            assert_eq!(limit.allow(a, start + Duration::from_secs(s)), None);
        }
        // Another address has its own minute.
        assert_eq!(limit.allow(b, start + Duration::from_secs(1)), Some(0));
        // A minute later: logged again, telling how many were left out.
        assert_eq!(limit.allow(a, start + WARN_EVERY), Some(9));
        assert_eq!(limit.allow(a, start + WARN_EVERY), None);

        // Many addresses at once: the table stays bounded and the rest share one slot.
        let limit = WarnLimit::default();
        for i in 0..WARN_TRACKED as u32 {
            assert_eq!(limit.allow(IpAddr::from(i.to_be_bytes()), start), Some(0));
        }
        let late = start + Duration::from_secs(2);
        assert_eq!(limit.allow(a, late), Some(0));
        assert_eq!(limit.allow(b, late), None);
        assert_eq!(limit.allow(a, late), None);
        assert_eq!(limit.inner.lock().unwrap().last.len(), WARN_TRACKED);
        // Once the old entries are a minute old, they give their places up.
        let later = start + WARN_EVERY + Duration::from_secs(1);
        assert_eq!(limit.allow(b, later), Some(0));
        assert_eq!(limit.inner.lock().unwrap().last.len(), 1);
    }
}
