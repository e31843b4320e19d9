//! Changes to merchants and API keys announced on a channel (PostgreSQL): each row of
//! `merchants` or `api_keys` changed (but for a key's last-used time) or deleted is named on `openpsp_directory` when its
//! transaction commits (`merchant:{id}`, `key:{key id}`; `*` when a table is emptied),
//! so that each process keeping keys and merchants in memory forgets them (the server's
//! `direct::key_cache`). Raised by triggers, not by the application: every writer is
//! heard, other nodes and commands included. A merchant's payment methods and fraud rules
//! raise its row's settings version (migration `m20261207_000001_merchant_settings_version`),
//! so they are heard too. SQLite has no such channel: nothing is created there, and
//! nothing is kept in memory.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000001_directory_changes"
    }
}

const ROW_FUNCTION: &str = "CREATE OR REPLACE FUNCTION directory_row_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ \
    DECLARE name text; \
    BEGIN \
      IF TG_TABLE_NAME = 'api_keys' THEN \
        name := 'key:' || OLD.key_id; \
      ELSE \
        name := 'merchant:' || OLD.id; \
      END IF; \
      PERFORM pg_notify('openpsp_directory', name); \
      RETURN NULL; \
    END $$";

const TRUNCATE_FUNCTION: &str = "CREATE OR REPLACE FUNCTION directory_emptied() \
    RETURNS trigger LANGUAGE plpgsql AS $$ \
    BEGIN \
      PERFORM pg_notify('openpsp_directory', '*'); \
      RETURN NULL; \
    END $$";

/// The tables whose rows a process keeps with each API key, and when an update of a row
/// changes what is kept.
const TABLES: [(&str, &str); 2] = [
    ("merchants", "OLD.* IS DISTINCT FROM NEW.*"),
    (
        "api_keys",
        "(to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at')",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(ROW_FUNCTION).await?;
        db.execute_unprepared(TRUNCATE_FUNCTION).await?;
        for (table, changed) in TABLES {
            // The row as it was: a key's id and a merchant's id are never changed, and a
            // row inserted is in no process's memory yet. An update that changes nothing
            // (`audit::lock_merchant`, which only takes the row's lock) is not announced,
            // nor one of a key's last-used time alone (written once a minute per key in
            // use; each process notes its own).
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_directory AFTER UPDATE ON {table} FOR EACH ROW \
                 WHEN ({changed}) EXECUTE FUNCTION directory_row_changed()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_directory_deleted AFTER DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION directory_row_changed()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_directory_emptied AFTER TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION directory_emptied()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, _) in TABLES {
            for suffix in ["directory", "directory_deleted", "directory_emptied"] {
                let trigger = format!("{table}_{suffix}");
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger} ON {table}"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS directory_row_changed()")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS directory_emptied()")
            .await
            .map(|_| ())
    }
}
