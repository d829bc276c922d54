//! The items of the run, and the two downloads. The list is a `Listing` kept up to date from the
//! items that changed; only one page of rows is drawn.

use crate::download::save_text;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::export::{chat_jsonl, file_names, text_jsonl};
use synfact_core::listing::{Filter, Listing, StatusFilter};
use synfact_core::{Item, Run, Stage};

const PAGE: usize = 50;

/// What one row shows, read from the run when the row is drawn.
#[derive(Clone, PartialEq)]
struct Row {
    id: usize,
    model: String,
    state: &'static str,
    question: String,
    detail: String,
    retries: u32,
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

fn row(run: &Run, i: &Item) -> Row {
    let detail = match i.stage {
        Stage::Rejected | Stage::Failed => i
            .reason
            .as_ref()
            .map(|r| words::reason(r, i.ended_at))
            .unwrap_or_default(),
        _ => i.final_answer().unwrap_or_default().to_string(),
    };
    Row {
        id: i.id,
        model: run
            .generators
            .get(i.generator)
            .map(|g| g.config.model.clone())
            .unwrap_or_default(),
        state: stage_name(i.stage),
        question: i.final_question().unwrap_or_default().to_string(),
        detail,
        retries: i.retries.iter().sum(),
    }
}

fn status_filter(v: &str) -> StatusFilter {
    match v {
        "accepted" => StatusFilter::Accepted,
        "rejected" => StatusFilter::Rejected,
        "failed" => StatusFilter::Failed,
        _ => StatusFilter::All,
    }
}

/// Downloads and a readable list of the run's items.
#[component]
pub fn Results() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let revision = ctl.view.revision;
    let doctag = RwSignal::new(false);
    let which_model = RwSignal::new(String::from("all"));
    let show = RwSignal::new(String::from("all"));
    let limit = RwSignal::new(PAGE);
    let download_error = RwSignal::new(None::<String>);
    let listing = StoredValue::new_local(Listing::default());
    // Bumped when the listing changes; rows are drawn from it.
    let listed = RwSignal::new(0u64);
    // A new filter rebuilds the listing; a new revision updates it with the items that changed.
    Effect::new(move |prev: Option<(String, u64)>| {
        let filter = Filter {
            status: status_filter(&show.get()),
            ..Filter::default()
        };
        let rev = revision.get();
        let rebuild = rev.all
            || prev
                .as_ref()
                .is_none_or(|(s, n)| *s != show.get_untracked() || *n + 1 != rev.number);
        ctl.with_run(|run| {
            listing.update_value(|l| {
                if rebuild {
                    *l = Listing::new(filter, run);
                } else {
                    l.update(run, &rev.changed);
                }
            })
        })
        .unwrap_or_else(|| listing.set_value(Listing::default()));
        listed.update(|n| *n += 1);
        (show.get_untracked(), rev.number)
    });
    let has_run = move || {
        revision.track();
        ctl.with_run(|_| ()).is_some()
    };
    let summary = move || {
        revision.track();
        ctl.view.progress.track();
        ctl.with_run(Run::summary).unwrap_or_default()
    };
    let generator_filter = move || which_model.get().parse::<usize>().ok();
    let download = move |chat: bool| {
        let g = generator_filter();
        let result = ctl.with_run(|r| {
            let (chat_name, text_name) = file_names(&r.template.fact_name);
            if chat {
                save_text(&chat_name, &chat_jsonl(r, g), "application/jsonl")
            } else {
                save_text(
                    &text_name,
                    &text_jsonl(r, g, doctag.get_untracked()),
                    "application/jsonl",
                )
            }
        });
        download_error.set(
            result
                .and_then(Result::err)
                .map(|e| format!("The download failed: {e}")),
        );
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
    let rows = move || {
        listed.track();
        ctl.view.progress.track();
        let n = limit.get();
        ctl.with_run(|run| {
            listing.with_value(|l| {
                l.page(0, n)
                    .iter()
                    .filter_map(|&id| run.items.get(id))
                    .map(|i| row(run, i))
                    .collect::<Vec<_>>()
            })
        })
        .unwrap_or_default()
    };
    let total_shown = move || {
        listed.track();
        listing.with_value(Listing::len)
    };
    view! {
        <Show when=has_run>
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
                    <button type="button" on:click=move |_| download(true) disabled=move || summary().kept == 0>"Download chat JSONL"</button>
                    <button type="button" on:click=move |_| download(false) disabled=move || summary().kept == 0>"Download text JSONL"</button>
                </div>
                <p class="hint">{move || {
                    let s = summary();
                    let ended = s.ended();
                    let pct = if ended == 0 { 0 } else { (100.0 * s.accepted as f64 / ended as f64).round() as u32 };
                    format!("{} of {} finished items accepted ({pct}%).", s.accepted, ended)
                }}</p>
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
                <div class="table-wrap">
                <table class="items cards" aria-label="Items">
                    <thead>
                        <tr><th scope="col">"#"</th><th scope="col">"Model"</th><th scope="col">"State"</th>
                            <th scope="col">"Question"</th><th scope="col">"Answer or reason"</th><th scope="col">"Retries"</th></tr>
                    </thead>
                    <tbody>
                        // Keyed by what a row shows, so a redraw only touches rows that changed.
                        <For
                            each=rows
                            key=|r: &Row| (r.id, r.state, r.retries, r.detail.len(), r.question.len())
                            children=move |r: Row| view! {
                                <tr class=r.state.replace(' ', "-")>
                                    <td data-label="#">{r.id + 1}</td>
                                    <td data-label="Model">{r.model}</td>
                                    <td data-label="State">{r.state}</td>
                                    <td class="text" data-label="Question">{r.question}</td>
                                    <td class="text" data-label="Answer or reason">{r.detail}</td>
                                    <td data-label="Retries">{r.retries}</td>
                                </tr>
                            }
                        />
                    </tbody>
                </table>
                </div>
                <Show when=move || { total_shown() > limit.get() }>
                    <button type="button" on:click=move |_| limit.update(|l| *l += PAGE * 4)>"Show more items"</button>
                </Show>
            </section>
        </Show>
    }
}
