//! Operations on payments: the payments list and a payment's page, the dashboard, the
//! virtual terminal (MOTO) and the financial history — their pages, server functions,
//! port, data and the list filter's URL codec.

pub mod api;
pub mod dashboard;
pub mod history;
pub mod list;
mod model;
pub mod moto;
#[cfg(feature = "ssr")]
mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
