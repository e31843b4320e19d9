//! Idempotence after a crash: an in-flight request's record names its owner (the server
//! process running it) and a lease that owner renews; a retry finding the lease expired
//! takes the request over. Each record has a random reference that the payment or the
//! operation it produced carries, so a retry finds an effect that was committed before
//! its response was stored, instead of doing it again.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000004_idempotence_lease"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(IdempotencyKeys::Owner, 64),
            big_integer_null(IdempotencyKeys::LeaseUntilMillis),
            string_len_null(IdempotencyKeys::Reference, 32),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IdempotencyKeys::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(string_len_null(Payments::IdempotenceRef, 32))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Operations::Table)
                    .add_column(string_len_null(Operations::IdempotenceRef, 32))
                    .to_owned(),
            )
            .await?;
        // Unique: one request's effect can be written once, whoever runs it.
        manager
            .create_index(
                Index::create()
                    .name("ux_payments_idempotence_ref")
                    .table(Payments::Table)
                    .col(Payments::IdempotenceRef)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_operations_idempotence_ref")
                    .table(Operations::Table)
                    .col(Operations::IdempotenceRef)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_operations_idempotence_ref")
                    .table(Operations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_payments_idempotence_ref")
                    .table(Payments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Operations::Table)
                    .drop_column(Operations::IdempotenceRef)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .drop_column(Payments::IdempotenceRef)
                    .to_owned(),
            )
            .await?;
        for column in [
            IdempotencyKeys::Owner,
            IdempotencyKeys::LeaseUntilMillis,
            IdempotencyKeys::Reference,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(IdempotencyKeys::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Owner,
    LeaseUntilMillis,
    Reference,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    IdempotenceRef,
}

#[derive(DeriveIden)]
enum Operations {
    Table,
    IdempotenceRef,
}
