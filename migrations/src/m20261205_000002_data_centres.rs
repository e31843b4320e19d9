//! The data centre of a hosted checkout and of a hosted tokenization (PL-4): chosen when
//! it is created, stored with it, and the only centre whose address serves its pages.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000002_data_centres"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Sessions::HostedCheckouts, Sessions::HostedTokenizations] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(Sessions::DataCentre, 8))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Sessions::HostedCheckouts, Sessions::HostedTokenizations] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Sessions::DataCentre)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Sessions {
    HostedCheckouts,
    HostedTokenizations,
    DataCentre,
}
