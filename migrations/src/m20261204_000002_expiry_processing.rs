//! The processing mode (MB-14: online always, online with fallback to offline, offline)
//! and the card reservation period after which an uncaptured authorisation is released;
//! on each payment when it was authorised, which the release counts from.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000002_expiry_processing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            string_len(Merchants::ProcessingMode, 20)
                .default("online_fallback")
                .to_owned(),
            integer(Merchants::ReservationDays).default(7).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(timestamp_with_time_zone_null(Payments::AuthorisedAt))
                    .to_owned(),
            )
            .await?;
        // The release job looks for open authorisations by stage and age.
        manager
            .create_index(
                Index::create()
                    .name("ix_payments_open_authorisations")
                    .table(Payments::Table)
                    .col(Payments::Stage)
                    .col(Payments::Captured)
                    .col(Payments::MerchantId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_payments_open_authorisations")
                    .table(Payments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .drop_column(Payments::AuthorisedAt)
                    .to_owned(),
            )
            .await?;
        for column in [Merchants::ReservationDays, Merchants::ProcessingMode] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    ProcessingMode,
    ReservationDays,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    AuthorisedAt,
    Stage,
    Captured,
    MerchantId,
}
