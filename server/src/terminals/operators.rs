//! The platform's operators' view of card terminals waiting to be paired: terminals that
//! said Hello to the gateway and are bound to no merchant. No merchant sees them (a
//! merchant binds one by typing its id and the address shown on it, `pairing`); the
//! support portal's agents do, through [`SupportAgentService`] (their console's
//! `SupportAgentPort`), and so does whoever runs `openpsp unbound-terminals` on the host.
//! The list is bounded: the [`UNBOUND_LISTED`] most recently heard from, and `upkeep`
//! forgets unbound terminals silent for a week.

use super::TerminalHub;
use crate::account::service::internal;
use crate::entities::terminal;
use crate::support::accounts::require_agent;
use crate::support::tickets::format;
use app::error::AppError;
use app::support::accounts::SupportActor;
use app::support::agent::{SupportAgentPort, UnboundTerminalView};
use sea_orm::sea_query::{NullOrdering, Order};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::sync::Arc;

/// How many unbound terminals are listed at most.
pub const UNBOUND_LISTED: u64 = 200;

/// An unbound terminal as the operators see it.
#[derive(Clone, Debug)]
pub struct UnboundTerminal {
    /// The stored row: id, model from its Hello, last peer, first and last seen.
    pub row: terminal::Model,
    /// Connected now (and heard from within the idle timeout).
    pub online: bool,
}

impl TerminalHub {
    /// The terminals bound to no merchant, the most recently heard from first (never
    /// heard from last), at most [`UNBOUND_LISTED`].
    pub async fn unbound(&self) -> Result<Vec<UnboundTerminal>, DbErr> {
        let rows = terminal::Entity::find()
            .filter(terminal::Column::MerchantId.is_null())
            .order_by_with_nulls(terminal::Column::LastSeen, Order::Desc, NullOrdering::Last)
            .order_by_desc(terminal::Column::Id)
            .limit(UNBOUND_LISTED)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| UnboundTerminal {
                online: self.online(&row),
                row,
            })
            .collect())
    }
}

impl UnboundTerminal {
    /// What the agents' page shows of it.
    pub fn view(&self) -> UnboundTerminalView {
        UnboundTerminalView {
            terminal_id: self.row.terminal_id.clone(),
            model: self.row.model.clone(),
            address: self.row.peer.clone(),
            connected: self.online,
            first_seen: format(self.row.created_at),
            last_seen: self.row.last_seen.map(format).unwrap_or_default(),
        }
    }
}

/// The list as the command line prints it: one terminal a line, tab-separated, under a
/// header line (`-` for what is not known, `?` for a control character); a line saying
/// so when there are none.
pub fn table(terminals: &[UnboundTerminal]) -> String {
    if terminals.is_empty() {
        return "no terminal is waiting to be paired\n".to_owned();
    }
    // What a terminal said is a stranger's text: no control character reaches the
    // operator's terminal.
    let dash = |s: String| {
        if s.is_empty() {
            "-".to_owned()
        } else {
            s.chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect()
        }
    };
    let mut out = "terminal id\tmodel\taddress\tconnected\tfirst seen\tlast seen\n".to_owned();
    for t in terminals {
        let v = t.view();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            dash(v.terminal_id),
            dash(v.model),
            dash(v.address),
            if v.connected { "yes" } else { "no" },
            v.first_seen,
            dash(v.last_seen),
        ));
    }
    out
}

/// The agents' console's own port.
pub struct SupportAgentService {
    hub: Arc<TerminalHub>,
    db: DatabaseConnection,
}

impl SupportAgentService {
    /// Over `hub`; `db` holds the support people.
    pub fn new(hub: Arc<TerminalHub>, db: DatabaseConnection) -> Self {
        SupportAgentService { hub, db }
    }
}

#[async_trait::async_trait]
impl SupportAgentPort for SupportAgentService {
    async fn unbound_terminals(
        &self,
        actor: &SupportActor,
    ) -> Result<Vec<UnboundTerminalView>, AppError> {
        // The role is read from the database, not the session: a person no longer an
        // agent (or no longer active) sees nothing.
        require_agent(&self.db, actor.user_id).await?;
        Ok(self
            .hub
            .unbound()
            .await
            .map_err(internal)?
            .iter()
            .map(UnboundTerminal::view)
            .collect())
    }
}
