//! The run engine: a state machine that takes events (a reply arrived, a timer fired, the user
//! paused) and returns commands (send this call, abort that one, wake me at, save this item).
//! It owns scheduling: one queue across all stages, favouring the items closest to done, with a
//! concurrency limit and an optional requests-per-minute limit per endpoint.

use crate::provider::cache_key::cache_key;
use crate::provider::error::{CallError, ErrorKind, PauseReason, ProviderProblem, StopReason};
use crate::provider::refusal::refusal;
use crate::provider::refusal::Refusal;
use crate::provider::retry::{backoff_ms, decide, fitting_max_tokens, Decision};
use crate::provider::verdict::{parse_verdict, Verdict};
use crate::provider::wire::{Completion, Finish, LlmCall};
use crate::quality::checks::{check_answer, check_question};
use crate::quality::dedup::Dedup;
use crate::quality::CheckFailure;
use crate::run::calls::{call_for, Texts};
use crate::run::reason::Reason;
use crate::run::review::{self, ReviewAction};
use crate::run::{CallLog, Item, Note, Run, Schedule, Stage, Step, Target};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod control;
mod events;
mod health;
mod queue;
mod reply;
mod report;
mod resend;
mod rounds;
mod topup;

pub use events::{CallRequest, Command, Connection, Event, Status};
use queue::ReadyQueue;
pub use report::{Progress, StepProgress};
pub use rounds::RoundProgress;

#[derive(Clone, Debug)]
struct InFlight {
    item: usize,
    step: Step,
    endpoint: usize,
    started: f64,
    cache_key: String,
    /// The other copy of a re-sent call, while both are in flight.
    twin: Option<u64>,
    /// This call has had its one copy (whether or not it is still in flight): never another.
    copied: bool,
    /// This is the copy, and its first is still in flight: it counts as an extra call.
    resent: bool,
    /// When the item's first copy of this call went out.
    first_sent: f64,
}

/// Drives one run.
pub struct Engine {
    run: Run,
    status: Status,
    rng: ChaCha8Rng,
    in_flight: BTreeMap<u64, InFlight>,
    /// The call each item has in flight.
    pending: Vec<Option<u64>>,
    /// The earliest time each item may be sent again (after a backoff).
    ready_at: Vec<f64>,
    /// Items waiting out a backoff, by the time they are due.
    waiting: BTreeSet<(u64, usize)>,
    ready: ReadyQueue,
    /// Calls in flight per endpoint.
    busy: Vec<u32>,
    /// Send times in the last minute, per endpoint, for the requests-per-minute limit.
    sent: Vec<VecDeque<f64>>,
    next_call: u64,
    wake: Option<f64>,
    /// Whether each endpoint has answered at least once; one that never has is likely misconfigured.
    reached: Vec<bool>,
    /// Each endpoint's failures since it last answered: an outage pauses the run.
    health: Vec<health::Health>,
    /// Items per stage.
    stages: [usize; 7],
    /// Planned items with a call in flight.
    planned_in_flight: usize,
    topup: topup::TopUp,
    /// Questions so far, for near-duplicate detection (when the run asks for it).
    dedup: Option<Dedup>,
    /// Items sent back to the judge by a reviewer: their outcome is not topped up.
    rejudging: BTreeSet<usize>,
    /// Dollars spent on replies this engine received from providers (not from the cache), plus
    /// what the run had used when it was opened.
    spent_usd: f64,
    /// Re-sending slow calls at the end: how long each step's calls took, and the extra calls.
    resend: resend::Resend,
    /// Batch runs: rounds sent (a reopened run's round still at the provider is sent again under
    /// its own number, for the adapter to follow), and the provider's count of the round's lines
    /// done, of all.
    rounds_sent: u32,
    at_provider: (u64, u64),
}

const MINUTE_MS: f64 = 60_000.0;
/// The endgame starts when no more than this many times the widest concurrency of items are
/// unstarted. Measured in simulation (200 and 1000 items at concurrency 50): 4 beats 2 in every
/// case, and more changes nothing.
const ENDGAME_FACTOR: usize = 4;
/// An endpoint that has never answered stops the run after this many network failures of one step.
const UNREACHABLE_AFTER: u32 = 2;

