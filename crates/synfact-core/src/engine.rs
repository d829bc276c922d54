//! The run engine: a state machine that takes events (a reply arrived, a timer fired, the user
//! paused) and returns commands (send this call, abort that one, wake me at, save this item).
//! It owns scheduling: one queue across all stages, favouring the items closest to done, with a
//! concurrency limit and an optional requests-per-minute limit per endpoint.

use crate::cache_key::cache_key;
use crate::error::{CallError, ErrorKind, PauseReason, ProviderProblem, StopReason};
use crate::prompts::{answer_prompt, judge_prompt, question_prompt, task_text};
use crate::quality::checks::{check_answer, check_question};
use crate::quality::dedup::Dedup;
use crate::quality::CheckFailure;
use crate::reason::{Reason, Refusal};
use crate::refusal::refusal;
use crate::retry::{backoff_ms, decide, fitting_max_tokens, Decision};
use crate::review::{self, ReviewAction};
use crate::run::{CallLog, EndpointSpec, Item, Note, Run, Schedule, Stage, Step, Target};
use crate::verdict::{parse_verdict, Verdict};
use crate::wire::{Completion, Finish, LlmCall};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod health;
mod queue;
mod report;
mod topup;

use queue::ReadyQueue;
pub use report::{Progress, StepProgress};

/// Something that happened.
#[derive(Clone, Debug)]
pub enum Event {
    /// Begin, or carry on with a reopened run.
    Start,
    Reply {
        call: u64,
        result: Result<Completion, CallError>,
        cached: bool,
    },
    Timer,
    /// The user paused.
    Pause,
    Resume,
    Cancel,
    /// New endpoint settings from the form (applied before a Resume); ignored while running.
    Reconnect(Connection),
    /// The browser's storage is full: pause until the user frees space.
    StorageFull,
    /// A reviewer acted on items (checked with `review::check`; items that fail it are left alone).
    Review {
        items: Vec<usize>,
        action: ReviewAction,
    },
}

/// Where a reopened run's calls go now: the endpoints in the form, and per-run limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub endpoints: Vec<EndpointSpec>,
    /// The endpoint of each generator, in order.
    pub generator_endpoints: Vec<usize>,
    pub judge_endpoint: usize,
    pub timeout_ms: u64,
    pub max_retries: u32,
    pub budget_usd: Option<f64>,
    /// The price table as the user keeps it now, when it is to replace the run's.
    pub prices: Option<crate::cost::PriceTable>,
}

/// A call for the adapter to make. The adapter adds the key and builds the HTTP request.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRequest {
    pub call: u64,
    pub item: usize,
    pub step: Step,
    pub endpoint: usize,
    pub llm: LlmCall,
    pub cache_key: String,
    pub timeout_ms: u64,
}

/// Something for the adapter to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Send(CallRequest),
    Abort(u64),
    /// Deliver `Event::Timer` at this time (ms).
    WakeAt(f64),
    /// Persist this item as it is now; with `reply`, also cache that reply under its key, in the
    /// same transaction, so a saved item is never ahead of its cached reply.
    Save {
        item: usize,
        reply: Option<(String, Completion)>,
    },
    /// `Engine::status` changed.
    Status,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Reopened, not started.
    Idle,
    Running,
    Paused(PauseReason),
    /// Stopped by an error no retry can fix.
    Stopped(StopReason),
    Cancelled,
    Finished,
}

