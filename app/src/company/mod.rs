//! Configuration → Account (MB-10): the merchant's administrative and invoicing details,
//! subscription and options, payment-page languages and general conditions, accepted
//! currencies, and data retention with its purge's next and last run — its page, server
//! functions, port and data.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
