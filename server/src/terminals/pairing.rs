//! Pairing: a terminal is bound to a merchant from the address of its live connection,
//! and pinned there. A merchant's Admin binds by typing the terminal's id and the address
//! shown on the terminal (both must match a live connection); re-pairs a terminal to the
//! address it now connects from; widens the binding to a network (a /24 for a shop on a
//! dynamic address); unbinds.

use super::{TerminalError, TerminalHub};
use crate::entities::{merchant, terminal};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::BeginWrite;
use chrono::Utc;
use ipnet::IpNet;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use std::net::{IpAddr, SocketAddr};

/// The address of a peer written `address:port`, IPv4-mapped IPv6 read as IPv4.
pub fn peer_ip(peer: &str) -> Option<IpAddr> {
    peer.parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| peer.parse::<IpAddr>())
        .ok()
        .map(|ip| ip.to_canonical())
}

/// An address as typed (spaces around ignored), IPv4-mapped IPv6 read as IPv4.
pub fn typed_ip(text: &str) -> Option<IpAddr> {
    text.trim()
        .parse::<IpAddr>()
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Narrowest and widest prefix an Admin may set, by address family: a binding never
/// covers more than a /8 of IPv4 or a /32 of IPv6.
pub fn prefix_range(ip: IpAddr) -> std::ops::RangeInclusive<u8> {
    match ip {
        IpAddr::V4(_) => 8..=32,
        IpAddr::V6(_) => 32..=128,
    }
}

/// The network a bound terminal may connect from.
pub fn binding(row: &terminal::Model) -> Option<IpNet> {
    let ip = typed_ip(row.bound_address.as_deref()?)?;
    let prefix = u8::try_from(row.bound_prefix?).ok()?;
    IpNet::new(ip, prefix).ok().map(|n| n.trunc())
}

/// Whether a Hello from `peer` may take terminal `row`.
pub(crate) enum PinCheck {
    /// Not bound: anyone (within the gateway's allowed networks) may say Hello.
    Unbound,
    /// Bound, and `peer` is inside the binding.
    Inside,
    /// Bound, and `peer` is outside the binding (or the binding has no address).
    Outside,
}

pub(crate) fn fits(row: &terminal::Model, peer: &str) -> PinCheck {
    if row.merchant_id.is_none() {
        return PinCheck::Unbound;
    }
    match (binding(row), peer_ip(peer)) {
        (Some(net), Some(ip)) if net.contains(&ip) => PinCheck::Inside,
        _ => PinCheck::Outside,
    }
}

/// Who acts, for the audit row.
pub struct Acting<'a> {
    /// Login.
    pub actor: &'a str,
    /// User id.
    pub user_id: Option<i64>,
    /// Client address.
    pub ip: &'a str,
}

impl TerminalHub {
    /// The address `terminal_id` is connected from now (to any node), if it is.
    fn connected_from(&self, row: &terminal::Model) -> Option<IpAddr> {
        self.online(row).then(|| peer_ip(&row.peer)).flatten()
    }

