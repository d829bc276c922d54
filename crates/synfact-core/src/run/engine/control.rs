//! What the user and the outside world do to a run besides replies: review actions and judging
//! again, stopping, new endpoint settings, the budget, and pausing for an outage.

use super::*;

impl Engine {
    /// Whether the spent cost has reached the budget.
    pub(super) fn over_budget(&self) -> Option<PauseReason> {
        let budget = self.run.settings.budget_usd?;
        (self.spent_usd >= budget).then_some(PauseReason::Budget {
            spent_usd: self.spent_usd,
            budget_usd: budget,
        })
    }

    pub(super) fn review(
        &mut self,
        items: Vec<usize>,
        action: ReviewAction,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        for idx in items {
            let Some(item) = self.run.items.get(idx) else {
                continue;
            };
            if review::check(item, &action).is_err() || self.pending[idx].is_some() {
                continue;
            }
            if action == ReviewAction::JudgeAgain {
                self.rejudge(idx, now);
            } else if !review::apply(&mut self.run.items[idx], &action) {
                continue;
            }
            out.push(Command::Save {
                item: idx,
                reply: None,
            });
        }
    }

    /// Sends an ended item's answer (as edited) back to the judge, with a fresh sample. The run
    /// goes on while it is judged (a finished run runs again until the verdict is in).
    pub(super) fn rejudge(&mut self, idx: usize, now: f64) {
        if !matches!(self.status, Status::Running | Status::Finished) {
            return;
        }
        let item = &mut self.run.items[idx];
        let s = Step::JudgeAnswer.index();
        item.samples[s] += 1;
        item.retries[s] = 0;
        item.reason = None;
        item.ended_at = None;
        item.verdicts.answer = None;
        item.review.decision = None;
        self.rejudging.insert(idx);
        self.set_stage(idx, Stage::Answer);
        self.enqueue(idx, now);
        if self.status == Status::Finished {
            self.status = Status::Running;
        }
    }

    /// Aborts everything in flight and takes `status`.
    pub(super) fn stop(&mut self, status: Status, out: &mut Vec<Command>) {
        let calls: Vec<(u64, usize)> = self.in_flight.iter().map(|(c, f)| (*c, f.item)).collect();
        self.in_flight.clear();
        self.busy.iter_mut().for_each(|b| *b = 0);
        for (call, item) in calls {
            out.push(Command::Abort(call));
            self.set_pending(item, None);
            self.enqueue(item, 0.0);
        }
        self.status = status;
    }

    pub(super) fn reconnect(&mut self, c: Connection) {
        let old = std::mem::take(&mut self.run.endpoints);
        self.reached = c
            .endpoints
            .iter()
            .map(|e| {
                old.iter()
                    .position(|o| o.kind == e.kind && o.base_url == e.base_url)
                    .is_some_and(|i| self.reached.get(i).copied().unwrap_or(false))
            })
            .collect();
        let n = c.endpoints.len();
        self.run.endpoints = c.endpoints;
        for (g, e) in self.run.generators.iter_mut().zip(c.generator_endpoints) {
            g.endpoint = e;
        }
        self.run.judge.endpoint = c.judge_endpoint;
        self.run.settings.timeout_ms = c.timeout_ms;
        self.run.settings.max_retries = c.max_retries;
        self.run.settings.budget_usd = c.budget_usd;
        self.run.settings.batch = c.batch;
        if let Some(p) = c.prices {
            self.run.settings.prices = p;
        }
        self.busy = vec![0; n];
        self.sent = vec![VecDeque::new(); n];
        self.health = vec![health::Health::new(0.0); n];
        // Items that ran out of retries against the old settings get a fresh count.
        for r in self.run.items.iter_mut().flat_map(|i| i.retries.iter_mut()) {
            *r = (*r).min(self.run.settings.max_retries);
        }
        self.ready = ReadyQueue::new(n);
        self.waiting.clear();
        for idx in 0..self.run.items.len() {
            self.ready_at[idx] = 0.0;
            self.enqueue(idx, 0.0);
        }
    }

    /// Every endpoint's streak starts afresh now.
    pub(super) fn health_from(&mut self, now: f64) {
        for h in &mut self.health {
            h.answered(now);
        }
    }

    pub(super) fn pause_for_outage(
        &mut self,
        endpoint: usize,
        outage: crate::provider::error::Outage,
        detail: String,
    ) {
        if self.status == Status::Running {
            // Calls in flight are let finish: the provider may be back for them.
            self.status = Status::Paused(PauseReason::Outage {
                endpoint,
                outage,
                detail,
            });
        }
    }

    /// The words of the newest failed call to an endpoint, for the pause's message.
    pub(super) fn last_error_detail(&self, endpoint: usize) -> String {
        self.run
            .items
            .iter()
            .filter(|i| !i.stage.is_terminal())
            .filter(|i| self.endpoint_of(i.id).is_some_and(|(_, e)| e == endpoint))
            .filter_map(|i| i.calls.last())
            .filter(|c| c.error.is_some())
            .max_by(|a, b| a.started_ms.total_cmp(&b.started_ms))
            .and_then(|c| c.error.as_ref())
            .map(|e| e.detail.clone())
            .unwrap_or_default()
    }

    /// Resuming after an outage: the retries the outage used are given back, and items waiting
    /// out a backoff go now.
    pub(super) fn after_outage(&mut self, now: f64) {
        self.waiting.clear();
        for idx in 0..self.run.items.len() {
            if self.run.items[idx].stage.is_terminal() {
                continue;
            }
            self.run.items[idx].retries = [0; 4];
            self.ready_at[idx] = 0.0;
            self.enqueue(idx, now);
        }
    }
}
