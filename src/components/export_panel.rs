//! Downloads of the reviewed set: chat and text JSONL (split into train and validation files
//! when asked), checked against the chat format first, and the manifest.

use super::fine_tune_panel::FineTunePanel;
use super::hub_push::HubPush;
use crate::download::save_text;
use crate::errors::DownloadError;
use crate::form_state::FormState;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::dataset::{self, Bundle, ExportChoice, FileKind};

const JSONL: &str = "application/jsonl";

/// Reads a validation share typed as a percentage ("10" → 0.1).
fn share(text: &str) -> Result<f64, DownloadError> {
    match synfact_core::provider::number::decimal(text.trim()) {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
        _ => Err(DownloadError::BadShare(text.to_string())),
    }
}

/// The download buttons and their options.
#[component]
pub fn ExportPanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let settings = expect_context::<FormState>();
    let revision = ctl.view.revision;
    let doctag = RwSignal::new(false);
    let which_model = RwSignal::new(String::from("all"));
    let do_split = RwSignal::new(false);
    let split_share = RwSignal::new(String::from("10"));
    let split_seed = RwSignal::new(String::from("1"));
    let error = RwSignal::new(None::<DownloadError>);
    let counts = expect_context::<crate::review::ReviewState>().counts;
    let kept = move || counts.with(|c| c.kept);
    let choice = move || -> Result<ExportChoice, DownloadError> {
        let split = if do_split.get_untracked() {
            let typed = split_seed.get_untracked();
            let seed = typed
                .trim()
                .parse::<u64>()
                .map_err(|_| DownloadError::BadSeed(typed.clone()))?;
            Some((share(&split_share.get_untracked())?, seed))
        } else {
            None
        };
        Ok(ExportChoice {
            generator: which_model.get_untracked().parse::<usize>().ok(),
            doctag: doctag.get_untracked(),
            split,
        })
    };
    // The files and their manifest, or what stops them (a kept item that breaks the chat format).
    let bundle = move || -> Result<Bundle, DownloadError> {
        let c = choice()?;
        let prices = settings.prices.get_untracked();
        ctl.with_run(|r| {
            dataset::bundle(r, &c, &prices, env!("CARGO_PKG_VERSION"))
                .map_err(DownloadError::ChatFormat)
        })
        .unwrap_or(Err(DownloadError::NoRun))
    };
    // One kind of file: built alone (no manifest), after the chat format check.
    let download = move |kind: FileKind| {
        let result = choice().and_then(|c| {
            ctl.with_run(|r| {
                dataset::checked_files(r, &c, &[kind]).map_err(DownloadError::ChatFormat)
            })
            .unwrap_or(Err(DownloadError::NoRun))
        });
        let result = result.and_then(|files| {
            for f in &files {
                save_text(&f.name, &f.text, JSONL)?;
            }
            Ok(())
        });
        error.set(result.err());
    };
    let manifest = move || {
        let result = bundle().and_then(|b| {
            save_text(&b.manifest.name, &b.manifest.text, "application/json")
                .map_err(DownloadError::from)
        });
        error.set(result.err());
    };
    let model_options = move || {
        revision.track();
        let mut o = vec![("all".to_string(), "All models".to_string())];
        ctl.with_run(|r| {
            for (i, g) in r.generators.iter().enumerate() {
                o.push((
                    i.to_string(),
                    format!("Model {}: {}", i + 1, g.config.model),
                ));
            }
        });
        o
    };
    view! {
        <div class="buttons export">
            <div class="field">
                <label for="export-model">"Models to export"</label>
                <select id="export-model" on:change=move |ev| which_model.set(event_target_value(&ev))>
                    {move || model_options().into_iter().map(|(v, l)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || which_model.get() == v2>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field checkbox">
                <input id="doctag" type="checkbox" prop:checked=move || doctag.get() on:change=move |ev| doctag.set(event_target_checked(&ev)) />
                <label for="doctag">"Start each text line with <DOCTAG>"</label>
            </div>
            <div class="field checkbox">
                <input id="split" type="checkbox" prop:checked=move || do_split.get() on:change=move |ev| do_split.set(event_target_checked(&ev)) />
                <label for="split">"Split into train and validation files"</label>
            </div>
            <Show when=move || do_split.get()>
                <div class="field">
                    <label for="split-share">"Validation share (%)"</label>
                    <input id="split-share" type="text" inputmode="decimal" prop:value=move || split_share.get()
                        on:input=move |ev| split_share.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="split-seed">"Split seed"</label>
                    <input id="split-seed" type="text" inputmode="numeric" prop:value=move || split_seed.get()
                        on:input=move |ev| split_seed.set(event_target_value(&ev)) />
                </div>
            </Show>
            <button type="button" on:click=move |_| download(FileKind::Chat) disabled=move || kept() == 0>"Download chat JSONL"</button>
            <button type="button" on:click=move |_| download(FileKind::Text) disabled=move || kept() == 0>"Download text JSONL"</button>
            <button type="button" on:click=move |_| download(FileKind::Mixed) disabled=move || kept() == 0>"Download mixed JSONL"</button>
            <button type="button" on:click=move |_| manifest()>"Download manifest"</button>
        </div>
        <Show when=move || error.get().is_some()>
            <p role="alert" class="errors">{move || error.get().map(|e| words::download_error(&e))}</p>
        </Show>
        <HubPush bundle=Callback::new(move |()| bundle()) />
        <FineTunePanel bundle=Callback::new(move |()| bundle()) />
    }
}