    /// The platform operator's binding (the command line): `terminal_id` is bound to
    /// `merchant`, pinned to the address it is connected from now; one not connected
    /// now (or never) is bound pinned to no address, so every Hello of it is refused
    /// until one of the merchant's Admins re-pairs it to the address it tried from.
    /// Another merchant's terminal is [`TerminalError::Taken`].
    pub async fn bind(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        actor: &str,
        user_id: Option<i64>,
        ip: &str,
    ) -> Result<terminal::Model, TerminalError> {
        let terminal_id = terminal_id.trim();
        if !super::valid_terminal_id(terminal_id) {
            return Err(TerminalError::TerminalId);
        }
        let now = Utc::now();
        let txn = self.db.begin_write().await?;
        terminal::Entity::insert(terminal::ActiveModel {
            terminal_id: sea_orm::Set(terminal_id.to_owned()),
            merchant_id: sea_orm::Set(None),
            model: sea_orm::Set(String::new()),
            connected: sea_orm::Set(false),
            peer: sea_orm::Set(String::new()),
            last_seen: sea_orm::Set(None),
            bound_at: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([terminal::Column::TerminalId])
        .exec_without_returning(&txn)
        .await?;
        let row = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .one(&txn)
            .await?
            .ok_or(TerminalError::NotFound)?;
        if row.merchant_id.is_some_and(|m| m != merchant.id) {
            return Err(TerminalError::Taken);
        }
        let (address, prefix) = match self.connected_from(&row) {
            Some(ip) => (
                Some(ip.to_string()),
                Some(if ip.is_ipv4() { 32 } else { 128 }),
            ),
            None => (None, None),
        };
        terminal::Entity::update_many()
            .col_expr(terminal::Column::MerchantId, Expr::value(merchant.id))
            .col_expr(terminal::Column::BoundAt, Expr::value(now))
            .col_expr(terminal::Column::BoundAddress, Expr::value(address.clone()))
            .col_expr(terminal::Column::BoundPrefix, Expr::value(prefix))
            .filter(terminal::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id,
                actor,
                action: "terminal.bind",
                detail: format!(
                    "terminal {terminal_id} bound; {}",
                    audit::changes(&[
                        (
                            "merchant",
                            row.merchant_id
                                .map(|_| merchant.pspid.clone())
                                .unwrap_or_default(),
                            merchant.pspid.clone(),
                        ),
                        (
                            "paired_from",
                            binding(&row).map(|n| n.to_string()).unwrap_or_default(),
                            address
                                .as_ref()
                                .zip(prefix)
                                .map(|(a, p)| format!("{a}/{p}"))
                                .unwrap_or_default(),
                        ),
                    ])
                ),
                ip,
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_refused(terminal_id);
        self.wake(terminal_id);
        self.merchant_terminal(merchant.id, terminal_id).await
    }

    /// A merchant's binding of `terminal_id`, pinned to `address`: the terminal must be
    /// connected now from that address and bound to nobody (or to this merchant
    /// already). Anything else is [`TerminalError::NoSuchConnection`], whether the id
    /// exists or not.
    pub async fn bind_at(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        address: &str,
        by: Acting<'_>,
    ) -> Result<terminal::Model, TerminalError> {
        let terminal_id = terminal_id.trim();
        if !super::valid_terminal_id(terminal_id) {
            return Err(TerminalError::TerminalId);
        }
        let typed = typed_ip(address).ok_or(TerminalError::NoSuchConnection)?;
        let row = terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .one(&self.db)
            .await?
            .ok_or(TerminalError::NoSuchConnection)?;
        if row.merchant_id.is_some_and(|m| m != merchant.id)
            || self.connected_from(&row) != Some(typed)
        {
            return Err(TerminalError::NoSuchConnection);
        }
        if row.merchant_id == Some(merchant.id) && binding(&row).is_some_and(|n| n.contains(&typed))
        {
            // Bound here already, from there: nothing changes.
            return Ok(row);
        }
        let full = if typed.is_ipv4() { 32 } else { 128 };
        let txn = self.db.begin_write().await?;
        let now = Utc::now();
        let updated = terminal::Entity::update_many()
            .col_expr(terminal::Column::MerchantId, Expr::value(merchant.id))
            .col_expr(terminal::Column::BoundAt, Expr::value(now))
            .col_expr(
                terminal::Column::BoundAddress,
                Expr::value(typed.to_string()),
            )
            .col_expr(terminal::Column::BoundPrefix, Expr::value(full as i16))
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .filter(terminal::Column::Peer.eq(row.peer.clone()))
            .filter(
                Condition::any()
                    .add(terminal::Column::MerchantId.is_null())
                    .add(terminal::Column::MerchantId.eq(merchant.id)),
            )
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(TerminalError::NoSuchConnection);
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: "terminal.bind",
                detail: format!(
                    "terminal {terminal_id} bound; {}",
                    audit::changes(&[(
                        "paired_from",
                        binding(&row)
                            .filter(|_| row.merchant_id == Some(merchant.id))
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                        format!("{typed}/{full}"),
                    )])
                ),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_refused(terminal_id);
        self.wake(terminal_id);
        self.merchant_terminal(merchant.id, terminal_id).await
    }

    /// One of the merchant's terminals.
    async fn merchant_terminal(
        &self,
        merchant_id: i64,
        terminal_id: &str,
    ) -> Result<terminal::Model, TerminalError> {
        terminal::Entity::find()
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .filter(terminal::Column::MerchantId.eq(merchant_id))
            .one(&self.db)
            .await?
            .ok_or(TerminalError::NotFound)
    }

    /// Whether bound terminal `row` is connected now from inside its binding: then
    /// nothing refused elsewhere is an address it could be re-paired to.
    pub fn connected_inside(&self, row: &terminal::Model) -> bool {
        self.online(row) && matches!(fits(row, &row.peer), PinCheck::Inside)
    }

    /// What the page tells of one of the merchant's terminals' re-pairing: how many
    /// distinct addresses outside its binding it was refused from recently, and whether
    /// an Admin may re-pair it now (it is not connected from inside its binding).
    pub fn repair_state(&self, row: &terminal::Model) -> (usize, bool) {
        (
            self.refused_recently(&row.terminal_id).len(),
            !self.connected_inside(row),
        )
    }

    /// Whether one of the merchant's terminals may be re-paired to `typed`: the address
    /// of its live connection, or, while it is not connected from inside its binding,
    /// an address a Hello of it was refused from recently. An address refused while the
    /// terminal is connected from inside its binding is never taken: anyone knowing a
    /// terminal id can say Hello from anywhere.
    fn may_repair_to(&self, row: &terminal::Model, typed: IpAddr) -> bool {
        self.connected_from(row) == Some(typed)
            || (!self.connected_inside(row)
                && self.refused_recently(&row.terminal_id).contains(&typed))
    }

    /// Re-pairs one of the merchant's terminals to `address`, typed by an Admin from the
    /// terminal's screen: the address of its live connection, or one it was refused from
    /// while not connected from inside its binding. The binding's width is kept when the
    /// family is the same.
    pub async fn repair(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        address: &str,
        by: Acting<'_>,
    ) -> Result<terminal::Model, TerminalError> {
        let row = self.merchant_terminal(merchant.id, terminal_id).await?;
        let typed = typed_ip(address).ok_or(TerminalError::NoSuchConnection)?;
        if !self.may_repair_to(&row, typed) {
            return Err(TerminalError::NoSuchConnection);
        }
        let old = binding(&row);
        let prefix = match old {
            Some(net) if net.addr().is_ipv4() == typed.is_ipv4() => net.prefix_len(),
            _ if typed.is_ipv4() => 32,
            _ => 128,
        };
        let txn = self.db.begin_write().await?;
        terminal::Entity::update_many()
            .col_expr(
                terminal::Column::BoundAddress,
                Expr::value(typed.to_string()),
            )
            .col_expr(
                terminal::Column::BoundPrefix,
                Expr::value(i16::from(prefix)),
            )
            .col_expr(terminal::Column::BoundAt, Expr::value(Utc::now()))
            .filter(terminal::Column::Id.eq(row.id))
            .filter(terminal::Column::MerchantId.eq(merchant.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: "terminal.repair",
                detail: format!(
                    "terminal {terminal_id} re-paired; {}",
                    audit::changes(&[(
                        "paired_from",
                        old.map(|n| n.to_string()).unwrap_or_default(),
                        format!("{typed}/{prefix}"),
                    )])
                ),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_refused(terminal_id);
        self.merchant_terminal(merchant.id, terminal_id).await
    }

    /// Sets how wide the binding of one of the merchant's terminals is: `prefix` bits of
    /// its paired address (see [`prefix_range`]).
    pub async fn widen(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        prefix: u8,
        by: Acting<'_>,
    ) -> Result<terminal::Model, TerminalError> {
        let row = self.merchant_terminal(merchant.id, terminal_id).await?;
        let Some(ip) = row.bound_address.as_deref().and_then(typed_ip) else {
            return Err(TerminalError::NoSuchConnection);
        };
        if !prefix_range(ip).contains(&prefix) {
            return Err(TerminalError::Prefix);
        }
        let txn = self.db.begin_write().await?;
        terminal::Entity::update_many()
            .col_expr(
                terminal::Column::BoundPrefix,
                Expr::value(i16::from(prefix)),
            )
            .filter(terminal::Column::Id.eq(row.id))
            .filter(terminal::Column::MerchantId.eq(merchant.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: "terminal.widen",
                detail: format!(
                    "terminal {terminal_id} may connect from {}; {}",
                    IpNet::new(ip, prefix)
                        .map(|n| n.trunc().to_string())
                        .unwrap_or_default(),
                    audit::changes(&[(
                        "paired_from",
                        binding(&row).map(|n| n.to_string()).unwrap_or_default(),
                        IpNet::new(ip, prefix)
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                    )])
                ),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        self.merchant_terminal(merchant.id, terminal_id).await
    }

    /// Unbinds one of the merchant's terminals: it is new again, pinned nowhere, and
    /// takes no payment.
    pub async fn unbind(
        &self,
        merchant: &merchant::Model,
        terminal_id: &str,
        by: Acting<'_>,
    ) -> Result<(), TerminalError> {
        let row = self.merchant_terminal(merchant.id, terminal_id).await?;
        let txn = self.db.begin_write().await?;
        let updated = terminal::Entity::update_many()
            .col_expr(
                terminal::Column::MerchantId,
                Expr::value(Option::<i64>::None),
            )
            .col_expr(
                terminal::Column::BoundAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            )
            .col_expr(
                terminal::Column::BoundAddress,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                terminal::Column::BoundPrefix,
                Expr::value(Option::<i16>::None),
            )
            .filter(terminal::Column::TerminalId.eq(terminal_id))
            .filter(terminal::Column::MerchantId.eq(merchant.id))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(TerminalError::NotFound);
        }
        audit::record(
            &txn,
            AuditEntry {
                merchant_id: Some(merchant.id),
                user_id: by.user_id,
                actor: by.actor,
                action: "terminal.unbind",
                detail: format!(
                    "terminal {terminal_id} unbound; {}",
                    audit::changes(&[
                        ("merchant", merchant.pspid.clone(), String::new()),
                        (
                            "paired_from",
                            binding(&row).map(|n| n.to_string()).unwrap_or_default(),
                            String::new(),
                        ),
                    ])
                ),
                ip: by.ip,
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_refused(terminal_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(address: Option<&str>, prefix: Option<i16>) -> terminal::Model {
        terminal::Model {
            id: 1,
            terminal_id: "T1".into(),
            merchant_id: Some(1),
            model: String::new(),
            connected: true,
            peer: String::new(),
            last_seen: None,
            bound_at: None,
            bound_address: address.map(String::from),
            bound_prefix: prefix,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_binding_holds_its_network_only() {
        let one = row(Some("203.0.113.7"), Some(32));
        assert!(matches!(fits(&one, "203.0.113.7:4000"), PinCheck::Inside));
        assert!(matches!(
            fits(&one, "[::ffff:203.0.113.7]:4000"),
            PinCheck::Inside
        ));
        assert!(matches!(fits(&one, "203.0.113.8:4000"), PinCheck::Outside));
        let wide = row(Some("203.0.113.7"), Some(24));
        assert!(matches!(fits(&wide, "203.0.113.200:1"), PinCheck::Inside));
        assert!(matches!(fits(&wide, "203.0.114.1:1"), PinCheck::Outside));
        assert!(matches!(
            fits(&row(None, None), "127.0.0.1:1"),
            PinCheck::Outside
        ));
        let mut unbound = row(None, None);
        unbound.merchant_id = None;
        assert!(matches!(fits(&unbound, "127.0.0.1:1"), PinCheck::Unbound));
        assert_eq!(prefix_range(typed_ip("::1").unwrap()), 32..=128);
        assert_eq!(typed_ip(" 10.0.0.1 "), "10.0.0.1".parse().ok());
        assert_eq!(typed_ip("10.0.0.1:80"), None);
    }
}
