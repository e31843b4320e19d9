//! `openpsp` binary entry point.

#![recursion_limit = "256"]

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the C library's allocator: a rendered page allocates thousands of
/// small, short-lived buffers across the runtime's threads, and on the signed-in Home
/// page glibc's `malloc`/`free` took about a quarter of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let filter = EnvFilter::try_from_env("OPENPSP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // OPENPSP_LOG_FORMAT=json: one JSON object per line, with the request's span (its
    // id) in each, for log collectors.
    if server::cli::json_logs() {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_target(false)
            .init();
    }
    if let Err(e) = server::cli::run(server::cli::Cli::parse()).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
