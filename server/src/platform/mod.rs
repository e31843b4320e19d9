//! Shared plumbing every feature uses: configuration, the database connection, the HTTP
//! stack (router, security headers, CSRF guard, sign-in gate), sessions, the durable job
//! queue and its worker, mail, the audit log, cryptography and rate limits. A form's
//! field errors are `app::error::AppError::field`, the one helper of both crates.

pub mod assets;
pub mod audit;
pub mod config;
pub mod crypto;
pub mod db;
pub(crate) mod form_text;
pub mod geoip;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod plain_page;
pub mod qr;
pub mod rate_limit;
pub mod request_id;
pub mod reseal;
pub mod sessions;
pub mod settings_cache;
pub mod shared_limit;
pub mod worker;
