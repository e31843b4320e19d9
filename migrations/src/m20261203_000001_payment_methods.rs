//! Payment methods (MB-11): a merchant's setting of each payment method it changed — the
//! method by its Direct `paymentProductId` (card brands today; redirect methods and
//! wallets later), active or not, and the currencies and countries it serves
//! (comma-separated, empty for all). A method without a row has its default
//! (`domain::methods`), so accounts from before the table keep working unchanged.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_payment_methods"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentMethods::Table)
                    .col(big_pk_auto(PaymentMethods::Id))
                    .col(big_integer(PaymentMethods::MerchantId))
                    .col(integer(PaymentMethods::MethodCode))
                    .col(boolean(PaymentMethods::Active))
                    .col(string_len(PaymentMethods::Currencies, 1000).default(""))
                    .col(string_len(PaymentMethods::Countries, 1000).default(""))
                    .col(timestamp_with_time_zone(PaymentMethods::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentMethods::Table, PaymentMethods::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_payment_methods_merchant_code")
                    .table(PaymentMethods::Table)
                    .col(PaymentMethods::MerchantId)
                    .col(PaymentMethods::MethodCode)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PaymentMethods::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PaymentMethods {
    Table,
    Id,
    MerchantId,
    MethodCode,
    Active,
    Currencies,
    Countries,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
}
