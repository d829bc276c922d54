//! Push the dataset (the files as chosen for download, the manifest and a dataset card) to a
//! dataset repository on the Hugging Face Hub.

use crate::hub::{push, PushStep};
use crate::run::Controller;
use crate::state::AppState;
use crate::storage::prefs;
use leptos::prelude::*;
use synfact_core::dataset::hub::{dataset_card, HUB};
use synfact_core::dataset::{self, DatasetFile};

fn step_words(s: &PushStep) -> String {
    match s {
        PushStep::Checking => "Checking the token…".into(),
        PushStep::Creating => "Creating the dataset repository (or finding it)…".into(),
        PushStep::Uploading(n) => format!("Committing {n} files…"),
        PushStep::Done { url, commit } => format!("Pushed to {url} (commit {commit})."),
    }
}

/// The Hub fields and the push button. `files` gives the dataset files as chosen for download.
#[component]
pub fn HubPush(files: Callback<(), Result<Vec<DatasetFile>, String>>) -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let app = expect_context::<AppState>();
    let token = RwSignal::new(prefs::load_hub_token());
    let repo = RwSignal::new(String::new());
    let private = RwSignal::new(true);
    let licence = RwSignal::new(String::from("cc-by-4.0"));
    let hub_url = RwSignal::new(String::from(HUB));
    let status = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        let t = token.get();
        app.remember_keys.track();
        prefs::save_hub_token(&t);
    });
    let start = move || {
        if busy.get_untracked() {
            return;
        }
        let prices = app.prices.get_untracked();
        let prepared = ctl.with_run(|r| -> Result<(Vec<DatasetFile>, String), String> {
            let mut f = files.run(())?;
            let manifest = dataset::manifest(r, &prices, env!("CARGO_PKG_VERSION"), &f);
            let card = dataset_card(&manifest, licence.get_untracked().trim(), &f);
            f.push(DatasetFile::other(
                dataset::manifest_name(&r.template.fact_name),
                serde_json::to_string_pretty(&manifest).unwrap_or_default(),
            ));
            f.push(DatasetFile::other("README.md".into(), card));
            Ok((f, format!("Add {} from synfact", r.template.fact_name)))
        });
        let (all, summary) = match prepared {
            Some(Ok(p)) => p,
            Some(Err(e)) => return status.set(Some(Err(e))),
            None => return,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = push(
                &hub_url.get_untracked(),
                &token.get_untracked(),
                &repo.get_untracked(),
                private.get_untracked(),
                &all,
                &summary,
                |s| status.set(Some(Ok(step_words(&s)))),
            )
            .await;
            busy.set(false);
            status.set(Some(result.map(|s| step_words(&s))));
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
                <p role="alert" class="errors">{move || match status.get() { Some(Err(e)) => e, _ => String::new() }}</p>
            </Show>
        </details>
    }
}
