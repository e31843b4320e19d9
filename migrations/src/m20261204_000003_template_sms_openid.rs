//! The hosted pages' template (MB-14: colours and a logo, kept in the database so every
//! node serves it), SMS notifications to the customer (MB-15: the switch, the customer's
//! mobile number on payments and hosted checkouts, and the SMS outbox) and the OpenID
//! token (MB-15, sealed with the data key) that signs the hosted page's session token.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000003_template_sms_openid"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            boolean(Merchants::SmsEnabled).default(false).to_owned(),
            text_null(Merchants::OpenidTokenEnc).to_owned(),
            string_len(Merchants::OpenidHint, 16).default("").to_owned(),
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
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .add_column(string_len_null(Payments::CustomerMobile, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HostedCheckouts::Table)
                    .add_column(string_len_null(HostedCheckouts::CustomerMobile, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SmsOutbox::Table)
                    .col(big_pk_auto(SmsOutbox::Id))
                    .col(big_integer(SmsOutbox::MerchantId))
                    .col(big_integer_null(SmsOutbox::PaymentId))
                    .col(string_len(SmsOutbox::ToNumber, 16))
                    .col(string_len(SmsOutbox::Body, 320))
                    .col(integer(SmsOutbox::Attempts).default(0))
                    .col(text_null(SmsOutbox::LastError))
                    .col(timestamp_with_time_zone_null(SmsOutbox::SentAt))
                    .col(timestamp_with_time_zone(SmsOutbox::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SmsOutbox::Table, SmsOutbox::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sms_outbox_merchant")
                    .table(SmsOutbox::Table)
                    .col(SmsOutbox::MerchantId)
                    .col(SmsOutbox::SentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PageThemes::Table)
                    .col(big_integer(PageThemes::MerchantId).primary_key())
                    // Opaque: what the payer's pages link, never the merchant's id.
                    .col(string_len_uniq(PageThemes::ThemeId, 40))
                    .col(integer(PageThemes::Version).default(1))
                    .col(string_len(PageThemes::PrimaryColour, 7))
                    .col(string_len(PageThemes::BackgroundColour, 7))
                    .col(string_len(PageThemes::TextColour, 7))
                    .col(string_len(PageThemes::ButtonTextColour, 7))
                    .col(blob_null(PageThemes::Logo))
                    .col(string_len_null(PageThemes::LogoType, 20))
                    .col(string_len_null(PageThemes::LogoSha256, 64))
                    .col(timestamp_with_time_zone(PageThemes::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PageThemes::Table, PageThemes::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PageThemes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SmsOutbox::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(HostedCheckouts::Table)
                    .drop_column(HostedCheckouts::CustomerMobile)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payments::Table)
                    .drop_column(Payments::CustomerMobile)
                    .to_owned(),
            )
            .await?;
        for column in [
            Merchants::OpenidHint,
            Merchants::OpenidTokenEnc,
            Merchants::SmsEnabled,
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
    SmsEnabled,
    OpenidTokenEnc,
    OpenidHint,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    CustomerMobile,
}

#[derive(DeriveIden)]
enum HostedCheckouts {
    Table,
    CustomerMobile,
}

#[derive(DeriveIden)]
enum SmsOutbox {
    Table,
    Id,
    MerchantId,
    PaymentId,
    ToNumber,
    Body,
    Attempts,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PageThemes {
    Table,
    MerchantId,
    ThemeId,
    Version,
    PrimaryColour,
    BackgroundColour,
    TextColour,
    ButtonTextColour,
    Logo,
    LogoType,
    LogoSha256,
    UpdatedAt,
}
