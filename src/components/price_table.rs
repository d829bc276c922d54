//! The price table: input and output price of each model, editable; the price used is exactly
//! what the two fields of a model show.

use crate::form_state::FormState;
use crate::words;
use leptos::prelude::*;
use synfact_core::cost::Price;

/// Reads a price typed in dollars per million tokens; empty means "unknown".
fn price_text(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim().trim_start_matches('$');
    if t.is_empty() {
        return Ok(None);
    }
    match synfact_core::provider::number::decimal(t) {
        Some(p) if p.is_finite() && p >= 0.0 => Ok(Some(p)),
        _ => Err(words::not_a_price(text)),
    }
}

/// Prices of `models`, editable, in a table named `label`; ids start with `id_prefix` (a page may
/// show two tables).
#[component]
pub fn PriceTable(
    models: Signal<Vec<String>>,
    label: &'static str,
    id_prefix: &'static str,
) -> impl IntoView {
    let settings = expect_context::<FormState>();
    let error = RwSignal::new(None::<String>);
    // The price used is exactly what the two fields of a model show: both numbers, or unknown.
    let set_price = move |model: String, input: String, output: String| {
        let problem = match (price_text(&input), price_text(&output)) {
            (Ok(Some(i)), Ok(Some(o))) => {
                settings.prices.update(|t| {
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
                error.set(None);
                return;
            }
            (Ok(None), Ok(None)) => None,
            (Err(e), _) | (_, Err(e)) => Some(e),
            _ => Some(words::half_a_price(&model)),
        };
        settings.prices.update(|t| {
            t.prices.remove(&model);
        });
        error.set(problem);
    };
    let models = move || models.get();
    view! {
            <Show when=move || error.get().is_some()>
                <p role="alert" class="errors">{move || error.get()}</p>
            </Show>
            <div class="table-wrap">
            <table aria-label=label>
                <thead><tr><th scope="col">"Model"</th><th scope="col">"Input"</th><th scope="col">"Output"</th></tr></thead>
                <tbody>
                    {move || models().into_iter().enumerate().map(|(k, m)| {
                        let price = settings.prices.with_untracked(|t| t.price_of(&m));
                        let in_ref = NodeRef::<leptos::html::Input>::new();
                        let out_ref = NodeRef::<leptos::html::Input>::new();
                        let both = move || {
                            let text = |r: NodeRef<leptos::html::Input>| r.get_untracked().map(|e| e.value()).unwrap_or_default();
                            (text(in_ref), text(out_ref))
                        };
                        let name = m.clone();
                        let cell = move |side: &'static str, node_ref: NodeRef<leptos::html::Input>, value: Option<f64>| {
                            let id = format!("{id_prefix}-{}-{k}", if side == "Input" { "in" } else { "out" });
                            let model = m.clone();
                            view! {
                                <td>
                                    <label class="visually-hidden" for=id.clone()>{format!("{side} price of {m}")}</label>
                                    <input id=id type="text" inputmode="decimal" placeholder="unknown" node_ref=node_ref
                                        value=value.map(|v| v.to_string())
                                        on:change=move |_| { let (i, o) = both(); set_price(model.clone(), i, o) } />
                                </td>
                            }
                        };
                        view! {
                            <tr>
                                <td>{name}</td>
                                {cell("Input", in_ref, price.map(|p| p.input))}
                                {cell("Output", out_ref, price.map(|p| p.output))}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
    }
}
