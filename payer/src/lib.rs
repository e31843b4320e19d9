//! The payer's browser entry point: hydrates the payer's pages, and nothing of the back
//! office or the support portal, so a phone downloads a small bundle.
#![recursion_limit = "256"]

/// Called by the hydration script with the server-rendered payer page in place.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::PayerApp);
}
