//! The terminals connected to this process, held in memory: which connection holds
//! which terminal id, how to wake it, and one sweep a second over the database for the
//! whole process (not one query per connection) that finds work and changes written by
//! another node.

use super::pairing::{fits, peer_ip, PinCheck};
use super::{state, TerminalError, TerminalHub};
use crate::entities::{terminal, terminal_payment};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// A connection holding a terminal id.
pub(crate) struct Live {
    /// Its peer, `address:port`.
    pub peer: String,
    /// Wakes the connection's task: a payment queued for it, or a cancel.
    pub wake: Arc<Notify>,
}

/// The Hellos refused for a bound terminal because they came from outside its binding:
/// the distinct addresses seen recently (at most [`MAX_REFUSED_ADDRESSES`], the oldest
/// forgotten first), each with when it was last seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct Refused {
    /// Address and when it was last refused, oldest first.
    pub seen: Vec<(IpAddr, Instant)>,
    /// When the last audit row about this terminal was written.
    pub audited: Option<Instant>,
}

impl Refused {
    /// Remembers a refusal from `ip` at `now`, forgetting what is no longer recent.
    fn note(&mut self, ip: IpAddr, now: Instant) {
        self.seen
            .retain(|(seen, at)| *seen != ip && now.duration_since(*at) < REFUSED_KEPT);
        if self.seen.len() >= MAX_REFUSED_ADDRESSES {
            self.seen.remove(0);
        }
        self.seen.push((ip, now));
    }

    /// The distinct addresses refused recently.
    fn recent(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.seen
            .iter()
            .filter(|(_, at)| at.elapsed() < REFUSED_KEPT)
            .map(|(ip, _)| *ip)
    }
}

