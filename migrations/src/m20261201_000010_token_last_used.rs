//! Aliases (MB-13): when a card token last paid, and the merchant's tokens newest first
//! for Configuration → Aliases.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000010_token_last_used"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tokens::Table)
                    .add_column(timestamp_with_time_zone_null(Tokens::LastUsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tokens_merchant_created")
                    .table(Tokens::Table)
                    .col(Tokens::MerchantId)
                    .col(Tokens::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_tokens_merchant_created")
                    .table(Tokens::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tokens::Table)
                    .drop_column(Tokens::LastUsedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Tokens {
    Table,
    MerchantId,
    CreatedAt,
    LastUsedAt,
}
