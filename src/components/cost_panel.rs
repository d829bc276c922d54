//! Tokens and cost of the run shown, per model and stage, live; and the price table, editable.

use crate::run::Controller;
use crate::state::AppState;
use crate::words;
use leptos::prelude::*;
use synfact_core::cost::{CostReport, Price, Stage3, PRICES_AS_OF};

fn stage_name(s: Stage3) -> &'static str {
    match s {
        Stage3::Question => "questions",
        Stage3::Answer => "answers",
        Stage3::Judge => "judge",
    }
}

/// Reads a price typed in dollars per million tokens; empty means "unknown".
fn price_text(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim().trim_start_matches('$');
    if t.is_empty() {
        return Ok(None);
    }
    match synfact_core::number::decimal(t) {
        Some(p) if p.is_finite() && p >= 0.0 => Ok(Some(p)),
        _ => Err(format!(
            "\"{}\" is not a price: type dollars per million tokens, such as 0.15.",
            text.trim()
        )),
    }
}

/// The cost table and the prices of the run's models.
#[component]
pub fn CostPanel() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let app = expect_context::<AppState>();
    let report = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.view.progress.track();
        let prices = app.prices.get();
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
    let error = RwSignal::new(None::<String>);
    // The price used is exactly what the two fields of a model show: both numbers, or unknown.
    let set_price = move |model: String, input: String, output: String| {
        let read = |t: &str| price_text(t);
        let problem = match (read(&input), read(&output)) {
            (Ok(Some(i)), Ok(Some(o))) => {
                app.prices.update(|t| {
                    let cached_input = t.price_of(&model).and_then(|p| p.cached_input);
                    t.prices.insert(
                        model.clone(),
                        Price {
                            input: i,
                            output: o,
                            cached_input,
                        },
                    );
                });
                None
            }
            (Ok(None), Ok(None)) => None,
            (Err(e), _) | (_, Err(e)) => Some(e),
            _ => Some(format!(
                "Give both the input and the output price of {model}, or neither; until then its cost is unknown."
            )),
        };
        if problem.is_some() || (input.trim().is_empty() && output.trim().is_empty()) {
            app.prices.update(|t| {
                t.prices.remove(&model);
            });
        }
        error.set(problem);
    };
    view! {
        <details class="cost" open>
            <summary>{move || {
                let r = report.get();
                format!("Tokens and cost: {} in, {} out, {}", r.usage.input_tokens, r.usage.output_tokens, words::cost(&r))
            }}</summary>
            <div class="table-wrap">
            <table aria-label="Tokens and cost">
                <thead><tr><th scope="col">"Model"</th><th scope="col">"Stage"</th><th scope="col">"Input tokens"</th>
                    <th scope="col">"Output tokens"</th><th scope="col">"Reasoning"</th><th scope="col">"Cached input"</th><th scope="col">"Cost"</th></tr></thead>
                <tbody>
                    {move || report.get().rows.into_iter().map(|r| view! {
                        <tr>
                            <td>{r.model}</td><td>{stage_name(r.stage)}</td>
                            <td>{r.usage.input_tokens}</td><td>{r.usage.output_tokens}</td>
                            <td>{r.usage.reasoning_tokens}</td><td>{r.usage.cached_tokens}</td>
                            <td>{r.usd.map_or_else(|| "unknown".to_string(), words::usd)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <h4>"Prices (US dollars per million tokens)"</h4>
            <p class="hint">{format!("Defaults are the providers' published list prices as of {PRICES_AS_OF}; change them to match your account. A model with no price shows \"unknown\".")}</p>
            <Show when=move || error.get().is_some()>
                <p role="alert" class="errors">{move || error.get()}</p>
            </Show>
            <div class="table-wrap">
            <table aria-label="Prices">
                <thead><tr><th scope="col">"Model"</th><th scope="col">"Input"</th><th scope="col">"Output"</th></tr></thead>
                <tbody>
                    {move || models().into_iter().enumerate().map(|(k, m)| {
                        let price = app.prices.with_untracked(|t| t.price_of(&m));
                        let in_ref = NodeRef::<leptos::html::Input>::new();
                        let out_ref = NodeRef::<leptos::html::Input>::new();
                        let both = move || {
                            let text = |r: NodeRef<leptos::html::Input>| r.get_untracked().map(|e| e.value()).unwrap_or_default();
                            (text(in_ref), text(out_ref))
                        };
                        let (m1, m2) = (m.clone(), m.clone());
                        let in_id = format!("price-in-{k}");
                        let out_id = format!("price-out-{k}");
                        view! {
                            <tr>
                                <td>{m.clone()}</td>
                                <td>
                                    <label class="visually-hidden" for=in_id.clone()>{format!("Input price of {m}")}</label>
                                    <input id=in_id type="text" inputmode="decimal" placeholder="unknown" node_ref=in_ref
                                        value=price.map(|p| p.input.to_string())
                                        on:change=move |_| { let (i, o) = both(); set_price(m1.clone(), i, o) } />
                                </td>
                                <td>
                                    <label class="visually-hidden" for=out_id.clone()>{format!("Output price of {m}")}</label>
                                    <input id=out_id type="text" inputmode="decimal" placeholder="unknown" node_ref=out_ref
                                        value=price.map(|p| p.output.to_string())
                                        on:change=move |_| { let (i, o) = both(); set_price(m2.clone(), i, o) } />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </details>
    }
}
