//! A labelled select: every control has a visible `<label for>`.

use leptos::prelude::*;

/// A select with its label; `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    id: String,
    label: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional, into)] hint: String,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = !hint.is_empty();
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = super::bind::described_by(&id, has_hint, error);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id aria-describedby=described aria-invalid=move || error.with(Option::is_some).then_some("true")
                on:change=move |ev| on_change.run(event_target_value(&ev))>
                {move || options
                    .get()
                    .into_iter()
                    .map(|(v, l)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || value.get() == v2>{l}</option> }
                    })
                    .collect_view()}
            </select>
            {has_hint.then(|| view! { <small id=hint_id class="hint">{hint}</small> })}
            {move || error.get().map(|e| view! { <small id=error_id.clone() class="field-error">{e}</small> })}
        </div>
    }
}
