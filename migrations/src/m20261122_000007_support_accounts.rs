//! The support portal's people (SP-1): organizations, their customers and the platform's
//! agents, who belongs where, and the e-mailed one-time codes (activation and login).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000007_support_accounts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupportOrganizations::Table)
                    .col(big_pk_auto(SupportOrganizations::Id))
                    .col(string_len(SupportOrganizations::Name, 120).unique_key())
                    .col(timestamp_with_time_zone(SupportOrganizations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportUsers::Table)
                    .col(big_pk_auto(SupportUsers::Id))
                    .col(string_len(SupportUsers::Email, 254).unique_key())
                    .col(string_len(SupportUsers::FullName, 120).default(""))
                    .col(text_null(SupportUsers::PasswordHash))
                    .col(boolean(SupportUsers::IsAgent).default(false))
                    .col(string_len(SupportUsers::Status, 16))
                    .col(boolean(SupportUsers::NotifyEmail).default(true))
                    .col(integer(SupportUsers::FailedLogins).default(0))
                    .col(timestamp_with_time_zone_null(SupportUsers::LockedUntil))
                    .col(string_len(SupportUsers::InvitedBy, 254).default(""))
                    .col(timestamp_with_time_zone(SupportUsers::CreatedAt))
                    .col(timestamp_with_time_zone_null(SupportUsers::ActivatedAt))
                    .col(timestamp_with_time_zone_null(SupportUsers::LastLoginAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportMemberships::Table)
                    .col(big_pk_auto(SupportMemberships::Id))
                    .col(big_integer(SupportMemberships::UserId))
                    .col(big_integer(SupportMemberships::OrganizationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_support_memberships")
                    .table(SupportMemberships::Table)
                    .col(SupportMemberships::UserId)
                    .col(SupportMemberships::OrganizationId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportCodes::Table)
                    .col(big_pk_auto(SupportCodes::Id))
                    .col(big_integer(SupportCodes::UserId))
                    .col(string_len(SupportCodes::Purpose, 16))
                    .col(string_len(SupportCodes::CodeHash, 64))
                    .col(integer(SupportCodes::Attempts).default(0))
                    .col(boolean(SupportCodes::Used).default(false))
                    .col(timestamp_with_time_zone(SupportCodes::ExpiresAt))
                    .col(timestamp_with_time_zone(SupportCodes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_support_codes_user")
                    .table(SupportCodes::Table)
                    .col(SupportCodes::UserId)
                    .col(SupportCodes::Purpose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SupportCodes::Table.into_iden(),
            SupportMemberships::Table.into_iden(),
            SupportUsers::Table.into_iden(),
            SupportOrganizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SupportOrganizations {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupportUsers {
    Table,
    Id,
    Email,
    FullName,
    PasswordHash,
    IsAgent,
    Status,
    NotifyEmail,
    FailedLogins,
    LockedUntil,
    InvitedBy,
    CreatedAt,
    ActivatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum SupportMemberships {
    Table,
    Id,
    UserId,
    OrganizationId,
}

#[derive(DeriveIden)]
enum SupportCodes {
    Table,
    Id,
    UserId,
    Purpose,
    CodeHash,
    Attempts,
    Used,
    ExpiresAt,
    CreatedAt,
}
