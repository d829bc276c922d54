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
    // The price used is exactly what the fields of a model show: input and output both, or
    // unknown; the cache's prices are optional (empty: the input price).
    let set_price = move |model: String, texts: [String; 6]| {
        let read = texts.map(|t| price_text(&t));
        if let Some(e) = read.iter().find_map(|r| r.clone().err()) {
            settings.prices.update(|t| {
                t.prices.remove(&model);
            });
            error.set(Some(e));
            return;
        }
        let [input, output, cached_input, cache_write, batch_input, batch_output] =
            read.map(|r| r.ok().flatten());
        let problem = match (input, output) {
            (Some(i), Some(o)) => {
                settings.prices.update(|t| {
                    t.prices.insert(
                        model.clone(),
                        Price {
                            input: i,
                            output: o,
                            cached_input,
                            cache_write,
                            batch_input,
                            batch_output,
                        },
                    );
                });
                error.set(None);
                return;
            }
            (None, None) => None,
            _ => Some(words::half_a_price(&model)),
        };
        settings.prices.update(|t| {
            t.prices.remove(&model);
        });
        error.set(problem);
    };
    let models = move || models.get();
    const SIDES: [(&str, &str); 6] = [
        ("Input", "in"),
        ("Output", "out"),
        ("Cached input", "cached"),
        ("Cache write", "write"),
        ("Batch input", "batch-in"),
        ("Batch output", "batch-out"),
    ];
    view! {
            <Show when=move || error.get().is_some()>
                <p role="alert" class="errors">{move || error.get()}</p>
            </Show>
            <div class="table-wrap">
            <table aria-label=label>
                <thead><tr><th scope="col">"Model"</th>
                    {SIDES.map(|(side, _)| view! { <th scope="col">{side}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {move || models().into_iter().enumerate().map(|(k, m)| {
                        let price = settings.prices.with_untracked(|t| t.price_of(&m));
                        let refs: [NodeRef<leptos::html::Input>; 6] = std::array::from_fn(|_| NodeRef::new());
                        let all = move || refs.map(|r| r.get_untracked().map(|e| e.value()).unwrap_or_default());
                        let values = [
                            price.map(|p| p.input),
                            price.map(|p| p.output),
                            price.and_then(|p| p.cached_input),
                            price.and_then(|p| p.cache_write),
                            price.and_then(|p| p.batch_input),
                            price.and_then(|p| p.batch_output),
                        ];
                        let name = m.clone();
                        let cells = SIDES.iter().zip(refs).zip(values).map(|(((side, short), node_ref), value)| {
                            let id = format!("{id_prefix}-{short}-{k}");
                            let model = m.clone();
                            let placeholder = match *short {
                                "in" | "out" => "unknown",
                                "batch-out" => "as output",
                                _ => "as input",
                            };
                            view! {
                                <td>
                                    <label class="visually-hidden" for=id.clone()>{format!("{side} price of {m}")}</label>
                                    <input id=id type="text" inputmode="decimal" placeholder=placeholder node_ref=node_ref
                                        value=value.map(|v| v.to_string())
                                        on:change=move |_| set_price(model.clone(), all()) />
                                </td>
                            }
                        }).collect_view();
                        view! {
                            <tr>
                                <td>{name}</td>
                                {cells}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            </div>
    }
}
