//! Operations → Invoice (MB-35): an invoice with a cart, mailed to the customer; and the
//! list of invoices.

use leptos::prelude::*;

/// `/operations/invoice`: issue an invoice.
#[component]
pub fn InvoicePage() -> impl IntoView {
    view! { <h1>"Invoice"</h1> }
}

/// `/operations/invoices`: the invoices issued.
#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! { <h1>"Invoices"</h1> }
}