impl Engine {
    /// An engine for a new or reopened run. Nothing is in flight after a reopen: calls that were
    /// under way are asked again, and answered from the cache if their reply was stored.
    pub fn new(run: Run) -> Engine {
        let n = run.items.len();
        let e = run.endpoints.len();
        let seed = run.settings.seed ^ 0x5eed_ba5e;
        let mut stages = [0; 7];
        for i in &run.items {
            stages[i.stage as usize] += 1;
        }
        let topup = topup::TopUp::new(&run);
        let dedup = run.settings.quality.duplicate_threshold.map(|t| {
            let mut d = Dedup::new(&run.template, t as f32);
            for i in &run.items {
                if let Some(q) = &i.question {
                    d.observe(q);
                    if !matches!(i.reason, Some(Reason::Duplicate { .. })) {
                        d.insert(i.id, q);
                    }
                }
            }
            d
        });
        let spent_usd = run.items.iter().map(|i| i.spent_usd).sum();
        let mut engine = Engine {
            dedup,
            rejudging: BTreeSet::new(),
            spent_usd,
            status: Status::Idle,
            rng: ChaCha8Rng::seed_from_u64(seed),
            in_flight: BTreeMap::new(),
            pending: vec![None; n],
            ready_at: vec![0.0; n],
            waiting: BTreeSet::new(),
            ready: ReadyQueue::new(e),
            busy: vec![0; e],
            sent: vec![VecDeque::new(); e],
            next_call: 1,
            wake: None,
            reached: vec![false; e],
            health: vec![health::Health::new(0.0); e],
            stages,
            planned_in_flight: 0,
            topup,
            resend: resend::Resend::default(),
            rounds_sent: run.batch.as_ref().map_or(0, |b| {
                if b.pending() {
                    b.round - 1
                } else {
                    b.round
                }
            }),
            at_provider: (0, 0),
            run,
        };
        for idx in 0..n {
            engine.enqueue(idx, 0.0);
        }
        if n > 0 && engine.ended() == n {
            engine.status = Status::Finished;
        }
        engine
    }

    pub fn run(&self) -> &Run {
        &self.run
    }

    /// The run, given back whole (a front end done with the engine need not copy it).
    pub fn into_run(self) -> Run {
        self.run
    }

