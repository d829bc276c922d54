//! Generate, Pause, Resume, Cancel and the run status, in a bar that stays in view; below it,
//! what stopped a start, storage problems, and progress by stage.

use super::focus_after_draw;
use super::progress_table::ProgressTable;
use crate::eval_state::EvalState;
use crate::form_state::FormState;
use crate::run::Controller;
use crate::run::Phase;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;

/// The id of the form holding every setting: Generate submits it, so Enter in a field starts a run.
pub const SETUP_FORM: &str = "setup";

/// The buttons that start and steer a run, and what the run is doing.
#[component]
pub fn RunControls() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let eval = expect_context::<EvalState>();
    let ctl = expect_context::<Controller>();
    let phase = ctl.view.phase;
    let running = move || phase.get() == Phase::Running;
    view! {
        <section aria-labelledby="run-heading" class="run-bar">
            <h2 id="run-heading" class="visually-hidden">"Run"</h2>
            <div class="buttons">
                // A submit button of the settings form: Enter in any field presses it. While a run
                // goes it stays focusable (aria-disabled), so focus never falls to the page.
                <button type="submit" form=SETUP_FORM class="primary" aria-disabled=move || running().then_some("true")>
                    "Generate"
                </button>
                <Show when=running>
                    <button type="button" on:click=move |_| ctl.pause()>"Pause"</button>
                </Show>
                <Show when=move || phase.get() == Phase::Resumable>
                    <button type="button" on:click=move |_| { settings.show_all.set(true); ctl.resume(&settings.form.get_untracked(), &eval.form.get_untracked(), settings.prices.get_untracked()) }>"Resume"</button>
                </Show>
                // Only while there is something to stop: calls going (or still landing after
                // Pause), or a round of batches at the provider.
                <Show when=move || match phase.get() {
                    Phase::Running => true,
                    Phase::Resumable => ctl.view.progress.with(|p| p.in_flight() > 0 || p.batch.is_some()),
                    _ => false,
                }>
                    <button type="button" on:click=move |_| ctl.cancel()>"Cancel"</button>
                </Show>
            </div>
            <p role="status" aria-label="Run status" aria-live="polite" class="status">{move || ctl.view.status_line.get()}</p>
            <Show when=move || ctl.view.outcome.get().is_some()>
                <p class="note" id="run-outcome">{move || ctl.view.outcome.get()}</p>
            </Show>
            <Show when=move || ctl.view.note.get().is_some()>
                <p class="note" id="run-note">{move || ctl.view.note.get()}</p>
            </Show>
            <Show when=move || phase.get() == Phase::Resumable && !settings.remember_keys.get() && settings.form.with(|f| f.has_empty_key())>
                <p class="hint" id="resume-key-hint">{words::RESUME_NEEDS_KEY}</p>
            </Show>
        </section>
        <Show when=move || !ctl.problems.get().is_empty()>
            <div role="alert" class="errors">
                <p>"Cannot start yet:"</p>
                <ul>{move || ctl.problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        </Show>
        <Show when=move || ctl.view.storage_error.get().is_some()>
            <p role="alert" class="errors">{move || ctl.view.storage_error.get().map(|e| words::storage_error(&e))}</p>
        </Show>
        <Show when=move || settings.save_error.get().is_some()>
            <p role="alert" class="errors">{move || settings.save_error.get().map(|e| words::save_error(&e))}</p>
        </Show>
        <ProgressTable />
    }
}

/// Starts a run from what the form holds (Generate, or Enter in a field), unless one is going.
pub fn generate(ctl: Controller, settings: FormState, tpl: TemplateState) {
    if ctl.view.phase.get_untracked() == Phase::Running {
        return;
    }
    // The form still shows the template from before the link: a run now would be of that one.
    if matches!(
        tpl.note.get_untracked(),
        Some(crate::template_state::TemplateNote::OpeningLink)
    ) {
        ctl.problems.set(vec![words::LINK_STILL_OPENING.into()]);
        return;
    }
    settings.show_all.set(true);
    ctl.generate(
        settings.form.get_untracked(),
        tpl.template.with_untracked(|t| t.text.clone()),
        settings.prices.get_untracked(),
    );
    // Derived from what was checked, not from the wording of the list.
    let template_problems = tpl
        .parsed
        .with_untracked(|(doc, issues)| doc.is_none() || issues.iter().any(|i| !i.is_warning()));
    if template_problems || !ctl.field_errors.with_untracked(Vec::is_empty) {
        // "Cannot start yet": the cursor goes to the first field named, opening its section.
        focus_after_draw("#setup [aria-invalid='true']");
    }
}
