//! Tokens and cost of the run shown, per model and stage, live; and the price table, editable.

use super::price_table::PriceTable;
use crate::form_state::FormState;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::cost::{CostReport, PRICES_AS_OF};
use synfact_core::template::PromptKind;

fn stage_name(s: PromptKind) -> &'static str {
    match s {
        PromptKind::Question => "questions",
        PromptKind::Answer => "answers",
        PromptKind::Judge => "judge",
    }
}

/// The cost table and the prices of the run's models.
#[component]
pub fn CostPanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let settings = expect_context::<FormState>();
    let report = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.view.progress.track();
        let prices = settings.prices.get();
        ctl.with_run(|r| CostReport::of(r, &prices))
            .unwrap_or_default()
    });
    let models = move || {
        ctl.view.revision.track();
        let mut m: Vec<String> = ctl
            .with_run(|r| {
                r.generators
                    .iter()
                    .map(|g| g.config.model.clone())
                    .chain([r.judge.config.model.clone()])
                    .collect()
            })
            .unwrap_or_default();
        m.sort_unstable();
        m.dedup();
        m
    };
    view! {
        <details class="cost" open>
            <summary>{move || {
                let r = report.get();
                words::cost_summary(&r)
            }}</summary>
            <div class="table-wrap">
            <table aria-label="Tokens and cost">
                <thead><tr><th scope="col">"Model"</th><th scope="col">"Stage"</th><th scope="col">"Input tokens"</th>
                    <th scope="col">"Output tokens"</th><th scope="col">"Reasoning"</th><th scope="col">"Cached input"</th><th scope="col">"Cost"</th><th scope="col">"Cache writes"</th></tr></thead>
                <tbody>
                    {move || report.get().rows.into_iter().map(|r| view! {
                        <tr>
                            <td>{r.model}</td><td>{stage_name(r.stage)}</td>
                            <td>{r.usage.input_tokens}</td><td>{r.usage.output_tokens}</td>
                            <td>{r.usage.reasoning_tokens}</td><td>{r.usage.cached_tokens}</td>
                            <td>{r.usd.map_or_else(|| "unknown".to_string(), words::usd)}</td>
                            // Added after the columns people already read by position.
                            <td>{r.usage.cache_write_tokens}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <h4>"Prices (US dollars per million tokens)"</h4>
            <p class="hint">{format!("Defaults are the providers' published list prices as of {PRICES_AS_OF}; change them to match your account. A model with no price shows \"unknown\". Cached input is what the provider bills for input served from its prompt cache, Cache write what Anthropic bills for writing it (1.25× input); empty means the input price. Batch input and Batch output are what a call sent as a batch costs (half the list price at OpenAI and Anthropic as of {PRICES_AS_OF}); empty means the list price.")}</p>
            <PriceTable models=Signal::derive(models) label="Prices" id_prefix="price" />
        </details>
    }
}
