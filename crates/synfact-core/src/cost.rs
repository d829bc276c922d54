//! Prices, what a run has spent, and what a run will cost before it starts.
//!
//! A model's price is looked up by its name (a dated snapshot such as `gpt-4o-mini-2024-07-18`
//! or an OpenRouter name such as `openai/gpt-4o-mini` finds its base model); a model with no
//! known price costs "unknown", never a guess.

use crate::run::{Run, Stage, Step};
use crate::wire::Usage;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// US dollars per million tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Input tokens served from the provider's prompt cache, where it bills them differently.
    #[serde(default)]
    pub cached_input: Option<f64>,
}

impl Price {
    /// The cost of `u` in dollars.
    pub fn cost(&self, u: &Usage) -> f64 {
        let cached = u.cached_tokens.min(u.input_tokens);
        let fresh = u.input_tokens - cached;
        (fresh as f64 * self.input
            + cached as f64 * self.cached_input.unwrap_or(self.input)
            + u.output_tokens as f64 * self.output)
            / 1_000_000.0
    }
}

/// When the default prices were read from the providers' published price pages.
pub const PRICES_AS_OF: &str = "2025-08-15";

/// Published list prices (USD per million tokens: input, output, cached input) of common models.
const DEFAULTS: [(&str, f64, f64, Option<f64>); 20] = [
    ("gpt-4o-mini", 0.15, 0.60, Some(0.075)),
    ("gpt-4o", 2.50, 10.00, Some(1.25)),
    ("gpt-4.1", 2.00, 8.00, Some(0.50)),
    ("gpt-4.1-mini", 0.40, 1.60, Some(0.10)),
    ("gpt-4.1-nano", 0.10, 0.40, Some(0.025)),
    ("gpt-5", 1.25, 10.00, Some(0.125)),
    ("gpt-5-mini", 0.25, 2.00, Some(0.025)),
    ("gpt-5-nano", 0.05, 0.40, Some(0.005)),
    ("o3", 2.00, 8.00, Some(0.50)),
    ("o4-mini", 1.10, 4.40, Some(0.275)),
    ("o3-mini", 1.10, 4.40, Some(0.55)),
    ("claude-3-5-haiku", 0.80, 4.00, Some(0.08)),
    ("claude-3-5-sonnet", 3.00, 15.00, Some(0.30)),
    ("claude-3-7-sonnet", 3.00, 15.00, Some(0.30)),
    ("claude-sonnet-4", 3.00, 15.00, Some(0.30)),
    ("claude-opus-4", 15.00, 75.00, Some(1.50)),
    ("claude-opus-4-1", 15.00, 75.00, Some(1.50)),
    ("claude-3-haiku", 0.25, 1.25, Some(0.03)),
    ("gemini-2.0-flash", 0.10, 0.40, Some(0.025)),
    ("gemini-2.5-flash", 0.30, 2.50, Some(0.075)),
];

/// Prices by model name: the defaults, with the user's own entries over them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceTable {
    pub prices: BTreeMap<String, Price>,
}

impl PriceTable {
    pub fn defaults() -> PriceTable {
        PriceTable {
            prices: DEFAULTS
                .iter()
                .map(|&(m, input, output, cached_input)| {
                    (
                        m.to_string(),
                        Price {
                            input,
                            output,
                            cached_input,
                        },
                    )
                })
                .collect(),
        }
    }

    /// The price of a model: its exact name, else its base name without a provider prefix
    /// (`openai/`) or a date suffix (`-2024-07-18`, `-20241022`, `-latest`).
    pub fn price_of(&self, model: &str) -> Option<Price> {
        let model = model.trim();
        if let Some(p) = self.prices.get(model) {
            return Some(*p);
        }
        let bare = model.rsplit('/').next().unwrap_or(model);
        if let Some(p) = self.prices.get(bare) {
            return Some(*p);
        }
        let base = strip_date(bare)?;
        self.prices.get(base).copied()
    }
}

/// `name-2024-07-18`, `name-20241022` or `name-latest` → `name`.
fn strip_date(model: &str) -> Option<&str> {
    if let Some(base) = model.strip_suffix("-latest") {
        return Some(base);
    }
    let (base, tail) = model.rsplit_once('-')?;
    if tail.len() == 8 && tail.bytes().all(|b| b.is_ascii_digit()) {
        return Some(base);
    }
    // -YYYY-MM-DD: three dash-separated numbers.
    let mut parts = model.rsplitn(4, '-');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    let base = parts.next()?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(y, 4) && digits(m, 2) && digits(d, 2)).then_some(base)
}

/// The three kinds of call, as a cost report groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage3 {
    Question,
    Answer,
    Judge,
}

impl Stage3 {
    pub fn of(step: Step) -> Stage3 {
        match step {
            Step::WriteQuestion => Stage3::Question,
            Step::WriteAnswer => Stage3::Answer,
            Step::JudgeQuestion | Step::JudgeAnswer => Stage3::Judge,
        }
    }
}

/// Tokens and cost of one model at one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub model: String,
    pub stage: Stage3,
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

/// The model a step of an item is sent to.
pub fn model_for(run: &Run, generator: usize, step: Step) -> &str {
    if step.is_judge() {
        &run.judge.config.model
    } else {
        run.generators
            .get(generator)
            .map_or("", |g| g.config.model.as_str())
    }
}

impl CostReport {
    pub fn of(run: &Run, prices: &PriceTable) -> CostReport {
        let mut sums: BTreeMap<(String, Stage3), Usage> = BTreeMap::new();
        for item in &run.items {
            for step in Step::ALL {
                let u = &item.usage[step.index()];
                if *u == Usage::default() {
                    continue;
                }
                let model = model_for(run, item.generator, step).to_string();
                sums.entry((model, Stage3::of(step))).or_default().add(u);
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
    let call = crate::engine::call_for_item(run, &probe, step, crate::engine::Texts::Final);
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
