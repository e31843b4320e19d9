//! Stand-alone migration CLI: `openpsp-migrations up|down|status|fresh` with `DATABASE_URL`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migrations::Migrator).await;
}
