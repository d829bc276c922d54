//! Labelled form controls: every control has a visible `<label for>`.

use leptos::prelude::*;

/// A text (or password / number) input with its label.
#[component]
pub fn TextField(
    id: String,
    label: String,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let has_hint = !hint.is_empty();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind
                placeholder=placeholder
                autocomplete=if kind == "password" { "off" } else { "on" }
                spellcheck="false"
                aria-describedby=has_hint.then(|| hint_id.clone())
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {has_hint.then(|| view! { <small id=hint_id class="hint">{hint}</small> })}
        </div>
    }
}

/// A select with its label; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    id: String,
    label: String,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| on_change.run(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || value.get() == v2>{l}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
