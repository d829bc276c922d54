//! The model call an item makes at each step, built from the run's template and prompts (what
//! the engine sends, what the estimate sizes, and what deleting a run frees from the cache).

use crate::eval::{self, EvalCase, EvalSpec};
use crate::provider::cache_key::cache_key;
use crate::provider::wire::{LlmCall, ReplySchema};
use crate::run::{Item, Run, Step};
use crate::template::prompts::{answer_prompt, judge_prompt, question_prompt};

/// Which question and answer a call is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Texts {
    /// The reviewer's edits, where there are any (what the next call uses).
    Final,
    /// The model's own texts (what the calls already made used).
    Original,
}

/// The model call an item of `run` makes at a step, with its current sample number.
pub fn call_for(run: &Run, idx: usize, step: Step, texts: Texts) -> LlmCall {
    call_for_item(run, &run.items[idx], step, texts)
}

/// The model call `item` (of `run`, or shaped like one of its items) makes at a step.
pub fn call_for_item(run: &Run, item: &Item, step: Step, texts: Texts) -> LlmCall {
    if let (Some(spec), Some(case)) = (&run.eval, &item.eval) {
        return eval_call(run, spec, item, case, step, texts);
    }
    let t = &run.template;
    let prompts = &run.prompts;
    let model = run.model_at(item, step);
    let (question, answer) = match texts {
        Texts::Final => (item.final_question(), item.final_answer()),
        Texts::Original => (item.question.as_deref(), item.answer.as_deref()),
    };
    let question = question.unwrap_or("");
    let (prompt, judged) = match step {
        Step::WriteQuestion => (question_prompt(prompts, t, &item.prompt), false),
        Step::WriteAnswer => (answer_prompt(prompts, t, question), false),
        Step::JudgeQuestion => {
            let task = question_prompt(prompts, t, &item.prompt).task();
            (judge_prompt(prompts, t, &task, question, question), true)
        }
        Step::JudgeAnswer => {
            let task = answer_prompt(prompts, t, question).task();
            (
                judge_prompt(prompts, t, &task, question, answer.unwrap_or("")),
                true,
            )
        }
    };
    let mut config = model.config.clone();
    if let Some(n) = item.max_tokens.filter(|_| !step.is_judge()) {
        config.max_tokens = n;
    }
    LlmCall {
        messages: prompt.messages,
        config,
        schema: judged.then_some(ReplySchema::Verdict),
        sample: item.samples[step.index()],
        draw: if step == Step::WriteQuestion {
            item.draw
        } else {
            0
        },
        shared: prompt.shared,
    }
}

/// An evaluation item's call: its question to the model under test, or the judge's look at an
/// open answer. Each sample of a case is its own draw, so its own cache key.
fn eval_call(
    run: &Run,
    spec: &EvalSpec,
    item: &Item,
    case: &EvalCase,
    step: Step,
    texts: Texts,
) -> LlmCall {
    let key = &run.template.specific_information_to_always_include;
    let model = run.model_at(item, step);
    let mut config = model.config.clone();
    let (messages, schema, draw) = if step.is_judge() {
        let answer = match texts {
            Texts::Final => item.final_answer(),
            Texts::Original => item.answer.as_deref(),
        };
        let question = eval::prompts::question_text(case, &spec.questions, key);
        (
            eval::prompts::judge_prompt(&question, answer.unwrap_or(""), key),
            Some(ReplySchema::Belief),
            0,
        )
    } else {
        if let Some(n) = item.max_tokens {
            config.max_tokens = n;
        }
        (
            eval::prompts::answer_prompt(case, &spec.questions, key),
            None,
            case.sample,
        )
    };
    LlmCall {
        messages,
        config,
        schema,
        sample: item.samples[step.index()],
        draw,
        shared: None,
    }
}

/// The cache keys of every call a run has made (every sample of every step an item reached):
/// what deleting the run frees from the cache.
pub fn cache_keys(run: &Run) -> Vec<String> {
    let mut keys = Vec::new();
    for (idx, item) in run.items.iter().enumerate() {
        for step in Step::ALL {
            let reached =
                item.steps_done() > step.index() || item.calls.iter().any(|c| c.step == step);
            if !reached {
                continue;
            }
            let endpoint = run.model_at(item, step).endpoint;
            let Some(spec) = run.endpoints.get(endpoint) else {
                continue;
            };
            let mut call = call_for(run, idx, step, Texts::Original);
            for sample in 0..=item.samples[step.index()] {
                call.sample = sample;
                keys.push(cache_key(spec.kind, &spec.base_url, &call));
            }
        }
    }
    keys
}
