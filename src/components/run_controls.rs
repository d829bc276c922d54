//! Generate, Pause, Resume, Cancel; the run status; progress by stage.

use crate::run::Phase;
use crate::state::AppState;
use crate::words;
use leptos::prelude::*;
use synfact_core::Step;

/// The buttons that start and steer a run, and what the run is doing.
#[component]
pub fn RunControls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ctl = state.ctl;
    let phase = ctl.view.phase;
    let generate = move || {
        state.show_all.set(true);
        ctl.generate(
            state.form.get_untracked(),
            state.template.with_untracked(|t| t.text.clone()),
            state.template.with_untracked(|t| t.prompts.clone()),
        );
    };
    let running = move || phase.get() == Phase::Running;
    view! {
        <section aria-labelledby="run-heading" class="run-bar">
            <h2 id="run-heading">"Run"</h2>
            <div class="buttons">
                <button type="button" class="primary" aria-disabled=move || running().then_some("true")
                    on:click=move |_| if !running() { generate() }>
                    "Generate"
                </button>
                <Show when=running>
                    <button type="button" on:click=move |_| ctl.pause()>"Pause"</button>
                </Show>
                <Show when=move || phase.get() == Phase::Resumable>
                    <button type="button" on:click=move |_| { state.show_all.set(true); ctl.resume(&state.form.get_untracked()) }>"Resume"</button>
                </Show>
                <Show when=move || matches!(phase.get(), Phase::Running | Phase::Resumable)>
                    <button type="button" on:click=move |_| ctl.cancel()>"Cancel"</button>
                </Show>
            </div>
            <Show when=move || !ctl.problems.get().is_empty()>
                <div role="alert" class="errors">
                    <p>"Cannot start yet:"</p>
                    <ul>{move || ctl.problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                </div>
            </Show>
            <p role="status" aria-label="Run status" aria-live="polite" class="status">{move || ctl.view.status_line.get()}</p>
            <Show when=move || ctl.view.storage_error.get().is_some()>
                <p role="alert" class="errors">{move || ctl.view.storage_error.get().map(|e| words::storage_error(&e))}</p>
            </Show>
            <Show when=move || state.save_error.get().is_some()>
                <p role="alert" class="errors">{move || state.save_error.get()}</p>
            </Show>
            <ProgressTable />
        </section>
    }
}

/// Per-stage counts: in flight, done, retried, rejected, failed.
#[component]
fn ProgressTable() -> impl IntoView {
    let ctl = expect_context::<AppState>().ctl;
    let progress = ctl.view.progress;
    view! {
        <Show when=move || progress.with(|p| p.total > 0)>
            <table class="progress" aria-label="Progress by stage">
                <thead>
                    <tr><th scope="col">"Stage"</th><th scope="col">"In flight"</th><th scope="col">"Done"</th>
                        <th scope="col">"Retried"</th><th scope="col">"Rejected"</th><th scope="col">"Failed"</th></tr>
                </thead>
                <tbody>
                    {Step::ALL
                        .iter()
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
                                    <th scope="row">{words::step(*s)}</th>
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
            <p class="hint">{move || {
                let w = progress.with(|p| p.waiting);
                (w > 0).then(|| format!("{} waiting to retry after a provider error.", words::count(w, "item is", "items are")))
            }}</p>
        </Show>
    }
}
