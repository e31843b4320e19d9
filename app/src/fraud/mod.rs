//! Advanced → Fraud detection (MB-19): the merchant's rules — maximum amount, card and IP
//! country, BIN ranges, blocked cards, velocity — each blocking or flagging for review,
//! and a box that screens typed values without paying. Admins only, as the server
//! decides on a fresh read of the user.

pub mod api;
mod model;
pub mod page;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
