//! Fraud detection (MB-19): the merchant's rules ([`rules`]), the screening every
//! payment passes before the acquirer is asked ([`screen`]), and the Advanced → Fraud
//! detection page's port ([`port`]).

pub mod port;
pub mod rules;
pub mod screen;

pub use port::FraudService;
pub use screen::{fingerprint, screen, Screening};
