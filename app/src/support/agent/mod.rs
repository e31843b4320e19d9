//! The agents' console (SP-8) under `/support/agent`: the queue, articles,
//! announcements, people, the catalogue of product areas, and the card terminals
//! waiting to be paired. Its data and ports are those of the tickets, knowledge and
//! accounts modules, and its own [`SupportAgentPort`] for the platform's terminals.

pub mod api;
mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod terminals;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
