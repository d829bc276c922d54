//! What the run in the form will cost, before Generate: calls, tokens and dollars from the plan
//! and the prompt sizes, or from the shown run's measured averages when it is the same set-up.

use crate::form_state::FormState;
use crate::run::Controller;
use crate::template_state::TemplateState;
use crate::words;
use leptos::prelude::*;
use synfact_core::cost::{estimate, Estimate};

/// The estimate line under the examples field.
#[component]
pub fn EstimateLine() -> impl IntoView {
    let settings = expect_context::<FormState>();
    let tpl = expect_context::<TemplateState>();
    let ctl = expect_context::<Controller>();
    // The estimate, and the budget as the run would take it.
    let est = Memo::new(move |_| -> Option<(Estimate, Option<f64>)> {
        let prices = settings.prices.get();
        ctl.view.phase.track();
        let doc = tpl.parsed.with(|(d, _)| d.clone())?;
        let run = settings.sized_run(&doc)?;
        let same = |shown: &synfact_core::Run| {
            shown.template == run.template
                && shown.generators.len() == run.generators.len()
                && shown
                    .generators
                    .iter()
                    .zip(&run.generators)
                    .all(|(a, b)| a.config.model == b.config.model)
        };
        let measured = ctl
            .with_run(|shown| same(shown).then(|| estimate(&run, &prices, Some(shown))))
            .flatten();
        let e = measured.unwrap_or_else(|| estimate(&run, &prices, None));
        Some((e, run.settings.budget_usd))
    });
    view! {
        <p class="hint estimate" id="estimate">{move || words::estimate(est.get().as_ref())}</p>
    }
}

crate::parts::part!(
    /// The estimate (it plans the run): loaded after the first screen.
    estimate_part, later => view! { <EstimateLine /> }
);
