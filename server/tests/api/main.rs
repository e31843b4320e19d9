//! Integration tests: the real server on port 0 against a fresh SQLite file and a fresh
//! PostgreSQL database. One binary, as in zero-to-production.

mod accounts;
mod audit_log;
mod checkout_race;
mod config;
mod cross_tenant;
mod direct_api;
mod exports;
mod fair_jobs;
mod helpers;
mod http;
mod idempotence;
mod jobs_and_webhooks;
mod limits;
mod mail;
mod metrics;
mod openapi;
mod operations;
mod paylinks;
mod payment_filters;
mod payments;
mod pending_changes;
mod sealing;
mod sessions;
mod support;
mod support_agents;
mod support_attachments;
mod support_codes;
mod support_knowledge;
mod support_status;
mod support_tickets;
mod terminal_pairing;
mod terminals;
mod users;
mod two_factor;
mod webhook_addresses;
