//! The fact template: which one (built-ins and My templates), what to do with it (new,
//! duplicate, delete, save, import, export, share), and its two views — a form and the JSON.

use super::prompt_editor::prompt_editor_part;
use super::select_field::SelectField;
use super::template_form::TemplateForm;
use crate::errors::{ImportError, TemplateFileError};
use crate::parts::{load, Lazy};
use crate::template_state::TemplateNote;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use synfact_core::template::BUILT_IN;
use wasm_bindgen::JsCast;

/// The template section.
#[component]
pub fn TemplatePanel() -> impl IntoView {
    let tpl = expect_context::<TemplateState>();
    let template = tpl.template;
    let import_error = RwSignal::new(None::<ImportError>);
    let action_error = RwSignal::new(None::<TemplateFileError>);
    let options = Signal::derive(move || {
        let mut o: Vec<(String, String)> = BUILT_IN
            .iter()
            .map(|(n, _)| (n.to_string(), n.to_string()))
            .collect();
        tpl.my_templates.with(|l| {
            for t in l {
                o.push((format!("mine:{}", t.id), format!("{} (mine)", t.name)));
            }
        });
        match template.with(|t| t.choice.clone()).as_str() {
            "custom" => o.push(("custom".into(), "Edited template (not saved)".into())),
            "shared" => o.push(("shared".into(), "Shared template (not saved)".into())),
            _ => {}
        }
        o
    });
    let is_mine = move || template.with(|t| t.mine().is_some());
    let is_unsaved = move || template.with(|t| matches!(t.choice.as_str(), "custom" | "shared"));
    // Problems as they show yet (see `TemplateState::shows`) in an alert; a key sentence about
    // another subject as a note.
    let listed = move |notes: bool| {
        tpl.parsed.with(|(_, issues)| {
            issues
                .iter()
                .filter(|i| {
                    // A key sentence about another subject may be meant: said, not alarmed.
                    let note = matches!(i, synfact_core::TemplateIssue::KeySentenceUnrelated);
                    note == notes && tpl.shows(i)
                })
                .map(words::template_issue)
                .collect::<Vec<_>>()
        })
    };
    let issues = move || listed(false);
    let warnings = move || listed(true);
    let busy = RwSignal::new(false);
    let errors = Feedback {
        action: action_error,
        import: import_error,
        busy,
    };
    let press = move |action: Action| act(tpl, action, errors);
    let import = move |file: web_sys::File| press(Action::Import(file));
    let on_file = move |ev: web_sys::Event| {
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        {
            import(file);
        }
        if let Some(i) = input {
            // The same file can be picked again after it is fixed.
            i.set_value("");
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            import(file);
        }
    };
    view! {
        <section aria-labelledby="template-heading" class="template"
            on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
            <h2 id="template-heading">"Fact template"</h2>
            <Show when=move || tpl.link_error.get().is_some()>
                <p role="alert" class="errors">{move || tpl.link_error.get()}</p>
            </Show>
            <Show when=move || tpl.loaded.get() fallback=|| view! { <p>"Loading your template…"</p> }>
            <SelectField id="template".into() label="Template".into() options=options
                value=Signal::derive(move || template.with(|t| t.choice.clone()))
                on_change=Callback::new(move |v| tpl.choose(v))
                hint="The built-ins, and My templates (kept in this browser; changes to them are saved as you type)." />
            <div class="buttons">
                <button type="button" on:click=move |_| press(Action::New)>"New template"</button>
                <button type="button" on:click=move |_| press(Action::Duplicate)>"Duplicate"</button>
                <Show when=is_unsaved>
                    <button type="button" class="primary" on:click=move |_| press(Action::SaveToMine)>"Save to my templates"</button>
                </Show>
                <Show when=is_mine>
                    <button type="button" on:click=move |_| press(Action::DeleteMine)>"Delete template"</button>
                </Show>
                <button type="button" on:click=move |_| press(Action::Export)>"Export template"</button>
                <button type="button" on:click=move |_| press(Action::Share)>"Copy share link"</button>
            </div>
            <Show when=move || busy.get()>
                <p role="status" class="note">{words::TEMPLATE_PART_LOADING}</p>
            </Show>
            <Show when=move || tpl.note.get().is_some()>
                <p role="status" class="note" id="template-note">
                    {move || tpl.note.get().map(|n| words::template_note(&n))}
                    {move || matches!(tpl.note.get(), Some(TemplateNote::Deleted(_))).then(|| view! {
                        " " <button type="button" id="template-undo" on:click=move |_| press(Action::UndoDelete)>"Undo"</button>
                    })}
                </p>
            </Show>
            <Show when=move || action_error.get().is_some()>
                <p role="alert" class="errors" id="template-action-error">{move || action_error.get().map(|e| words::template_file_error(&e))}</p>
            </Show>
            <Show when=move || tpl.share_link().is_some()>
                <div class="field">
                    <label for="share-link">"Share link"</label>
                    <input id="share-link" type="text" readonly aria-describedby="share-link-hint"
                        prop:value=move || tpl.share_link().unwrap_or_default()
                        on:focus=|ev| { if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { i.select(); } } />
                    <small id="share-link-hint" class="hint">{move || format!("{} characters. Anyone who opens it sees this template (nothing is sent to a server).", tpl.share_link().map_or(0, |l| l.chars().count()))}</small>
                </div>
            </Show>
            <TemplateForm />
            <Lazy what="prompt editor" loading=load!(prompt_editor_part) reserve="reserve-details" />
            <div class="field">
                <label for="template-json">"Template JSON"</label>
                <textarea
                    id="template-json"
                    rows="12"
                    spellcheck="false"
                    aria-describedby="template-json-hint"
                    aria-invalid=move || tpl.parsed.with(|(d, _)| d.is_none()).then_some("true")
                    prop:value=move || template.with(|t| t.text.clone())
                    on:input=move |ev| tpl.edit_text(event_target_value(&ev))
                ></textarea>
                <small id="template-json-hint" class="hint">
                    "The same template as a file: fact_name, given_fact, specific_information_to_always_include, questions, question_requirements (the original module's names), and prompts when changed. Edits here show in the form above, and the other way round."
                </small>
            </div>
            <div class="field">
                <label for="template-file">"Import template file"</label>
                <input id="template-file" type="file" accept=".json,application/json" aria-describedby="template-file-hint" on:change=on_file />
                <small id="template-file-hint" class="hint">"Or drop a .json file anywhere on this section."</small>
            </div>
            <Show when=move || !issues().is_empty() || import_error.get().is_some()>
                <div role="alert" class="errors" id="template-problems">
                    <p>{move || import_error.get().map(|e| words::import_error(&e))}</p>
                    <ul>{move || issues().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                </div>
            </Show>
            <Show when=move || !warnings().is_empty()>
                <ul class="note" aria-label="Template notes">{move || warnings().into_iter().map(|e| view! { <li>{format!("Note: {e}")}</li> }).collect_view()}</ul>
            </Show>
            </Show>
        </section>
    }
}

/// What the section's buttons and file picker do.
enum Action {
    New,
    Duplicate,
    SaveToMine,
    DeleteMine,
    UndoDelete,
    Export,
    Share,
    Import(web_sys::File),
}

/// What the section says of a press: what went wrong, and whether it waits for its code.
#[derive(Clone, Copy)]
struct Feedback {
    action: RwSignal<Option<TemplateFileError>>,
    import: RwSignal<Option<ImportError>>,
    busy: RwSignal<bool>,
}

/// Carries out `action`, its code fetched first if it is not here yet: no part of it is needed
/// to show the template, so it comes with the chunk loaded after the first screen. While it is
/// on its way the section says so, and further presses are not queued behind it.
fn act(tpl: TemplateState, action: Action, errors: Feedback) {
    if errors.busy.get_untracked() {
        return;
    }
    errors.busy.set(true);
    leptos::task::spawn_local(async move {
        let done = crate::parts::call_split!(carry_out(tpl, action, errors)).await;
        errors.busy.set(false);
        if done.is_err() {
            errors.action.set(Some(TemplateFileError::Chunk));
            super::show_after_draw("#template-action-error");
        }
    });
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn carry_out(
    tpl: TemplateState,
    action: Action,
    errors: Feedback,
) -> Result<(), crate::parts::ChunkError> {
    // What an earlier press could not do no longer stands.
    errors.action.set(None);
    match action {
        Action::New => tpl.new_template(),
        Action::Duplicate => tpl.duplicate(),
        Action::SaveToMine => tpl.save_to_mine(),
        Action::DeleteMine => {
            tpl.delete_mine();
            // The pressed button is gone: the cursor goes to Undo.
            super::focus_after_draw("#template-undo");
        }
        Action::UndoDelete => {
            tpl.undo_delete();
            super::focus_after_draw("#template");
        }
        Action::Export => errors.action.set(tpl.export().err()),
        Action::Share => errors.action.set(tpl.share().err()),
        Action::Import(file) => leptos::task::spawn_local(async move {
            let result = match crate::download::read_file(file).await {
                Ok((name, text)) => tpl.import(&name, &text),
                Err(e) => Err(ImportError::from(e)),
            };
            // The answer shows where it is, whichever end of the section the file came in at.
            super::show_after_draw(if result.is_ok() {
                "#template-note"
            } else {
                "#template-problems"
            });
            errors.import.set(result.err());
        }),
    }
    Ok(())
}
