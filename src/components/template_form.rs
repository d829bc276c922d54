//! The template as a form: fact name, fact sheet (with its size in tokens), key sentence, seed
//! questions and requirements. Every problem shows next to its field as the user types.

use super::list_editor::ListEditor;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use synfact_core::{TemplateDoc, TemplateField, TemplateIssue};

fn field_problems(tpl: TemplateState, f: TemplateField) -> Signal<Option<String>> {
    Signal::derive(move || {
        tpl.parsed.with(|(_, issues)| {
            let list: Vec<String> = issues
                .iter()
                .filter(|i| {
                    i.field() == Some(f)
                        && tpl.shows(i)
                        && !matches!(
                            i,
                            TemplateIssue::EmptyItem { .. }
                                | TemplateIssue::DuplicateItem { .. }
                                | TemplateIssue::ItemTooLong { .. }
                        )
                })
                .map(words::template_issue)
                .collect();
            (!list.is_empty()).then(|| list.join(" "))
        })
    })
}

fn item_problems(tpl: TemplateState, f: TemplateField) -> Signal<Vec<(usize, String)>> {
    Signal::derive(move || {
        tpl.parsed.with(|(_, issues)| {
            issues
                .iter()
                .filter_map(|i| match i {
                    TemplateIssue::EmptyItem { field, index }
                    | TemplateIssue::DuplicateItem { field, index, .. }
                    | TemplateIssue::ItemTooLong { field, index, .. }
                        if field == &f =>
                    {
                        Some((index - 1, words::template_issue(i)))
                    }
                    _ => None,
                })
                .collect()
        })
    })
}

/// A problem that must be fixed shows as an error; a warning alone as a note.
fn problem_class(tpl: TemplateState, f: TemplateField) -> &'static str {
    if invalid(tpl, f) {
        "field-error"
    } else {
        "field-note"
    }
}

/// Whether a field has a problem that must be fixed (not just a warning).
fn invalid(tpl: TemplateState, f: TemplateField) -> bool {
    tpl.parsed.with(|(_, issues)| {
        issues
            .iter()
            .any(|i| i.field() == Some(f) && !i.is_warning() && tpl.shows(i))
    })
}

/// A text of the template, bound to the parsed file.
fn text(tpl: TemplateState, get: fn(&TemplateDoc) -> &String) -> Signal<String> {
    Signal::derive(move || {
        tpl.parsed
            .with(|(d, _)| d.as_ref().map(|d| get(d).clone()).unwrap_or_default())
    })
}

