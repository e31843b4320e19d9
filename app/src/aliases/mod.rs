//! Configuration → Aliases (MB-13): the merchant's stored cards (tokens) — a searchable
//! list, a new alias by card entry checked in WebAssembly, a new expiry, deletion — with
//! its server functions, port and data. Everyone of the merchant sees the list; Admins
//! and Operators change it, as the server decides on a fresh read of the user.

pub mod api;
mod form;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
