//! The support portal's accounts (SP-1): sign-in with a mailed code, activation of
//! invited people, the portal's layout, home and profile — pages, server functions, port
//! and data.

pub mod api;
mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