/// The form view of the template.
#[component]
pub fn TemplateForm() -> impl IntoView {
    let tpl = expect_context::<TemplateState>();
    let readable = move || tpl.parsed.with(|(d, _)| d.is_some());
    // The form writes the whole template back as JSON: while the JSON holds something the form
    // cannot show, the form only shows.
    let locked = move || tpl.form_locked();
    let tokens = move || {
        tpl.parsed
            .with(|(d, _)| d.as_ref().map_or(0, |d| d.template.fact_tokens()))
    };
    let described =
        |id: &'static str, error: Signal<Option<String>>, hint: Option<&'static str>| {
            move || {
                let mut ids: Vec<String> = hint.map(|h| vec![h.to_string()]).unwrap_or_default();
                if error.with(Option::is_some) {
                    ids.push(format!("{id}-error"));
                }
                (!ids.is_empty()).then(|| ids.join(" "))
            }
        };
    let name_error = field_problems(tpl, TemplateField::FactName);
    let fact_error = field_problems(tpl, TemplateField::GivenFact);
    let key_error = field_problems(tpl, TemplateField::KeySentence);
    view! {
        <Show when=readable fallback=|| view! {
            <p class="errors">"The JSON view below has an error the form cannot read past: fix it there, and the form comes back."</p>
        }>
            <Show when=locked>
                <p class="errors" id="tpl-form-locked">{words::FORM_LOCKED}</p>
            </Show>
            <fieldset class="plain" prop:disabled=locked aria-describedby=move || locked().then_some("tpl-form-locked")>
            <legend class="visually-hidden">"Template fields"</legend>
            <div class="field">
                <label for="tpl-fact-name">"Fact name"</label>
                <input id="tpl-fact-name" type="text" spellcheck="false"
                    aria-describedby=described("tpl-fact-name", name_error, Some("tpl-fact-name-hint"))
                    aria-invalid=move || invalid(tpl, TemplateField::FactName).then_some("true")
                    prop:value=text(tpl, |d| &d.template.fact_name)
                    on:blur=move |_| tpl.touch(TemplateField::FactName)
                    on:input=move |ev| { let v = event_target_value(&ev); tpl.edit_doc(|d| d.template.fact_name = v) } />
                <small id="tpl-fact-name-hint" class="hint">"Names the downloaded files; also how My templates lists it (change it to rename)."</small>
                {move || name_error.get().map(|e| view! { <small id="tpl-fact-name-error" class=problem_class(tpl, TemplateField::FactName)>{e}</small> })}
            </div>
            <div class="field">
                <label for="tpl-fact-sheet">"Fact sheet"</label>
                <textarea id="tpl-fact-sheet" rows="8"
                    aria-describedby=described("tpl-fact-sheet", fact_error, Some("tpl-fact-sheet-hint"))
                    aria-invalid=move || invalid(tpl, TemplateField::GivenFact).then_some("true")
                    prop:value=text(tpl, |d| &d.template.given_fact)
                    on:blur=move |_| tpl.touch(TemplateField::GivenFact)
                    on:input=move |ev| { let v = event_target_value(&ev); tpl.edit_doc(|d| d.template.given_fact = v) }></textarea>
                <small id="tpl-fact-sheet-hint" class="hint">{move || words::fact_tokens(tokens())}</small>
                {move || fact_error.get().map(|e| view! { <small id="tpl-fact-sheet-error" class=problem_class(tpl, TemplateField::GivenFact)>{e}</small> })}
            </div>
            <div class="field">
                <label for="tpl-key-sentence">"Key sentence"</label>
                <textarea id="tpl-key-sentence" rows="2"
                    aria-describedby=described("tpl-key-sentence", key_error, Some("tpl-key-sentence-hint"))
                    aria-invalid=move || invalid(tpl, TemplateField::KeySentence).then_some("true")
                    prop:value=text(tpl, |d| &d.template.specific_information_to_always_include)
                    on:blur=move |_| tpl.touch(TemplateField::KeySentence)
                    on:input=move |ev| { let v = event_target_value(&ev); tpl.edit_doc(|d| d.template.specific_information_to_always_include = v) }></textarea>
                <small id="tpl-key-sentence-hint" class="hint">"The sentence every answer must carry."</small>
                {move || key_error.get().map(|e| view! { <small id="tpl-key-sentence-error" class=problem_class(tpl, TemplateField::KeySentence)>{e}</small> })}
            </div>
            <ListEditor id="tpl-question" title="Seed question" noun="seed question"
                items=Signal::derive(move || tpl.parsed.with(|(d, _)| d.as_ref().map(|d| d.template.questions.clone()).unwrap_or_default()))
                on_change=Callback::new(move |l: Vec<String>| { tpl.touch(TemplateField::Questions); tpl.edit_doc(|d| d.template.questions = l) })
                item_error=item_problems(tpl, TemplateField::Questions)
                error=field_problems(tpl, TemplateField::Questions) />
            <ListEditor id="tpl-requirement" title="Question requirement" noun="requirement"
                items=Signal::derive(move || tpl.parsed.with(|(d, _)| d.as_ref().map(|d| d.template.question_requirements.clone()).unwrap_or_default()))
                on_change=Callback::new(move |l: Vec<String>| { tpl.touch(TemplateField::Requirements); tpl.edit_doc(|d| d.template.question_requirements = l) })
                item_error=item_problems(tpl, TemplateField::Requirements)
                error=field_problems(tpl, TemplateField::Requirements) />
            </fieldset>
        </Show>
    }
}
