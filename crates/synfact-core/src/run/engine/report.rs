//! What the run status shows: per-step counts, as numbers (the app words them).

use super::Engine;
use crate::run::{Counts, Stage, Step};

/// Counts for one step of the loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepProgress {
    pub in_flight: usize,
    /// Replies received for this step (a rejecting reply counts).
    pub done: usize,
    pub retried: u32,
    pub rejected: usize,
    pub failed: usize,
    /// Items that ended at an earlier step and will never reach this one.
    pub skipped: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub steps: [StepProgress; 4],
    pub counts: Counts,
    pub total: usize,
    /// Items waiting out a backoff.
    pub waiting: usize,
    /// Per generator: (accepted, wanted) when the run aims at N accepted.
    pub accepted_of_wanted: Vec<(usize, usize)>,
    /// Calls answered (a reply that moved an item on, or ended it), of the calls the items
    /// need as they stand (four per open item).
    pub calls_answered: usize,
    pub calls_needed: usize,
    /// Second copies of slow calls sent at the end of the run (extra calls).
    pub resent: u64,
    /// A run sent as batches: its round and what the provider has done of it.
    pub batch: Option<super::rounds::RoundProgress>,
}

impl Progress {
    /// Calls in flight, over every step.
    pub fn in_flight(&self) -> usize {
        self.steps.iter().map(|s| s.in_flight).sum()
    }
}

impl Engine {
    /// Per-step counts for the run status.
    pub fn progress(&self) -> Progress {
        let run = self.run();
        let mut p = Progress {
            total: run.items.len(),
            counts: run.counts(),
            ..Progress::default()
        };
        // A call re-sent at the end counts once (its copy is in `resent`).
        for f in self.in_flight.values().filter(|f| !f.resent) {
            p.steps[f.step.index()].in_flight += 1;
        }
        p.resent = self.resent_calls();
        p.batch = self.round_progress();
        let mut accepted = vec![0; run.generators.len()];
        for (idx, item) in run.items.iter().enumerate() {
            if let Some(case) = &item.eval {
                eval_progress(&mut p, item, case.kind == crate::eval::EvalKind::Open);
            } else {
                let done = item.steps_done();
                for s in 0..done {
                    p.steps[s].done += 1;
                }
                p.calls_answered += done;
                p.calls_needed += if item.stage.is_terminal() {
                    done
                } else {
                    Step::ALL.len()
                };
            }
            for (s, r) in item.retries.iter().enumerate() {
                p.steps[s].retried += r;
            }
            if let Some(step) = item.ended_at {
                match item.stage {
                    Stage::Rejected => p.steps[step.index()].rejected += 1,
                    Stage::Failed => p.steps[step.index()].failed += 1,
                    _ => {}
                }
                if item.eval.is_none() && matches!(item.stage, Stage::Rejected | Stage::Failed) {
                    for later in &mut p.steps[step.index() + 1..] {
                        later.skipped += 1;
                    }
                }
            }
            if item.stage == Stage::Accepted {
                accepted[item.generator] += 1;
            }
            if !item.stage.is_terminal() && self.pending[idx].is_none() && self.ready_at[idx] > 0.0
            {
                p.waiting += 1;
            }
        }
        if run.settings.target == crate::run::Target::Accepted {
            p.accepted_of_wanted = accepted
                .into_iter()
                .map(|a| (a, run.settings.examples))
                .collect();
        }
        p
    }
}

/// An evaluation item's share of the progress: its answer, and the judge's label for an open
/// answer (a choice is read locally: its label step is skipped). It writes no question.
fn eval_progress(p: &mut Progress, item: &crate::run::Item, open: bool) {
    let ended_at_judge = item.ended_at == Some(Step::JudgeAnswer);
    let answered = item.answer.is_some();
    // An empty open answer is undecided without asking the judge.
    let judged = open
        && match item.stage {
            Stage::Accepted => item.answer.as_deref().is_some_and(|a| !a.trim().is_empty()),
            Stage::Rejected => ended_at_judge,
            _ => false,
        };
    let needs_judge = open && (judged || !item.stage.is_terminal());
    p.steps[Step::WriteAnswer.index()].done += usize::from(answered);
    p.steps[Step::JudgeAnswer.index()].done += usize::from(judged);
    if !needs_judge {
        p.steps[Step::JudgeAnswer.index()].skipped += 1;
    }
    let done = usize::from(answered) + usize::from(judged);
    p.calls_answered += done;
    p.calls_needed += if item.stage.is_terminal() {
        done
    } else {
        1 + usize::from(open)
    };
}
