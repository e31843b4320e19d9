//! Pay by link: payment-link templates (MB-36), invoices sent by e-mail (MB-35) and the
//! payer's pre-payment page (HP-1) — their pages, server functions, port and data.

pub mod api;
mod invoice_cart;
pub mod invoices;
mod link_form;
pub mod links;
mod model;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod prepay;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
