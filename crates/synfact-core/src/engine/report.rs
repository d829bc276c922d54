//! What the run status shows: per-step counts and the status line.

use super::{Engine, Status};
use crate::run::{Stage, Summary};

/// Counts for one step of the loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepProgress {
    pub in_flight: usize,
    pub done: usize,
    pub retried: u32,
    pub rejected: usize,
    pub failed: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub steps: [StepProgress; 4],
    pub summary: Summary,
    pub total: usize,
    /// Items waiting out a backoff.
    pub waiting: usize,
}

impl Engine {
    /// The run's status line for everything but a finished run.
    pub fn status_line(&self) -> String {
        let s = self.run.summary();
        let done = s.accepted + s.rejected + s.failed;
        let counts = format!(
            "{done} of {} items done ({} accepted, {} rejected, {} failed)",
            self.run.items.len(),
            s.accepted,
            s.rejected,
            s.failed
        );
        match &self.status {
            Status::Idle => format!("Ready to resume: {counts}. Press Resume to carry on."),
            Status::Running => format!("Running: {counts}"),
            Status::Paused => format!("Paused: {counts}. Press Resume to carry on."),
            Status::Stopped(m) => format!("Stopped: {m}"),
            Status::Cancelled => {
                format!("Cancelled: {counts}. Press Resume to carry on where it stopped.")
            }
            Status::Finished => s.finished_line(),
        }
    }

    /// Per-step counts for the run status.
    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            total: self.run.items.len(),
            summary: self.run.summary(),
            ..Progress::default()
        };
        for f in self.in_flight.values() {
            p.steps[f.step.index()].in_flight += 1;
        }
        for (idx, item) in self.run.items.iter().enumerate() {
            for s in 0..item.steps_done() {
                p.steps[s].done += 1;
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
            }
            if !item.stage.is_terminal() && self.pending[idx].is_none() && self.ready_at[idx] > 0.0
            {
                p.waiting += 1;
            }
        }
        p
    }
}
