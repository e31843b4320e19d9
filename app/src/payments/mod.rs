//! Operations on payments: the payments list and a payment's page, the dashboard, the
//! virtual terminal (MOTO) and the financial history — their pages, server functions,
//! port, data and the list filter's URL codec.

pub mod api;
pub mod dashboard;
pub mod detail;
pub mod history;
pub mod list;
mod model;
pub mod moto;
#[cfg(feature = "ssr")]
pub(crate) mod port;
mod query;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;

use crate::i18n::{t, T};
use domain::payment::Label;

/// The text of a status label code.
pub fn label_text(code: &str) -> &'static str {
    t(match Label::parse(code) {
        Some(Label::New) => T::LabelNew,
        Some(Label::Uncaptured) => T::LabelUncaptured,
        Some(Label::Succeeded) => T::LabelSucceeded,
        Some(Label::Declined) => T::LabelDeclined,
        Some(Label::Cancelled) => T::LabelCancelled,
        Some(Label::PartialRefund) => T::LabelPartialRefund,
        Some(Label::Refunded) => T::LabelRefunded,
        _ => T::LabelExpired,
    })
}

/// The text of an operation kind.
pub fn kind_text(kind: &str) -> &'static str {
    t(match kind {
        "authorise" => T::KindAuthorise,
        "capture" => T::KindCapture,
        "cancel" => T::KindCancel,
        "refund" => T::KindRefund,
        _ => T::KindExpire,
    })
}
