//! The root component: template, models, run, results, saved runs.

use crate::components::model_rows::ModelRows;
use crate::components::results::Results;
use crate::components::run_controls::RunControls;
use crate::components::saved_runs::SavedRuns;
use crate::components::template_panel::TemplatePanel;
use crate::controller::{persist_form, Controller};
use crate::prefs;
use leptos::prelude::*;
use synfact_core::template::BUILT_IN;

/// synfact.
#[component]
pub fn App() -> impl IntoView {
    let ctl = Controller::new();
    provide_context(ctl);
    let (saved_name, saved_text) = prefs::load_template()
        .unwrap_or_else(|| (BUILT_IN[0].0.to_string(), BUILT_IN[0].1.trim().to_string()));
    let template_name = RwSignal::new(saved_name);
    let template_text = RwSignal::new(saved_text);
    Effect::new(move |_| prefs::save_template(&template_name.get(), &template_text.get()));
    let form = RwSignal::new(prefs::load_form());
    let remember_keys = RwSignal::new(prefs::remember_keys());
    persist_form(form, remember_keys);
    ctl.restore(form.get_untracked());
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
        <header>
            <h1>"synfact"</h1>
            <p>"Turn one fact template into a fine-tuning dataset, in your browser, with your own API keys."</p>
        </header>
        <main>
            <div class="columns">
                <TemplatePanel name=template_name text=template_text />
                <ModelRows form=form remember_keys=remember_keys />
            </div>
            <RunControls form=form template_text=template_text />
            <Results />
            <SavedRuns form=form />
        </main>
        <footer>
            <p>"Keys stay in this browser and go only to the provider they belong to. Replies are cached in this browser (IndexedDB)."</p>
        </footer>
    }
}
