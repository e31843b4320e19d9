//! The one helper that turns a field's problem into the error a form shows next to it.

use app::error::{AppError, FieldError, Problem};

/// The answer to a form with one field wrong.
pub(crate) fn field(name: &str, problem: Problem) -> AppError {
    AppError::Invalid(vec![FieldError::new(name, problem)])
}
