//! Browser entry point: hydrates the page the server rendered.
// The pages' view types are deep; their layout is computed here, where they hydrate.
#![recursion_limit = "256"]

/// Called by the hydration script with the server-rendered document in place. The texts
/// of the page's language are fetched first (`app::i18n`). The page shown is a lazy route
/// (`app::pages`): its chunk is fetched next, then the shell and the page are hydrated
/// together, and only then is the document marked hydrated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic stops the WebAssembly for good: it is logged, and the user is told and
    // offered a reload (a section's code that could not be fetched, say).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        app::pages::show_stopped_notice();
    }));
    app::pages::note_followed_links();
    // `hydrate_from_async` sets up Leptos's executor on wasm-bindgen's first thing.
    wasm_bindgen_futures::spawn_local(async {
        // The texts first: without them the page stays as the server rendered it.
        if let Err(e) = app::i18n::load_page_texts().await {
            leptos::logging::error!("the interface's texts could not be loaded: {e}");
            return;
        }
        let body = leptos::prelude::document()
            .body()
            .expect("a page has a body");
        let handle = leptos::mount::hydrate_from_async(body, app::App).await;
        app::mark_hydrated();
        handle.forget();
    });
}

/// Room for the splitting of the module (`cargo leptos build --split`): each section's
/// constant data (its texts and tables) moves to the section's own module only when the
/// data laid out anew, module by module, fits in the segment it came from; the padding
/// between modules makes it a little longer, and without room all of it stays in the
/// main module that every page loads. Kept by the linker (`#[used]`) and used by no
/// code, so no module carries it.
#[used]
static SPLIT_ROOM: [u8; 16 * 1024] = [0x5a; 16 * 1024];
