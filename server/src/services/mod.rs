//! Services: the implementations of `app`'s ports over sea-orm.

pub mod account;
pub mod audit;
pub mod checkout;
pub mod checkout_port;
pub mod config_port;
pub mod events;
pub mod keys;
pub mod mail;
pub mod operations_port;
pub mod payments;
pub mod support_account;
pub mod support_knowledge;
pub mod support_status;
pub mod support_tickets;
pub mod terminal_port;

use app::error::{AppError, FieldError, Problem};

/// The answer to a form with one field wrong.
pub(crate) fn field(name: &str, problem: Problem) -> AppError {
    AppError::Invalid(vec![FieldError::new(name, problem)])
}
