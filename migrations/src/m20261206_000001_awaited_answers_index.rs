//! Finds the payments whose acquirer answer is awaited by the time they began waiting:
//! the reconciliation sweep reads them oldest first, instead of a job queued and closed
//! with each payment. Partial: only the few payments waiting are in it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000001_awaited_answers_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Both SQLite and PostgreSQL know partial indexes, in the same words.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_payments_awaiting_since \
                 ON payments (awaiting_since) WHERE awaiting_since IS NOT NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_payments_awaiting_since")
            .await
            .map(|_| ())
    }
}
