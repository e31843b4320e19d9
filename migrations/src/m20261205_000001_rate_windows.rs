//! Rate-limit windows shared by every node (PL-2): the sign-in and password-reset
//! attempts per client address are counted in the database, so a limit holds however
//! the front spreads the attempts over the nodes. A window is one row per hashed key
//! and window start; ended windows are deleted by the runner's housekeeping.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000001_rate_windows"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateWindows::Table)
                    // SHA-256 of the limiter's name and the key, hex: no address kept.
                    .col(string_len(RateWindows::KeyHash, 64))
                    // Seconds since the epoch, a multiple of the window.
                    .col(big_integer(RateWindows::WindowStart))
                    .col(integer(RateWindows::Hits).default(0))
                    .primary_key(
                        Index::create()
                            .col(RateWindows::KeyHash)
                            .col(RateWindows::WindowStart),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_rate_windows_start")
                    .table(RateWindows::Table)
                    .col(RateWindows::WindowStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateWindows::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RateWindows {
    Table,
    KeyHash,
    WindowStart,
    Hits,
}
