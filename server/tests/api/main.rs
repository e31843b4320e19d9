//! Integration tests: the real server on port 0 against a fresh SQLite file and a fresh
//! PostgreSQL database. One binary, as in zero-to-production.

mod accounts;
mod config;
mod direct_api;
mod helpers;
mod http;
mod mail;
mod operations;
mod payments;
mod support;
mod support_knowledge;
mod terminals;
