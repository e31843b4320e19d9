//! The payer's pre-payment page (HP-1) at a link's address.

use leptos::prelude::*;

/// `/link/:id`.
#[component]
pub fn PrepayPage() -> impl IntoView {
    view! { <h1>"Pay"</h1> }
}
