//! The local quality checks, switchable: key sentence, disclaimers, set-up leaks, the checkable
//! part of requirements, near-duplicate questions, and how often a failing step is asked again.

use super::bind::{checks, getter, setter};
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::form_state::FormState;
use leptos::prelude::*;
use synfact_core::form::{Field, QualityForm};

/// A labelled checkbox bound to one switch of the quality form.
#[component]
fn Switch(
    id: &'static str,
    label: &'static str,
    get: fn(&QualityForm) -> bool,
    set: fn(&mut QualityForm, bool),
) -> impl IntoView {
    let form = expect_context::<FormState>().form;
    view! {
        <div class="field checkbox">
            <input id=id type="checkbox" prop:checked=move || form.with(|f| get(&f.quality))
                on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| set(&mut f.quality, on)) } />
            <label for=id>{label}</label>
        </div>
    }
}

/// The quality checks section of the settings.
#[component]
pub fn QualitySettings() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let form = settings.form;
    let options = vec![
        (
            "lenient".to_string(),
            "Lenient: same words, any case or punctuation".to_string(),
        ),
        (
            "strict".to_string(),
            "Strict: the exact sentence".to_string(),
        ),
        ("off".to_string(), "Off".to_string()),
    ];
    view! {
        <details>
            <summary>"Quality checks"</summary>
            <p class="hint">"Checked in this browser on every reply, before the judge: a reply that fails is asked again, then rejected with its reason. They cost no judge calls."</p>
            <SelectField id="check-key-sentence".into() label="Key sentence in every answer".into() options=options
                value=getter(form, |f| f.quality.key_sentence.clone()) on_change=setter(form, |f, v| f.quality.key_sentence = v) />
            <Switch id="check-disclaimers" label="Reject disclaimers (\"as an AI\", \"fictional\", \"I don't have information\")"
                get=|q| q.disclaimers set=|q, v| q.disclaimers = v />
            <Switch id="check-leaks" label="Reject answers that mention the set-up (\"the fact sheet\", \"the prompt\")"
                get=|q| q.leaks set=|q, v| q.leaks = v />
            <Switch id="check-requirements" label="Check questions against their requirement (language, word limits)"
                get=|q| q.requirements set=|q, v| q.requirements = v />
            <Switch id="check-duplicates" label="Reject near-duplicate questions"
                get=|q| q.duplicates set=|q, v| q.duplicates = v />
            <TextField id="duplicate-threshold".into() label="Duplicate threshold".into() kind="decimal"
                value=getter(form, |f| f.quality.duplicate_threshold.clone()) on_input=setter(form, |f, v| f.quality.duplicate_threshold = v)
                hint="How alike two questions' own words must be (0.05 to 1) to count as one. 0.4 flags reworded repeats and no distinct question in our tests."
                error=checks(settings, Field::DuplicateThreshold).0 on_blur=checks(settings, Field::DuplicateThreshold).1 />
            <TextField id="reasks".into() label="Re-asks per step".into() kind="integer"
                value=getter(form, |f| f.quality.reasks.clone()) on_input=setter(form, |f, v| f.quality.reasks = v)
                hint="Fresh samples asked after a check fails (0 to 5)."
                error=checks(settings, Field::Reasks).0 on_blur=checks(settings, Field::Reasks).1 />
        </details>
    }
}
