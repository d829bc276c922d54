//! What a run has spent, by model and kind of call, and what a run will cost before it starts.
//! `price` holds the prices themselves.

mod eval;
pub mod price;

pub use price::{Price, PriceTable, PRICES_AS_OF};

use crate::provider::wire::prompt_cache::cacheable_tokens;
use crate::provider::wire::{LlmCall, ProviderKind, Usage};
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
    /// What the providers' prompt caches took off the known cost (cache writes counted against
    /// it): the cost at full input price minus `known_usd`.
    #[serde(default)]
    pub saved_usd: f64,
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
            let price = prices.price_of(&model);
            let usd = price.map(|p| p.cost(&usage));
            match (usd, price) {
                (Some(c), Some(p)) => {
                    report.known_usd += c;
                    report.saved_usd += p.cost_uncached(&usage) - c;
                }
                _ => report.unknown = true,
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
    /// Of the input, what the providers' prompt caches are expected to serve, and to be written.
    pub cached_tokens: u64,
    pub cache_write_tokens: u64,
    /// `None` when a model's price is unknown.
    pub usd: Option<f64>,
    /// Whether the figures come from a run's measured averages (else from prompt sizes).
    pub measured: bool,
    /// Priced as batches (the run is sent through the provider's batch service).
    pub batch: bool,
}

pub use crate::provider::wire::prompt_cache::tokens as tokens_of;

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
    for g in 0..run.generators.len() {
        let items = (run.settings.examples as f64 / accept_share).ceil() as u64;
        est.items += items;
        let sample = run.items.iter().position(|i| i.generator == g);
        for step in Step::ALL {
            let spec = run.model_for(g, step);
            let model = &spec.config.model;
            let endpoint = &run.endpoints[spec.endpoint];
            let per_call = match (&averages, sample) {
                (Some(a), _) => a.usage[step.index()],
                (None, Some(idx)) => {
                    let (input, output, shared) = prompt_sizes(run, idx, step);
                    let cached = cacheable_tokens(endpoint.kind, model, shared);
                    Usage {
                        input_tokens: input,
                        output_tokens: output,
                        cached_tokens: cached,
                        ..Usage::default()
                    }
                }
                (None, None) => Usage::default(),
            };
            let mut usage = expected_usage(
                endpoint.kind,
                &per_call,
                items,
                u64::from(endpoint.concurrency),
                averages.is_some(),
            );
            if run.settings.batch {
                // Every call at the batch price, no prompt-cache discount counted on top.
                usage = crate::provider::batch::batched(usage);
            }
            est.calls += items;
            est.input_tokens += usage.input_tokens;
            est.output_tokens += usage.output_tokens;
            est.cached_tokens += usage.cached_tokens;
            est.cache_write_tokens += usage.cache_write_tokens;
            usd = match (usd, prices.price_of(model)) {
                (Some(sum), Some(p)) => Some(sum + p.cost(&usage)),
                _ => None,
            };
        }
    }
    est.usd = usd;
    est.measured = averages.is_some();
    est.batch = run.settings.batch;
    est
}

/// What a prompt that puts an item's own text before the fact sheet (`Prompts::cache_break`)
/// adds to a run of `run`'s size: past the first wave, every call of the prompt's steps pays the
/// fact sheet at the input price instead of the cached price. `None` when a price is unknown.
pub fn cache_break_usd(run: &Run, prices: &PriceTable, kind: PromptKind) -> Option<f64> {
    let fact = tokens_of(&run.template.given_fact);
    let mut usd = 0.0;
    for g in 0..run.generators.len() {
        for step in Step::ALL.into_iter().filter(|s| s.prompt_kind() == kind) {
            let spec = run.model_for(g, step);
            let endpoint = &run.endpoints[spec.endpoint];
            let per_call = Usage {
                cached_tokens: cacheable_tokens(endpoint.kind, &spec.config.model, fact),
                ..Usage::default()
            };
            let n = run.settings.examples as u64;
            let concurrency = u64::from(endpoint.concurrency);
            // The fact sheet's tokens the cache would have served (reads, at the cached price).
            let served =
                expected_usage(endpoint.kind, &per_call, n, concurrency, false).cached_tokens;
            let p = prices.price_of(&spec.config.model)?;
            let per_token = p.input - p.cached_input.unwrap_or(p.input);
            usd += served as f64 * per_token / 1_000_000.0;
        }
    }
    Some(usd)
}

