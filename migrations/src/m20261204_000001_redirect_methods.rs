//! Redirect methods and wallets (issue 16): the simulated bank page's sessions — one
//! per redirect payment (iDEAL, Bancontact), reached by an unguessable token, decided
//! once (approved, refused or cancelled) — and the wallets' second switch on the
//! payment methods page (Google Pay on mobile; the `active` column is Google Pay in
//! the browser).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000001_redirect_methods"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BankRedirects::Table)
                    .col(big_pk_auto(BankRedirects::Id))
                    .col(string_len(BankRedirects::Token, 64).unique_key())
                    .col(big_integer(BankRedirects::MerchantId))
                    .col(big_integer(BankRedirects::PaymentId))
                    .col(string_len(BankRedirects::Returnmac, 64))
                    .col(string_len(BankRedirects::Status, 16))
                    .col(timestamp_with_time_zone(BankRedirects::CreatedAt))
                    .col(timestamp_with_time_zone_null(BankRedirects::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BankRedirects::Table, BankRedirects::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(BankRedirects::Table, BankRedirects::PaymentId)
                            .to(Payments::Table, Payments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bank_redirects_payment")
                    .table(BankRedirects::Table)
                    .col(BankRedirects::PaymentId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PaymentMethods::Table)
                    .add_column(boolean(PaymentMethods::MobileActive).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PaymentMethods::Table)
                    .drop_column(PaymentMethods::MobileActive)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(BankRedirects::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum BankRedirects {
    Table,
    Id,
    Token,
    MerchantId,
    PaymentId,
    Returnmac,
    Status,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum PaymentMethods {
    Table,
    MobileActive,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
}
