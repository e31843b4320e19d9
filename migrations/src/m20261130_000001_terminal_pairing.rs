//! Card terminals pinned to where they were paired from:
//! - `terminals.bound_address`: the address (no port) of the terminal's live connection
//!   when it was bound, or re-paired; a Hello with that id from elsewhere is refused.
//! - `terminals.bound_prefix`: how wide the Admin made the binding (32 or 128 is the one
//!   address, 24 a whole IPv4 /24, for shops on dynamic addresses).
//! - an index on `terminal_payments.state`: the gateway asks once a second, for all its
//!   connections at once, which payments are queued or being cancelled.
//!
//! Terminals bound before this migration are pinned to the address they were last
//! connected from; one bound without ever connecting is pinned to nothing and refused
//! until an Admin re-pairs it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000001_terminal_pairing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Terminals::Table)
                    .add_column(string_len_null(Terminals::BoundAddress, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Terminals::Table)
                    .add_column(small_integer_null(Terminals::BoundPrefix))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_terminal_payments_state")
                    .table(TerminalPayments::Table)
                    .col(TerminalPayments::State)
                    .to_owned(),
            )
            .await?;
        // Pin the terminals bound already to the address they last connected from.
        let db = manager.get_connection();
        let rows = db
            .query_all(
                &Query::select()
                    .columns([Terminals::Id, Terminals::Peer])
                    .from(Terminals::Table)
                    .and_where(Expr::col(Terminals::MerchantId).is_not_null())
                    .to_owned(),
            )
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let peer: String = row.try_get("", "peer")?;
            let Ok(addr) = peer.parse::<std::net::SocketAddr>() else {
                continue;
            };
            let ip = addr.ip().to_canonical();
            let prefix: i16 = if ip.is_ipv4() { 32 } else { 128 };
            db.execute(
                &Query::update()
                    .table(Terminals::Table)
                    .value(Terminals::BoundAddress, ip.to_string())
                    .value(Terminals::BoundPrefix, prefix)
                    .and_where(Expr::col(Terminals::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_terminal_payments_state")
                    .table(TerminalPayments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Terminals::Table)
                    .drop_column(Terminals::BoundPrefix)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Terminals::Table)
                    .drop_column(Terminals::BoundAddress)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Terminals {
    Table,
    Id,
    MerchantId,
    Peer,
    BoundAddress,
    BoundPrefix,
}

#[derive(DeriveIden)]
enum TerminalPayments {
    Table,
    State,
}
