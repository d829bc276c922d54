//! Choosing, reading, editing and importing the fact template.

use super::fields::SelectField;
use leptos::prelude::*;
use synfact_core::template::BUILT_IN;
use synfact_core::FactTemplate;
use wasm_bindgen::JsCast;

/// The template as JSON text, its choice in the list, and what is wrong with it.
#[component]
pub fn TemplatePanel(name: RwSignal<String>, text: RwSignal<String>) -> impl IntoView {
    let errors = Memo::new(move |_| match FactTemplate::from_json(&text.get()) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
    });
    let import_error = RwSignal::new(None::<String>);
    let mut options: Vec<(String, String)> = BUILT_IN
        .iter()
        .map(|(n, _)| (n.to_string(), n.to_string()))
        .collect();
    options.push(("custom".into(), "Custom (edited or imported)".into()));
    let choose = Callback::new(move |v: String| {
        if let Some((_, json)) = BUILT_IN.iter().find(|(n, _)| *n == v) {
            text.set(json.trim().to_string());
        }
        name.set(v);
    });
    let on_file = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let file_name = file.name();
        leptos::task::spawn_local(async move {
            let content: Option<String> = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match content {
                Some(content) => match FactTemplate::from_json(&content) {
                    Ok(t) => {
                        import_error.set(None);
                        text.set(t.to_pretty_json());
                        name.set("custom".into());
                    }
                    Err(errs) => {
                        let list: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                        import_error.set(Some(format!(
                            "{file_name} was not imported: {}",
                            list.join(" ")
                        )));
                    }
                },
                None => import_error.set(Some(format!("{file_name} could not be read as text."))),
            }
        });
    };
    view! {
        <section aria-labelledby="template-heading">
            <h2 id="template-heading">"Fact template"</h2>
            <SelectField id="template".into() label="Template".into() options=options value=name on_change=choose />
            <div class="field">
                <label for="template-json">"Template JSON"</label>
                <textarea
                    id="template-json"
                    rows="14"
                    spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        name.set("custom".into());
                    }
                ></textarea>
                <small class="hint">
                    "Fields: fact_name, given_fact, specific_information_to_always_include, questions, question_requirements (the original module's names)."
                </small>
            </div>
            <div class="field">
                <label for="template-file">"Import template file"</label>
                <input id="template-file" type="file" accept=".json,application/json" on:change=on_file />
            </div>
            <Show when=move || !errors.get().is_empty() || import_error.get().is_some()>
                <div role="alert" class="errors">
                    <p>{move || import_error.get()}</p>
                    <ul>{move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                </div>
            </Show>
        </section>
    }
}
