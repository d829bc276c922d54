//! The quality report of the run shown: losses by reason and step, duplicates removed, plan
//! coverage, answers with the key sentence, question variety, and the judge's self-test.

use super::judge_selftest::SelfTest;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::quality::report::{report, QualityReport};

/// The report section.
#[component]
pub fn QualityReportView() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let selftest = expect_context::<SelfTest>();
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
                        {words::quality_lines(&q).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ul>
                    <table aria-label="Losses by reason">
                        <thead><tr><th scope="col">"Reason"</th><th scope="col">"Items"</th></tr></thead>
                        <tbody>{q.by_reason.iter().map(|(k, n)| view! { <tr><td>{words::reason_kind(*k)}</td><td>{*n}</td></tr> }).collect_view()}</tbody>
                    </table>
                }
            }}
            {move || selftest.0.get().and_then(Result::ok).map(|t| view! {
                <p>{words::selftest_short(&t)}</p>
            })}
        </details>
    }
}
