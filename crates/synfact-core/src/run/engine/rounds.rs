//! Runs sent through a provider's batch service: the calls go out in rounds. While a round is at
//! the provider nothing else is sent; when its last reply is in, every call that is ready goes
//! out as the next round — the questions, their judgments, the answers, their judgments, then
//! rounds of replacements and retries. Replies are read exactly as in a live run (local checks,
//! near-duplicates, the cache), so the same replies make the same dataset. The budget is
//! checked before a round is submitted, against what the round is expected to cost.

use super::*;
use crate::provider::error::BatchProblem;

/// How far a batch run is: its round, the rounds it still needs as its items stand (more if
/// items are replaced or retried), and the provider's count of the round's lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundProgress {
    pub round: u32,
    pub rounds: u32,
    pub done: u64,
    pub total: u64,
    /// The round is at the provider (not waiting to be submitted).
    pub at_provider: bool,
}

impl Engine {
    /// Sends every ready call as one round, when no round is at the provider.
    pub(super) fn send_round(&mut self, now: f64, out: &mut Vec<Command>) {
        if !self.in_flight.is_empty() {
            return;
        }
        let mut ready = Vec::new();
        for e in 0..self.run.endpoints.len() {
            while let Some(idx) = self.ready.pop(e, false, false) {
                ready.push((idx, e));
            }
        }
        if ready.is_empty() {
            return;
        }
        ready.sort_unstable();
        if let Some(budget_usd) = self.run.settings.budget_usd {
            let calls: Vec<(usize, Step, LlmCall)> = ready
                .iter()
                .filter_map(|&(idx, _)| {
                    let (step, _) = self.endpoint_of(idx)?;
                    Some((idx, step, self.call_for(idx, step)))
                })
                .collect();
            let refs: Vec<(usize, Step, &LlmCall)> =
                calls.iter().map(|(i, s, c)| (*i, *s, c)).collect();
            let round_usd = crate::cost::round_usd(&self.run, &self.run.settings.prices, &refs);
            if self.spent_usd + round_usd > budget_usd {
                for (idx, _) in ready {
                    self.enqueue(idx, now);
                }
                self.status = Status::Paused(PauseReason::RoundOverBudget {
                    spent_usd: self.spent_usd,
                    round_usd,
                    budget_usd,
                });
                return;
            }
        }
        let calls: Vec<CallRequest> = ready
            .into_iter()
            .filter_map(|(idx, e)| self.start_call(idx, e, now))
            .collect();
        self.rounds_sent += 1;
        self.at_provider = (0, 0);
        out.push(Command::SendRound {
            round: self.rounds_sent,
            calls,
        });
    }

    /// The round could not run: its calls are forgotten (as if never sent) and the run pauses.
    pub(super) fn batch_failed(&mut self, problem: BatchProblem, now: f64) {
        let calls: Vec<(u64, usize)> = self.in_flight.iter().map(|(c, f)| (*c, f.item)).collect();
        self.in_flight.clear();
        for (_, item) in calls {
            self.set_pending(item, None);
            self.enqueue(item, now);
        }
        self.at_provider = (0, 0);
        self.run.batch = None;
        if matches!(self.status, Status::Running | Status::Paused(_)) {
            self.status = Status::Paused(PauseReason::Batch(problem));
        }
    }

    /// Where a batch run is (`None` for a live run).
    pub(super) fn round_progress(&self) -> Option<RoundProgress> {
        if !self.run.settings.batch && self.run.batch.is_none() {
            return None;
        }
        let at_provider = !self.in_flight.is_empty();
        // Steps each open item still needs after the round at the provider.
        let left = self
            .run
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.stage.is_terminal())
            .map(|(idx, i)| {
                let left = Step::ALL.len() - i.steps_done().min(Step::ALL.len());
                left.saturating_sub(usize::from(self.pending[idx].is_some()))
            })
            .max()
            .unwrap_or(0) as u32;
        let round = self.rounds_sent.max(1);
        let (done, total) = self.at_provider;
        // Between rounds: the next one, or the last when nothing is left.
        let (round, rounds) = if at_provider {
            (round, round + left)
        } else if left == 0 {
            (round, self.rounds_sent)
        } else {
            (self.rounds_sent + 1, self.rounds_sent + left)
        };
        Some(RoundProgress {
            round,
            rounds,
            done,
            total,
            at_provider,
        })
    }
}
