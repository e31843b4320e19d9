//! Browser entry point: hydrates the page the server rendered.
// The pages' view types are deep; their layout is computed here, where they hydrate.
#![recursion_limit = "256"]

/// Called by the hydration script with the server-rendered document in place.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
