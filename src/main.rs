fn main() {
    console_error_panic_hook::set_once();
    // The page's own "Loading synfact…" line (index.html), shown while the wasm downloads.
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        loading.remove();
    }
    leptos::mount::mount_to_body(synfact::App);
}
