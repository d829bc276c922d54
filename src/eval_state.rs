//! The Evaluate section as the page holds it: its form (kept in localStorage like the main
//! one), and writing eval questions — the question model (the main form's Model 1) writes them,
//! each is checked against the training run's questions, and those too close are replaced.

use crate::errors::EvalWriteError;
use crate::form_state::FormState;
use crate::run::Controller;
use crate::storage::prefs;
use crate::template_state::TemplateState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use synfact_core::eval::leakage::{self, Leak, LEAK_THRESHOLD};
use synfact_core::eval::prompts::{read_questions, write_prompt};
use synfact_core::form::eval::EvalForm;
use synfact_core::provider::wire::LlmCall;

/// Rounds of replacements for questions too close to the training set.
const REPLACE_ROUNDS: usize = 2;

/// The Evaluate section's signals (provided once at the root).
#[derive(Clone, Copy)]
pub struct EvalState {
    pub form: RwSignal<EvalForm>,
    /// Fields left at least once.
    pub touched: RwSignal<Vec<synfact_core::form::Field>>,
    /// The last leakage check: each eval question and the closest training question.
    pub leaks: RwSignal<Vec<Leak>>,
    /// How many written questions were replaced for being too close.
    pub replaced: RwSignal<usize>,
    /// How many training questions the last check compared against (0: no dataset run shown).
    pub training: RwSignal<usize>,
    pub writing: RwSignal<bool>,
    pub write_error: RwSignal<Option<EvalWriteError>>,
    /// Why Evaluate could not start (worded).
    pub problems: RwSignal<Vec<String>>,
}

impl EvalState {
    pub fn new() -> EvalState {
        EvalState {
            form: RwSignal::new(prefs::load_eval_form()),
            touched: RwSignal::new(Vec::new()),
            leaks: RwSignal::new(Vec::new()),
            replaced: RwSignal::new(0),
            training: RwSignal::new(0),
            writing: RwSignal::new(false),
            write_error: RwSignal::new(None),
            problems: RwSignal::new(Vec::new()),
        }
    }

    /// Saves the section as it changes (keys only when the user opted in).
    pub fn persist(self, settings: FormState) {
        let form = self.form;
        Effect::new(move |_| {
            let on = settings.remember_keys.get();
            if !form.with(|f| prefs::save_eval_form(f, on)) {
                settings
                    .save_error
                    .set(Some(crate::errors::SaveError::Form));
            }
        });
    }

    /// Has the main form's Model 1 write eval questions about the template's key sentence,
    /// replaces those too close to the questions of the run shown (when it is a dataset run),
    /// and puts them in the template's eval questions.
    pub fn write_questions(self, ctl: Controller, settings: FormState, tpl: TemplateState) {
        if self.writing.get_untracked() {
            return;
        }
        self.write_error.set(None);
        let Some(doc) = tpl.parsed.with_untracked(|(d, _)| d.clone()) else {
            return self.write_error.set(Some(EvalWriteError::NoTemplate));
        };
        let (endpoint, key, config) = match settings.form.get_untracked().writer() {
            Ok(w) => w,
            Err(e) => return self.write_error.set(Some(EvalWriteError::Form(e))),
        };
        let wanted = self.form.with_untracked(EvalForm::wanted);
        let training: Vec<String> = ctl
            .with_run(|r| {
                if r.eval.is_some() {
                    Vec::new()
                } else {
                    r.items.iter().filter_map(|i| i.question.clone()).collect()
                }
            })
            .unwrap_or_default();
        self.writing.set(true);
        let training_count = training.len();
        spawn_local(async move {
            let t = &doc.template;
            let ask = |n: u32, avoid: Vec<String>| {
                let call = LlmCall {
                    messages: write_prompt(
                        &t.specific_information_to_always_include,
                        &t.fact_name,
                        n,
                        &avoid,
                    ),
                    config: config.clone(),
                    schema: None,
                    sample: 0,
                    draw: avoid.len() as u32,
                    shared: None,
                };
                let (endpoint, key) = (endpoint.clone(), key.clone());
                async move {
                    let abort = web_sys::AbortController::new().ok();
                    let Some(abort) = abort else {
                        return Err(EvalWriteError::NoQuestions);
                    };
                    crate::provider::call(
                        endpoint.kind,
                        &endpoint.base_url,
                        &key,
                        &call,
                        120_000,
                        &abort,
                    )
                    .await
                    .map_err(EvalWriteError::Call)
                    .map(|reply| read_questions(&reply.text))
                }
            };
            let result = async {
                let mut questions: Vec<String> = ask(wanted, Vec::new()).await?;
                questions.truncate(wanted as usize);
                if questions.is_empty() {
                    return Err(EvalWriteError::NoQuestions);
                }
                let mut replaced = 0;
                let mut avoid: Vec<String> = Vec::new();
                for _ in 0..REPLACE_ROUNDS {
                    let leaks = leakage::check(t, &training, &questions, LEAK_THRESHOLD);
                    let close: Vec<String> = leaks
                        .iter()
                        .filter(|l| l.too_close)
                        .map(|l| l.question.clone())
                        .collect();
                    if close.is_empty() {
                        break;
                    }
                    avoid.extend(close.iter().cloned());
                    avoid.extend(
                        leaks
                            .iter()
                            .filter(|l| l.too_close)
                            .filter_map(|l| l.closest.as_ref().map(|(q, _)| q.clone())),
                    );
                    let fresh: Vec<String> = ask(close.len() as u32, avoid.clone())
                        .await?
                        .into_iter()
                        .filter(|f| !questions.contains(f) && !avoid.contains(f))
                        .collect();
                    let mut fresh = fresh.into_iter();
                    for q in questions.iter_mut().filter(|q| close.contains(q)) {
                        if let Some(f) = fresh.next() {
                            *q = f;
                            replaced += 1;
                        }
                    }
                }
                let leaks = leakage::check(t, &training, &questions, LEAK_THRESHOLD);
                // Any still too close are left out rather than kept.
                questions.retain(|q| !leaks.iter().any(|l| &l.question == q && l.too_close));
                Ok((questions, leaks, replaced))
            }
            .await;
            self.writing.set(false);
            match result {
                Ok((questions, leaks, replaced)) => {
                    tpl.edit_doc(|d| d.eval.questions = questions);
                    self.leaks.set(leaks);
                    self.replaced.set(replaced);
                    self.training.set(training_count);
                }
                Err(e) => self.write_error.set(Some(e)),
            }
        });
    }
}

impl Default for EvalState {
    fn default() -> Self {
        Self::new()
    }
}
