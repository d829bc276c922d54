//! What this browser keeps for synfact, and freeing it: the response cache and the saved runs.

use crate::run::{Controller, StorageUse};
use crate::storage::db::StorageError;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The storage section: sizes measured when it is opened or something was freed.
#[component]
pub fn StoragePanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let open = RwSignal::new(false);
    let measured = RwSignal::new(None::<Result<StorageUse, StorageError>>);
    let confirm = RwSignal::new(false);
    Effect::new(move |_| {
        ctl.storage_changed.track();
        ctl.saved.track();
        if !open.get() {
            return;
        }
        spawn_local(async move {
            measured.set(Some(ctl.storage_use().await));
        });
    });
    view! {
        <section aria-labelledby="storage-heading">
            <details on:toggle=move |ev| {
                let d: web_sys::HtmlDetailsElement = wasm_bindgen::JsCast::unchecked_into(event_target::<web_sys::EventTarget>(&ev));
                open.set(d.open());
            }>
                <summary><h2 id="storage-heading" class="inline">"Storage"</h2></summary>
                <p class="hint">"Runs and cached replies are kept in this browser (IndexedDB). Deleting a saved run also frees the cached replies only it used."</p>
                {move || match measured.get() {
                    None => view! { <p>"Measuring…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p role="alert" class="errors">{words::storage_error(&e)}</p> }.into_any(),
                    Some(Ok(u)) => view! {
                        <ul class="storage">
                            {words::storage_lines(&u).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <div class="buttons">
                    <Show when=move || !confirm.get()>
                        <button type="button" on:click=move |_| confirm.set(true)>"Clear cache"</button>
                    </Show>
                    <Show when=move || confirm.get()>
                        <span>"Delete every cached reply? Saved runs keep their results; running the same plan again will cost calls."</span>
                        <button type="button" on:click=move |_| { confirm.set(false); ctl.clear_cache(); }>"Yes, clear the cache"</button>
                        <button type="button" on:click=move |_| confirm.set(false)>"Keep the cache"</button>
                    </Show>
                </div>
            </details>
        </section>
    }
}

crate::parts::part!(
    /// The storage panel: loaded after the first screen.
    storage_panel_part, later => view! { <StoragePanel /> }
);
