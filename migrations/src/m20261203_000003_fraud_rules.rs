//! Fraud detection (MB-19): each merchant's rules, and on each payment the screening's
//! verdict, the rules that matched and the card's keyed fingerprint (velocity per card,
//! blocked cards), with the indexes that count recent attempts per card, e-mail and IP.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000003_fraud_rules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FraudRules::Table)
                    .col(big_pk_auto(FraudRules::Id))
                    .col(big_integer(FraudRules::MerchantId))
                    .col(string_len(FraudRules::Kind, 20))
                    .col(string_len(FraudRules::Action, 8))
                    // Maximum amount: its currency and minor units.
                    .col(string_len_null(FraudRules::Currency, 3))
                    .col(big_integer_null(FraudRules::Amount))
                    // Country code, BIN bounds, or a card's keyed fingerprint.
                    .col(string_len(FraudRules::Value, 64).default(""))
                    .col(string_len(FraudRules::ValueHigh, 8).default(""))
                    // What is shown of a blocked card: masked 6+4.
                    .col(string_len(FraudRules::Shown, 32).default(""))
                    .col(integer_null(FraudRules::MaxAttempts))
                    .col(integer_null(FraudRules::WindowMinutes))
                    .col(timestamp_with_time_zone(FraudRules::CreatedAt))
                    .col(string_len(FraudRules::CreatedBy, 100).default(""))
                    .foreign_key(
                        ForeignKey::create()
                            .from(FraudRules::Table, FraudRules::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_fraud_rules_merchant")
                    .table(FraudRules::Table)
                    .col(FraudRules::MerchantId)
                    .to_owned(),
            )
            .await?;
        for column in [
            string_len_null(Payments::FraudResult, 10).to_owned(),
            string_len_null(Payments::FraudRule, 500).to_owned(),
            string_len_null(Payments::CardFingerprint, 64).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payments::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, column) in [
            ("ix_payments_fingerprint_recent", Payments::CardFingerprint),
            ("ix_payments_email_recent", Payments::CustomerEmail),
            ("ix_payments_ip_recent", Payments::CustomerIp),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Payments::Table)
                        .col(Payments::MerchantId)
                        .col(column)
                        .col(Payments::CreatedAt)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_payments_ip_recent",
            "ix_payments_email_recent",
            "ix_payments_fingerprint_recent",
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Payments::Table).to_owned())
                .await?;
        }
        for column in [
            Payments::CardFingerprint,
            Payments::FraudRule,
            Payments::FraudResult,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Payments::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(FraudRules::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum FraudRules {
    Table,
    Id,
    MerchantId,
    Kind,
    Action,
    Currency,
    Amount,
    Value,
    ValueHigh,
    Shown,
    MaxAttempts,
    WindowMinutes,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    MerchantId,
    CreatedAt,
    CustomerEmail,
    CustomerIp,
    FraudResult,
    FraudRule,
    CardFingerprint,
}
