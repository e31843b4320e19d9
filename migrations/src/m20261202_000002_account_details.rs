//! The merchant's account page (MB-10): administrative details, invoicing, subscription
//! and options, payment-page general conditions, accepted currencies and data retention;
//! and `purged_totals`, the daily totals the retention purge keeps of what it deleted,
//! so the financial history keeps its sums once the payments are gone.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000002_account_details"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            string_len(Merchants::Phone, 32).default("").to_owned(),
            string_len(Merchants::AddressStreet, 200)
                .default("")
                .to_owned(),
            string_len(Merchants::AddressPostcode, 16)
                .default("")
                .to_owned(),
            string_len(Merchants::AddressCity, 100)
                .default("")
                .to_owned(),
            string_len(Merchants::Country, 2).default("").to_owned(),
            string_len(Merchants::VatNumber, 20).default("").to_owned(),
            string_len(Merchants::InvoicingMethod, 8)
                .default("email")
                .to_owned(),
            string_len(Merchants::InvoicingEmail, 254)
                .default("")
                .to_owned(),
            text(Merchants::InvoicingAddress).default("").to_owned(),
            string_len(Merchants::Subscription, 32)
                .default("test")
                .to_owned(),
            string_len(Merchants::Options, 200).default("").to_owned(),
            string_len(Merchants::GeneralConditionsUrl, 2000)
                .default("")
                .to_owned(),
            // Empty: every currency, as before the setting existed.
            string_len(Merchants::Currencies, 200)
                .default("")
                .to_owned(),
            integer(Merchants::RetentionDays).default(540).to_owned(),
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
            .create_table(
                Table::create()
                    .table(PurgedTotals::Table)
                    .col(big_pk_auto(PurgedTotals::Id))
                    .col(big_integer(PurgedTotals::MerchantId))
                    .col(string_len(PurgedTotals::Day, 10))
                    .col(string_len(PurgedTotals::Currency, 3))
                    .col(big_integer(PurgedTotals::Payments).default(0))
                    .col(big_integer(PurgedTotals::Authorised).default(0))
                    .col(big_integer(PurgedTotals::Captured).default(0))
                    .col(big_integer(PurgedTotals::Refunded).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PurgedTotals::Table, PurgedTotals::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_purged_totals_day")
                    .table(PurgedTotals::Table)
                    .col(PurgedTotals::MerchantId)
                    .col(PurgedTotals::Day)
                    .col(PurgedTotals::Currency)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PurgedTotals::Table).to_owned())
            .await?;
        for column in [
            Merchants::RetentionDays,
            Merchants::Currencies,
            Merchants::GeneralConditionsUrl,
            Merchants::Options,
            Merchants::Subscription,
            Merchants::InvoicingAddress,
            Merchants::InvoicingEmail,
            Merchants::InvoicingMethod,
            Merchants::VatNumber,
            Merchants::Country,
            Merchants::AddressCity,
            Merchants::AddressPostcode,
            Merchants::AddressStreet,
            Merchants::Phone,
        ] {
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
    Id,
    Phone,
    AddressStreet,
    AddressPostcode,
    AddressCity,
    Country,
    VatNumber,
    InvoicingMethod,
    InvoicingEmail,
    InvoicingAddress,
    Subscription,
    Options,
    GeneralConditionsUrl,
    Currencies,
    RetentionDays,
}

#[derive(DeriveIden)]
enum PurgedTotals {
    Table,
    Id,
    MerchantId,
    Day,
    Currency,
    Payments,
    Authorised,
    Captured,
    Refunded,
}
