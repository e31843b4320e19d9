//! Configuration → Audit log (X-2, Admins): who did what, when and from where in the
//! merchant's account — the page, its server function, port and data.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
