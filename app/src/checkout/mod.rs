//! Hosted pages for payers: the payment page, the 3-D Secure challenge, the tokenization
//! page and the test cards — their pages, server functions, port and data.

pub mod alternatives;
pub mod api;
pub mod methods;
mod model;
pub mod pay;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod script;
pub mod test_cards;
pub mod wallet;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
