//! What this browser keeps for synfact, and freeing it: the response cache and the saved runs.

use crate::run::{Controller, StorageUse};
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn size(bytes: f64) -> String {
    if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else if bytes >= 1e6 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.0} KB", (bytes / 1e3).ceil())
    }
}

/// The storage section: sizes measured when it is opened or something was freed.
#[component]
pub fn StoragePanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let open = RwSignal::new(false);
    let measured = RwSignal::new(None::<Result<StorageUse, String>>);
    let confirm = RwSignal::new(false);
    Effect::new(move |_| {
        ctl.storage_changed.track();
        ctl.saved.track();
        if !open.get() {
            return;
        }
        spawn_local(async move {
            let result = ctl
                .storage_use()
                .await
                .map_err(|e| words::storage_error(&e));
            measured.set(Some(result));
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
                    Some(Err(e)) => view! { <p role="alert" class="errors">{e}</p> }.into_any(),
                    Some(Ok(u)) => view! {
                        <ul class="storage">
                            <li>{format!("Cached replies: {} ({})", u.cached_replies, size(u.cache_bytes as f64))}</li>
                            <li>{format!("Saved runs: {} ({})", u.runs, size(u.runs_bytes as f64))}</li>
                            {u.usage.zip(u.quota).map(|(used, quota)| view! {
                                <li>{format!("This site uses {} of the {} the browser allows it.", size(used), size(quota))}</li>
                            })}
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
