//! sea-orm entities, one module per table of the `migrations` crate.

pub mod audit_log;
pub mod email_outbox;
pub mod merchant;
pub mod password_reset_token;
pub mod session;
pub mod technical_message;
pub mod user;
