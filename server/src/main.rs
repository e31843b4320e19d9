//! `openpsp` binary entry point.

#![recursion_limit = "256"]

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("OPENPSP_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_target(false)
        .init();
    if let Err(e) = server::cli::run(server::cli::Cli::parse()).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
