//! Hosted payment and tokenization pages (HP-2..4): the checkout sessions and their
//! expiry, and `app`'s `CheckoutPort` that the payer's pages call without a session.

pub mod alternatives;
pub mod centre;
pub mod language;
pub mod port;
pub mod service;
