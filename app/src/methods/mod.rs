//! Configuration → Payment methods (MB-11): each method with its state and the
//! currencies and countries it serves; Admins switch and narrow them — its page, server
//! functions, port and data.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod wallets;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