/// How many distinct refused addresses are remembered per terminal.
pub(crate) const MAX_REFUSED_ADDRESSES: usize = 16;
/// How long a refused attempt stays offered for re-pairing.
pub(crate) const REFUSED_KEPT: Duration = Duration::from_secs(600);
/// At most one audit row per terminal this often, however fast an impostor retries.
const AUDIT_EVERY: Duration = Duration::from_secs(60);
/// How often the sweep looks for work and changes written by other nodes.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl TerminalHub {
    /// Takes `terminal_id` for the connection from `peer`, unless:
    /// - the terminal is bound and `peer` is outside its binding (refused, logged, and
    ///   offered to the merchant's Admins for re-pairing);
    /// - a live connection already holds it, in this process or on another node (the row
    ///   says connected and was seen recently from another peer). A second connection
    ///   never takes a terminal over: the first keeps it, and its payment.
    ///
    /// Returns the connection's wake-up.
    pub(crate) async fn claim_connection(
        &self,
        terminal_id: &str,
        peer: &str,
    ) -> Result<Arc<Notify>, TerminalError> {
        let row = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .one(&self.db)
            .await?;
        if let Some(row) = &row {
            if let PinCheck::Outside = fits(row, peer) {
                self.refused_hello(row, peer).await;
                return Err(TerminalError::Pinned);
            }
        }
        let wake = {
            let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
            if live.contains_key(terminal_id) {
                return Err(TerminalError::AlreadyConnected);
            }
            let wake = Arc::new(Notify::new());
            live.insert(
                terminal_id.to_owned(),
                Live {
                    peer: peer.to_owned(),
                    wake: wake.clone(),
                },
            );
            wake
        };
        if row.is_some_and(|row| self.online(&row) && row.peer != peer) {
            self.release_connection(terminal_id, peer);
            return Err(TerminalError::AlreadyConnected);
        }
        Ok(wake)
    }

    /// The connection from `peer` no longer holds `terminal_id`.
    pub(crate) fn release_connection(&self, terminal_id: &str, peer: &str) {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if live.get(terminal_id).is_some_and(|l| l.peer == peer) {
            live.remove(terminal_id);
        }
    }

    /// Wakes the connection holding `terminal_id` in this process, if any. A wake-up
    /// given while the task is busy is kept for its next wait.
    pub(crate) fn wake(&self, terminal_id: &str) {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = live.get(terminal_id) {
            l.wake.notify_one();
        }
    }

    /// How many terminal ids connections of this process hold.
    pub fn live_count(&self) -> usize {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// A Hello for bound terminal `row` from `peer`, outside its binding: a warning, an
    /// audit row for its merchant (at most one a minute per terminal), and the address
    /// remembered for an Admin's re-pairing.
    async fn refused_hello(&self, row: &terminal::Model, peer: &str) {
        let Some(ip) = peer_ip(peer) else { return };
        let binding = match (&row.bound_address, row.bound_prefix) {
            (Some(a), Some(p)) => format!("{a}/{p}"),
            _ => "no address".to_owned(),
        };
        if let Some(left_out) = self.may_warn(ip) {
            tracing::warn!(
                terminal = %row.terminal_id,
                %peer,
                binding = %binding,
                left_out,
                "terminal Hello from outside its pairing refused"
            );
        }
        let audit_now = {
            let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let entry = refused.entry(row.terminal_id.clone()).or_default();
            entry.note(ip, now);
            let audit = entry
                .audited
                .is_none_or(|at| now.duration_since(at) >= AUDIT_EVERY);
            if audit {
                entry.audited = Some(now);
            }
            audit
        };
        if audit_now {
            let ip = ip.to_string();
            let written = crate::platform::audit::record(
                &self.db,
                crate::platform::audit::AuditEntry {
                    merchant_id: row.merchant_id,
                    user_id: None,
                    actor: "terminal gateway",
                    action: "terminal.refused",
                    detail: format!(
                        "terminal {} said Hello from {ip}, outside its pairing ({binding})",
                        row.terminal_id
                    ),
                    ip: &ip,
                },
            )
            .await;
            if let Err(e) = written {
                tracing::warn!(error = %e, "terminal refusal not audited");
            }
        }
    }

    /// The distinct addresses Hellos of `terminal_id` were refused from recently.
    pub(crate) fn refused_recently(&self, terminal_id: &str) -> Vec<IpAddr> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused
            .get(terminal_id)
            .map(|r| r.recent().collect())
            .unwrap_or_default()
    }

    /// Forgets the refused attempts of `terminal_id` (re-paired or unbound).
    pub(crate) fn forget_refused(&self, terminal_id: &str) {
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.remove(terminal_id);
    }

    /// Starts the sweep once for this hub; it ends when the hub is dropped.
    pub fn start_sweep(self: &Arc<Self>) {
        if self.sweeping.set(()).is_err() {
            return;
        }
        let hub = Arc::downgrade(self);
        tokio::spawn(sweep(hub));
    }

    /// One sweep: the payments that are queued or on a terminal. A connection of this
    /// process is woken when one of its terminal's payments is queued or being
    /// cancelled; a payment whose stage, state or cancel flag moved since the last sweep
    /// (another node wrote it) is announced to the live event streams.
    async fn sweep_once(
        &self,
        seen: &mut HashMap<i64, (String, String, bool)>,
    ) -> Result<(), DbErr> {
        let rows = terminal_payment::Entity::find()
            .filter(terminal_payment::Column::State.is_in([state::QUEUED, state::SENT]))
            .all(&self.db)
            .await?;
        let mut now: HashMap<i64, (String, String, bool)> = HashMap::with_capacity(rows.len());
        for row in rows {
            if row.state == state::QUEUED || row.cancel_requested {
                self.wake(&row.terminal_id);
            }
            let key = (row.state, row.stage, row.cancel_requested);
            if seen.get(&row.id) != Some(&key) {
                self.changed(row.id);
            }
            now.insert(row.id, key);
        }
        for id in seen.keys() {
            if !now.contains_key(id) {
                // Finished (or gone) since the last sweep.
                self.changed(*id);
            }
        }
        *seen = now;
        Ok(())
    }
}

async fn sweep(hub: Weak<TerminalHub>) {
    let mut seen = HashMap::new();
    let mut purged: Option<Instant> = None;
    let mut tick = tokio::time::interval(SWEEP_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(hub) = hub.upgrade() else { return };
        // Terminals bound to nobody and long unheard: at most once an hour.
        if purged.is_none_or(|at| at.elapsed() >= super::upkeep::PURGE_EVERY) {
            purged = Some(Instant::now());
            if let Err(e) = hub.purge_unbound().await {
                tracing::warn!(error = %e, "forgetting unbound terminals failed");
            }
        }
        // Nobody to wake or to tell: no query.
        if hub.live_count() == 0 && hub.changes.receiver_count() == 0 {
            seen.clear();
            continue;
        }
        if let Err(e) = hub.sweep_once(&mut seen).await {
            tracing::warn!(error = %e, "terminal sweep failed");
        }
    }
}
