//! The quality report of the run shown: losses by reason and step, duplicates removed, plan
//! coverage, answers with the key sentence, question variety, and the judge's self-test.

use crate::run::Controller;
use crate::state::AppState;
use leptos::prelude::*;
use synfact_core::quality::report::{report, QualityReport};

fn reason_name(code: &str) -> &str {
    match code {
        "refused" => "refused",
        "cut_off" => "cut off at the token limit",
        "judge_rejected" => "rejected by the judge",
        "no_verdict" => "no verdict from the judge",
        "judge_refused" => "the judge refused",
        "gave_up" => "gave up after retries",
        "too_long" => "too long for the model",
        "missing_key_sentence" => "without the key sentence",
        "disclaimer" => "disclaimer",
        "leak" => "mentions the set-up",
        "requirement" => "misses its requirement",
        "duplicate" => "near-duplicate question",
        "reviewer" => "rejected in review",
        other => other,
    }
}

/// The report section.
#[component]
pub fn QualityReportView() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let state = expect_context::<AppState>();
    // The report reads every question and answer: it is worked out only while it is open.
    let open = RwSignal::new(false);
    let r = Memo::new(move |_| {
        if !open.get() {
            return QualityReport::default();
        }
        ctl.view.revision.track();
        ctl.view.progress.track();
        ctl.with_run(report).unwrap_or_default()
    });
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    view! {
        <details class="quality" on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                open.set(d.open());
            }
        }>
            <summary>"Quality report"</summary>
            {move || {
                let q: QualityReport = r.get();
                view! {
                    <ul>
                        <li>{format!("Plan cells covered: {} of {} ({:.0}%)", q.cells_covered, q.cells, pct(q.cells_covered, q.cells))}</li>
                        <li>{format!("Kept answers with the key sentence: {} of {}", q.with_key_sentence, q.kept)}</li>
                        <li>{format!("Near-duplicate questions removed: {}", q.duplicates_removed)}</li>
                        <li>{format!("Steps asked again after a local check: {}", q.asked_again)}</li>
                        <li>{format!("Question variety (distinct word pairs): {:.0}%", q.distinct_question_pairs * 100.0)}</li>
                    </ul>
                    <table aria-label="Losses by reason">
                        <thead><tr><th scope="col">"Reason"</th><th scope="col">"Items"</th></tr></thead>
                        <tbody>{q.by_reason.iter().map(|(k, n)| view! { <tr><td>{reason_name(k).to_string()}</td><td>{*n}</td></tr> }).collect_view()}</tbody>
                    </table>
                }
            }}
            {move || state.selftest.get().and_then(Result::ok).map(|t| view! {
                <p>{format!("Judge self-test: {} of {} right.", t.right, t.total)}</p>
            })}
        </details>
    }
}
