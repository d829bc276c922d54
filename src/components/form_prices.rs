//! The prices of the form's models that have no list price: loaded after the first screen.

use super::price_table::PriceTable;
use crate::form_state::FormState;
use leptos::prelude::*;

/// The prices of the form's models that have no list price, apart from those of the shown run
/// (whose table, under Tokens and cost, has them): they can be given, and corrected, before a
/// first run.
#[component]
pub fn FormPrices() -> impl IntoView {
    let form = expect_context::<FormState>().form;
    let ctl = expect_context::<crate::run::Controller>();
    let defaults = synfact_core::cost::PriceTable::defaults();
    let unpriced = Memo::new(move |_| {
        ctl.view.revision.track();
        let in_run: Vec<String> = ctl
            .with_run(|r| {
                r.generators
                    .iter()
                    .chain([&r.judge])
                    .map(|g| g.config.model.clone())
                    .collect()
            })
            .unwrap_or_default();
        let mut m: Vec<String> = form.with(|f| {
            f.models
                .iter()
                .map(|m| m.model.trim().to_string())
                .chain([f.judge_model.trim().to_string()])
                .filter(|m| !m.is_empty() && defaults.price_of(m).is_none() && !in_run.contains(m))
                .collect()
        });
        m.sort_unstable();
        m.dedup();
        m
    });
    view! {
        <Show when=move || unpriced.with(|m| !m.is_empty())>
            <details class="form-prices" open>
                <summary>"Prices of the models without a list price"</summary>
                <p class="hint">"A cost estimate and Budget (USD) need them: US dollars per million tokens."</p>
                <PriceTable models=unpriced.into() label="Prices of the models without a list price" id_prefix="form-price" />
            </details>
        </Show>
    }
}

crate::parts::part!(
    /// The form's price fields: loaded after the first screen.
    form_prices_part, later => view! { <FormPrices /> }
);