    /// A reopened run takes back the status it was saved with when that says why it stopped
    /// or paused (one that was going is ready to resume, as after `new`).
    pub fn restore_status(&mut self, saved: Status) {
        if self.status == Status::Idle
            && matches!(
                saved,
                Status::Paused(_) | Status::Stopped(_) | Status::Cancelled
            )
        {
            self.status = saved;
        }
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Whether a call is still wanted (not answered, aborted or cancelled).
    pub fn is_in_flight(&self, call: u64) -> bool {
        self.in_flight.contains_key(&call)
    }

    /// Handles one event at time `now` (ms) and returns what to do.
    pub fn handle(&mut self, event: Event, now: f64) -> Vec<Command> {
        let mut out = Vec::new();
        let before = self.status.clone();
        match event {
            Event::Start => {
                if self.status == Status::Idle {
                    self.status = Status::Running;
                    self.health_from(now);
                }
            }
            Event::Resume => {
                if matches!(
                    self.status,
                    Status::Stopped(StopReason::NothingAccepted { .. })
                ) {
                    self.topup.go_on(&self.run);
                }
                if self.over_budget().is_some() {
                    // Still over: stays paused until the budget is raised (Reconnect) first.
                    self.status = Status::Paused(self.over_budget().unwrap_or(PauseReason::ByUser));
                } else if self.status.is_resumable() {
                    if matches!(self.status, Status::Paused(PauseReason::Outage { .. })) {
                        self.after_outage(now);
                    }
                    self.status = Status::Running;
                    self.health_from(now);
                    self.wake = None;
                    // A stop may have come before a rejected item's replacement was made.
                    if self.run.settings.target == Target::Accepted {
                        for item in self.topup.fill(&self.run) {
                            self.push_item(item, now, &mut out);
                        }
                    }
                }
            }
            Event::Pause => {
                if self.status == Status::Running {
                    self.status = Status::Paused(PauseReason::ByUser);
                }
            }
            Event::StorageFull => {
                if self.status == Status::Running {
                    self.status = Status::Paused(PauseReason::StorageFull);
                }
            }
            Event::Cancel => {
                if matches!(
                    self.status,
                    Status::Running | Status::Paused(_) | Status::Idle
                ) {
                    self.stop(Status::Cancelled, &mut out);
                }
            }
            Event::Reconnect(c) => {
                if self.status != Status::Running {
                    self.reconnect(c);
                }
            }
            Event::Timer => {}
            Event::FineTune(ft) => self.run.fine_tune = ft,
            Event::Review { items, action } => self.review(items, action, now, &mut out),
            Event::Reply {
                call,
                result,
                cached,
            } => self.on_reply(call, result, cached, now, &mut out),
            Event::AtProvider { done, total } => {
                if self.at_provider != (done, total) {
                    self.at_provider = (done, total);
                    out.push(Command::Status);
                }
            }
            Event::BatchSaved(state) => self.run.batch = state,
            Event::BatchFailed(problem) => self.batch_failed(problem, now),
        }
        self.pump(now, &mut out);
        if self.status != before {
            out.push(Command::Status);
        }
        out
    }

    /// Dollars spent so far (replies received from providers, at the run's prices).
    pub fn spent_usd(&self) -> f64 {
        self.spent_usd
    }

    /// The endpoint an item's next step goes to.
    fn endpoint_of(&self, idx: usize) -> Option<(Step, usize)> {
        let item = &self.run.items[idx];
        let step = Step::next_for(item.stage)?;
        Some((step, self.run.model_at(item, step).endpoint))
    }

    /// Puts an item where the scheduler will find it: ready, waiting out a backoff, or nowhere
    /// (finished, or a call in flight).
    fn enqueue(&mut self, idx: usize, now: f64) {
        if self.pending[idx].is_some() {
            return;
        }
        let Some((_, e)) = self.endpoint_of(idx) else {
            return;
        };
        if self.ready_at[idx] > now {
            self.waiting.insert((self.ready_at[idx].ceil() as u64, idx));
        } else {
            self.ready.insert(e, self.run.items[idx].steps_done(), idx);
        }
    }

    fn set_pending(&mut self, idx: usize, call: Option<u64>) {
        if self.run.items[idx].stage == Stage::Planned {
            match (self.pending[idx].is_some(), call.is_some()) {
                (false, true) => self.planned_in_flight += 1,
                (true, false) => self.planned_in_flight -= 1,
                _ => {}
            }
        }
        self.pending[idx] = call;
    }

    fn set_stage(&mut self, idx: usize, stage: Stage) {
        let item = &mut self.run.items[idx];
        self.stages[item.stage as usize] -= 1;
        self.stages[stage as usize] += 1;
        self.topup.restage(item, stage);
        item.stage = stage;
    }

    /// Adds an item (a top-up, already counted by `topup`) and schedules it.
    fn push_item(&mut self, item: Item, now: f64, out: &mut Vec<Command>) {
        let idx = self.run.items.len();
        debug_assert_eq!(item.id, idx);
        self.stages[item.stage as usize] += 1;
        self.run.items.push(item);
        self.pending.push(None);
        self.ready_at.push(0.0);
        self.enqueue(idx, now);
        out.push(Command::Save {
            item: idx,
            reply: None,
        });
    }

    fn ended(&self) -> usize {
        self.stages[Stage::Accepted as usize]
            + self.stages[Stage::Rejected as usize]
            + self.stages[Stage::Failed as usize]
    }

    fn model_of(&self, idx: usize, step: Step) -> &crate::provider::wire::ModelConfig {
        &self.run.model_at(&self.run.items[idx], step).config
    }

    fn pump(&mut self, now: f64, out: &mut Vec<Command>) {
        // Items whose backoff is over become ready (even while paused, so Resume finds them).
        while let Some(&(at, idx)) = self.waiting.first() {
            if at as f64 > now {
                break;
            }
            self.waiting.pop_first();
            if self.ready_at[idx] <= now {
                self.enqueue(idx, now);
            } else {
                // Re-armed with a later time since; its newer entry stands.
            }
        }
        if self.status == Status::Running {
            if let Some(reason) = self.over_budget() {
                // Calls in flight are let finish (they are paid for); nothing new is sent.
                self.status = Status::Paused(reason);
            }
        }
        if self.status == Status::Running {
            let found = self.health.iter().enumerate().find_map(|(e, h)| {
                let outage = h.outage(now, false)?;
                Some((e, outage))
            });
            if let Some((e, outage)) = found {
                let detail = self.last_error_detail(e);
                self.pause_for_outage(e, outage, detail);
            }
        }
        if self.status == Status::Running {
            if self.run.settings.batch {
                self.send_round(now, out);
            } else {
                self.send_ready(now, out);
                self.resend_slow(now, out);
            }
        }
        let next_backoff = self.waiting.first().map(|&(at, _)| at as f64);
        let next_wake = [
            next_backoff,
            self.rpm_wake(now),
            self.health
                .iter()
                .filter_map(|h| h.deadline())
                .reduce(f64::min),
            self.resend_wake(now),
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .reduce(f64::min);
        if let Some(at) = next_wake.filter(|_| self.status == Status::Running) {
            if self.wake.is_none_or(|w| w <= now || at < w) {
                self.wake = Some(at);
                out.push(Command::WakeAt(at));
            }
        }
        let all_ended = self.ended() == self.run.items.len();
        if self.status == Status::Running && self.in_flight.is_empty() && all_ended {
            self.status = Status::Finished;
        }
    }

    /// When a full requests-per-minute window next frees a place, if an endpoint is held by one.
    fn rpm_wake(&self, now: f64) -> Option<f64> {
        self.run
            .endpoints
            .iter()
            .enumerate()
            .filter_map(|(e, spec)| {
                let rpm = spec.rpm.filter(|r| *r > 0)? as usize;
                (self.sent[e].len() >= rpm && self.ready.has(e))
                    .then(|| self.sent[e][0] + MINUTE_MS)
            })
            .filter(|t| *t > now)
            .reduce(f64::min)
    }

    fn send_ready(&mut self, now: f64, out: &mut Vec<Command>) {
        for e in 0..self.sent.len() {
            while self.sent[e].front().is_some_and(|&t| t <= now - MINUTE_MS) {
                self.sent[e].pop_front();
            }
        }
        let unstarted = self.stages[Stage::Planned as usize] - self.planned_in_flight;
        let widest = self
            .run
            .endpoints
            .iter()
            .map(|e| e.concurrency as usize)
            .max()
            .unwrap_or(1);
        let endgame = unstarted <= ENDGAME_FACTOR * widest;
        // The stage barrier: no answer is written before every question is judged.
        let barrier_closed = self.run.settings.schedule == Schedule::StageBarrier
            && self.stages[Stage::Planned as usize] + self.stages[Stage::Question as usize] > 0;
        for e in 0..self.run.endpoints.len() {
            let spec = &self.run.endpoints[e];
            let limit = spec.concurrency.max(1);
            let rpm = spec.rpm.filter(|r| *r > 0).map(|r| r as usize);
            while self.busy[e] < limit && rpm.is_none_or(|r| self.sent[e].len() < r) {
                // Items closest to done go first, so finished examples flow out steadily; in the
                // endgame the items with the most steps left go first, so the last chains start early.
                let Some(idx) = self.ready.pop(e, endgame, barrier_closed) else {
                    break;
                };
                self.send(idx, e, now, out);
            }
        }
    }

    fn send(&mut self, idx: usize, e: usize, now: f64, out: &mut Vec<Command>) {
        if let Some(req) = self.start_call(idx, e, now) {
            self.busy[e] += 1;
            self.sent[e].push_back(now);
            out.push(Command::Send(req));
        }
    }

    /// Puts an item's next call in flight and returns it, for the adapter to make.
    fn start_call(&mut self, idx: usize, e: usize, now: f64) -> Option<CallRequest> {
        let (step, _) = self.endpoint_of(idx)?;
        let llm = self.call_for(idx, step);
        let spec = &self.run.endpoints[e];
        let key = cache_key(spec.kind, &spec.base_url, &llm);
        let call = self.next_call;
        self.next_call += 1;
        self.set_pending(idx, Some(call));
        self.in_flight.insert(
            call,
            InFlight {
                item: idx,
                step,
                endpoint: e,
                started: now,
                cache_key: key.clone(),
                twin: None,
                copied: false,
                resent: false,
                first_sent: now,
            },
        );
        Some(CallRequest {
            call,
            item: idx,
            step,
            endpoint: e,
            llm,
            cache_key: key,
            timeout_ms: self.run.settings.timeout_ms,
        })
    }

    /// The model call an item makes at a step.
    pub fn call_for(&self, idx: usize, step: Step) -> LlmCall {
        call_for(&self.run, idx, step, Texts::Final)
    }
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod outage_tests;
#[cfg(test)]
mod resend_tests;
#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;
