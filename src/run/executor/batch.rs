//! A round of a batch run, carried out: replies already cached answer at once, the rest go to
//! the provider's batch service as the core plans them (`run::batch`): each file uploaded, each
//! batch created and its ids saved with the run at once, polled with back-off, its output and
//! error files read back by `custom_id` and handed to the engine as replies. A page opened later
//! finds the round's batches in the saved run and follows them instead of submitting again.

use super::Executor;
use crate::api::{send, Unreached};
use crate::storage::cache;
use gloo_timers::future::sleep;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;
use synfact_core::provider::batch::{self, read_batch, read_results, BatchStatus};
use synfact_core::provider::error::BatchProblem;
use synfact_core::provider::files::{poll_delay_ms, read_file, Request};
use synfact_core::provider::wire::ProviderKind;
use synfact_core::run::batch::{hand_over, take_up, BatchState, Line};
use synfact_core::run::engine::CallRequest;
use synfact_core::Event;

/// Tries of a route that answers 429 or 5xx before the round gives up.
const ROUTE_TRIES: u32 = 5;

/// The round being carried out: its calls, and whether it was called off (Cancel).
pub(super) struct RoundRun {
    calls: HashSet<u64>,
    stopped: Cell<bool>,
}

impl RoundRun {
    pub(super) fn holds(&self, call: u64) -> bool {
        self.calls.contains(&call)
    }
}

/// Carries out a round: in a chunk of its own (a run that is not sent as batches never needs it).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn round_driver(
    exec: Rc<Executor>,
    round: u32,
    calls: Vec<CallRequest>,
    run: Rc<RoundRun>,
) -> Result<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>, crate::parts::ChunkError> {
    Ok(Box::pin(async move {
        exec.drive_round(round, calls, run).await
    }))
}

