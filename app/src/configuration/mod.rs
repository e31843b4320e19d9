//! Configuration (Admins): API keys, payment settings and the job queue — their pages,
//! server functions, port and data.

pub mod api;
pub mod api_keys;
pub mod jobs;
mod model;
pub mod payment_settings;
#[cfg(feature = "ssr")]
pub(crate) mod port;

pub use model::*;
#[cfg(feature = "ssr")]
pub use port::*;

use crate::components::error_text;
use crate::error::AppError;
use crate::i18n::{t, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// A Configuration page's `<title>`.
pub(crate) fn title(key: T) -> impl IntoView {
    view! { <Title text=format!("{} — OpenPSP", t(key))/> }
}

/// A failed load, as an alert.
pub(crate) fn failure(e: &AppError) -> AnyView {
    view! { <p class="alert alert-error" role="alert">{error_text(e)}</p> }.into_any()
}
