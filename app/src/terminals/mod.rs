//! Card terminals: Configuration → Terminals and Operations → Point of sale — their
//! pages, server functions, port and data.

pub mod api;
pub mod config;
mod model;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod pos;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