impl Executor {
    /// Carries out `Command::SendRound`.
    pub(super) fn send_round(self: &Rc<Self>, round: u32, calls: Vec<CallRequest>) {
        let run = Rc::new(RoundRun {
            calls: calls.iter().map(|c| c.call).collect(),
            stopped: Cell::new(false),
        });
        *self.round.borrow_mut() = Some(run.clone());
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let exec = me.clone();
            let driving = crate::parts::call_split!(round_driver(exec, round, calls, run));
            match driving.await {
                Ok(driving) => driving.await,
                // The batch code lives in a chunk of its own: without it the round cannot go.
                Err(e) => me.dispatch(Event::BatchFailed(BatchProblem::NotLoaded { detail: e.0 })),
            }
        });
    }

    /// Calls of the engine aborted (Cancel, a stop): the round's batches are cancelled at the
    /// provider too.
    pub(super) fn abort_round(self: &Rc<Self>, call: u64) {
        let Some(run) = self.round.borrow().clone() else {
            return;
        };
        if !run.holds(call) || run.stopped.replace(true) {
            return;
        }
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(state) = me.with_run(|r| r.batch.clone()) else {
                return;
            };
            me.dispatch(Event::BatchSaved(None));
            me.settings_changed();
            me.flush();
            for job in state.jobs.iter().filter(|j| !j.collected) {
                let Some(id) = &job.batch_id else { continue };
                let base =
                    me.with_run(|r| r.endpoints.get(job.endpoint).map(|e| e.base_url.clone()));
                if let Some(base) = base {
                    let req = batch::cancel(ProviderKind::OpenAi, &base, id);
                    let _ = me.call(job.endpoint, &req).await;
                }
            }
        });
    }

    fn key(&self, endpoint: usize) -> String {
        self.keys
            .borrow()
            .get(endpoint)
            .cloned()
            .unwrap_or_default()
    }

    async fn call(&self, endpoint: usize, req: &Request) -> Result<(u16, String), Unreached> {
        send(req, &self.key(endpoint)).await
    }

    /// A route call, tried again on 429 and 5xx with back-off.
    async fn call_route(
        &self,
        endpoint: usize,
        req: &Request,
    ) -> Result<(u16, String), BatchProblem> {
        let mut tries = 0;
        loop {
            match self.call(endpoint, req).await {
                Err(Unreached(detail)) => return Err(BatchProblem::Unreachable { detail }),
                Ok((status, _)) if (status == 429 || status >= 500) && tries + 1 < ROUTE_TRIES => {
                    tries += 1;
                    sleep(Duration::from_millis(poll_delay_ms(tries + 1))).await;
                }
                Ok(answer) => return Ok(answer),
            }
        }
    }

    fn save_round(self: &Rc<Self>, state: &BatchState) {
        self.dispatch(Event::BatchSaved(Some(state.clone())));
        self.settings_changed();
        self.flush();
        let (done, total) = state.at_provider();
        self.dispatch(Event::AtProvider { done, total });
    }

    /// The round is still this executor's to carry out.
    fn going(&self, run: &Rc<RoundRun>) -> bool {
        self.live.get()
            && !run.stopped.get()
            && self
                .round
                .borrow()
                .as_ref()
                .is_some_and(|r| Rc::ptr_eq(r, run))
    }

    async fn drive_round(self: Rc<Self>, round: u32, calls: Vec<CallRequest>, run: Rc<RoundRun>) {
        // Replies already cached answer now; they never go in a batch.
        let mut misses = Vec::new();
        for req in calls {
            if self.known.borrow().contains(&req.cache_key) {
                if let Ok(Some(hit)) = cache::get(&self.db, &req.cache_key).await {
                    self.dispatch(Event::Reply {
                        call: req.call,
                        result: Ok(hit),
                        cached: true,
                    });
                    continue;
                }
            }
            misses.push(req);
        }
        if misses.is_empty() || !self.going(&run) {
            return;
        }
        let by_id: HashMap<String, u64> = misses.iter().map(|c| (c.line_id(), c.call)).collect();
        misses.sort_by_key(|c| (c.item, c.step.index()));
        let lines: Vec<Line> = misses
            .iter()
            .map(|c| Line {
                id: c.line_id(),
                endpoint: c.endpoint,
                kind: ProviderKind::OpenAi,
                llm: &c.llm,
            })
            .collect();
        // The round's batches saved by an earlier page, and new ones for calls they do not hold.
        let (mut state, mut contents) = take_up(self.with_run(|r| r.batch.clone()), round, &lines);
        // Where the provider is with it, shown at once (a page opened later too).
        self.save_round(&state);
        let mut problem = None;
        // Submit what is not yet at the provider, saving each id as soon as it exists.
        for k in 0..state.jobs.len() {
            if problem.is_some() || !self.going(&run) {
                break;
            }
            if state.jobs[k].batch_id.is_some() || state.jobs[k].collected {
                continue;
            }
            match self.submit(round, k, &mut state, contents.remove(&k)).await {
                Ok(()) => self.save_round(&state),
                Err(p) => problem = Some(p),
            }
        }
        if problem.is_some() {
            // Jobs that never reached the provider are dropped; their calls are forgotten below.
            state.jobs.retain(|j| j.batch_id.is_some());
            self.save_round(&state);
        }
        // Follow every batch at the provider to its end and hand its replies to the engine.
        let mut unchanged = 0;
        while self.going(&run) && state.jobs.iter().any(|j| !j.collected) {
            let mut changed = false;
            for k in 0..state.jobs.len() {
                if state.jobs[k].collected || !self.going(&run) {
                    continue;
                }
                let (endpoint, id) = (state.jobs[k].endpoint, state.jobs[k].batch_id.clone());
                let (Some(id), Some(base)) = (id, self.base(endpoint)) else {
                    continue;
                };
                // A poll that fails is tried again later: the batch goes on at the provider.
                let req = batch::get(ProviderKind::OpenAi, &base, &id);
                let Ok((status, body)) = self.call(endpoint, &req).await else {
                    continue;
                };
                let Ok(info) = read_batch(ProviderKind::OpenAi, status, &body) else {
                    continue;
                };
                changed |= state.update(k, &info);
                if !info.status.is_final() {
                    continue;
                }
                let mut results = Vec::new();
                if info.status == BatchStatus::Failed {
                    problem.get_or_insert(BatchProblem::Failed {
                        errors: info.errors.clone(),
                    });
                } else {
                    for file in [&info.output_file_id, &info.error_file_id]
                        .into_iter()
                        .flatten()
                    {
                        match self.read_lines(endpoint, &base, file).await {
                            Some(mut lines) => results.append(&mut lines),
                            None => {
                                problem.get_or_insert(BatchProblem::Unreadable {
                                    detail: format!("the file {file} could not be read"),
                                });
                            }
                        }
                    }
                }
                // The round's state is saved before its replies are handed on: the last reply
                // may start the next round at once.
                state.jobs[k].collected = true;
                let last = !state.jobs.iter().any(|j| !j.collected);
                if last {
                    self.round.borrow_mut().take();
                    self.dispatch(Event::BatchSaved(None));
                    self.settings_changed();
                    self.flush();
                } else {
                    self.save_round(&state);
                }
                if info.status == BatchStatus::Failed {
                    continue;
                }
                let ids = &state.jobs[k].custom_ids;
                for (call, result) in hand_over(ProviderKind::OpenAi, &results, ids, &by_id) {
                    self.dispatch(Event::Reply {
                        call,
                        result,
                        cached: false,
                    });
                }
                if last {
                    break;
                }
            }
            if changed {
                unchanged = 0;
                self.save_round(&state);
            } else {
                unchanged += 1;
            }
            if state.jobs.iter().any(|j| !j.collected) {
                sleep(Duration::from_millis(poll_delay_ms(unchanged))).await;
            }
        }
        if run.stopped.get() || !self.live.get() {
            return;
        }
        if state.jobs.is_empty() {
            self.round.borrow_mut().take();
            self.dispatch(Event::BatchSaved(None));
            self.settings_changed();
        }
        if let Some(p) = problem {
            self.dispatch(Event::BatchFailed(p));
        }
    }

    fn base(&self, endpoint: usize) -> Option<synfact_core::provider::endpoint::BaseUrl> {
        self.with_run(|r| r.endpoints.get(endpoint).map(|e| e.base_url.clone()))
    }

    /// Uploads job `k`'s file and creates its batch.
    async fn submit(
        &self,
        round: u32,
        k: usize,
        state: &mut BatchState,
        content: Option<String>,
    ) -> Result<(), BatchProblem> {
        let endpoint = state.jobs[k].endpoint;
        let base = self.base(endpoint).ok_or(BatchProblem::Unreadable {
            detail: "no endpoint".into(),
        })?;
        if state.jobs[k].file_id.is_none() {
            let Some(content) = content else {
                return Err(BatchProblem::Unreadable {
                    detail: "the round's file was lost".into(),
                });
            };
            let name = format!("synfact-round-{round}-{}.jsonl", k + 1);
            let (status, body) = self
                .call_route(endpoint, &batch::upload(&base, &name, content))
                .await?;
            let id = read_file(status, &body).map_err(|e| batch::submit_problem(&e))?;
            state.jobs[k].file_id = Some(id);
        }
        let file = state.jobs[k].file_id.clone().unwrap_or_default();
        let (status, body) = self
            .call_route(endpoint, &batch::create(&base, &file))
            .await?;
        let info =
            read_batch(ProviderKind::OpenAi, status, &body).map_err(|e| batch::problem(&e))?;
        state.jobs[k].batch_id = Some(info.id.clone());
        state.update(k, &info);
        Ok(())
    }

    /// A result file's lines, or `None` when it could not be read.
    async fn read_lines(
        &self,
        endpoint: usize,
        base: &synfact_core::provider::endpoint::BaseUrl,
        file: &str,
    ) -> Option<Vec<(String, batch::LineResult)>> {
        match self.call_route(endpoint, &batch::content(base, file)).await {
            Ok((200, text)) => Some(read_results(ProviderKind::OpenAi, &text).0),
            _ => None,
        }
    }
}
