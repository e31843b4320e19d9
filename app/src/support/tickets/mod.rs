//! The support portal's requests (SP-4..SP-7, SP-11): raising a ticket, the requests
//! list, a ticket's page with comments, attachments and the agents' tools — pages, server
//! functions, port and data.

pub mod api;
pub mod detail;
pub mod editor;
pub mod list;
mod model;
pub mod new;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
