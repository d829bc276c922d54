//! A labelled one-line input: a visible `<label for>`, and its problem (if any) right under it,
//! tied to it with `aria-describedby`.

use leptos::prelude::*;

/// A one-line input with its label. `kind` is "text", "password", "decimal" or "integer";
/// numbers are typed into plain text inputs, so what is typed is kept exactly as typed.
#[component]
pub fn TextField(
    id: String,
    label: String,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional, into)] hint: String,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = !hint.is_empty();
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = super::bind::described_by(&id, has_hint, error);
    let (input_type, inputmode) = match kind {
        "password" => ("password", None),
        "decimal" => ("text", Some("decimal")),
        "integer" => ("text", Some("numeric")),
        _ => ("text", None),
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=input_type
                inputmode=inputmode
                placeholder=placeholder
                autocomplete=if kind == "password" { "off" } else { "on" }
                spellcheck="false"
                aria-describedby=described
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(b) = on_blur {
                        b.run(())
                    }
                }
            />
            {has_hint.then(|| view! { <small id=hint_id class="hint">{hint}</small> })}
            {move || error.get().map(|e| view! { <small id=error_id.clone() class="field-error">{e}</small> })}
        </div>
    }
}
