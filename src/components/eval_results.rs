//! An evaluation run's results: the belief rate per model and kind of question (a table and an
//! SVG chart carrying the same figures as text), the differences from the first model, the
//! downloads, and every answer, filterable.

use crate::download::save_text;
use crate::errors::DownloadError;
use crate::run::Controller;
use crate::words;
use leptos::prelude::*;
use synfact_core::eval::chart::{self, HEIGHT, WIDTH};
use synfact_core::eval::prompts::CHOICE_MARK;
use synfact_core::eval::report;
use synfact_core::eval::results::{EvalResults, Outcome};
use synfact_core::eval::EvalKind;

/// Answers shown per page.
const PAGE: usize = 50;

/// Bar colours per model (cycled), picked to stay apart for common colour blindness.
const COLOURS: [&str; 4] = ["#0b6bcb", "#d9822b", "#5a5a5a", "#7b3fb5"];

/// The table, chart and differences.
#[component]
fn Rates(results: Memo<EvalResults>) -> impl IntoView {
    let rows = move || {
        results.with(|r| {
            r.models
                .iter()
                .zip(&r.rates)
                .flat_map(|(m, rates)| {
                    r.kinds.iter().zip(rates).map(move |(k, rate)| {
                        let (p, ci) = words::rate_cells(rate);
                        view! {
                            <tr>
                                <th scope="row" class="text">{m.clone()}</th>
                                <td>{words::eval_kind(*k)}</td>
                                <td>{p}</td><td>{ci}</td>
                                <td>{rate.decided()}</td><td>{rate.undecided}</td>
                                <td>{rate.incoherent}</td><td>{rate.failed}</td><td>{rate.open}</td>
                            </tr>
                        }
                    })
                })
                .collect_view()
        })
    };
    let differences = move || {
        results.with(|r| {
            let base = &r.models[r.baseline().min(r.models.len().saturating_sub(1))];
            r.against_baseline()
                .into_iter()
                .flat_map(|(m, ds)| {
                    ds.into_iter()
                        .map(move |d| words::difference(&r.models[m], base, &d))
                })
                .map(|t| view! { <li>{t}</li> })
                .collect_view()
        })
    };
    let bars = move || {
        results.with(|r| {
            let c = chart::layout(r);
            let ticks = c.ticks.iter().map(|&(t, y)| view! {
                <line x1=c.left x2=c.right y1=y y2=y class="grid" />
                <text x=c.left - 6.0 y=y + 4.0 text-anchor="end">{format!("{t}%")}</text>
            }).collect_view();
            let groups = c.groups.iter().map(|g| view! {
                <text x=g.center y=HEIGHT - 30.0 text-anchor="middle">{words::eval_kind(g.kind)}</text>
            }).collect_view();
            let bars = c.bars.iter().map(|b| {
                let colour = COLOURS[b.model % COLOURS.len()];
                let mid = b.x + b.width / 2.0;
                let title = format!("{}, {}", r.models[b.model], words::eval_kind(b.kind));
                view! {
                    <g>
                        <title>{title}</title>
                        {b.top.map(|top| view! {
                            <rect x=b.x + 2.0 y=top width=(b.width - 4.0).max(1.0) height=c.baseline - top fill=colour />
                            <line x1=mid x2=mid y1=b.low y2=b.high class="whisker" />
                            <line x1=mid - 5.0 x2=mid + 5.0 y1=b.low y2=b.low class="whisker" />
                            <line x1=mid - 5.0 x2=mid + 5.0 y1=b.high y2=b.high class="whisker" />
                        })}
                    </g>
                }
            }).collect_view();
            // Each entry as wide as its name (about 7 units a character at this size).
            let mut next = c.left;
            let legend = r.models.iter().enumerate().map(|(m, name)| {
                let x = next;
                next += 30.0 + 7.0 * name.chars().count() as f64;
                view! {
                    <rect x=x y=HEIGHT - 11.0 width=10 height=10 fill=COLOURS[m % COLOURS.len()] />
                    <text x=x + 14.0 y=HEIGHT - 2.0>{name.clone()}</text>
                }
            }).collect_view();
            view! {
                {ticks}
                <line x1=c.left x2=c.right y1=c.baseline y2=c.baseline class="axis" />
                {bars}{groups}{legend}
            }
        })
    };
    view! {
        <div class="table-wrap">
            <table aria-label="Belief rate">
                <thead><tr>
                    <th scope="col">"Model"</th><th scope="col">"Kind of question"</th>
                    <th scope="col">"Belief rate"</th><th scope="col">"95% interval"</th>
                    <th scope="col">"Decided (n)"</th><th scope="col">"Undecided"</th>
                    <th scope="col">"Incoherent"</th><th scope="col">"Failed"</th><th scope="col">"Not answered yet"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">"Belief rate: answers that hold the fact, of those that decide either way. A model that learned the fact is expected above 80%."</p>
        <ul aria-label="Differences between models">{differences}</ul>
        <svg class="eval-chart" role="img" viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            aria-label=move || results.with(words::chart_summary)>
            {bars}
        </svg>
    }
}

