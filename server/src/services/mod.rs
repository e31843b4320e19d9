//! Services: the implementations of `app`'s ports over sea-orm.

pub mod account;
pub mod audit;
pub mod mail;
