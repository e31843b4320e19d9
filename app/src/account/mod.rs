//! The back office's accounts: login, passwords, profile, Home, the back-office layout
//! (shell) and the development mailbox — their pages, server functions, port and data.

pub mod addresses;
pub mod api;
pub mod home;
pub mod login;
pub mod mailbox;
mod model;
pub mod password;
#[cfg(feature = "ssr")]
pub(crate) mod port;
pub mod profile;
pub mod security;
pub mod shell;
pub mod support_links;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;
