//! Password lifetime and history (MB-7; PCI DSS 4.0 §8.3.7, §8.3.9):
//! - `password_history`: the hashes a user's password had before each change, newest
//!   last; a new password must differ from the current one and the latest of these.
//! - `merchants.password_lifetime_days`: days a password lives before it must be
//!   changed; `0` for never.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000008_password_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .add_column(integer(Merchants::PasswordLifetimeDays).default(90))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordHistory::Table)
                    .col(big_pk_auto(PasswordHistory::Id))
                    .col(big_integer(PasswordHistory::UserId))
                    .col(text(PasswordHistory::PasswordHash))
                    .col(timestamp_with_time_zone(PasswordHistory::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PasswordHistory::Table, PasswordHistory::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_password_history_user")
                    .table(PasswordHistory::Table)
                    .col(PasswordHistory::UserId)
                    .col(PasswordHistory::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PasswordHistory::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .drop_column(Merchants::PasswordLifetimeDays)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    PasswordLifetimeDays,
}

#[derive(DeriveIden)]
enum PasswordHistory {
    Table,
    Id,
    UserId,
    PasswordHash,
    CreatedAt,
}
