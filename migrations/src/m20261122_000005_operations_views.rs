//! The payments list's saved views (MB-31): filter templates per user (optionally shared
//! with the merchant's users), each user's chosen filters and columns; and the indexes
//! the capture-date filter and the financial history read by.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000005_operations_views"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FilterTemplates::Table)
                    .col(big_pk_auto(FilterTemplates::Id))
                    .col(big_integer(FilterTemplates::MerchantId))
                    .col(big_integer(FilterTemplates::UserId))
                    .col(string_len(FilterTemplates::Name, 80))
                    .col(text(FilterTemplates::Query))
                    .col(boolean(FilterTemplates::Shared).default(false))
                    .col(timestamp_with_time_zone(FilterTemplates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_filter_templates_merchant")
                    .table(FilterTemplates::Table)
                    .col(FilterTemplates::MerchantId)
                    .col(FilterTemplates::UserId)
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        for column in [Users::PaymentFilters, Users::PaymentColumns] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(string(column).default(""))
                        .to_owned(),
                )
                .await?;
        }
        // Electronic reporting (MB-20): the default download format and columns.
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .add_column(string_len(Merchants::ReportFormat, 8).default("csv"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .add_column(string(Merchants::ReportColumns).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_operations_kind_created")
                    .table(Operations::Table)
                    .col(Operations::Kind)
                    .col(Operations::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_operations_kind_created")
                    .table(Operations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Merchants::ReportFormat, Merchants::ReportColumns] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Users::PaymentFilters, Users::PaymentColumns] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(FilterTemplates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FilterTemplates {
    Table,
    Id,
    MerchantId,
    UserId,
    Name,
    Query,
    Shared,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    PaymentFilters,
    PaymentColumns,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    ReportFormat,
    ReportColumns,
}

#[derive(DeriveIden)]
enum Operations {
    Table,
    Kind,
    CreatedAt,
}
