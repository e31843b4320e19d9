//! Pay by link (MB-35, MB-36, HP-1, PE-6): payment links — templates made in the back
//! office, invoices mailed to a customer, and links made through the API — with their
//! events; the checkout a link opened and the values the payer entered are kept with the
//! checkout and the payment.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000006_payment_links"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PaymentLinks::Table)
                    .col(big_pk_auto(PaymentLinks::Id))
                    .col(string_len(PaymentLinks::PublicId, 40).unique_key())
                    .col(big_integer(PaymentLinks::MerchantId))
                    .col(string_len(PaymentLinks::Kind, 16))
                    .col(string_len(PaymentLinks::Name, 100).default(""))
                    .col(string_len(PaymentLinks::InternalNote, 500).default(""))
                    .col(string_len(PaymentLinks::Title, 200).default(""))
                    .col(string_len(PaymentLinks::Description, 1000).default(""))
                    .col(string_len(PaymentLinks::Currency, 3))
                    .col(big_integer_null(PaymentLinks::Amount))
                    .col(big_integer_null(PaymentLinks::MinAmount))
                    .col(big_integer_null(PaymentLinks::MaxAmount))
                    .col(string_len(PaymentLinks::MerchantReference, 50).default(""))
                    .col(string_len(PaymentLinks::RecipientName, 100).default(""))
                    .col(string_len(PaymentLinks::RecipientEmail, 254).default(""))
                    .col(string_len_null(PaymentLinks::MerchantCustomerId, 50))
                    .col(string_len(PaymentLinks::Locale, 8).default("en"))
                    .col(text(PaymentLinks::CartJson))
                    .col(text(PaymentLinks::FieldsJson))
                    .col(boolean(PaymentLinks::Reusable).default(false))
                    .col(string_len(PaymentLinks::Status, 16))
                    .col(timestamp_with_time_zone_null(PaymentLinks::DueAt))
                    .col(timestamp_with_time_zone_null(PaymentLinks::ExpiresAt))
                    .col(boolean(PaymentLinks::Remind).default(false))
                    .col(timestamp_with_time_zone_null(PaymentLinks::RemindedAt))
                    .col(timestamp_with_time_zone_null(PaymentLinks::SentAt))
                    .col(string_len_null(PaymentLinks::CheckoutId, 64))
                    .col(big_integer_null(PaymentLinks::PaymentId))
                    .col(integer(PaymentLinks::Payments).default(0))
                    .col(string_len_null(PaymentLinks::ReturnUrl, 512))
                    .col(big_integer_null(PaymentLinks::CreatedBy))
                    .col(timestamp_with_time_zone(PaymentLinks::CreatedAt))
                    .col(timestamp_with_time_zone(PaymentLinks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentLinks::Table, PaymentLinks::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_payment_links_merchant_kind")
                    .table(PaymentLinks::Table)
                    .col(PaymentLinks::MerchantId)
                    .col(PaymentLinks::Kind)
                    .col(PaymentLinks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentLinkEvents::Table)
                    .col(big_pk_auto(PaymentLinkEvents::Id))
                    .col(big_integer(PaymentLinkEvents::LinkId))
                    .col(string_len(PaymentLinkEvents::Kind, 24))
                    .col(string_len(PaymentLinkEvents::Details, 254).default(""))
                    .col(timestamp_with_time_zone(PaymentLinkEvents::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PaymentLinkEvents::Table, PaymentLinkEvents::LinkId)
                            .to(PaymentLinks::Table, PaymentLinks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_payment_link_events_link")
                    .table(PaymentLinkEvents::Table)
                    .col(PaymentLinkEvents::LinkId)
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters one column at a time.
        for (table, column) in [
            (Tables::HostedCheckouts, Columns::PaymentLinkId),
            (Tables::Payments, Columns::PaymentLinkId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
        }
        for table in [Tables::HostedCheckouts, Tables::Payments] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(text_null(Columns::PayerFields))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Tables::HostedCheckouts, Tables::Payments] {
            for column in [Columns::PaymentLinkId, Columns::PayerFields] {
                manager
                    .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        manager
            .drop_table(Table::drop().table(PaymentLinkEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(PaymentLinks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Tables {
    HostedCheckouts,
    Payments,
}

#[derive(DeriveIden, Clone, Copy)]
enum Columns {
    PaymentLinkId,
    PayerFields,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PaymentLinks {
    Table,
    Id,
    PublicId,
    MerchantId,
    Kind,
    Name,
    InternalNote,
    Title,
    Description,
    Currency,
    Amount,
    MinAmount,
    MaxAmount,
    MerchantReference,
    RecipientName,
    RecipientEmail,
    MerchantCustomerId,
    Locale,
    CartJson,
    FieldsJson,
    Reusable,
    Status,
    DueAt,
    ExpiresAt,
    Remind,
    RemindedAt,
    SentAt,
    CheckoutId,
    PaymentId,
    Payments,
    ReturnUrl,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PaymentLinkEvents {
    Table,
    Id,
    LinkId,
    Kind,
    Details,
    At,
}
