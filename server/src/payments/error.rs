//! Why the payments engine refused a request, mapped once by each caller: to a Direct
//! error body by the API, to a field message by the back office.

use domain::card::CardError;
use domain::cart::LineError;
use domain::payment::PaymentError;
use sea_orm::DbErr;

/// Why the engine refused a request.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A field is wrong; `property` is its Direct path.
    #[error("{message}")]
    Invalid {
        /// Dotted Direct property name.
        property: String,
        /// Human message.
        message: String,
    },
    /// A card field fails the domain's card rules.
    #[error("{error}")]
    Card {
        /// Dotted Direct property name.
        property: String,
        /// What is wrong.
        error: CardError,
    },
    /// No such payment, token or checkout for this merchant.
    #[error("not found")]
    NotFound,
    /// The state machine refused the operation.
    #[error("{0}")]
    Refused(PaymentError),
    /// A cart line (by index) cannot be refunded or captured as asked.
    #[error("cart line {0}: {1}")]
    Line(usize, LineError),
    /// The acquirer could not be reached or did not carry the operation out; nothing
    /// was written and the caller may try again.
    #[error("acquirer unavailable: {0}")]
    Acquirer(String),
    /// Database failure.
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl EngineError {
    /// A validation failure of `property`.
    pub fn invalid(property: &str, message: impl Into<String>) -> EngineError {
        EngineError::Invalid {
            property: property.to_owned(),
            message: message.into(),
        }
    }
}