impl Status {
    /// Resume would carry on from here.
    pub fn is_resumable(&self) -> bool {
        matches!(
            self,
            Status::Idle | Status::Paused(_) | Status::Stopped(_) | Status::Cancelled
        )
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    item: usize,
    step: Step,
    endpoint: usize,
    started: f64,
    cache_key: String,
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
            Event::Review { items, action } => self.review(items, action, now, &mut out),
            Event::Reply {
                call,
                result,
                cached,
            } => self.on_reply(call, result, cached, now, &mut out),
        }
        self.pump(now, &mut out);
        if self.status != before {
            out.push(Command::Status);
        }
        out
    }

    /// Whether the spent cost has reached the budget.
    fn over_budget(&self) -> Option<PauseReason> {
        let budget = self.run.settings.budget_usd?;
        (self.spent_usd >= budget).then_some(PauseReason::Budget {
            spent_usd: self.spent_usd,
            budget_usd: budget,
        })
    }

    /// Dollars spent so far (replies received from providers, at the run's prices).
    pub fn spent_usd(&self) -> f64 {
        self.spent_usd
    }

    fn review(
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
    fn rejudge(&mut self, idx: usize, now: f64) {
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
    fn stop(&mut self, status: Status, out: &mut Vec<Command>) {
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

    fn reconnect(&mut self, c: Connection) {
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

    /// The endpoint an item's next step goes to.
    fn endpoint_of(&self, idx: usize) -> Option<(Step, usize)> {
        let item = &self.run.items[idx];
        let step = Step::next_for(item.stage)?;
        let model = if step.is_judge() {
            &self.run.judge
        } else {
            &self.run.generators[item.generator]
        };
        Some((step, model.endpoint))
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

    fn on_reply(
        &mut self,
        call: u64,
        result: Result<Completion, CallError>,
        cached: bool,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        // Replies to calls that were aborted (cancel, stop) are ignored.
        let Some(f) = self.in_flight.remove(&call) else {
            return;
        };
        self.busy[f.endpoint] = self.busy[f.endpoint].saturating_sub(1);
        self.set_pending(f.item, None);
        if cached {
            // A reply from the cache cost the provider nothing: give back its place in the minute.
            if let Some(pos) = self.sent[f.endpoint].iter().rposition(|&t| t == f.started) {
                self.sent[f.endpoint].remove(pos);
            }
        }
        let step = f.step;
        let log = |error: Option<CallError>| CallLog {
            step,
            started_ms: f.started,
            ms: now - f.started,
            error,
            cached,
        };
        let mut reply_to_cache = None;
        match result {
            Ok(reply) => {
                self.reached[f.endpoint] = true;
                self.health[f.endpoint].answered(now);
                if !cached {
                    let model =
                        crate::cost::model_for(&self.run, self.run.items[f.item].generator, step);
                    if let Some(p) = self.run.settings.prices.price_of(model) {
                        let usd = p.cost(&reply.usage);
                        self.spent_usd += usd;
                        self.run.items[f.item].spent_usd += usd;
                    }
                }
                let item = &mut self.run.items[f.item];
                item.usage[step.index()].add(&reply.usage);
                item.log(log(None));
                if reply.repaired {
                    item.notes.push(Note::RepairedText(step));
                }
                match self.advance(f.item, step, &reply) {
                    Advance::Used(stage) => {
                        self.set_stage(f.item, stage);
                        if !cached {
                            reply_to_cache = Some((f.cache_key, reply));
                        }
                    }
                    Advance::AskAgain { cache, failure } => {
                        // A fresh sample: a new sample number, so a new cache key.
                        let item = &mut self.run.items[f.item];
                        item.samples[step.index()] += 1;
                        if let Some(failure) = failure {
                            item.notes.push(Note::AskedAgain { step, failure });
                        }
                        // A reply that failed a local check was still a real reply: cached, so
                        // a resumed run decides the same way without asking again.
                        if cache && !cached {
                            reply_to_cache = Some((f.cache_key, reply));
                        }
                    }
                    Advance::Unusable(stage) => self.set_stage(f.item, stage),
                }
            }
            Err(error) => {
                let reached = self.reached[f.endpoint];
                let retries = self.run.items[f.item].retries[step.index()];
                let decision =
                    if error.kind == ErrorKind::Network && !reached && retries >= UNREACHABLE_AFTER
                    {
                        Decision::StopRun(ProviderProblem::Unreachable)
                    } else {
                        decide(&error, reached)
                    };
                if decision == Decision::Forget {
                    self.enqueue(f.item, now);
                    return;
                }
                self.run.items[f.item].log(log(Some(error.clone())));
                self.health[f.endpoint].failed(f.item, &error, now);
                match decision {
                    Decision::Forget => unreachable!("handled above"),
                    Decision::Retry => self.retry(f.item, step, f.endpoint, &error, now),
                    Decision::FailItem(reason) => {
                        let current = self.run.items[f.item]
                            .max_tokens
                            .unwrap_or(self.model_of(f.item, step).max_tokens);
                        match fitting_max_tokens(&error.detail, current) {
                            Some(n) => {
                                let item = &mut self.run.items[f.item];
                                item.max_tokens = Some(n);
                                item.notes.push(Note::ShrankMaxTokens { step, to: n });
                            }
                            None => self.end(f.item, step, Stage::Failed, reason),
                        }
                    }
                    Decision::StopRun(problem) => {
                        out.push(Command::Save {
                            item: f.item,
                            reply: None,
                        });
                        self.enqueue(f.item, now);
                        self.stop(
                            Status::Stopped(StopReason::Provider {
                                endpoint: f.endpoint,
                                problem,
                                detail: error.detail,
                            }),
                            out,
                        );
                        return;
                    }
                }
            }
        }
        out.push(Command::Save {
            item: f.item,
            reply: reply_to_cache,
        });
        self.after_change(f.item, now, out);
    }

    /// After an item changed: schedule its next step, or top up if it ended unaccepted.
    fn after_change(&mut self, idx: usize, now: f64, out: &mut Vec<Command>) {
        self.enqueue(idx, now);
        let item = &self.run.items[idx];
        let rejudged = item.stage.is_terminal() && self.rejudging.remove(&idx);
        if !rejudged
            && matches!(item.stage, Stage::Rejected | Stage::Failed)
            && self.run.settings.target == Target::Accepted
        {
            match self.topup.replace(&self.run, idx) {
                topup::Next::Item(new) => self.push_item(*new, now, out),
                topup::Next::Nothing => {}
                topup::Next::Stop(reason) => {
                    if self.status == Status::Running {
                        self.stop(Status::Stopped(reason), out);
                    }
                }
            }
        }
    }

    fn ended(&self) -> usize {
        self.stages[Stage::Accepted as usize]
            + self.stages[Stage::Rejected as usize]
            + self.stages[Stage::Failed as usize]
    }

    fn model_of(&self, idx: usize, step: Step) -> &crate::wire::ModelConfig {
        if step.is_judge() {
            &self.run.judge.config
        } else {
            &self.run.generators[self.run.items[idx].generator].config
        }
    }

    fn retry(&mut self, idx: usize, step: Step, endpoint: usize, error: &CallError, now: f64) {
        let max = self.run.settings.max_retries;
        if self.run.items[idx].retries[step.index()] >= max
            && self.health[endpoint].shared(idx, error)
        {
            // Out of retries, but other items fail the same way: the provider's trouble, not
            // this item's. It stays unfinished and the run pauses.
            if let Some(outage) = self.health[endpoint].outage(now, true) {
                self.pause_for_outage(endpoint, outage, error.detail.clone());
                self.ready_at[idx] = now;
                return;
            }
        }
        let (base, cap) = (
            self.run.settings.backoff_base_ms,
            self.run.settings.backoff_max_ms,
        );
        let item = &mut self.run.items[idx];
        let n = &mut item.retries[step.index()];
        *n += 1;
        if *n > max {
            let tries = *n;
            self.end(
                idx,
                step,
                Stage::Failed,
                Reason::GaveUp {
                    tries,
                    last: error.clone(),
                },
            );
        } else {
            let unit: f64 = self.rng.random();
            let wait = backoff_ms(*n, base, cap, error.retry_after_ms, unit);
            self.ready_at[idx] = now + wait as f64;
        }
    }

    fn end(&mut self, idx: usize, step: Step, stage: Stage, reason: Reason) {
        let item = &mut self.run.items[idx];
        item.ended_at = Some(step);
        item.reason = Some(reason);
        self.set_stage(idx, stage);
    }

    /// What a reply does to its item.
    fn advance(&mut self, idx: usize, step: Step, reply: &Completion) -> Advance {
        let quality = self.run.settings.quality.clone();
        let reasks = quality.reasks;
        let (key_sentence, requirement) = {
            let (_, _, r) = self.run.prompt_texts(&self.run.items[idx].prompt);
            (
                self.run
                    .template
                    .specific_information_to_always_include
                    .clone(),
                r.to_string(),
            )
        };
        let item = &mut self.run.items[idx];
        let can_ask_again = item.samples[step.index()] < reasks;
        let reject = |item: &mut Item, reason: Reason| {
            item.ended_at = Some(step);
            item.reason = Some(reason);
            Stage::Rejected
        };
        // A local check failed: ask again while samples are left, then reject.
        let failed = |item: &mut Item, failure: CheckFailure| {
            if can_ask_again {
                Advance::AskAgain {
                    cache: true,
                    failure: Some(failure),
                }
            } else {
                Advance::Used(reject(item, Reason::Check(failure)))
            }
        };
        match step {
            Step::WriteQuestion | Step::WriteAnswer => {
                match refusal(reply) {
                    // An empty reply is a glitch more often than a refusal: ask again, and never cache it.
                    Some(Refusal::Empty) if can_ask_again => {
                        return Advance::AskAgain {
                            cache: false,
                            failure: None,
                        }
                    }
                    Some(Refusal::Empty) => {
                        return Advance::Unusable(reject(item, Reason::Refused(Refusal::Empty)))
                    }
                    Some(r) => return Advance::Used(reject(item, Reason::Refused(r))),
                    None => {}
                }
                if step == Step::WriteAnswer && reply.finish == Finish::Length {
                    if can_ask_again {
                        return Advance::AskAgain {
                            cache: true,
                            failure: None,
                        };
                    }
                    return Advance::Used(reject(item, Reason::CutOff));
                }
                let text = reply.text.trim().to_string();
                if step == Step::WriteQuestion {
                    if let Some(failure) = check_question(&text, &requirement, &quality) {
                        return failed(item, failure);
                    }
                    if let Some(dedup) = &mut self.dedup {
                        dedup.observe(&text);
                        let items = &self.run.items;
                        // A twin that was rejected or failed since will not be in the dataset.
                        let twin = dedup.twin(&text, |t| {
                            !matches!(items[t].stage, Stage::Rejected | Stage::Failed)
                        });
                        let item = &mut self.run.items[idx];
                        if let Some(t) = twin {
                            item.question = Some(text);
                            return Advance::Used(reject(
                                item,
                                Reason::Duplicate {
                                    of: t.item,
                                    similarity: t.similarity,
                                },
                            ));
                        }
                        dedup.insert(idx, &text);
                    }
                    self.run.items[idx].question = Some(text);
                    Advance::Used(Stage::Question)
                } else {
                    let asked = format!("{} {requirement}", item.final_question().unwrap_or(""));
                    if let Some(failure) = check_answer(&text, &key_sentence, &asked, &quality) {
                        return failed(item, failure);
                    }
                    item.answer = Some(text);
                    Advance::Used(Stage::Answer)
                }
            }
            Step::JudgeQuestion | Step::JudgeAnswer => {
                let slot = if step == Step::JudgeQuestion {
                    &mut item.verdicts.question
                } else {
                    &mut item.verdicts.answer
                };
                match parse_verdict(reply) {
                    Verdict::Complied(why) => {
                        *slot = why;
                        Advance::Used(if step == Step::JudgeQuestion {
                            Stage::QuestionJudged
                        } else {
                            Stage::Accepted
                        })
                    }
                    Verdict::NotComplied(why) => {
                        *slot = why.clone();
                        Advance::Used(reject(item, Reason::JudgeRejected { why }))
                    }
                    Verdict::Refused(text) => {
                        Advance::Used(reject(item, Reason::JudgeRefused { text }))
                    }
                    Verdict::Unreadable(_) if can_ask_again => Advance::AskAgain {
                        cache: false,
                        failure: None,
                    },
                    Verdict::Unreadable(snippet) => {
                        Advance::Unusable(reject(item, Reason::NoVerdict { snippet }))
                    }
                }
            }
        }
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
            self.send_ready(now, out);
        }
        let next_backoff = self.waiting.first().map(|&(at, _)| at as f64);
        let next_wake = [
            next_backoff,
            self.rpm_wake(now),
            self.health
                .iter()
                .filter_map(|h| h.deadline())
                .reduce(f64::min),
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

    /// Every endpoint's streak starts afresh now.
    fn health_from(&mut self, now: f64) {
        for h in &mut self.health {
            h.answered(now);
        }
    }

    fn pause_for_outage(&mut self, endpoint: usize, outage: crate::error::Outage, detail: String) {
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
    fn last_error_detail(&self, endpoint: usize) -> String {
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
    fn after_outage(&mut self, now: f64) {
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
        let Some((step, _)) = self.endpoint_of(idx) else {
            return;
        };
        let llm = self.call_for(idx, step);
        let spec = &self.run.endpoints[e];
        let key = cache_key(spec.kind, &spec.base_url, &llm);
        let call = self.next_call;
        self.next_call += 1;
        self.busy[e] += 1;
        self.sent[e].push_back(now);
        self.set_pending(idx, Some(call));
        self.in_flight.insert(
            call,
            InFlight {
                item: idx,
                step,
                endpoint: e,
                started: now,
                cache_key: key.clone(),
            },
        );
        out.push(Command::Send(CallRequest {
            call,
            item: idx,
            step,
            endpoint: e,
            llm,
            cache_key: key,
            timeout_ms: self.run.settings.timeout_ms,
        }));
    }

    /// The model call an item makes at a step.
    pub fn call_for(&self, idx: usize, step: Step) -> LlmCall {
        call_for(&self.run, idx, step, Texts::Final)
    }
}

/// Which question and answer a call is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Texts {
    /// The reviewer's edits, where there are any (what the next call uses).
    Final,
    /// The model's own texts (what the calls already made used).
    Original,
}

/// The model call an item of `run` makes at a step, with its current sample number.
pub fn call_for(run: &Run, idx: usize, step: Step, texts: Texts) -> LlmCall {
    call_for_item(run, &run.items[idx], step, texts)
}

/// The model call `item` (of `run`, or shaped like one of its items) makes at a step.
pub fn call_for_item(run: &Run, item: &Item, step: Step, texts: Texts) -> LlmCall {
    let t = &run.template;
    let prompts = &run.prompts;
    let generator = &run.generators[item.generator];
    let (question, answer) = match texts {
        Texts::Final => (item.final_question(), item.final_answer()),
        Texts::Original => (item.question.as_deref(), item.answer.as_deref()),
    };
    let question = question.unwrap_or("");
    let (messages, mut config, verdict_schema) = match step {
        Step::WriteQuestion => (
            question_prompt(prompts, t, &item.prompt),
            generator.config.clone(),
            false,
        ),
        Step::WriteAnswer => (
            answer_prompt(prompts, t, question),
            generator.config.clone(),
            false,
        ),
        Step::JudgeQuestion => {
            let task = task_text(&question_prompt(prompts, t, &item.prompt));
            (
                judge_prompt(prompts, t, &task, question, question),
                run.judge.config.clone(),
                true,
            )
        }
        Step::JudgeAnswer => {
            let task = task_text(&answer_prompt(prompts, t, question));
            (
                judge_prompt(prompts, t, &task, question, answer.unwrap_or("")),
                run.judge.config.clone(),
                true,
            )
        }
    };
    if let Some(n) = item.max_tokens.filter(|_| !step.is_judge()) {
        config.max_tokens = n;
    }
    LlmCall {
        messages,
        config,
        verdict_schema,
        // A repeated prompt's question is a fresh draw (its own cache key), not a copy.
        attempt: item.samples[step.index()]
            + if step == Step::WriteQuestion {
                item.draw << 16
            } else {
                0
            },
    }
}

/// The cache keys of every call a run has made (every sample of every step an item reached):
/// what deleting the run frees from the cache.
pub fn cache_keys(run: &Run) -> Vec<String> {
    let mut keys = Vec::new();
    for (idx, item) in run.items.iter().enumerate() {
        for step in Step::ALL {
            let reached =
                item.steps_done() > step.index() || item.calls.iter().any(|c| c.step == step);
            if !reached {
                continue;
            }
            let endpoint = if step.is_judge() {
                run.judge.endpoint
            } else {
                run.generators[item.generator].endpoint
            };
            let Some(spec) = run.endpoints.get(endpoint) else {
                continue;
            };
            let mut call = call_for(run, idx, step, Texts::Original);
            let draw = call.attempt - item.samples[step.index()];
            for sample in 0..=item.samples[step.index()] {
                call.attempt = draw + sample;
                keys.push(cache_key(spec.kind, &spec.base_url, &call));
            }
        }
    }
    keys
}

/// What a reply did.
enum Advance {
    /// The reply moved the item to this stage; it is worth caching.
    Used(Stage),
    /// Ask the same step again with a fresh sample: the reply failed a local check (`failure`;
    /// a real reply, cached) or was unusable (not cached).
    AskAgain {
        cache: bool,
        failure: Option<CheckFailure>,
    },
    /// The reply was unusable and there are no samples left: the item ends at this stage, and
    /// the reply is not cached, so a later run asks again.
    Unusable(Stage),
}

#[cfg(test)]
mod outage_tests;
#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;
