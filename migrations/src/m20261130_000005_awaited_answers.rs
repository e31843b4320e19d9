//! Answers the acquirer may owe after a crash. A payment records since when it awaits the
//! acquirer's answer to an attempt (the first one, a payer's retry with another card, or
//! the authorisation after a 3-D Secure challenge), so a lost answer is asked about by
//! its reference instead of the payer being charged again. A capture, refund or
//! cancellation written pending carries the reference the acquirer was given and what it
//! reserved (the payment's ledger and cart lines before), so a lost answer is asked
//! about and the reservation kept or given back without an operator.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000005_awaited_answers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(timestamp_with_time_zone_null(Payments::AwaitingSince))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Operations::Table)
                    .add_column(text_null(Operations::Reservation))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Operations::Table)
                    .drop_column(Operations::Reservation)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .drop_column(Payments::AwaitingSince)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    AwaitingSince,
}

#[derive(DeriveIden)]
enum Operations {
    Table,
    Reservation,
}
