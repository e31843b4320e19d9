//! The support portal under `/support`: accounts and sign-in, requests (tickets), the
//! knowledge base with announcements and the virtual service agent, the service status
//! page, and the agents' console — one module each with its pages, server functions,
//! port and data.

pub mod accounts;
pub mod agent;
#[cfg(feature = "ssr")]
pub(crate) mod context;
pub mod knowledge;
pub mod status;
pub mod tickets;
