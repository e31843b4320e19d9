//! Where merchants of other clusters are homed (PL-4): a directory of PSPID → cluster
//! that a generic endpoint reads to pass an API call to the merchant's home cluster. It
//! holds no merchant data: the merchant's own rows live only in its home cluster's
//! database.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000003_merchant_homes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MerchantHomes::Table)
                    .col(string_len(MerchantHomes::Pspid, 64).primary_key())
                    .col(string_len(MerchantHomes::Cluster, 8))
                    .col(timestamp_with_time_zone(MerchantHomes::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MerchantHomes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MerchantHomes {
    Table,
    Pspid,
    Cluster,
    CreatedAt,
}
