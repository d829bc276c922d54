//! Prices: US dollars per million tokens by model name, the published defaults (dated), and
//! the cost of a reply's usage. A model's price is looked up by its name (a dated snapshot such
//! as `gpt-4o-mini-2024-07-18` or an OpenRouter name such as `openai/gpt-4o-mini` finds its base
//! model); a model with no known price costs "unknown", never a guess.

use crate::provider::wire::Usage;
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
    /// Input tokens written to the provider's prompt cache (Anthropic bills them above the
    /// input price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<f64>,
    /// Input and output tokens of calls sent through the provider's batch service (empty: the
    /// list price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_input: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_output: Option<f64>,
}

impl Price {
    /// The cost of `u` in dollars.
    pub fn cost(&self, u: &Usage) -> f64 {
        let batch_in = u.batch_input_tokens.min(u.input_tokens);
        let batch_out = u.batch_output_tokens.min(u.output_tokens);
        let live_in = u.input_tokens - batch_in;
        let cached = u.cached_tokens.min(live_in);
        let written = u.cache_write_tokens.min(live_in - cached);
        let fresh = live_in - cached - written;
        (fresh as f64 * self.input
            + cached as f64 * self.cached_input.unwrap_or(self.input)
            + written as f64 * self.cache_write.unwrap_or(self.input)
            + (u.output_tokens - batch_out) as f64 * self.output
            + batch_in as f64 * self.batch_input.unwrap_or(self.input)
            + batch_out as f64 * self.batch_output.unwrap_or(self.output))
            / 1_000_000.0
    }

    /// This price with every call sent through the batch service.
    pub fn batched(&self) -> Price {
        Price {
            input: self.batch_input.unwrap_or(self.input),
            output: self.batch_output.unwrap_or(self.output),
            cached_input: None,
            cache_write: None,
            ..*self
        }
    }

    /// What `u` would have cost with every input token at the input price: the cost without
    /// the provider's prompt cache.
    pub fn cost_uncached(&self, u: &Usage) -> f64 {
        self.cost(&Usage {
            cached_tokens: 0,
            cache_write_tokens: 0,
            ..*u
        })
    }
}

/// When the default prices were read from the providers' published price pages.
pub const PRICES_AS_OF: &str = "2025-08-15";

/// OpenAI's Batch API and Anthropic's Message Batches bill half the list price.
pub const BATCH_SHARE: f64 = 0.5;

/// Anthropic bills a 5-minute cache write at 1.25× the model's input price.
const ANTHROPIC_CACHE_WRITE: f64 = 1.25;

/// Published list prices (USD per million tokens: input, output, cached input) of common models.
/// Anthropic's models (`claude-`) also bill cache writes, at `ANTHROPIC_CACHE_WRITE`× input.
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
                            cache_write: m
                                .starts_with("claude-")
                                .then_some(input * ANTHROPIC_CACHE_WRITE),
                            batch_input: Some(input * BATCH_SHARE),
                            batch_output: Some(output * BATCH_SHARE),
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
