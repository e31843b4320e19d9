//! The agents' console (SP-8) under `/support/agent`: the queue, articles,
//! announcements, people and the catalogue of product areas. Its data and ports are
//! those of the tickets, knowledge and accounts modules.

pub mod api;
pub mod pages;
