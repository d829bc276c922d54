//! Generate, Pause, Resume, Cancel; the run status; progress by stage.

use crate::controller::Controller;
use crate::driver::Phase;
use leptos::prelude::*;
use synfact_core::setup::RunForm;
use synfact_core::Step;

/// The buttons that start and steer a run, and what the run is doing.
#[component]
pub fn RunControls(form: RwSignal<RunForm>, template_text: RwSignal<String>) -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let phase = ctl.view.phase;
    let generate = move |_| ctl.generate(form.get_untracked(), template_text.get_untracked());
    view! {
        <section aria-labelledby="run-heading">
            <h2 id="run-heading">"Run"</h2>
            <div class="buttons">
                <button type="button" class="primary" on:click=generate disabled=move || phase.get() == Phase::Running>
                    "Generate"
                </button>
                <Show when=move || phase.get() == Phase::Running>
                    <button type="button" on:click=move |_| ctl.pause()>"Pause"</button>
                </Show>
                <Show when=move || phase.get() == Phase::Resumable>
                    <button type="button" on:click=move |_| ctl.resume(&form.get_untracked())>"Resume"</button>
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
                <p role="alert" class="errors">{move || ctl.view.storage_error.get()}</p>
            </Show>
            <ProgressTable />
        </section>
    }
}

/// Per-stage counts: in flight, done, retried, rejected, failed.
#[component]
fn ProgressTable() -> impl IntoView {
    let ctl = expect_context::<Controller>();
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
                            view! {
                                <tr>
                                    <th scope="row">{s.label()}</th>
                                    <td>{move || c().in_flight}</td>
                                    <td>{move || format!("{} / {}", c().done, progress.with(|p| p.total))}</td>
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
                (w > 0).then(|| format!("{w} items are waiting to retry after a provider error."))
            }}</p>
        </Show>
    }
}
