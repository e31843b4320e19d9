//! One module per page or page group.

pub mod config;
pub mod dashboard;
pub mod history;
pub mod home;
pub mod login;
pub mod mailbox;
pub mod moto;
pub mod password;
pub mod pay;
pub mod payments;
pub mod pos;
pub mod profile;
pub mod shell;
pub mod support;
pub mod support_agent;
pub mod support_kb;
pub mod support_status;
pub mod support_tickets;
pub mod terminals;
pub mod test_cards;

use crate::i18n::{t, T};
use leptos::prelude::*;

/// Shown for unknown paths.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="page narrow">
            <h1>{t(T::NotFound)}</h1>
            <p>
                <a href="/">{t(T::MenuHome)}</a>
            </p>
        </main>
    }
}
