//! Configuration → Users (MB-12) with the PSPID's sign-in rules (MB-2's requirement, the
//! MB-7 password policy): the page, its server functions, port and data. Admins only;
//! the port decides.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;
mod settings;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
