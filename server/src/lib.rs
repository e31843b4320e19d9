//! The `openpsp` server: configuration, database, services implementing the UI's ports,
//! the HTTP stack and the command line.

#![recursion_limit = "256"]

pub mod acquirer;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod direct;
pub mod entities;
pub mod export;
pub mod http;
pub mod jobs;
pub mod provisioning;
pub mod rate_limit;
pub mod services;
pub mod session_store;
pub mod terminal;
pub mod worker;
