//! Two-factor sign-in (MB-2): the security page under My profile, the sign-in's second
//! step, and the e-mail confirmation link — their pages, server functions, port and data.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod verify;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
