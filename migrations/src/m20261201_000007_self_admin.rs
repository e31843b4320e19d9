//! Merchant self-administration (MB-2, MB-12):
//! - `users.two_factor`: the second factor the user signs in with (`""`, `totp` or
//!   `email`); `totp_secret_enc` its sealed secret, `totp_pending_enc` the sealed secret
//!   being set up, `totp_last_step` the last time step accepted (a code is taken once);
//!   `email_confirmed` the recovery address once its owner followed the confirmation link.
//! - `merchants.require_two_factor`: every user of the PSPID must set up a second factor.
//! - `recovery_codes`: single-use codes of authenticator users, kept as hashes.
//! - `user_codes`: e-mailed one-time codes and links (sign-in code, enabling the e-mailed
//!   factor, confirming an address), kept as HMACs with their tries.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000007_self_admin"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            string_len(Users::TwoFactor, 8).default("").to_owned(),
            text_null(Users::TotpSecretEnc),
            text_null(Users::TotpPendingEnc),
            big_integer_null(Users::TotpLastStep),
            string_null(Users::EmailConfirmed),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .add_column(boolean(Merchants::RequireTwoFactor).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(big_pk_auto(RecoveryCodes::Id))
                    .col(big_integer(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserCodes::Table)
                    .col(big_pk_auto(UserCodes::Id))
                    .col(big_integer(UserCodes::UserId))
                    .col(string_len(UserCodes::Purpose, 16))
                    .col(string_len(UserCodes::CodeHash, 64))
                    .col(string_null(UserCodes::Target))
                    .col(integer(UserCodes::Tries).default(0))
                    .col(timestamp_with_time_zone(UserCodes::ExpiresAt))
                    .col(timestamp_with_time_zone_null(UserCodes::UsedAt))
                    .col(timestamp_with_time_zone(UserCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserCodes::Table, UserCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_user_codes_user_purpose")
                    .table(UserCodes::Table)
                    .col(UserCodes::UserId)
                    .col(UserCodes::Purpose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserCodes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Merchants::Table)
                    .drop_column(Merchants::RequireTwoFactor)
                    .to_owned(),
            )
            .await?;
        for column in [
            Users::EmailConfirmed,
            Users::TotpLastStep,
            Users::TotpPendingEnc,
            Users::TotpSecretEnc,
            Users::TwoFactor,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TwoFactor,
    TotpSecretEnc,
    TotpPendingEnc,
    TotpLastStep,
    EmailConfirmed,
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    RequireTwoFactor,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserCodes {
    Table,
    Id,
    UserId,
    Purpose,
    CodeHash,
    Target,
    Tries,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}
