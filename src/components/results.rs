//! The items of the run, and the two downloads.

use crate::controller::Controller;
use crate::download::save_text;
use leptos::prelude::*;
use synfact_core::export::file_names;
use synfact_core::{Item, Stage};

const PAGE: usize = 50;

/// Downloads and a readable list of every item.
#[component]
pub fn Results() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let run = ctl.view.run;
    let doctag = RwSignal::new(false);
    let which_model = RwSignal::new(String::from("all"));
    let show = RwSignal::new(String::from("all"));
    let limit = RwSignal::new(PAGE);
    let download_error = RwSignal::new(None::<String>);
    let generator_filter = move || which_model.get().parse::<usize>().ok();
    let accepted =
        Memo::new(move |_| run.with(|r| r.as_ref().map_or(0, |r| r.accepted(None).count())));
    let download = move |chat: bool| {
        run.with_untracked(|r| {
            let Some(r) = r else { return };
            let (chat_name, text_name) = file_names(&r.template.fact_name);
            let g = generator_filter();
            let result = if chat {
                save_text(&chat_name, &r.chat_jsonl(g), "application/jsonl")
            } else {
                save_text(
                    &text_name,
                    &r.text_jsonl(g, doctag.get_untracked()),
                    "application/jsonl",
                )
            };
            download_error.set(result.err().map(|e| format!("The download failed: {e}")));
        })
    };
    let model_options = move || {
        run.with(|r| {
            let mut o = vec![("all".to_string(), "All models".to_string())];
            if let Some(r) = r {
                for (i, g) in r.generators.iter().enumerate() {
                    o.push((
                        i.to_string(),
                        format!("Model {}: {}", i + 1, g.config.model),
                    ));
                }
            }
            o
        })
    };
    let rows = move || {
        let filter = show.get();
        run.with(|r| {
            let Some(r) = r else { return Vec::new() };
            r.items
                .iter()
                .filter(|i| match filter.as_str() {
                    "accepted" => i.stage == Stage::Accepted,
                    "rejected" => i.stage == Stage::Rejected,
                    "failed" => i.stage == Stage::Failed,
                    _ => true,
                })
                .take(limit.get())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let total_shown = move || {
        let filter = show.get();
        run.with(|r| {
            r.as_ref().map_or(0, |r| {
                r.items
                    .iter()
                    .filter(|i| filter == "all" || stage_name(i.stage) == filter)
                    .count()
            })
        })
    };
    view! {
        <Show when=move || run.with(|r| r.is_some())>
            <section aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                <div class="buttons">
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
                    <button type="button" on:click=move |_| download(true) disabled=move || accepted.get() == 0>"Download chat JSONL"</button>
                    <button type="button" on:click=move |_| download(false) disabled=move || accepted.get() == 0>"Download text JSONL"</button>
                </div>
                <p class="hint">{move || run.with(|r| r.as_ref().map(|r| {
                    let s = r.summary();
                    let ended = s.accepted + s.rejected + s.failed;
                    let pct = if ended == 0 { 0 } else { (100.0 * s.accepted as f64 / ended as f64).round() as u32 };
                    format!("{} of {} finished items accepted ({pct}%).", s.accepted, ended)
                }))}</p>
                <Show when=move || download_error.get().is_some()>
                    <p role="alert" class="errors">{move || download_error.get()}</p>
                </Show>
                <div class="field">
                    <label for="show-items">"Show items"</label>
                    <select id="show-items" on:change=move |ev| { show.set(event_target_value(&ev)); limit.set(PAGE); }>
                        <option value="all">"All"</option>
                        <option value="accepted">"Accepted"</option>
                        <option value="rejected">"Rejected"</option>
                        <option value="failed">"Failed"</option>
                    </select>
                </div>
                <table class="items" aria-label="Items">
                    <thead>
                        <tr><th scope="col">"#"</th><th scope="col">"Model"</th><th scope="col">"State"</th>
                            <th scope="col">"Question"</th><th scope="col">"Answer or reason"</th><th scope="col">"Retries"</th></tr>
                    </thead>
                    <tbody>
                        // Keyed by what a row shows, so a redraw only touches rows that changed.
                        <For
                            each=rows
                            key=|i: &Item| (i.id, i.stage, i.retries, i.calls.len())
                            children=move |i: Item| {
                                let model = run.with_untracked(|r| r.as_ref().and_then(|r| r.generators.get(i.generator)).map(|g| g.config.model.clone()));
                                item_row(i, model.unwrap_or_default())
                            }
                        />
                    </tbody>
                </table>
                <Show when=move || { total_shown() > limit.get() }>
                    <button type="button" on:click=move |_| limit.update(|l| *l += PAGE * 4)>"Show more items"</button>
                </Show>
            </section>
        </Show>
    }
}

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Accepted => "accepted",
        Stage::Rejected => "rejected",
        Stage::Failed => "failed",
        Stage::Planned => "planned",
        Stage::Question => "question written",
        Stage::QuestionJudged => "question accepted",
        Stage::Answer => "answer written",
    }
}

/// One item as text: model output is never parsed as HTML.
fn item_row(i: Item, model: String) -> impl IntoView {
    let retries: u32 = i.retries.iter().sum();
    let detail = match i.stage {
        Stage::Rejected | Stage::Failed => i.reason.clone().unwrap_or_default(),
        _ => i.answer.clone().unwrap_or_default(),
    };
    view! {
        <tr class=stage_name(i.stage).replace(' ', "-")>
            <td>{i.id + 1}</td>
            <td>{model}</td>
            <td>{stage_name(i.stage)}</td>
            <td class="text">{i.question.clone().unwrap_or_default()}</td>
            <td class="text">{detail}</td>
            <td>{retries}</td>
        </tr>
    }
}
