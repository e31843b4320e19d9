//! The support portal's knowledge base with its full-text index, announcements and
//! their dismissals, and ticket attachments (SP-2, SP-6, SP-8).
//!
//! The index is the database's own: an FTS5 table with the Porter stemmer kept in step
//! by triggers on SQLite, a weighted, stored `tsvector` with a GIN index on PostgreSQL.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000010_support_knowledge"
    }
}

const SQLITE_INDEX: [&str; 4] = [
    "CREATE VIRTUAL TABLE support_articles_fts USING fts5(\
       title, keywords, summary, body_text, \
       content='support_articles', content_rowid='id', \
       tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER support_articles_ai AFTER INSERT ON support_articles BEGIN \
       INSERT INTO support_articles_fts(rowid, title, keywords, summary, body_text) \
       VALUES (new.id, new.title, new.keywords, new.summary, new.body_text); END",
    "CREATE TRIGGER support_articles_ad AFTER DELETE ON support_articles BEGIN \
       INSERT INTO support_articles_fts(support_articles_fts, rowid, title, keywords, summary, body_text) \
       VALUES ('delete', old.id, old.title, old.keywords, old.summary, old.body_text); END",
    "CREATE TRIGGER support_articles_au AFTER UPDATE ON support_articles BEGIN \
       INSERT INTO support_articles_fts(support_articles_fts, rowid, title, keywords, summary, body_text) \
       VALUES ('delete', old.id, old.title, old.keywords, old.summary, old.body_text); \
       INSERT INTO support_articles_fts(rowid, title, keywords, summary, body_text) \
       VALUES (new.id, new.title, new.keywords, new.summary, new.body_text); END",
];

const POSTGRES_INDEX: [&str; 2] = [
    "ALTER TABLE support_articles ADD COLUMN search tsvector GENERATED ALWAYS AS (\
       setweight(to_tsvector('english', title), 'A') || \
       setweight(to_tsvector('english', keywords), 'A') || \
       setweight(to_tsvector('english', summary), 'B') || \
       setweight(to_tsvector('english', body_text), 'C')) STORED",
    "CREATE INDEX support_articles_search ON support_articles USING GIN (search)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupportArticles::Table)
                    .col(big_pk_auto(SupportArticles::Id))
                    .col(string_len(SupportArticles::Slug, 120).unique_key())
                    .col(string_len(SupportArticles::Title, 200))
                    .col(text(SupportArticles::Summary))
                    .col(text(SupportArticles::Keywords))
                    .col(text(SupportArticles::Body))
                    .col(text(SupportArticles::BodyText))
                    .col(big_integer_null(SupportArticles::AreaId))
                    .col(big_integer_null(SupportArticles::RequestTypeId))
                    .col(boolean(SupportArticles::Published))
                    .col(timestamp_with_time_zone(SupportArticles::CreatedAt))
                    .col(timestamp_with_time_zone(SupportArticles::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let connection = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Postgres => &POSTGRES_INDEX,
            _ => &SQLITE_INDEX,
        };
        for sql in statements {
            connection.execute_unprepared(sql).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SupportAnnouncements::Table)
                    .col(big_pk_auto(SupportAnnouncements::Id))
                    .col(string_len(SupportAnnouncements::Title, 200))
                    .col(text(SupportAnnouncements::Body))
                    .col(boolean(SupportAnnouncements::Active))
                    .col(timestamp_with_time_zone(SupportAnnouncements::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportDismissals::Table)
                    .col(big_integer(SupportDismissals::AnnouncementId))
                    .col(big_integer(SupportDismissals::UserId))
                    .primary_key(
                        Index::create()
                            .col(SupportDismissals::AnnouncementId)
                            .col(SupportDismissals::UserId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SupportAttachments::Table)
                    .col(big_pk_auto(SupportAttachments::Id))
                    .col(big_integer(SupportAttachments::TicketId))
                    .col(big_integer_null(SupportAttachments::CommentId))
                    .col(big_integer(SupportAttachments::UploaderId))
                    .col(string_len(SupportAttachments::FileName, 255))
                    .col(string_len(SupportAttachments::ContentType, 100))
                    .col(big_integer(SupportAttachments::Size))
                    .col(string_len(SupportAttachments::Sha256, 64))
                    .col(string_len(SupportAttachments::StorageKey, 80).unique_key())
                    .col(timestamp_with_time_zone(SupportAttachments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("support_attachments_ticket")
                    .table(SupportAttachments::Table)
                    .col(SupportAttachments::TicketId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS support_articles_fts")
                .await?;
        }
        for table in [
            SupportAttachments::Table.into_iden(),
            SupportDismissals::Table.into_iden(),
            SupportAnnouncements::Table.into_iden(),
            SupportArticles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SupportArticles {
    Table,
    Id,
    Slug,
    Title,
    Summary,
    Keywords,
    Body,
    BodyText,
    AreaId,
    RequestTypeId,
    Published,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SupportAnnouncements {
    Table,
    Id,
    Title,
    Body,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SupportDismissals {
    Table,
    AnnouncementId,
    UserId,
}

#[derive(DeriveIden)]
enum SupportAttachments {
    Table,
    Id,
    TicketId,
    CommentId,
    UploaderId,
    FileName,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    CreatedAt,
}
