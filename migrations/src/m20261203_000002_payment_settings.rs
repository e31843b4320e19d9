//! Payment settings that change what the engine does (MB-14, MB-15): whether two-step
//! payments (authorisation, then capture) are allowed, and the hosted page's default
//! return URL, the addresses that get a mail per successful payment and per refund,
//! and whether creating a hosted checkout sends a webhook event.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000002_payment_settings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for column in [
            // Allowed, as before the setting existed.
            boolean(Merchants::TwoStepAllowed).default(true).to_owned(),
            string_len(Merchants::DefaultReturnUrl, 2000)
                .default("")
                .to_owned(),
            boolean(Merchants::SessionEvents).default(false).to_owned(),
            // Comma-separated; empty for none.
            string_len(Merchants::NotificationEmails, 2600)
                .default("")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Merchants::NotificationEmails,
            Merchants::SessionEvents,
            Merchants::DefaultReturnUrl,
            Merchants::TwoStepAllowed,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Merchants::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Merchants {
    Table,
    TwoStepAllowed,
    DefaultReturnUrl,
    SessionEvents,
    NotificationEmails,
}
