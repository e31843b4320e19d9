//! The service status page (SP-3): components, incidents and maintenance — the page,
//! server functions, port and data.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
