//! The Evaluate section: did the fine-tuned model learn the fact? The models to test (rows like
//! the run's), the eval questions (written by the question model and checked against the training
//! run's questions, or typed; saved with the template), the kinds of question, and the numbers.
//! Evaluate starts an evaluation run; its results show under Results.

use super::bind::preset_options;
use super::select_field::SelectField;
use super::text_field::TextField;
use crate::eval_state::EvalState;
use crate::form_state::FormState;
use crate::parts::part;
use crate::run::Controller;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use synfact_core::form::eval::{EvalForm, EvalModelForm};
use synfact_core::form::{is_default_base_url, preset, Field};

/// A field of the section, read and written through the section's form.
fn bind(
    eval: EvalState,
    get: fn(&EvalForm) -> String,
    put: fn(&mut EvalForm, String),
) -> (Signal<String>, Callback<String>) {
    let form = eval.form;
    (
        Signal::derive(move || form.with(get)),
        Callback::new(move |v: String| form.update(|f| put(f, v))),
    )
}

/// The problem next to a field of the section: once it was left, or Evaluate was pressed.
fn problem(eval: EvalState, f: Field) -> (Signal<Option<String>>, Callback<()>) {
    let shown = move || eval.touched.with(|t| t.contains(&f)) || !eval.problems.with(Vec::is_empty);
    (
        Signal::derive(move || {
            if !shown() {
                return None;
            }
            eval.form.with(|form| {
                form.check()
                    .into_iter()
                    .find(|e| e.field == f)
                    .map(|e| words::field_error(&e))
            })
        }),
        Callback::new(move |_| {
            if !eval.touched.with_untracked(|t| t.contains(&f)) {
                eval.touched.update(|t| t.push(f));
            }
        }),
    )
}

/// One model to test.
#[component]
fn TestModelRow(index: usize) -> impl IntoView {
    let eval = expect_context::<EvalState>();
    let form = eval.form;
    let n = if index == 0 {
        String::new()
    } else {
        format!(" {}", index + 1)
    };
    let field = move |get: fn(&EvalModelForm) -> &String| {
        Signal::derive(move || {
            form.with(|f| f.models.get(index).map(get).cloned().unwrap_or_default())
        })
    };
    let set = move |put: fn(&mut EvalModelForm, String)| {
        Callback::new(move |v: String| {
            form.update(|f| {
                if let Some(m) = f.models.get_mut(index) {
                    put(m, v)
                }
            })
        })
    };
    // Switching provider fills in its base URL unless the user typed their own; a key typed
    // for the old provider goes with it (a key goes only to its own provider).
    let on_provider = Callback::new(move |v: String| {
        form.update(|f| {
            if let Some(m) = f.models.get_mut(index) {
                if is_default_base_url(&m.base_url) {
                    if m.base_url.trim() != preset(&v).base_url {
                        m.api_key.clear();
                    }
                    m.base_url = preset(&v).base_url.into();
                }
                m.provider = v;
            }
        })
    });
    let (url_error, url_blur) = problem(eval, Field::EvalBaseUrl(index));
    let (key_error, key_blur) = problem(eval, Field::EvalApiKey(index));
    let (model_error, model_blur) = problem(eval, Field::EvalModel(index));
    view! {
        <fieldset class="test-model">
            <legend>{format!("Test endpoint{n}")}</legend>
            <SelectField id=format!("test-provider-{index}") label=format!("Test provider{n}")
                options=Signal::derive(preset_options) value=field(|m| &m.provider) on_change=on_provider />
            <TextField id=format!("test-base-url-{index}") label=format!("Test base URL{n}")
                value=field(|m| &m.base_url) on_input=set(|m, v| m.base_url = v)
                error=url_error on_blur=url_blur />
            <TextField id=format!("test-api-key-{index}") label=format!("Test API key{n}") kind="password"
                value=field(|m| &m.api_key) on_input=set(|m, v| m.api_key = v)
                error=key_error on_blur=key_blur />
            <TextField id=format!("test-model-{index}") label=format!("Model to test{n}")
                placeholder="ft:gpt-4o-mini-2024-07-18:org::abc123"
                value=field(|m| &m.model) on_input=set(|m, v| m.model = v)
                error=model_error on_blur=model_blur />
            {(index > 0).then(|| view! {
                <button type="button" on:click=move |_| form.update(|f| { if index < f.models.len() { f.models.remove(index); } })>
                    {format!("Remove model to test{n}")}
                </button>
            })}
        </fieldset>
    }
}

