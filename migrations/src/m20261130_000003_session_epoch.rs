//! Sessions that end when they must, hosted checkouts paid once, support codes that
//! cannot be guessed forever:
//! - `users.session_epoch`: raised when a user's password changes or is reset (and by
//!   any other change that must sign the user out elsewhere); a session signed in at
//!   another epoch is over.
//! - `hosted_checkouts.busy_until`: the lease of the one pay request allowed to talk to
//!   the acquirer for a checkout at a time.
//! - `support_users.code_locked_until`: sign-in by mailed code locked after repeated
//!   failure rounds.
//! - `support_codes.ip`: the address a code was asked from, to limit codes per address.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000003_session_epoch"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(big_integer(Users::SessionEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HostedCheckouts::Table)
                    .add_column(timestamp_with_time_zone_null(HostedCheckouts::BusyUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportUsers::Table)
                    .add_column(timestamp_with_time_zone_null(SupportUsers::CodeLockedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportCodes::Table)
                    .add_column(string_len_null(SupportCodes::Ip, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_support_codes_ip_created")
                    .table(SupportCodes::Table)
                    .col(SupportCodes::Ip)
                    .col(SupportCodes::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_support_codes_ip_created")
                    .table(SupportCodes::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportCodes::Table)
                    .drop_column(SupportCodes::Ip)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SupportUsers::Table)
                    .drop_column(SupportUsers::CodeLockedUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HostedCheckouts::Table)
                    .drop_column(HostedCheckouts::BusyUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::SessionEpoch)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum HostedCheckouts {
    Table,
    BusyUntil,
}

#[derive(DeriveIden)]
enum SupportUsers {
    Table,
    CodeLockedUntil,
}

#[derive(DeriveIden)]
enum SupportCodes {
    Table,
    Ip,
    CreatedAt,
}
