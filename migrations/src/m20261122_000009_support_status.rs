//! The service status page (SP-3): components with their status, incidents and planned
//! maintenance, and their timeline of updates.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000009_support_status"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StatusComponents::Table)
                    .col(big_pk_auto(StatusComponents::Id))
                    .col(string_len(StatusComponents::Name, 80).unique_key())
                    .col(text(StatusComponents::Description))
                    .col(string_len(StatusComponents::Status, 24))
                    .col(integer(StatusComponents::Position).default(0))
                    .col(timestamp_with_time_zone(StatusComponents::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusIncidents::Table)
                    .col(big_pk_auto(StatusIncidents::Id))
                    .col(string_len(StatusIncidents::Title, 200))
                    .col(string_len(StatusIncidents::Kind, 16))
                    .col(string_len(StatusIncidents::Stage, 24))
                    .col(text(StatusIncidents::Components))
                    .col(timestamp_with_time_zone_null(StatusIncidents::StartsAt))
                    .col(timestamp_with_time_zone_null(StatusIncidents::EndsAt))
                    .col(timestamp_with_time_zone(StatusIncidents::CreatedAt))
                    .col(timestamp_with_time_zone_null(StatusIncidents::ResolvedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StatusUpdates::Table)
                    .col(big_pk_auto(StatusUpdates::Id))
                    .col(big_integer(StatusUpdates::IncidentId))
                    .col(string_len(StatusUpdates::Stage, 24))
                    .col(text(StatusUpdates::Body))
                    .col(timestamp_with_time_zone(StatusUpdates::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StatusUpdates::Table.into_iden(),
            StatusIncidents::Table.into_iden(),
            StatusComponents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StatusComponents {
    Table,
    Id,
    Name,
    Description,
    Status,
    Position,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StatusIncidents {
    Table,
    Id,
    Title,
    Kind,
    Stage,
    Components,
    StartsAt,
    EndsAt,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum StatusUpdates {
    Table,
    Id,
    IncidentId,
    Stage,
    Body,
    CreatedAt,
}
