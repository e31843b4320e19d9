//! The page shown for unknown paths, with a 404 status on the server.

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
                // A full page load: the payer's pages are another application.
                <a href="/" rel="external">{t(T::MenuHome)}</a>
            </p>
        </main>
    }
}
