//! Merchants' accounts (MB-1, MB-4, MB-6, MB-7): sign-in, lockout, profile and passwords
//! behind `app`'s `AccountPort`, and the creation of merchants and users with the same
//! password rules as the pages.

pub mod provisioning;
pub mod service;
pub mod two_factor;