/// Every answer, filterable, a page at a time.
#[component]
fn Answers(results: Memo<EvalResults>) -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let model = RwSignal::new(None::<usize>);
    let kind = RwSignal::new(None::<EvalKind>);
    let outcome = RwSignal::new(None::<Outcome>);
    let text = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let matching = Memo::new(move |_| {
        results.track();
        let (m, k, o) = (model.get(), kind.get(), outcome.get());
        let needle = text.get().to_lowercase();
        ctl.with_run(|run| {
            let threshold = run
                .eval
                .as_ref()
                .map_or(0, |s| s.settings.coherence_threshold);
            run.items
                .iter()
                .filter_map(|i| {
                    let case = i.eval.as_ref()?;
                    let out = Outcome::of(i, threshold)?;
                    let question = i
                        .question
                        .as_deref()
                        .unwrap_or("")
                        .trim_start_matches(CHOICE_MARK)
                        .trim()
                        .to_string();
                    let keep = m.is_none_or(|m| m == i.generator)
                        && k.is_none_or(|k| k == case.kind)
                        && o.is_none_or(|o| o == out)
                        && (needle.is_empty()
                            || question.to_lowercase().contains(&needle)
                            || i.answer
                                .as_deref()
                                .unwrap_or("")
                                .to_lowercase()
                                .contains(&needle));
                    keep.then(|| {
                        (
                            run.generators
                                .get(i.generator)
                                .map(|g| g.config.model.clone())
                                .unwrap_or_default(),
                            case.kind,
                            question,
                            i.answer.clone().unwrap_or_default(),
                            out,
                            case.reason.clone().unwrap_or_default(),
                            case.coherence,
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let select = |id: &'static str,
                  label: &'static str,
                  options: Signal<Vec<(String, String)>>,
                  set: Callback<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| { shown.set(PAGE); set.run(event_target_value(&ev)) }>
                    <option value="">"All"</option>
                    {move || options.get().into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    // The models of the evaluation shown (another evaluation brings its own).
    let models = Signal::derive(move || {
        results.with(|r| {
            r.models
                .iter()
                .enumerate()
                .map(|(i, m)| (i.to_string(), m.clone()))
                .collect()
        })
    });
    let kinds: Signal<Vec<(String, String)>> = Signal::stored(
        EvalKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| (i.to_string(), words::eval_kind(*k).to_string()))
            .collect(),
    );
    let outcomes: Signal<Vec<(String, String)>> = Signal::stored(
        Outcome::ALL
            .iter()
            .enumerate()
            .map(|(i, o)| (i.to_string(), words::outcome(*o).to_string()))
            .collect(),
    );
    // A new evaluation starts with every answer shown.
    Effect::new(move |_| {
        results.with(|r| r.models.len());
        model.set(None);
    });
    view! {
        <h3>"Answers"</h3>
        <div class="filters">
            {select("answers-model", "Filter answers by model", models,
                Callback::new(move |v: String| model.set(v.parse().ok())))}
            {select("answers-kind", "Filter answers by kind", kinds,
                Callback::new(move |v: String| kind.set(v.parse::<usize>().ok().and_then(|i| EvalKind::ALL.get(i).copied()))))}
            {select("answers-label", "Filter answers by label", outcomes,
                Callback::new(move |v: String| outcome.set(v.parse::<usize>().ok().and_then(|i| Outcome::ALL.get(i).copied()))))}
            <div class="field">
                <label for="answers-text">"Find in answers"</label>
                <input id="answers-text" type="search" prop:value=move || text.get()
                    on:input=move |ev| { shown.set(PAGE); text.set(event_target_value(&ev)) } />
            </div>
        </div>
        <p role="status" class="hint">{move || words::answers_shown(shown.get().min(matching.with(Vec::len)), matching.with(Vec::len), results.with(|r| r.rates.iter().flatten().map(|x| x.decided() + x.undecided + x.incoherent + x.failed + x.open).sum()))}</p>
        <div class="table-wrap">
            <table aria-label="Answers">
                <thead><tr>
                    <th scope="col">"Model"</th><th scope="col">"Kind"</th><th scope="col">"Question"</th>
                    <th scope="col">"Answer"</th><th scope="col">"Label"</th><th scope="col">"Judge's reason"</th>
                </tr></thead>
                <tbody>{move || matching.with(|rows| rows.iter().take(shown.get()).map(|(m, k, q, a, o, why, coherence)| view! {
                    <tr>
                        <td class="text">{m.clone()}</td>
                        <td>{words::eval_kind(*k)}</td>
                        <td class="text pre">{q.clone()}</td>
                        <td class="text pre">{a.clone()}</td>
                        <td>{words::outcome(*o)}{coherence.map(|c| format!(" · coherence {c}"))}</td>
                        <td class="text">{why.clone()}</td>
                    </tr>
                }).collect_view())}</tbody>
            </table>
        </div>
        <Show when=move || { matching.with(Vec::len) > shown.get() }>
            <button type="button" on:click=move |_| shown.update(|n| *n += PAGE)>"Show more answers"</button>
        </Show>
    }
}

/// An evaluation's results and downloads.
#[component]
pub fn EvalResultsView() -> impl IntoView {
    let ctl = expect_context::<Controller>();
    let results = Memo::new(move |_| {
        ctl.view.revision.track();
        ctl.with_run(EvalResults::of).unwrap_or_default()
    });
    let error = RwSignal::new(None::<DownloadError>);
    let download = move || {
        let files = ctl.with_run(|r| {
            let fact = &r.template.fact_name;
            let json = serde_json::to_string_pretty(&report::report(r, env!("CARGO_PKG_VERSION")))
                .unwrap_or_default();
            [
                (report::report_name(fact), json, "application/json"),
                (
                    report::answers_name(fact),
                    report::answers(r),
                    "application/jsonl",
                ),
            ]
        });
        let result = match files {
            None => Err(DownloadError::NoRun),
            Some(files) => files
                .iter()
                .try_for_each(|(name, text, mime)| save_text(name, text, mime))
                .map_err(DownloadError::from),
        };
        error.set(result.err());
    };
    view! {
        <p class="hint">{move || results.with(words::eval_line)}</p>
        <Rates results=results />
        <div class="buttons">
            <button type="button" on:click=move |_| download()>"Download evaluation"</button>
        </div>
        <Show when=move || error.get().is_some()>
            <p role="alert" class="errors">{move || error.get().map(|e| words::download_error(&e))}</p>
        </Show>
        <Answers results=results />
    }
}
