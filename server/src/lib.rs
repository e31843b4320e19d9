//! The `openpsp` server, grouped by feature: each folder holds the implementation of the
//! feature's ports (the traits `app` declares beside its pages) and its services. Shared
//! plumbing sits in `platform`; the Direct API adapter in `direct`; the wiring of it all
//! in `state`.

#![recursion_limit = "256"]

pub mod account;
pub mod aliases;
pub mod audit;
pub mod bank;
pub mod checkout;
pub mod cli;
pub mod company;
pub mod configuration;
pub mod demo;
pub mod direct;
pub mod entities;
pub mod fraud;
pub mod methods;
pub mod paylinks;
pub mod payments;
pub mod platform;
pub mod production;
pub mod state;
pub mod support;
pub mod template;
pub mod terminals;
pub mod users;
pub mod webhooks;
