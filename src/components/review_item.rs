//! The open item: its question and answer (also when rejected), the judge's verdicts and
//! reasons, every call with its failure, tokens and time; and what a reviewer can do to it.

use super::focus_after_draw;
use crate::form_state::FormState;
use crate::review::{ReviewState, EDIT_HOME};
use crate::run::Controller;
use crate::run::Phase;
use crate::words;
use leptos::prelude::*;
use synfact_core::run::review::ReviewAction;
use synfact_core::Stage;

/// The panel of the open item.
#[component]
pub fn ReviewItem() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let settings = expect_context::<FormState>();
    let s = expect_context::<ReviewState>();
    let item = Memo::new(move |_| {
        ctl.view.revision.track();
        let id = s.open.get()?;
        ctl.with_run(|r| r.items.get(id).cloned()).flatten()
    });
    let draft_q = RwSignal::new(String::new());
    let draft_a = RwSignal::new(String::new());
    // Set by a first Esc with unsaved changes.
    let warned = RwSignal::new(false);
    // Editing starts from the texts as they are now, with the cursor in the answer.
    Effect::new(move |_| {
        if s.editing.get() {
            warned.set(false);
            if let Some(i) = item.get_untracked() {
                draft_q.set(i.final_question().unwrap_or("").to_string());
                draft_a.set(i.final_answer().unwrap_or("").to_string());
            }
            focus_after_draw("#edit-answer");
        }
    });
    // Leaving editing by its own keys or buttons (Save, Esc, Cancel) puts the focus back on Edit.
    let stop_editing = move || {
        s.editing.set(false);
        s.focus(EDIT_HOME);
    };
    // Esc with changes that are not saved asks for a second Esc first: a stray key never loses a
    // reviewer's text.
    let escape = move || {
        let changed = item.get_untracked().is_some_and(|i| {
            draft_q.with_untracked(|q| q != i.final_question().unwrap_or(""))
                || draft_a.with_untracked(|a| a != i.final_answer().unwrap_or(""))
        });
        if changed && !warned.get_untracked() {
            warned.set(true);
            s.message.set(Some(words::UNSAVED_EDIT.into()));
        } else {
            s.message.set(None);
            stop_editing();
        }
    };
    let act = move |action: ReviewAction| {
        if let Some(id) = s.open.get_untracked() {
            s.act(ctl, vec![id], action);
        }
    };
    let save = move || {
        act(ReviewAction::Edit {
            question: draft_q.get_untracked(),
            answer: draft_a.get_untracked(),
        });
        if s.message.get_untracked().is_none() {
            stop_editing();
        }
    };
    let judge_again = move || {
        let Some(id) = s.open.get_untracked() else {
            return;
        };
        ctl.judge_again(vec![id], &settings.form.get_untracked());
    };
    let can_judge = move || matches!(ctl.view.phase.get(), Phase::Running | Phase::Finished);
    view! {
            <Show when=move || item.get().is_some()
                fallback=|| view! { <p class="hint review-empty">"Open an item (click it, or press J) to read it in full and review it."</p> }>
                {move || item.get().map(|i| {
                    let id = i.id;
                    let kept = i.is_kept();
                    // The judge passed the question if a question-judging call was answered and the
                    // item went on to its answer.
                    let question_passed = i.stage >= Stage::QuestionJudged
                        && !(i.stage.is_terminal() && matches!(i.ended_at, Some(synfact_core::Step::WriteQuestion | synfact_core::Step::JudgeQuestion)))
                        && i.calls.iter().any(|c| c.step == synfact_core::Step::JudgeQuestion && c.error.is_none());
                    let tokens = i.total_usage();
                    let ms: f64 = i.calls.iter().map(|c| c.ms).sum();
                    let shown = i.clone();
                    // The plan's cell the item came from (a run opened from a JSONL file has none).
                    let origin = ctl
                        .with_run(|r| {
                            let q = r.template.questions.get(i.prompt.question as usize)?;
                            let req = r.template.question_requirements.get(i.prompt.requirement as usize)?;
    Some(words::item_origin(i.prompt.question, q, i.prompt.requirement, req))
                        })
                        .flatten();
                    view! {
                        <section class="review-item" aria-labelledby="review-item-heading"
                            on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Escape" && s.editing.get_untracked() { escape(); }>
                            <h3 id="review-item-heading">{format!("Item {} — {}", id + 1, words::item_state(&i))}</h3>
                            <Show when=move || s.message.get().is_some()>
                                <p role="alert" class="errors">{move || s.message.get()}</p>
                            </Show>
                            <div class="buttons">
                                <button type="button" on:click=move |_| act(ReviewAction::Accept)>"Accept"</button>
                                <button type="button" on:click=move |_| act(ReviewAction::Reject)>"Reject"</button>
                                <button type="button" id="review-edit" on:click=move |_| s.editing.set(true)>"Edit"</button>
                                {i.review.decision.is_some().then(|| view! {
                                    <button type="button" on:click=move |_| act(ReviewAction::Undecide)>"Use the judge's decision"</button>
                                })}
                                {if i.review.deleted {
                                    view! { <button type="button" on:click=move |_| act(ReviewAction::Restore)>"Restore"</button> }.into_any()
                                } else {
                                    view! { <button type="button" on:click=move |_| act(ReviewAction::Delete)>"Delete"</button> }.into_any()
                                }}
                                <button type="button" disabled=move || !can_judge()
                                    title="Asks the judge about the answer as it is now (after an edit, the edited one)."
                                    on:click=move |_| judge_again()>"Judge again"</button>
                                <button type="button" on:click=move |_| s.step(-1)>"Previous"</button>
                                <button type="button" on:click=move |_| s.step(1)>"Next"</button>
                            </div>
                            <Show when=move || s.editing.get()
                                fallback=move || {
                                    let i = item.get_untracked().unwrap_or_else(|| shown.clone());
                                    let context = i.imported.as_ref().map(|m| m.context.clone()).unwrap_or_default();
                                    view! {
                                        {(!context.is_empty()).then(|| view! {
                                            <h4>"Earlier in the conversation"</h4>
                                            <ol class="conversation" aria-label="Earlier in the conversation">
                                                {context.into_iter().map(|m| view! {
                                                    <li><strong>{words::role(&m.role)}</strong>" "<span class="text">{m.content}</span></li>
                                                }).collect_view()}
                                            </ol>
                                        })}
                                        <h4>"Question"</h4>
                                        <p class="text">{i.final_question().unwrap_or("No question was written.").to_string()}</p>
                                        <h4>{if kept { "Answer" } else { "Answer (not in the dataset)" }}</h4>
                                        <p class="text">{i.final_answer().unwrap_or("No answer was written.").to_string()}</p>
                                        {i.review.is_edited().then(|| view! {
                                            <details><summary>"Original texts"</summary>
                                                <p class="text">{i.question.clone().unwrap_or_default()}</p>
                                                <p class="text">{i.answer.clone().unwrap_or_default()}</p>
                                                <button type="button" on:click=move |_| act(ReviewAction::Revert)>"Go back to the original texts"</button>
                                            </details>
                                        })}
                                    }
                                }>
                                <div class="field">
                                    <label for="edit-question">"Question"</label>
                                    <textarea id="edit-question" rows="3" prop:value=move || draft_q.get()
                                        on:input=move |ev| draft_q.set(event_target_value(&ev))></textarea>
                                </div>
                                <div class="field">
                                    <label for="edit-answer">"Answer"</label>
                                    <textarea id="edit-answer" rows="8" prop:value=move || draft_a.get()
                                        on:input=move |ev| draft_a.set(event_target_value(&ev))></textarea>
                                </div>
                                <div class="buttons">
                                    <button type="button" class="primary" on:click=move |_| save()>"Save"</button>
                                    <button type="button" on:click=move |_| { s.message.set(None); stop_editing() }>"Cancel editing"</button>
                                </div>
                            </Show>
                            <dl class="facts">
                                {origin.map(|o| view! { <dt>"Made from"</dt><dd>{o}</dd> })}
                                {i.reason.as_ref().map(|r| view! { <dt>"Why it was not accepted"</dt><dd>{words::reason(r, i.ended_at)}</dd> })}
                                <dt>"Judge on the question"</dt>
                                <dd>{i.verdicts.question.clone().unwrap_or_else(|| if question_passed { "Accepted (no reason given).".into() } else { "Not judged.".into() })}</dd>
                                <dt>"Judge on the answer"</dt>
                                <dd>{i.verdicts.answer.clone().unwrap_or_else(|| match i.stage { Stage::Accepted => "Accepted (no reason given).".into(), _ => "Not judged.".into() })}</dd>
                                <dt>"Tokens"</dt>
                                <dd>{format!("{} in, {} out ({} reasoning, {} cached)", tokens.input_tokens, tokens.output_tokens, tokens.reasoning_tokens, tokens.cached_tokens)}</dd>
                                <dt>"Time in calls"</dt>
                                <dd>{format!("{:.1} s", ms / 1000.0)}</dd>
                            </dl>
                            <h4>"Calls"</h4>
                            <ol class="calls">{words::calls(&i).into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ol>
                            {(!i.notes.is_empty()).then(|| view! {
                                <h4>"Notes"</h4>
                                <ul>{i.notes.iter().map(|n| view! { <li>{words::note(n)}</li> }).collect_view()}</ul>
                            })}
                        </section>
                    }
                })}
            </Show>
        }
}
