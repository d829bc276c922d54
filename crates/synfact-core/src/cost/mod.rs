//! What a run has spent, by model and kind of call, and what a run will cost before it starts.
//! `price` holds the prices themselves.

mod eval;
pub mod price;

pub use price::{Price, PriceTable, PRICES_AS_OF};

use crate::provider::wire::Usage;
use crate::run::calls::{call_for_item, Texts};
use crate::run::{Run, Stage, Step};
use crate::template::names::PromptKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tokens and cost of one model at one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub model: String,
    pub stage: PromptKind,
    pub usage: Usage,
    /// `None` when the model's price is unknown.
    pub usd: Option<f64>,
}

/// What a run has used so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    pub rows: Vec<CostRow>,
    pub usage: Usage,
    /// The cost of the rows whose price is known.
    pub known_usd: f64,
    /// Some tokens were used by a model with no known price.
    pub unknown: bool,
}

impl CostReport {
    pub fn of(run: &Run, prices: &PriceTable) -> CostReport {
        let mut sums: BTreeMap<(String, PromptKind), Usage> = BTreeMap::new();
        for item in &run.items {
            for step in Step::ALL {
                let u = &item.usage[step.index()];
                if *u == Usage::default() {
                    continue;
                }
                let model = run.model_at(item, step).config.model.clone();
                sums.entry((model, step.prompt_kind())).or_default().add(u);
            }
        }
        let mut report = CostReport::default();
        for ((model, stage), usage) in sums {
            let usd = prices.price_of(&model).map(|p| p.cost(&usage));
            match usd {
                Some(c) => report.known_usd += c,
                None => report.unknown = true,
            }
            report.usage.add(&usage);
            report.rows.push(CostRow {
                model,
                stage,
                usage,
                usd,
            });
        }
        report
    }
}

/// A forecast of a run before it starts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    pub items: u64,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// `None` when a model's price is unknown.
    pub usd: Option<f64>,
    /// Whether the figures come from a run's measured averages (else from prompt sizes).
    pub measured: bool,
}

/// Tokens a text costs, roughly: four characters a token (English prose with the common
/// tokenizers), rounded up.
pub fn tokens_of(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// Typical replies, in tokens, where nothing is measured yet: a question, an answer (capped by
/// the model's output limit) and a judge's verdict with a short reason.
const QUESTION_TOKENS: u64 = 40;
const ANSWER_TOKENS: u64 = 250;
const JUDGE_TOKENS: u64 = 30;

/// Forecasts `run` (its plan made, nothing sent) — or, when `measured` has finished items, from
/// their average tokens per step and the share of items accepted.
pub fn estimate(run: &Run, prices: &PriceTable, measured: Option<&Run>) -> Estimate {
    if run.eval.is_some() {
        return eval::estimate_eval(run, prices);
    }
    let mut est = Estimate::default();
    let mut usd = Some(0.0);
    let averages = measured.and_then(averages_of);
    let accept_share = match (run.settings.target, &averages) {
        (crate::run::Target::Accepted, Some(a)) => a.accept_share.max(0.05),
        _ => 1.0,
    };
    for (g, generator) in run.generators.iter().enumerate() {
        let items = (run.settings.examples as f64 / accept_share).ceil() as u64;
        est.items += items;
        let sample = run.items.iter().position(|i| i.generator == g);
        for step in Step::ALL {
            let (input, output) = match (&averages, sample) {
                (Some(a), _) => (a.input[step.index()], a.output[step.index()]),
                (None, Some(idx)) => prompt_sizes(run, idx, step),
                (None, None) => (0, 0),
            };
            est.calls += items;
            est.input_tokens += items * input;
            est.output_tokens += items * output;
            let model = if step.is_judge() {
                &run.judge.config.model
            } else {
                &generator.config.model
            };
            usd = match (usd, prices.price_of(model)) {
                (Some(sum), Some(p)) => Some(
                    sum + p.cost(&Usage {
                        input_tokens: items * input,
                        output_tokens: items * output,
                        ..Usage::default()
                    }),
                ),
                _ => None,
            };
        }
    }
    est.usd = usd;
    est.measured = averages.is_some();
    est
}

/// Input and output tokens of one step of item `idx`, from its prompt with typical texts.
fn prompt_sizes(run: &Run, idx: usize, step: Step) -> (u64, u64) {
    let mut probe = run.items[idx].clone();
    probe.question = Some("x".repeat((QUESTION_TOKENS * 4) as usize));
    let max_out = u64::from(run.generators[probe.generator].config.max_tokens);
    probe.answer = Some("x".repeat((ANSWER_TOKENS.min(max_out) * 4) as usize));
    let call = call_for_item(run, &probe, step, Texts::Final);
    let input = call
        .messages
        .iter()
        .map(|m| tokens_of(&m.content) + 4)
        .sum::<u64>();
    let output = match step {
        Step::WriteQuestion => QUESTION_TOKENS,
        Step::WriteAnswer => ANSWER_TOKENS.min(max_out),
        Step::JudgeQuestion | Step::JudgeAnswer => JUDGE_TOKENS,
    };
    (input, output)
}

struct Averages {
    input: [u64; 4],
    output: [u64; 4],
    accept_share: f64,
}

/// Average tokens per step over the items that reached it, and the share of ended items accepted.
fn averages_of(run: &Run) -> Option<Averages> {
    let ended: Vec<_> = run.items.iter().filter(|i| i.stage.is_terminal()).collect();
    if ended.is_empty() {
        return None;
    }
    let mut a = Averages {
        input: [0; 4],
        output: [0; 4],
        accept_share: 0.0,
    };
    for step in Step::ALL {
        let s = step.index();
        let used: Vec<&Usage> = ended
            .iter()
            .map(|i| &i.usage[s])
            .filter(|u| u.input_tokens > 0)
            .collect();
        if used.is_empty() {
            continue;
        }
        let n = used.len() as u64;
        a.input[s] = used.iter().map(|u| u.input_tokens).sum::<u64>() / n;
        a.output[s] = used.iter().map(|u| u.output_tokens).sum::<u64>() / n;
    }
    let accepted = ended.iter().filter(|i| i.stage == Stage::Accepted).count();
    a.accept_share = accepted as f64 / ended.len() as f64;
    Some(a)
}

#[cfg(test)]
mod tests;
