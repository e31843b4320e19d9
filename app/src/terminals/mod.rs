//! Card terminals: Configuration → Terminals and Operations → Point of sale — their
//! pages, server functions, port and data.

pub mod api;
mod model;
#[cfg(feature = "ssr")]
mod port;
pub mod pos;
pub mod terminals;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
