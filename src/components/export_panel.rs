//! Downloads of the reviewed set: chat and text JSONL (split into train and validation files
//! when asked), checked against the chat format first, and the manifest.

use super::hub_push::HubPush;
use crate::download::save_text;
use crate::run::Controller;
use crate::state::AppState;
use leptos::prelude::*;
use synfact_core::dataset::{self, DatasetFile, ExportChoice, FileKind};
use synfact_core::Run;

const JSONL: &str = "application/jsonl";

/// Reads a validation share typed as a percentage ("10" → 0.1).
fn share(text: &str) -> Result<f64, String> {
    match synfact_core::provider::number::decimal(text.trim()) {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(p / 100.0),
        _ => Err(format!(
            "Validation share must be a percentage from 0 to 100; \"{}\" is not.",
            text.trim()
        )),
    }
}

/// The download buttons and their options.
#[component]
pub fn ExportPanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let app = expect_context::<AppState>();
    let revision = ctl.view.revision;
    let doctag = RwSignal::new(false);
    let which_model = RwSignal::new(String::from("all"));
    let do_split = RwSignal::new(false);
    let split_share = RwSignal::new(String::from("10"));
    let split_seed = RwSignal::new(String::from("1"));
    let error = RwSignal::new(None::<String>);
    let counts = expect_context::<crate::review::ReviewState>().counts;
    let kept = move || counts.with(|c| c.kept);
    let choice = move || -> Result<ExportChoice, String> {
        let split = if do_split.get_untracked() {
            let seed = split_seed
                .get_untracked()
                .trim()
                .parse::<u64>()
                .map_err(|_| "Split seed must be a whole number from 0 up.".to_string())?;
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
    // The files, or what stops them: a kept item that breaks the chat format is named.
    let files = move |r: &Run| -> Result<Vec<DatasetFile>, String> {
        let c = choice()?;
        let problems = dataset::chat::check_run(r, c.generator);
        if let Some(first) = problems.first() {
            return Err(format!(
                "Not downloaded: item {} breaks the chat format ({}){}. Edit or reject it in Review.",
                first.item,
                first.problem,
                match problems.len() - 1 {
                    0 => String::new(),
                    n => format!(", and {n} more"),
                }
            ));
        }
        Ok(dataset::files(r, &c))
    };
    let download = move |chat: bool| {
        let result = ctl.with_run(|r| {
            let files = files(r)?;
            let kind = if chat { FileKind::Chat } else { FileKind::Text };
            for f in files.iter().filter(|f| f.kind == kind) {
                save_text(&f.name, &f.text, JSONL)
                    .map_err(|e| format!("The download failed: {e}"))?;
            }
            Ok(())
        });
        error.set(result.and_then(Result::err));
    };
    let manifest = move || {
        let prices = app.prices.get_untracked();
        let result = ctl.with_run(|r| {
            let files = files(r)?;
            let m = dataset::manifest(r, &prices, env!("CARGO_PKG_VERSION"), &files);
            let text = serde_json::to_string_pretty(&m).unwrap_or_default();
            save_text(
                &dataset::manifest_name(&r.template.fact_name),
                &text,
                "application/json",
            )
            .map_err(|e| format!("The download failed: {e}"))
        });
        error.set(result.and_then(Result::err));
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
            <button type="button" on:click=move |_| download(true) disabled=move || kept() == 0>"Download chat JSONL"</button>
            <button type="button" on:click=move |_| download(false) disabled=move || kept() == 0>"Download text JSONL"</button>
            <button type="button" on:click=move |_| manifest()>"Download manifest"</button>
        </div>
        <Show when=move || error.get().is_some()>
            <p role="alert" class="errors">{move || error.get()}</p>
        </Show>
        <HubPush files=Callback::new(move |()| ctl.with_run(files).unwrap_or_else(|| Err("No run is open.".into()))) />
    }
}
