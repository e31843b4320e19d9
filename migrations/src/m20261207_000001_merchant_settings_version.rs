//! A merchant's settings version: a number the database raises whenever one of the
//! merchant's payment methods or fraud rules is written, so that a process may keep
//! those settings in memory and know, from the merchant row it reads with every API key
//! anyway, when its copy is old. Raised by triggers, not by the application: every
//! writer (pages, commands, a later feature, a hand-run SQL statement) raises it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000001_merchant_settings_version"
    }
}

/// The tables whose rows are a merchant's payment settings.
const TABLES: [&str; 2] = ["payment_methods", "fraud_rules"];

fn sqlite_triggers(table: &str) -> [String; 3] {
    let raise = |row: &str| {
        format!(
            "UPDATE merchants SET settings_version = settings_version + 1 \
             WHERE id = {row}.merchant_id;"
        )
    };
    [
        format!(
            "CREATE TRIGGER {table}_settings_ai AFTER INSERT ON {table} BEGIN {} END",
            raise("new")
        ),
        format!(
            "CREATE TRIGGER {table}_settings_au AFTER UPDATE ON {table} BEGIN {} {} END",
            raise("old"),
            raise("new")
        ),
        format!(
            "CREATE TRIGGER {table}_settings_ad AFTER DELETE ON {table} BEGIN {} END",
            raise("old")
        ),
    ]
}

const POSTGRES_FUNCTION: &str = "CREATE OR REPLACE FUNCTION merchant_settings_changed() \
    RETURNS trigger LANGUAGE plpgsql AS $$ \
    BEGIN \
      IF TG_OP <> 'INSERT' THEN \
        UPDATE merchants SET settings_version = settings_version + 1 WHERE id = OLD.merchant_id; \
      END IF; \
      IF TG_OP <> 'DELETE' THEN \
        UPDATE merchants SET settings_version = settings_version + 1 WHERE id = NEW.merchant_id; \
      END IF; \
      RETURN NULL; \
    END $$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE merchants ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_FUNCTION).await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_settings AFTER INSERT OR UPDATE OR DELETE \
                         ON {table} FOR EACH ROW EXECUTE FUNCTION merchant_settings_changed()"
                    ))
                    .await?;
                }
            }
            _ => {
                for table in TABLES {
                    for trigger in sqlite_triggers(table) {
                        db.execute_unprepared(&trigger).await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_settings ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS merchant_settings_changed()")
                    .await?;
            }
            _ => {
                for table in TABLES {
                    for suffix in ["ai", "au", "ad"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_settings_{suffix}"
                        ))
                        .await?;
                    }
                }
            }
        }
        db.execute_unprepared("ALTER TABLE merchants DROP COLUMN settings_version")
            .await
            .map(|_| ())
    }
}
