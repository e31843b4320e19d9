//! The support portal's pages.

pub mod support;
pub mod support_agent;
pub mod support_kb;
pub mod support_status;
pub mod support_tickets;
