//! Configuration → Create production account (MB-18): an Admin of a TEST account copies
//! it to a new PRODUCTION PSPID, whose Admin chooses a password from a mailed link. The
//! page, its server functions, port and data; Admins of TEST accounts only, decided by
//! the port.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
