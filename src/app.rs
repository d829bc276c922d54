//! The root component: run controls, template, models, results, saved runs.

use crate::components::evaluate::evaluate_part;
use crate::components::judge_selftest::SelfTest;
use crate::components::model_rows::ModelRows;
use crate::components::results::Results;
use crate::components::run_controls::{generate, RunControls, SETUP_FORM};
use crate::components::saved_runs::saved_runs_part;
use crate::components::storage_panel::storage_panel_part;
use crate::components::template_panel::TemplatePanel;
use crate::eval_state::EvalState;
use crate::form_state::FormState;
use crate::parts::{load, Lazy};
use crate::run::Controller;
use crate::template_state::TemplateState;
use leptos::prelude::*;

/// synfact.
#[component]
pub fn App() -> impl IntoView {
    // Each part of the page takes from the context only what it uses.
    let ctl = Controller::new();
    let settings = FormState::new(ctl);
    let tpl = TemplateState::new(ctl, settings);
    provide_context(ctl);
    provide_context(settings);
    provide_context(tpl);
    provide_context(SelfTest::default());
    let eval = EvalState::new();
    provide_context(eval);
    eval.persist(settings);
    let fine_tune = crate::fine_tune_state::FineTuneState::new();
    provide_context(fine_tune);
    fine_tune.watch(ctl, settings);
    settings.persist();
    tpl.persist();
    ctl.on_batches_reopened(Callback::new(move |_: ()| -> bool {
        let form = settings.form.get_untracked();
        // Only with the form complete for the run (its keys typed or remembered): otherwise the
        // status line says to press Resume.
        let complete = ctl.with_run(|r| form.connection(r).is_ok()) == Some(true);
        if complete {
            ctl.resume(
                &form,
                &eval.form.get_untracked(),
                settings.prices.get_untracked(),
            );
        }
        complete
    }));
    ctl.restore();
    // The engine's chunk comes while the form is filled: Generate does not wait for it.
    crate::run::prefetch_engine();
    // A reload or closed tab saves what the last few hundred milliseconds brought.
    let on_hide = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || ctl.flush());
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback(
            "pagehide",
            wasm_bindgen::JsCast::unchecked_ref(on_hide.as_ref()),
        );
    }
    on_hide.forget();
    view! {
        // The template's lists put many controls before the provider: a way past them.
        <a class="skip-link" href="#models-heading">"Skip to provider and models"</a>
        <header>
            <h1>"synfact"</h1>
            <p>"Turn one fact template into a fine-tuning dataset, in your browser, with your own API keys."</p>
        </header>
        <main>
            <RunControls />
            <form id=SETUP_FORM class="columns" novalidate on:submit=move |ev| {
                ev.prevent_default();
                generate(ctl, settings, tpl);
            }>
                <TemplatePanel />
                <ModelRows />
            </form>
            <Results />
            <Lazy what="Evaluate section" loading=load!(evaluate_part) />
            <Lazy what="list of saved runs" loading=load!(saved_runs_part) />
            <Lazy what="storage panel" loading=load!(storage_panel_part) />
        </main>
        <footer>
            <p>"Keys stay in this browser and go only to the provider they belong to. Replies are cached in this browser (IndexedDB)."</p>
        </footer>
    }
}