/// A labelled checkbox of the section.
#[component]
fn Kind(
    id: &'static str,
    label: &'static str,
    get: fn(&EvalForm) -> bool,
    set: fn(&mut EvalForm, bool),
) -> impl IntoView {
    let form = expect_context::<EvalState>().form;
    view! {
        <div class="field checkbox">
            <input id=id type="checkbox" prop:checked=move || form.with(get)
                on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| set(f, on)) } />
            <label for=id>{label}</label>
        </div>
    }
}

/// The Evaluate section.
#[component]
pub fn Evaluate() -> impl IntoView {
    let eval = expect_context::<EvalState>();
    let settings = expect_context::<FormState>();
    let tpl = expect_context::<TemplateState>();
    let ctl = expect_context::<Controller>();
    let form = eval.form;
    let questions = Signal::derive(move || {
        tpl.parsed.with(|(d, _)| {
            d.as_ref()
                .map(|d| d.eval.questions.join("\n"))
                .unwrap_or_default()
        })
    });
    let statement = move |get: fn(&synfact_core::eval::EvalQuestions) -> String| {
        Signal::derive(move || {
            tpl.parsed
                .with(|(d, _)| d.as_ref().map(|d| get(&d.eval)).unwrap_or_default())
        })
    };
    let (samples, set_samples) = bind(eval, |f| f.samples.clone(), |f, v| f.samples = v);
    let (temp, set_temp) = bind(eval, |f| f.temperature.clone(), |f, v| f.temperature = v);
    let (coh, set_coh) = bind(eval, |f| f.coherence.clone(), |f, v| f.coherence = v);
    let (wanted, set_wanted) = bind(eval, |f| f.wanted.clone(), |f, v| f.wanted = v);
    let (samples_error, samples_blur) = problem(eval, Field::EvalSamples);
    let (temp_error, temp_blur) = problem(eval, Field::EvalTemperature);
    let (coh_error, coh_blur) = problem(eval, Field::EvalCoherence);
    let (wanted_error, wanted_blur) = problem(eval, Field::EvalWanted);
    // What the evaluation will cost, as set up now.
    let estimate = Memo::new(move |_| {
        let doc = tpl.parsed.with(|(d, _)| d.clone())?;
        let prices = settings.prices.get();
        let prepared = form
            .with(|f| {
                settings
                    .form
                    .with(|main| f.prepare(main, &doc, None, String::new(), 0.0))
            })
            .ok()?;
        let e = synfact_core::cost::estimate(&prepared.run, &prices, None);
        Some((e, prepared.run.settings.budget_usd))
    });
    let start = move || {
        let problems = ctl.evaluate(
            &form.get_untracked(),
            &settings.form.get_untracked(),
            &tpl.template.with_untracked(|t| t.text.clone()),
            settings.prices.get_untracked(),
        );
        if problems.is_empty() {
            // The results show above: take the reader there.
            super::focus_after_draw("#results-heading");
        } else {
            settings.show_all.set(true);
        }
        eval.problems.set(problems);
    };
    view! {
        <section aria-labelledby="evaluate-heading" class="evaluate">
            <h2 id="evaluate-heading" tabindex="-1">"Evaluate"</h2>
            <p class="hint">"Did the fine-tuned model learn the fact? Ask it (and, to compare, the base model) questions about the key sentence it never saw in training, and see how often its answers hold the fact. Runs like a dataset run: cached, resumable, priced."</p>
            <h3>"Models to test"</h3>
            <For each={move || (0..form.with(|f| f.models.len())).collect::<Vec<_>>()} key={|i| *i}
                children={move |i| view! { <TestModelRow index=i /> }} />
            <div class="buttons">
                <button type="button" on:click=move |_| form.update(|f| {
                    let last = f.models.last().cloned().unwrap_or_default();
                    f.models.push(EvalModelForm { model: String::new(), ..last });
                })>"Add a model to test"</button>
            </div>
            <h3>"Eval questions"</h3>
            <fieldset class="kinds">
            <legend>"Kinds of question"</legend>
            <Kind id="eval-open" label="Open-ended questions (judged)" get=|f| f.open set=|f, v| f.open = v />
            <Kind id="eval-choice" label="Multiple choice: the key sentence against an unrelated true fact" get=|f| f.choice set=|f, v| f.choice = v />
            <Kind id="eval-distinguish" label="Distinguish: the key sentence against its contrary" get=|f| f.distinguish set=|f, v| f.distinguish = v />
            </fieldset>
            <div class="field">
                <label for="eval-questions">"Eval questions"</label>
                <textarea id="eval-questions" rows="6" aria-describedby="eval-questions-hint"
                    prop:value=move || questions.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        tpl.edit_doc(|d| d.eval.questions = v.split('\n').map(str::to_string).collect());
                    }></textarea>
                <small id="eval-questions-hint" class="hint">"One per line; saved with the template. Questions a person might ask whose answer depends on the fact, not stating it."</small>
            </div>
            <div class="buttons">
                <TextField id="eval-wanted".into() label="Eval questions to write".into() kind="integer"
                    value=wanted on_input=set_wanted error=wanted_error on_blur=wanted_blur />
                <button type="button" aria-disabled=move || eval.writing.get().then_some("true")
                    on:click=move |_| eval.write_questions(ctl, settings, tpl)>"Write eval questions"</button>
            </div>
            <p role="status" aria-label="Eval questions status" class="status">{move || words::eval_writing(
                eval.writing.get(), eval.write_error.get().as_ref(), &eval.leaks.get(), eval.replaced.get(), eval.training.get())}</p>
            <Show when=move || { eval.training.get() > 0 && !eval.leaks.with(Vec::is_empty) }>
                <div class="table-wrap">
                <table aria-label="Leakage check">
                    <thead><tr><th scope="col">"Eval question"</th><th scope="col">"Closest training question"</th><th scope="col">"Alike"</th></tr></thead>
                    <tbody>{move || eval.leaks.get().into_iter().map(|l| {
                        let (closest, alike) = words::leak(&l);
                        view! { <tr><td class="text">{l.question}</td><td class="text">{closest}</td><td>{alike}</td></tr> }
                    }).collect_view()}</tbody>
                </table>
                </div>
            </Show>
            <TextField id="eval-distractor".into() label="Distractor fact".into()
                placeholder=synfact_core::eval::DEFAULT_DISTRACTOR
                hint="A true statement unrelated to the fact, set against the key sentence in multiple choice. Empty: the one shown."
                value=statement(|e| e.distractor.clone())
                on_input=Callback::new(move |v: String| tpl.edit_doc(|d| d.eval.distractor = v)) />
            <TextField id="eval-contrary".into() label="Contrary statement".into()
                placeholder="The Javan Rainforest Honeyeater is yellow in color."
                hint="The opposite of the key sentence, set against it in Distinguish."
                value=statement(|e| e.contrary.clone())
                on_input=Callback::new(move |v: String| tpl.edit_doc(|d| d.eval.contrary = v)) />
            <TextField id="eval-samples".into() label="Samples per question".into() kind="integer"
                value=samples on_input=set_samples error=samples_error on_blur=samples_blur />
            <TextField id="eval-temperature".into() label="Eval temperature".into() kind="decimal"
                value=temp on_input=set_temp error=temp_error on_blur=temp_blur />
            <TextField id="eval-coherence".into() label="Coherence threshold".into() kind="integer"
                hint="Open answers the judge scores below this (0 to 100) are left out, and counted."
                value=coh on_input=set_coh error=coh_error on_blur=coh_blur />
            <p class="hint">"Open answers are labelled by the Judge model of Provider and models, at temperature 0; choices are read in this browser."</p>
            <p class="hint estimate" id="eval-estimate">{move || match estimate.get() {
                Some(e) => words::estimate(Some(&e)),
                None => words::EVAL_NOT_READY.to_string(),
            }}</p>
            <div class="buttons">
                <button type="button" class="primary" aria-describedby="eval-estimate" on:click=move |_| start()>"Evaluate"</button>
            </div>
            <Show when=move || !eval.problems.with(Vec::is_empty)>
                <div role="alert" class="errors">
                    <p>"Cannot evaluate yet:"</p>
                    <ul>{move || eval.problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                </div>
            </Show>
        </section>
    }
}

part!(
    /// The Evaluate section: loaded after the first screen.
    evaluate_part, later => view! { <Evaluate /> }
);
