//! Payments: the engine that moves money through the domain's state machine, the
//! acquirer it asks, the payment objects in the Direct wire format (API answers and
//! webhook bodies), the back office's operations (list, detail, capture, cancel, refund,
//! dashboard, filter templates, MOTO, financial history) behind `OperationsPort`, and the
//! streamed exports.

pub mod acquirer;
pub mod dashboard;
pub mod engine;
pub mod error;
pub mod export;
pub mod history;
pub mod history_page;
pub mod list;
pub mod moto;
pub mod operations;
pub mod records;
pub mod views;
pub mod wire;
