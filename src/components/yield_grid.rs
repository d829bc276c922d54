//! The yield grid: accepted and not accepted items per seed question × requirement (of the model
//! chosen in Review), as an SVG. A cell filters the review list to its items.

use crate::review::ReviewState;
use crate::run::Controller;
use leptos::prelude::*;
use synfact_core::{Run, Stage};

const CELL: usize = 22;
const LEFT: usize = 34;
const TOP: usize = 26;

/// Counts per cell: (accepted, ended but not accepted), rows by seed question.
fn grid(run: &Run, generator: Option<usize>) -> Vec<Vec<(usize, usize)>> {
    let rows = run.template.questions.len();
    let cols = run.template.question_requirements.len();
    let mut g = vec![vec![(0, 0); cols]; rows];
    for i in run
        .items
        .iter()
        .filter(|i| generator.is_none_or(|m| m == i.generator))
    {
        let (q, r) = (i.prompt.question as usize, i.prompt.requirement as usize);
        let Some(cell) = g.get_mut(q).and_then(|row| row.get_mut(r)) else {
            continue;
        };
        match i.stage {
            Stage::Accepted => cell.0 += 1,
            Stage::Rejected | Stage::Failed => cell.1 += 1,
            _ => {}
        }
    }
    g
}

fn fill(accepted: usize, lost: usize) -> String {
    if accepted + lost == 0 {
        return "#eeeeee".into();
    }
    // From red (none accepted) to green (all accepted).
    let share = accepted as f64 / (accepted + lost) as f64;
    let hue = (share * 120.0).round();
    format!("hsl({hue}, 65%, 55%)")
}

#[component]
pub fn YieldGrid() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let s = expect_context::<ReviewState>();
    let cells = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.view.progress.track();
        let generator = s.model.get();
        ctl.with_run(|r| grid(r, generator)).unwrap_or_default()
    });
    let pick = move |q: usize, r: usize| {
        s.question.set(Some(q as u32));
        s.requirement.set(Some(r as u32));
        s.show.set("all".into());
    };
    view! {
        <details class="yield">
            <summary>"Yield grid"</summary>
            <p class="hint">"Rows are seed questions, columns requirements; green cells yield accepted examples, red ones lose them, grey ones are not reached yet. Choose a cell to list its items in Review."</p>
            {move || {
                let g = cells.get();
                let rows = g.len();
                let cols = g.first().map_or(0, Vec::len);
                let w = LEFT + cols * CELL + 4;
                let h = TOP + rows * CELL + 4;
                view! {
                    <div class="table-wrap">
                    <svg role="group" aria-label="Yield grid" width=w height=h viewBox=format!("0 0 {w} {h}")>
                        {(0..cols).map(|c| view! {
                            <text x=LEFT + c * CELL + CELL / 2 y=TOP - 8 text-anchor="middle" font-size="10">{c + 1}</text>
                        }).collect_view()}
                        {g.into_iter().enumerate().map(|(q, row)| view! {
                            <text x=LEFT - 6 y=TOP + q * CELL + CELL / 2 + 4 text-anchor="end" font-size="10">{q + 1}</text>
                            {row.into_iter().enumerate().map(|(r, (a, l))| {
                                let label = crate::words::yield_cell(q, r, a, l);
                                let title = label.clone();
                                view! {
                                    <rect x=LEFT + r * CELL y=TOP + q * CELL width=CELL - 2 height=CELL - 2 rx="3"
                                        fill=fill(a, l) role="button" tabindex="0" aria-label=label
                                        on:click=move |_| pick(q, r)
                                        on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" || e.key() == " " { e.prevent_default(); pick(q, r) }>
                                        <title>{title}</title>
                                    </rect>
                                }
                            }).collect_view()}
                        }).collect_view()}
                    </svg>
                    </div>
                }
            }}
        </details>
    }
}
