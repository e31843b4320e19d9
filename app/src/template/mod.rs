//! Configuration → Payment page template (MB-14) — the colours and logo of the payer's
//! pages — and, on the payment settings page, SMS notifications to the customer and the
//! OpenID token (MB-15), with their server functions, port and data. Admins only, as the
//! server decides.

pub mod api;
pub mod customer;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
