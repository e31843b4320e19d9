//! OpenPSP business rules.
//!
//! Everything here is pure: no I/O, no async, no database and no UI framework, so the
//! same rule runs in the browser (instant feedback, compiled to WebAssembly) and on the
//! server (the decision).

pub mod account;
pub mod attachment;
pub mod card;
pub mod card_entry;
pub mod cart;
pub mod cart_import;
pub mod company;
pub mod fraud;
pub mod lang;
pub mod markup;
pub mod methods;
pub mod money;
pub mod net;
pub mod notify;
pub mod password;
pub mod paylink;
pub mod payment;
pub mod processing;
pub mod redirect;
pub mod report;
pub mod search;
pub mod sms;
pub mod status;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod ticket;
pub mod timezone;
pub mod two_factor;

pub use account::{
    normalize_login, parse_email, Environment, InvalidEmail, LoginError, MoneyMove, Role,
};
pub use card::{Brand, CardError, CardNumber, Expiry, TestOutcome};
pub use lang::Lang;
pub use money::{AmountError, Currency, Money};
pub use password::{PasswordContext, PasswordPolicy, PasswordRule, RuleCheck};
pub use payment::{DirectStatus, Label, Payment, PaymentError, Stage};
pub use timezone::ZonePreference;
