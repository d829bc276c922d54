//! What a run shows while it goes: one bar per step with its rate and time left, and the spend
//! (a terminal); one JSON object per line (`--json`, for scripts); or nothing but the end
//! (`--quiet`). The status line is the page's own.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use synfact_core::{Engine, Step};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Bars,
    Json,
    Quiet,
}

pub struct Progress {
    mode: Mode,
    bars: Vec<ProgressBar>,
    /// Under the bars: the status line (a batch round at the provider, a pause and why).
    line: Option<ProgressBar>,
    started: std::time::Instant,
}

const STEPS: [&str; 4] = [
    "questions",
    "question judgments",
    "answers",
    "answer judgments",
];

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        let mut bars = Vec::new();
        let mut line = None;
        if mode == Mode::Bars {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
            let style =
                ProgressStyle::with_template("{prefix:>18} [{bar:30}] {pos}/{len} eta {eta} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            for name in STEPS {
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(style.clone());
                bar.set_prefix(name);
                bars.push(bar);
            }
            let status = multi.add(ProgressBar::new(0));
            status.set_style(
                ProgressStyle::with_template("{wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            line = Some(status);
        }
        Progress {
            mode,
            bars,
            line,
            started: std::time::Instant::now(),
        }
    }

    /// Shows where the run is; `last` once at the end.
    pub fn show(&mut self, engine: &Engine, last: bool) {
        let p = engine.progress();
        let line = crate::words::say(&synfact::words::status_line(
            engine.status(),
            &p,
            engine.run(),
        ));
        // Under the last line, what the page shows under a finished run's status (an
        // evaluation's, or why most items were not accepted).
        let note = synfact::words::finish_note(engine.status(), engine.run())
            .filter(|_| last)
            .map(|n| crate::words::say(&n));
        match self.mode {
            Mode::Quiet => {
                if last {
                    eprintln!("{line}");
                    if let Some(n) = &note {
                        eprintln!("{n}");
                    }
                }
            }
            Mode::Json => {
                let mut v = json!({
                    "elapsed_s": (self.started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
                    "status": line,
                    "items": p.total,
                    "done": p.counts.ended(),
                    "accepted": p.counts.accepted,
                    "rejected": p.counts.rejected,
                    "failed": p.counts.failed,
                    "calls_answered": p.calls_answered,
                    "calls_needed": p.calls_needed,
                    "in_flight": p.in_flight(),
                    "spent_usd": (engine.spent_usd() * 1e6).round() / 1e6,
                    "end": last,
                });
                if let Some(n) = &note {
                    v["note"] = json!(n);
                }
                println!("{v}");
            }
            Mode::Bars => {
                for (s, bar) in Step::ALL.iter().zip(&self.bars) {
                    let step = &p.steps[s.index()];
                    bar.set_length((p.total - step.skipped) as u64);
                    bar.set_position(step.done as u64);
                    let rate = step.done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
                    bar.set_message(format!("{rate:.0}/s, {} in flight", step.in_flight));
                }
                if let Some(last_bar) = self.bars.last() {
                    last_bar.set_message(format!(
                        "{} in flight; spent {}",
                        p.steps[3].in_flight,
                        synfact::words::usd(engine.spent_usd())
                    ));
                }
                if let Some(l) = &self.line {
                    l.set_message(line.clone());
                }
                if last {
                    for b in &self.bars {
                        b.abandon();
                    }
                    if let Some(l) = &self.line {
                        l.finish_and_clear();
                    }
                    eprintln!("\n{line}");
                    if let Some(n) = &note {
                        eprintln!("{n}");
                    }
                }
            }
        }
    }
}
