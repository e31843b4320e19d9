//! The payments spine: merchant payment settings, payments and their operations, cart
//! lines, hosted checkouts, tokens, idempotency records, API keys, webhook endpoints,
//! events, deliveries and attempts, and the durable job table.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000002_create_payments"
    }
}

fn merchant_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Merchants::Table, Merchants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(Alias::new(*col));
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Merchant settings (MB-14, MB-15, MB-17). SQLite adds one column per statement.
        let settings = [
            integer(Merchants::RetryCount).default(3).to_owned(),
            string_len(Merchants::CaptureProcedure, 16)
                .default("immediate")
                .to_owned(),
            integer(Merchants::CaptureDelayHours).default(0).to_owned(),
            boolean(Merchants::ShowFinalPage).default(true).to_owned(),
            integer(Merchants::SessionMinutes).default(30).to_owned(),
            integer(Merchants::OverCapturePercent).default(0).to_owned(),
            boolean(Merchants::WebhooksEnabled)
                .default(false)
                .to_owned(),
            string(Merchants::WebhookEvents).default("").to_owned(),
            string_null(Merchants::WebhookKeyId).to_owned(),
            text_null(Merchants::WebhookSecretEnc).to_owned(),
            string(Merchants::WebSite).default("").to_owned(),
        ];
        for column in settings {
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
                    .table(ApiKeys::Table)
                    .col(big_pk_auto(ApiKeys::Id))
                    .col(big_integer(ApiKeys::MerchantId))
                    .col(string_len(ApiKeys::KeyId, 64))
                    .col(string(ApiKeys::Name))
                    .col(text(ApiKeys::SecretEnc))
                    .col(string_len(ApiKeys::SecretHint, 16))
                    .col(timestamp_with_time_zone(ApiKeys::RevealUntil))
                    .col(big_integer_null(ApiKeys::CreatedBy))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .foreign_key(&mut merchant_fk(ApiKeys::Table, ApiKeys::MerchantId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_api_keys_key_id",
                ApiKeys::Table,
                &["key_id"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Tokens::Table)
                    .col(string_len(Tokens::Id, 64).primary_key())
                    .col(big_integer(Tokens::MerchantId))
                    .col(string_null(Tokens::MerchantCustomerId))
                    .col(text(Tokens::CardEnc))
                    .col(string_len(Tokens::Brand, 32))
                    .col(integer(Tokens::PaymentProductId))
                    .col(string_len(Tokens::MaskedCard, 32))
                    .col(string_len(Tokens::Expiry, 4))
                    .col(string(Tokens::CardHolder).default(""))
                    .col(timestamp_with_time_zone(Tokens::CreatedAt))
                    .foreign_key(&mut merchant_fk(Tokens::Table, Tokens::MerchantId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_tokens_customer",
                Tokens::Table,
                &["merchant_id", "merchant_customer_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(big_pk_auto(Payments::Id))
                    .col(big_integer(Payments::MerchantId))
                    .col(string_len(Payments::Channel, 16))
                    .col(string(Payments::MerchantReference).default(""))
                    .col(string_null(Payments::MerchantCustomerId))
                    .col(string(Payments::Description).default(""))
                    .col(string_len(Payments::Currency, 3))
                    .col(big_integer(Payments::Amount))
                    .col(big_integer(Payments::Authorised).default(0))
                    .col(big_integer(Payments::Captured).default(0))
                    .col(big_integer(Payments::Refunded).default(0))
                    .col(string_len(Payments::Stage, 16))
                    .col(boolean(Payments::CaptureClosed).default(false))
                    .col(string_len(Payments::AuthorizationMode, 24))
                    .col(integer_null(Payments::PaymentProductId))
                    .col(string_null(Payments::Brand))
                    .col(string_null(Payments::MaskedCard))
                    .col(string_null(Payments::CardLast4))
                    .col(string_null(Payments::CardExpiry))
                    .col(string_null(Payments::CardHolder))
                    .col(text_null(Payments::PendingCardEnc))
                    .col(string_null(Payments::TokenId))
                    .col(string_null(Payments::Eci))
                    .col(string_null(Payments::AuthorisationCode))
                    .col(string_null(Payments::Rrn))
                    .col(string_null(Payments::TerminalId))
                    .col(string_null(Payments::RefusalCode))
                    .col(string_null(Payments::RefusalReason))
                    .col(integer(Payments::Attempts).default(0))
                    .col(string_null(Payments::ReturnUrl))
                    .col(string_null(Payments::HostedCheckoutId))
                    .col(string_null(Payments::CustomerEmail))
                    .col(string_null(Payments::CustomerIp))
                    .col(string_len(Payments::Locale, 8).default("en_GB"))
                    .col(timestamp_with_time_zone_null(Payments::CaptureAfter))
                    .col(timestamp_with_time_zone(Payments::CreatedAt))
                    .col(timestamp_with_time_zone(Payments::UpdatedAt))
                    .foreign_key(&mut merchant_fk(Payments::Table, Payments::MerchantId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_payments_merchant_created",
                Payments::Table,
                &["merchant_id", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_payments_merchant_reference",
                Payments::Table,
                &["merchant_id", "merchant_reference"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Operations::Table)
                    .col(big_pk_auto(Operations::Id))
                    .col(big_integer(Operations::PaymentId))
                    .col(string_len(Operations::Kind, 16))
                    .col(big_integer(Operations::Amount))
                    .col(string_len(Operations::Result, 16))
                    .col(boolean(Operations::IsFinal).default(false))
                    .col(string_null(Operations::RefusalCode))
                    .col(string_null(Operations::RefusalReason))
                    .col(string_null(Operations::AuthorisationCode))
                    .col(string_null(Operations::Rrn))
                    .col(string_null(Operations::TerminalId))
                    .col(string_null(Operations::Eci))
                    .col(big_integer_null(Operations::UserId))
                    .col(string_null(Operations::ApiKeyId))
                    .col(string_null(Operations::Reference))
                    .col(timestamp_with_time_zone(Operations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Operations::Table, Operations::PaymentId)
                            .to(Payments::Table, Payments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_operations_payment",
                Operations::Table,
                &["payment_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartLines::Table)
                    .col(big_pk_auto(CartLines::Id))
                    .col(big_integer(CartLines::PaymentId))
                    .col(integer(CartLines::Position))
                    .col(string(CartLines::ProductCode).default(""))
                    .col(string(CartLines::ProductName).default(""))
                    .col(big_integer(CartLines::UnitPrice))
                    .col(big_integer(CartLines::QuantityThousandths))
                    .col(big_integer(CartLines::Amount))
                    .col(big_integer(CartLines::RefundedThousandths).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CartLines::Table, CartLines::PaymentId)
                            .to(Payments::Table, Payments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_cart_lines_payment",
                CartLines::Table,
                &["payment_id", "position"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HostedCheckouts::Table)
                    .col(string_len(HostedCheckouts::Id, 64).primary_key())
                    .col(big_integer(HostedCheckouts::MerchantId))
                    .col(big_integer_null(HostedCheckouts::PaymentId))
                    .col(string_len(HostedCheckouts::Status, 32))
                    .col(string_len(HostedCheckouts::Returnmac, 64))
                    .col(string_len(HostedCheckouts::Currency, 3))
                    .col(big_integer(HostedCheckouts::Amount))
                    .col(string(HostedCheckouts::MerchantReference).default(""))
                    .col(string_null(HostedCheckouts::MerchantCustomerId))
                    .col(string_len(HostedCheckouts::AuthorizationMode, 24))
                    .col(string_null(HostedCheckouts::ReturnUrl))
                    .col(boolean(HostedCheckouts::ShowResultPage))
                    .col(string_len(HostedCheckouts::Locale, 8))
                    .col(text(HostedCheckouts::CartJson))
                    .col(integer(HostedCheckouts::Attempts).default(0))
                    .col(timestamp_with_time_zone(HostedCheckouts::ExpiresAt))
                    .col(timestamp_with_time_zone(HostedCheckouts::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        HostedCheckouts::Table,
                        HostedCheckouts::MerchantId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HostedTokenizations::Table)
                    .col(string_len(HostedTokenizations::Id, 64).primary_key())
                    .col(big_integer(HostedTokenizations::MerchantId))
                    .col(string_null(HostedTokenizations::TokenId))
                    .col(string_len(HostedTokenizations::TokenStatus, 16))
                    .col(string_len(HostedTokenizations::Locale, 8))
                    .col(timestamp_with_time_zone(HostedTokenizations::ExpiresAt))
                    .col(timestamp_with_time_zone(HostedTokenizations::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        HostedTokenizations::Table,
                        HostedTokenizations::MerchantId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(big_pk_auto(IdempotencyKeys::Id))
                    .col(big_integer(IdempotencyKeys::MerchantId))
                    .col(string_len(IdempotencyKeys::Key, 64))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer_null(IdempotencyKeys::StatusCode))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(big_integer(IdempotencyKeys::FirstRequestMillis))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        IdempotencyKeys::Table,
                        IdempotencyKeys::MerchantId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_idempotency_merchant_key",
                IdempotencyKeys::Table,
                &["merchant_id", "key"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(big_pk_auto(WebhookEndpoints::Id))
                    .col(big_integer(WebhookEndpoints::MerchantId))
                    .col(string(WebhookEndpoints::Url))
                    .col(boolean(WebhookEndpoints::Active).default(true))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        WebhookEndpoints::Table,
                        WebhookEndpoints::MerchantId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookEvents::Table)
                    .col(string_len(WebhookEvents::Id, 64).primary_key())
                    .col(big_integer(WebhookEvents::MerchantId))
                    .col(string_len(WebhookEvents::Kind, 64))
                    .col(text(WebhookEvents::Body))
                    .col(timestamp_with_time_zone(WebhookEvents::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        WebhookEvents::Table,
                        WebhookEvents::MerchantId,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(big_pk_auto(WebhookDeliveries::Id))
                    .col(big_integer(WebhookDeliveries::MerchantId))
                    .col(string_len(WebhookDeliveries::EventId, 64))
                    .col(big_integer(WebhookDeliveries::EndpointId))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::DeliveredAt,
                    ))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .foreign_key(&mut merchant_fk(
                        WebhookDeliveries::Table,
                        WebhookDeliveries::MerchantId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDeliveries::Table, WebhookDeliveries::EventId)
                            .to(WebhookEvents::Table, WebhookEvents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                            .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_webhook_deliveries_merchant",
                WebhookDeliveries::Table,
                &["merchant_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(big_pk_auto(WebhookAttempts::Id))
                    .col(big_integer(WebhookAttempts::DeliveryId))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(text_null(WebhookAttempts::Error))
                    .col(integer(WebhookAttempts::DurationMs))
                    .col(timestamp_with_time_zone(WebhookAttempts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookAttempts::Table, WebhookAttempts::DeliveryId)
                            .to(WebhookDeliveries::Table, WebhookDeliveries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(big_pk_auto(Jobs::Id))
                    .col(string_len(Jobs::Kind, 32))
                    .col(text(Jobs::Payload))
                    .col(string_len(Jobs::State, 16))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(integer(Jobs::MaxAttempts))
                    .col(string_null(Jobs::LockedBy))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_jobs_state_run_at",
                Jobs::Table,
                &["state", "run_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Jobs::Table.into_iden(),
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            WebhookEvents::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            HostedCheckouts::Table.into_iden(),
            HostedTokenizations::Table.into_iden(),
            CartLines::Table.into_iden(),
            Operations::Table.into_iden(),
            Payments::Table.into_iden(),
            Tokens::Table.into_iden(),
            ApiKeys::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
    RetryCount,
    CaptureProcedure,
    CaptureDelayHours,
    ShowFinalPage,
    SessionMinutes,
    OverCapturePercent,
    WebhooksEnabled,
    WebhookEvents,
    WebhookKeyId,
    WebhookSecretEnc,
    WebSite,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    MerchantId,
    KeyId,
    Name,
    SecretEnc,
    SecretHint,
    RevealUntil,
    CreatedBy,
    LastUsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tokens {
    Table,
    Id,
    MerchantId,
    MerchantCustomerId,
    CardEnc,
    Brand,
    PaymentProductId,
    MaskedCard,
    Expiry,
    CardHolder,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    MerchantId,
    Channel,
    MerchantReference,
    MerchantCustomerId,
    Description,
    Currency,
    Amount,
    Authorised,
    Captured,
    Refunded,
    Stage,
    CaptureClosed,
    AuthorizationMode,
    PaymentProductId,
    Brand,
    MaskedCard,
    CardLast4,
    CardExpiry,
    CardHolder,
    PendingCardEnc,
    TokenId,
    Eci,
    AuthorisationCode,
    Rrn,
    TerminalId,
    RefusalCode,
    RefusalReason,
    Attempts,
    ReturnUrl,
    HostedCheckoutId,
    CustomerEmail,
    CustomerIp,
    Locale,
    CaptureAfter,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Operations {
    Table,
    Id,
    PaymentId,
    Kind,
    Amount,
    Result,
    IsFinal,
    RefusalCode,
    RefusalReason,
    AuthorisationCode,
    Rrn,
    TerminalId,
    Eci,
    UserId,
    ApiKeyId,
    Reference,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CartLines {
    Table,
    Id,
    PaymentId,
    Position,
    ProductCode,
    ProductName,
    UnitPrice,
    QuantityThousandths,
    Amount,
    RefundedThousandths,
}

#[derive(DeriveIden)]
enum HostedCheckouts {
    Table,
    Id,
    MerchantId,
    PaymentId,
    Status,
    Returnmac,
    Currency,
    Amount,
    MerchantReference,
    MerchantCustomerId,
    AuthorizationMode,
    ReturnUrl,
    ShowResultPage,
    Locale,
    CartJson,
    Attempts,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HostedTokenizations {
    Table,
    Id,
    MerchantId,
    TokenId,
    TokenStatus,
    Locale,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    MerchantId,
    Key,
    RequestHash,
    StatusCode,
    ResponseBody,
    FirstRequestMillis,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    MerchantId,
    Url,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    Id,
    MerchantId,
    Kind,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    MerchantId,
    EventId,
    EndpointId,
    Status,
    Attempts,
    LastStatusCode,
    LastError,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    StatusCode,
    Error,
    DurationMs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    State,
    RunAt,
    Attempts,
    MaxAttempts,
    LockedBy,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}
