//! sea-orm entities, one module per table of the `migrations` crate.

pub mod api_key;
pub mod audit_log;
pub mod cart_line;
pub mod email_outbox;
pub mod filter_template;
pub mod hosted_checkout;
pub mod hosted_tokenization;
pub mod idempotency_key;
pub mod job;
pub mod merchant;
pub mod operation;
pub mod password_reset_token;
pub mod payment;
pub mod session;
pub mod technical_message;
pub mod terminal;
pub mod terminal_payment;
pub mod token;
pub mod user;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod webhook_event;
