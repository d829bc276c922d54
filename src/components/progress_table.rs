//! Progress by stage: in flight, done, retried, rejected, failed per step of the loop.

use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::Step;

/// Per-stage counts: in flight, done, retried, rejected, failed.
#[component]
pub fn ProgressTable() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let progress = ctl.view.progress;
    // An evaluation writes no questions: its rows are the answers and the judge's labels.
    let is_eval = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.with_run(|r| r.eval.is_some()).unwrap_or(false)
    });
    view! {
        <Show when=move || progress.with(|p| p.total > 0)>
            <div class="table-wrap">
            <table class="progress" aria-label="Progress by stage">
                <thead>
                    <tr><th scope="col">"Stage"</th><th scope="col">"In flight"</th><th scope="col">"Done"</th>
                        <th scope="col">"Retried"</th><th scope="col">"Rejected"</th><th scope="col">"Failed"</th></tr>
                </thead>
                <tbody>
                    {move || Step::ALL
                        .iter()
                        .filter(|s| !is_eval.get() || matches!(s, Step::WriteAnswer | Step::JudgeAnswer))
                        .map(|s| {
                            let i = s.index();
                            let c = move || progress.with(|p| p.steps[i]);
                            let done = move || {
                                let c = c();
                                let of = progress.with(|p| p.total) - c.skipped;
                                if c.skipped > 0 {
                                    format!("{} / {} ({} skipped)", c.done, of, c.skipped)
                                } else {
                                    format!("{} / {}", c.done, of)
                                }
                            };
                            view! {
                                <tr>
                                    <th scope="row">{if is_eval.get_untracked() { words::eval_step(*s) } else { words::step(*s) }}</th>
                                    <td>{move || c().in_flight}</td>
                                    <td>{done}</td>
                                    <td>{move || c().retried}</td>
                                    <td>{move || c().rejected}</td>
                                    <td>{move || c().failed}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            </div>
            <p class="hint">{move || {
                let w = progress.with(|p| p.waiting);
                (w > 0).then(|| format!("{} waiting to retry after a provider error.", words::count(w, "item is", "items are")))
            }}</p>
        </Show>
    }
}
