//! The knowledge base, announcements and the virtual service agent (SP-2, SP-8, SP-9) —
//! pages, server functions, port and data.

pub mod api;
mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
