//! Push the dataset (the files as chosen for download, the manifest and a dataset card) to a
//! dataset repository on the Hugging Face Hub.

use crate::errors::{DownloadError, PushError};
use crate::form_state::FormState;
use crate::hub::{push, Push};
use crate::storage::prefs;
use crate::words;
use leptos::prelude::*;
use synfact_core::dataset::hub::{hub_files, HUB};
use synfact_core::dataset::Bundle;

/// The Hub fields and the push button. `bundle` gives the dataset as chosen for download.
#[component]
pub fn HubPush(bundle: Callback<(), Result<Bundle, DownloadError>>) -> impl IntoView {
    let settings = expect_context::<FormState>();
    let token = RwSignal::new(prefs::load_hub_token());
    let repo = RwSignal::new(String::new());
    let private = RwSignal::new(true);
    let licence = RwSignal::new(String::from("cc-by-4.0"));
    let hub_url = RwSignal::new(String::from(HUB));
    let status = RwSignal::new(None::<Result<String, PushError>>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        let t = token.get();
        settings.remember_keys.track();
        prefs::save_hub_token(&t);
    });
    let start = move || {
        if busy.get_untracked() {
            return;
        }
        let prepared = bundle.run(()).map_err(PushError::from).map(|b| {
            let fact = b.described["template"]["fact_name"]
                .as_str()
                .unwrap_or("dataset")
                .to_string();
            (
                hub_files(&b, licence.get_untracked().trim()),
                words::push_summary(&fact),
            )
        });
        let (all, summary) = match prepared {
            Ok(p) => p,
            Err(e) => return status.set(Some(Err(e))),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let (hub_url, token, repo) = (
                hub_url.get_untracked(),
                token.get_untracked(),
                repo.get_untracked(),
            );
            let to = Push {
                hub_url: &hub_url,
                token: &token,
                repo: &repo,
                private: private.get_untracked(),
                files: &all,
                summary: &summary,
            };
            let result = push(to, |s| status.set(Some(Ok(words::push_step(&s))))).await;
            busy.set(false);
            status.set(Some(result.map(|s| words::push_step(&s))));
        });
    };
    view! {
        <details class="hub">
            <summary>"Push to the Hugging Face Hub"</summary>
            <p class="hint">"Commits the files above (as chosen: models, split), the manifest and a dataset card to a dataset repository, from this browser. The token goes only to the Hub, and is kept in this browser only if Remember API keys is ticked."</p>
            <div class="field">
                <label for="hub-token">"Hub token"</label>
                <input id="hub-token" type="password" autocomplete="off" placeholder="hf_…" prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="hub-repo">"Dataset repository"</label>
                <input id="hub-repo" type="text" placeholder="your-name/fact-dataset" prop:value=move || repo.get()
                    on:input=move |ev| repo.set(event_target_value(&ev)) />
            </div>
            <div class="field checkbox">
                <input id="hub-private" type="checkbox" prop:checked=move || private.get() on:change=move |ev| private.set(event_target_checked(&ev)) />
                <label for="hub-private">"Private repository"</label>
            </div>
            <div class="field">
                <label for="hub-licence">"Licence"</label>
                <input id="hub-licence" type="text" prop:value=move || licence.get() on:input=move |ev| licence.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="hub-url">"Hub address"</label>
                <input id="hub-url" type="url" prop:value=move || hub_url.get() on:input=move |ev| hub_url.set(event_target_value(&ev)) />
            </div>
            <button type="button" aria-disabled=move || busy.get().then_some("true") on:click=move |_| start()>"Push to the Hugging Face Hub"</button>
            <p role="status" aria-label="Hub push" class="status">{move || match status.get() { Some(Ok(s)) => s, _ => String::new() }}</p>
            <Show when=move || matches!(status.get(), Some(Err(_)))>
                <p role="alert" class="errors">{move || match status.get() { Some(Err(e)) => words::push_error(&e), _ => String::new() }}</p>
            </Show>
        </details>
    }
}
