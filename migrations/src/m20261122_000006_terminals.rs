//! Card terminals (TG-2): the terminals that connected to the gateway, bound to a
//! merchant or still new; the point-of-sale payments sent to them, which end as
//! card-present payments in the ledger; and the receipt of a card-present payment.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000006_terminals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Terminals::Table)
                    .col(big_pk_auto(Terminals::Id))
                    .col(string_len(Terminals::TerminalId, 32).unique_key())
                    .col(big_integer_null(Terminals::MerchantId))
                    .col(string_len(Terminals::Model, 64).default(""))
                    .col(boolean(Terminals::Connected).default(false))
                    .col(string_len(Terminals::Peer, 64).default(""))
                    .col(timestamp_with_time_zone_null(Terminals::LastSeen))
                    .col(timestamp_with_time_zone_null(Terminals::BoundAt))
                    .col(timestamp_with_time_zone(Terminals::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TerminalPayments::Table)
                    .col(big_pk_auto(TerminalPayments::Id))
                    .col(big_integer(TerminalPayments::MerchantId))
                    .col(string_len(TerminalPayments::TerminalId, 32))
                    .col(big_integer(TerminalPayments::Amount))
                    .col(string_len(TerminalPayments::Currency, 3))
                    .col(string(TerminalPayments::MerchantReference).default(""))
                    .col(string_len(TerminalPayments::State, 16))
                    .col(string_len(TerminalPayments::Stage, 24))
                    .col(string_len_null(TerminalPayments::Result, 24))
                    .col(boolean(TerminalPayments::CancelRequested).default(false))
                    .col(big_integer_null(TerminalPayments::PaymentId))
                    .col(string_len_null(TerminalPayments::AuthorisationCode, 16))
                    .col(string_len_null(TerminalPayments::Brand, 32))
                    .col(string_len_null(TerminalPayments::MaskedCard, 32))
                    .col(text_null(TerminalPayments::Receipt))
                    .col(big_integer_null(TerminalPayments::UserId))
                    .col(string_len_null(TerminalPayments::ApiKeyId, 64))
                    .col(timestamp_with_time_zone(TerminalPayments::CreatedAt))
                    .col(timestamp_with_time_zone(TerminalPayments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_terminal_payments_terminal_state")
                    .table(TerminalPayments::Table)
                    .col(TerminalPayments::TerminalId)
                    .col(TerminalPayments::State)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_terminal_payments_merchant")
                    .table(TerminalPayments::Table)
                    .col(TerminalPayments::MerchantId)
                    .col(TerminalPayments::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(text_null(Payments::Receipt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .drop_column(Payments::Receipt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(TerminalPayments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Terminals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Terminals {
    Table,
    Id,
    TerminalId,
    MerchantId,
    Model,
    Connected,
    Peer,
    LastSeen,
    BoundAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TerminalPayments {
    Table,
    Id,
    MerchantId,
    TerminalId,
    Amount,
    Currency,
    MerchantReference,
    State,
    Stage,
    Result,
    CancelRequested,
    PaymentId,
    AuthorisationCode,
    Brand,
    MaskedCard,
    Receipt,
    UserId,
    ApiKeyId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Receipt,
}
