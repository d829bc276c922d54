//! The run's results: downloads of the reviewed set, tokens and cost, the quality report, the
//! yield grid, and the review list.

use super::cost_panel::CostPanel;
use super::eval_results::EvalResultsView;
use super::export_panel::ExportPanel;
use super::quality_report::QualityReportView;
use super::review_list::ReviewList;
use super::yield_grid::YieldGrid;
use crate::parts::{load, part, Lazy};
use crate::review::ReviewState;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;

/// Everything about the run shown, once there is one (loaded after the first screen).
#[component]
pub fn Results() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let revision = ctl.view.revision;
    let has_run = move || {
        revision.track();
        ctl.with_run(|_| ()).is_some()
    };
    view! {
        <Show when=has_run>
            <Lazy what="results of the run (review, downloads, tokens and cost)" loading=load!(results_part) />
        </Show>
    }
}

part!(
    /// The results section: its own chunk in the release build.
    results_part, results => view! { <ResultsSection /> }
);

#[component]
fn ResultsSection() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let review = ReviewState::new(ctl);
    provide_context(review);
    let revision = ctl.view.revision;
    let is_eval = move || {
        revision.track();
        ctl.with_run(|r| r.eval.is_some()).unwrap_or(false)
    };
    view! {
        <section aria-labelledby="results-heading">
            <h2 id="results-heading" tabindex="-1">{move || if is_eval() { "Results: evaluation" } else { "Results" }}</h2>
            <Show when=is_eval fallback=move || view! { <DatasetResults /> }>
                <EvalResultsView />
                <CostPanel />
            </Show>
        </section>
    }
}

/// A dataset run's results.
#[component]
fn DatasetResults() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let counts = expect_context::<ReviewState>().counts;
    view! {
                <p class="hint">{move || words::results_line(&counts.get())}</p>
                {move || {
                    let s = counts.get();
                    let short = ctl.with_run(|r| {
                        let wanted = r.settings.examples * r.generators.len();
                        (r.settings.target == synfact_core::Target::Accepted && s.open == 0 && s.accepted < wanted)
                            .then(|| words::fewer_than_asked(s.accepted, wanted))
                    }).flatten();
                    short.map(|t| view! { <p class="note" role="note">{t}</p> })
                }}
                <ExportPanel />
                <CostPanel />
                <QualityReportView />
                <YieldGrid />
                <h3>"Review"</h3>
                <ReviewList />
    }
}
