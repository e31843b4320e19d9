//! Operations → Payment links (MB-36): the link templates, their form and QR code.

use leptos::prelude::*;

/// `/operations/links`: the list.
#[component]
pub fn LinksPage() -> impl IntoView {
    view! { <h1>"Payment links"</h1> }
}

/// `/operations/links/new` and `/operations/links/:id`: the form.
#[component]
pub fn LinkEditPage() -> impl IntoView {
    view! { <h1>"Payment link"</h1> }
}