/// The usage of `n` calls of one step. Measured averages already hold the provider's cache
/// reads and writes; from prompt sizes, `per_call.cached_tokens` is what the cache can serve
/// once it holds the shared start: the first `concurrency` calls go out before any reply, so
/// they find it empty (Anthropic writes it then), and the rest read it.
fn expected_usage(
    kind: ProviderKind,
    per_call: &Usage,
    n: u64,
    concurrency: u64,
    measured: bool,
) -> Usage {
    let times = |u: &Usage, k: u64| Usage {
        input_tokens: u.input_tokens * k,
        output_tokens: u.output_tokens * k,
        reasoning_tokens: u.reasoning_tokens * k,
        cached_tokens: u.cached_tokens * k,
        cache_write_tokens: u.cache_write_tokens * k,
        batch_input_tokens: u.batch_input_tokens * k,
        batch_output_tokens: u.batch_output_tokens * k,
    };
    if measured {
        return times(per_call, n);
    }
    let cold = n.min(concurrency.max(1));
    let cacheable = per_call.cached_tokens;
    let mut u = times(
        &Usage {
            cached_tokens: 0,
            ..*per_call
        },
        n,
    );
    u.cached_tokens = (n - cold) * cacheable;
    if kind == ProviderKind::Anthropic {
        u.cache_write_tokens = cold * cacheable;
    }
    u
}

/// Input and output tokens of one step of item `idx`, from its prompt with typical texts, and
/// the tokens of the start its prompt shares with every call of the step.
fn prompt_sizes(run: &Run, idx: usize, step: Step) -> (u64, u64, u64) {
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
    (input, output, shared_tokens(&call))
}

/// What a round of batch calls (item, step, call) is expected to cost at batch prices: each
/// call's prompt as it is, and the run's average reply of the step so far (else a typical one).
/// Calls of a model with no known price count nothing.
pub fn round_usd(run: &Run, prices: &PriceTable, calls: &[(usize, Step, &LlmCall)]) -> f64 {
    let averages = averages_of(run);
    calls
        .iter()
        .filter_map(|&(idx, step, call)| {
            let price = prices.price_of(&call.config.model)?.batched();
            let input: u64 = call
                .messages
                .iter()
                .map(|m| tokens_of(&m.content) + 4)
                .sum();
            let measured = averages
                .as_ref()
                .map_or(0, |a| a.usage[step.index()].output_tokens);
            let output = if measured > 0 {
                measured
            } else {
                prompt_sizes(run, idx, step).1
            };
            Some(price.cost(&Usage {
                input_tokens: input,
                output_tokens: output,
                ..Usage::default()
            }))
        })
        .sum()
}

/// Tokens of the start of a call's prompt that every call of its stage shares.
pub fn shared_tokens(call: &LlmCall) -> u64 {
    let Some(s) = call.shared else { return 0 };
    let before: u64 = call.messages[..s.message.min(call.messages.len())]
        .iter()
        .map(|m| tokens_of(&m.content) + 4)
        .sum();
    let part = call
        .messages
        .get(s.message)
        .and_then(|m| m.content.get(..s.bytes))
        .map_or(0, tokens_of);
    before + part
}

struct Averages {
    /// Per call of each step: input (with the cache's reads and writes), output.
    usage: [Usage; 4],
    accept_share: f64,
}

/// Average tokens per step over the items that reached it, and the share of ended items accepted.
fn averages_of(run: &Run) -> Option<Averages> {
    let ended: Vec<_> = run.items.iter().filter(|i| i.stage.is_terminal()).collect();
    if ended.is_empty() {
        return None;
    }
    let mut a = Averages {
        usage: [Usage::default(); 4],
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
        let avg = |f: fn(&Usage) -> u64| used.iter().map(|u| f(u)).sum::<u64>() / n;
        a.usage[s] = Usage {
            input_tokens: avg(|u| u.input_tokens),
            output_tokens: avg(|u| u.output_tokens),
            reasoning_tokens: avg(|u| u.reasoning_tokens),
            cached_tokens: avg(|u| u.cached_tokens),
            cache_write_tokens: avg(|u| u.cache_write_tokens),
            batch_input_tokens: avg(|u| u.batch_input_tokens),
            batch_output_tokens: avg(|u| u.batch_output_tokens),
        };
    }
    let accepted = ended.iter().filter(|i| i.stage == Stage::Accepted).count();
    a.accept_share = accepted as f64 / ended.len() as f64;
    Some(a)
}

#[cfg(test)]
mod cache_tests;
#[cfg(test)]
mod tests;
