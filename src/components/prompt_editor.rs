//! The three prompts, editable: named placeholders, problems next to each, reset per prompt.
//! Custom prompts travel with the template (its file and share link).

use crate::form_state::FormState;
use crate::parts::part;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use synfact_core::template::prompts::PromptKind;

fn name(kind: PromptKind) -> (&'static str, &'static str) {
    match kind {
        PromptKind::Question => ("question", "Question prompt"),
        PromptKind::Answer => ("answer", "Answer prompt"),
        PromptKind::Judge => ("judge", "Judge prompt"),
    }
}

/// The advanced section with the three prompt editors.
#[component]
pub fn PromptEditor() -> impl IntoView {
    let tpl = expect_context::<TemplateState>();
    let settings = expect_context::<FormState>();
    // A prompt that puts an item's text before the fact sheet loses the providers' discount.
    let cache_note = move |kind: PromptKind| {
        tpl.parsed.with(|(d, _)| {
            let d = d.as_ref()?;
            let (item, fact) = d.prompts.cache_break(kind)?;
            let prices = settings.prices.get();
            let extra = settings
                .sized_run(d)
                .and_then(|run| synfact_core::cost::cache_break_usd(&run, &prices, kind));
            let fact_tokens = synfact_core::cost::tokens_of(&d.template.given_fact);
            Some(words::cache_break(&item, &fact, fact_tokens, extra))
        })
    };
    view! {
        <details class="prompts">
            <summary>"Prompts"</summary>
            <p class="hint">"What the models are asked. Placeholders in braces are filled for each call; a changed prompt is never answered from replies cached for another."</p>
            {PromptKind::ALL.into_iter().map(|kind| {
                let (key, label) = name(kind);
                let id = format!("prompt-{key}");
                let hint_id = format!("{id}-hint");
                let error_id = format!("{id}-error");
                let text = move || tpl.parsed.with(|(d, _)| d.as_ref().map(|d| d.prompts.text(kind).to_string()).unwrap_or_default());
                let errors = move || tpl.parsed.with(|(d, _)| d.as_ref().map(|d| d.prompts.check(kind)).unwrap_or_default());
                let is_default = move || tpl.parsed.with(|(d, _)| d.as_ref().is_none_or(|d| d.prompts.text(kind) == kind.default_text()));
                let placeholders = kind.placeholders().iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" ");
                let required = kind.required().iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(", ");
                let (e1, e2) = (error_id.clone(), error_id.clone());
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <textarea id=id rows="8" spellcheck="false"
                            aria-describedby=move || if errors().is_empty() { hint_id.clone() } else { format!("{hint_id} {e1}") }
                            aria-invalid=move || (!errors().is_empty()).then_some("true")
                            prop:value=text
                            on:input=move |ev| { let v = event_target_value(&ev); tpl.edit_doc(|d| d.prompts.set(kind, v)) }></textarea>
                        <small id=format!("prompt-{key}-hint") class="hint">{format!("Placeholders: {placeholders}. Must use {required}.")}</small>
                        {move || {
                            let e = errors();
                            (!e.is_empty()).then(|| view! { <small id=e2.clone() class="field-error">{e.iter().map(words::prompt_error).collect::<Vec<_>>().join(" ")}</small> })
                        }}
                        {move || cache_note(kind).map(|note| view! { <small class="hint cache-note" role="note">{note}</small> })}
                        <button type="button" disabled=is_default
                            on:click=move |_| tpl.edit_doc(|d| d.prompts.set(kind, String::new()))>
                            {format!("Reset {key} prompt to default")}
                        </button>
                    </div>
                }
            }).collect_view()}
        </details>
    }
}

part!(
    /// The prompt editor: loaded after the first screen.
    prompt_editor_part, later => view! { <PromptEditor /> }
);
