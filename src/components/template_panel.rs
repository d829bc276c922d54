//! Choosing, reading, editing and importing the fact template.

use super::select_field::SelectField;
use crate::state::AppState;
use crate::words;
use leptos::prelude::*;
use synfact_core::template::BUILT_IN;
use synfact_core::FactTemplate;
use wasm_bindgen::JsCast;

/// The template as JSON text, its choice in the list, and what is wrong with it.
#[component]
pub fn TemplatePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let template = state.template;
    let errors = Memo::new(move |_| {
        template.with(|t| match FactTemplate::from_json(&t.text) {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(words::template_issue).collect::<Vec<_>>(),
        })
    });
    let import_error = RwSignal::new(None::<String>);
    let mut options: Vec<(String, String)> = BUILT_IN
        .iter()
        .map(|(n, _)| (n.to_string(), n.to_string()))
        .collect();
    options.push(("custom".into(), "Custom (edited or imported)".into()));
    let choose = Callback::new(move |v: String| {
        template.update(|t| {
            if let Some((_, json)) = BUILT_IN.iter().find(|(n, _)| *n == v) {
                t.text = json.trim().to_string();
            }
            t.choice = v;
        })
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
        let file = gloo_file::File::from(file);
        let file_name = file.name();
        leptos::task::spawn_local(async move {
            let bytes = gloo_file::futures::read_as_bytes(&file).await;
            let content = match bytes {
                Err(e) => return import_error.set(Some(format!("{file_name} could not be read: {e}"))),
                Ok(b) => match String::from_utf8(b) {
                    Ok(text) => text,
                    Err(e) => {
                        return import_error.set(Some(format!(
                            "{file_name} was not imported: it is not UTF-8 text (an invalid byte at position {}). Save it as UTF-8 and import it again.",
                            e.utf8_error().valid_up_to() + 1
                        )))
                    }
                },
            };
            match FactTemplate::from_json(&content) {
                Ok(t) => {
                    import_error.set(None);
                    template.update(|w| {
                        w.text = t.to_pretty_json();
                        w.choice = "custom".into();
                    });
                }
                Err(errs) => {
                    let list: Vec<String> = errs.iter().map(words::template_issue).collect();
                    import_error.set(Some(format!(
                        "{file_name} was not imported: {}",
                        list.join(" ")
                    )));
                }
            }
        });
    };
    view! {
        <section aria-labelledby="template-heading">
            <h2 id="template-heading">"Fact template"</h2>
            <Show when=move || state.template_loaded.get() fallback=|| view! { <p>"Loading your template…"</p> }>
            <SelectField id="template".into() label="Template".into() options=options.clone()
                value=Signal::derive(move || template.with(|t| t.choice.clone())) on_change=choose />
            <div class="field">
                <label for="template-json">"Template JSON"</label>
                <textarea
                    id="template-json"
                    rows="14"
                    spellcheck="false"
                    prop:value=move || template.with(|t| t.text.clone())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        template.update(|t| {
                            t.text = text;
                            t.choice = "custom".into();
                        });
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
            </Show>
        </section>
    }
}
