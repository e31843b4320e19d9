//! Support tickets (SP-4..SP-7): product areas and their request types, the reference
//! counter per project key, tickets, participants and comments.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000008_support_tickets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupportAreas::Table)
                    .col(big_pk_auto(SupportAreas::Id))
                    .col(string_len(SupportAreas::Name, 80).unique_key())
                    .col(text(SupportAreas::Description))
                    .col(integer(SupportAreas::Position).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportRequestTypes::Table)
                    .col(big_pk_auto(SupportRequestTypes::Id))
                    .col(big_integer(SupportRequestTypes::AreaId))
                    .col(string_len(SupportRequestTypes::Name, 120))
                    .col(string_len(SupportRequestTypes::Kind, 16))
                    .col(text(SupportRequestTypes::Description))
                    .col(integer(SupportRequestTypes::Position).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportCounters::Table)
                    .col(string_len(SupportCounters::ProjectKey, 16).primary_key())
                    .col(big_integer(SupportCounters::LastNumber))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportTickets::Table)
                    .col(big_pk_auto(SupportTickets::Id))
                    .col(string_len(SupportTickets::Reference, 32).unique_key())
                    .col(string_len(SupportTickets::Kind, 16))
                    .col(big_integer(SupportTickets::AreaId))
                    .col(big_integer(SupportTickets::RequestTypeId))
                    .col(string_len(SupportTickets::Summary, 200))
                    .col(text(SupportTickets::Description))
                    .col(string_len(SupportTickets::Status, 24))
                    .col(string_len(SupportTickets::Priority, 16))
                    .col(string_len_null(SupportTickets::Impact, 16))
                    .col(string_len_null(SupportTickets::Urgency, 16))
                    .col(big_integer(SupportTickets::ReporterId))
                    .col(big_integer_null(SupportTickets::OrganizationId))
                    .col(boolean(SupportTickets::Shared).default(false))
                    .col(big_integer_null(SupportTickets::AssigneeId))
                    .col(string_len_null(SupportTickets::PaymentId, 32))
                    .col(timestamp_with_time_zone(SupportTickets::CreatedAt))
                    .col(timestamp_with_time_zone(SupportTickets::UpdatedAt))
                    .col(timestamp_with_time_zone_null(SupportTickets::ResolvedAt))
                    .col(timestamp_with_time_zone_null(
                        SupportTickets::FirstResponseAt,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_support_tickets_reporter", SupportTickets::ReporterId),
            (
                "ix_support_tickets_organization",
                SupportTickets::OrganizationId,
            ),
            ("ix_support_tickets_status", SupportTickets::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SupportTickets::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SupportParticipants::Table)
                    .col(big_pk_auto(SupportParticipants::Id))
                    .col(big_integer(SupportParticipants::TicketId))
                    .col(big_integer(SupportParticipants::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_support_participants")
                    .table(SupportParticipants::Table)
                    .col(SupportParticipants::TicketId)
                    .col(SupportParticipants::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportComments::Table)
                    .col(big_pk_auto(SupportComments::Id))
                    .col(big_integer(SupportComments::TicketId))
                    .col(big_integer_null(SupportComments::AuthorId))
                    .col(text(SupportComments::Body))
                    .col(boolean(SupportComments::Internal).default(false))
                    .col(string_len(SupportComments::Event, 32).default(""))
                    .col(timestamp_with_time_zone(SupportComments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_support_comments_ticket")
                    .table(SupportComments::Table)
                    .col(SupportComments::TicketId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SupportComments::Table.into_iden(),
            SupportParticipants::Table.into_iden(),
            SupportTickets::Table.into_iden(),
            SupportCounters::Table.into_iden(),
            SupportRequestTypes::Table.into_iden(),
            SupportAreas::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SupportAreas {
    Table,
    Id,
    Name,
    Description,
    Position,
}

#[derive(DeriveIden)]
enum SupportRequestTypes {
    Table,
    Id,
    AreaId,
    Name,
    Kind,
    Description,
    Position,
}

#[derive(DeriveIden)]
enum SupportCounters {
    Table,
    ProjectKey,
    LastNumber,
}

#[derive(DeriveIden)]
enum SupportTickets {
    Table,
    Id,
    Reference,
    Kind,
    AreaId,
    RequestTypeId,
    Summary,
    Description,
    Status,
    Priority,
    Impact,
    Urgency,
    ReporterId,
    OrganizationId,
    Shared,
    AssigneeId,
    PaymentId,
    CreatedAt,
    UpdatedAt,
    ResolvedAt,
    FirstResponseAt,
}

#[derive(DeriveIden)]
enum SupportParticipants {
    Table,
    Id,
    TicketId,
    UserId,
}

#[derive(DeriveIden)]
enum SupportComments {
    Table,
    Id,
    TicketId,
    AuthorId,
    Body,
    Internal,
    Event,
    CreatedAt,
}
