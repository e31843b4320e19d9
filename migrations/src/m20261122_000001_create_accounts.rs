//! Merchants, users, sessions, audit log, e-mail outbox, password-reset tokens and
//! technical messages: what login and the back-office shell need.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000001_create_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Merchants::Table)
                    .col(big_pk_auto(Merchants::Id))
                    .col(string_len(Merchants::Pspid, 64))
                    .col(string_len(Merchants::Environment, 16))
                    .col(string(Merchants::LegalName).default(""))
                    .col(string(Merchants::CommercialName).default(""))
                    .col(string(Merchants::Email).default(""))
                    .col(string_len(Merchants::DefaultTimeZone, 64))
                    .col(string(Merchants::Languages))
                    .col(integer(Merchants::PasswordMinLength).default(12))
                    .col(timestamp_with_time_zone(Merchants::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_merchants_pspid_environment")
                    .table(Merchants::Table)
                    .col(Merchants::Pspid)
                    .col(Merchants::Environment)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(big_integer(Users::MerchantId))
                    .col(string_len(Users::Login, 64))
                    .col(string(Users::FullName).default(""))
                    .col(string_null(Users::Email))
                    .col(string_len(Users::Role, 16))
                    .col(boolean(Users::IsPrimary).default(false))
                    .col(boolean(Users::Active).default(true))
                    .col(text(Users::PasswordHash))
                    .col(timestamp_with_time_zone_null(Users::PasswordChangedAt))
                    .col(integer(Users::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(Users::LockedUntil))
                    .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                    .col(string_len(Users::TimeZone, 64))
                    .col(boolean(Users::AutoDst).default(true))
                    .col(string_len(Users::Language, 8))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_merchant")
                            .from(Users::Table, Users::MerchantId)
                            .to(Merchants::Table, Merchants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_merchant_login")
                    .table(Users::Table)
                    .col(Users::MerchantId)
                    .col(Users::Login)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::Id, 64).primary_key())
                    .col(text(Sessions::Data))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_expires_at")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer_null(AuditLog::MerchantId))
                    .col(big_integer_null(AuditLog::UserId))
                    .col(string(AuditLog::Actor))
                    .col(string_len(AuditLog::Action, 64))
                    .col(text(AuditLog::Detail))
                    .col(string_len(AuditLog::Ip, 64))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_merchant_created")
                    .table(AuditLog::Table)
                    .col(AuditLog::MerchantId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailOutbox::Table)
                    .col(big_pk_auto(EmailOutbox::Id))
                    .col(big_integer_null(EmailOutbox::MerchantId))
                    .col(string(EmailOutbox::ToAddress))
                    .col(string(EmailOutbox::Subject))
                    .col(text(EmailOutbox::BodyText))
                    .col(integer(EmailOutbox::Attempts).default(0))
                    .col(text_null(EmailOutbox::LastError))
                    .col(timestamp_with_time_zone_null(EmailOutbox::SentAt))
                    .col(timestamp_with_time_zone(EmailOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordResetTokens::Table)
                    .col(big_pk_auto(PasswordResetTokens::Id))
                    .col(big_integer(PasswordResetTokens::UserId))
                    .col(string_len_uniq(PasswordResetTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(PasswordResetTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResetTokens::UsedAt))
                    .col(timestamp_with_time_zone(PasswordResetTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_reset_tokens_user")
                            .from(PasswordResetTokens::Table, PasswordResetTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TechnicalMessages::Table)
                    .col(big_pk_auto(TechnicalMessages::Id))
                    .col(string_len_null(TechnicalMessages::Environment, 16))
                    .col(string_len(TechnicalMessages::Severity, 16))
                    .col(string(TechnicalMessages::Title))
                    .col(text(TechnicalMessages::Body))
                    .col(timestamp_with_time_zone(TechnicalMessages::PublishedAt))
                    .col(timestamp_with_time_zone_null(TechnicalMessages::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TechnicalMessages::Table.into_iden(),
            PasswordResetTokens::Table.into_iden(),
            EmailOutbox::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            Merchants::Table.into_iden(),
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
    Pspid,
    Environment,
    LegalName,
    CommercialName,
    Email,
    DefaultTimeZone,
    Languages,
    PasswordMinLength,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    MerchantId,
    Login,
    FullName,
    Email,
    Role,
    IsPrimary,
    Active,
    PasswordHash,
    PasswordChangedAt,
    FailedLogins,
    LockedUntil,
    LastLoginAt,
    TimeZone,
    AutoDst,
    Language,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    MerchantId,
    UserId,
    Actor,
    Action,
    Detail,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    MerchantId,
    ToAddress,
    Subject,
    BodyText,
    Attempts,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PasswordResetTokens {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TechnicalMessages {
    Table,
    Id,
    Environment,
    Severity,
    Title,
    Body,
    PublishedAt,
    ExpiresAt,
}
