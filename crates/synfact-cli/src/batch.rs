//! A round of a batch run on the command line, through OpenAI's Batch API or Anthropic's
//! Message Batches: replies already cached answer at once; the rest go to the provider as the
//! core plans them (`run::batch`), each batch's id written to the store the moment it exists;
//! the batches are polled with back-off and their results handed to the engine as replies. The
//! same command run again takes the round up where the store left it: it follows the batches
//! already submitted and submits nothing twice.

use crate::http;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use synfact_core::provider::batch::{self, anthropic, read_batch, read_results, BatchStatus};
use synfact_core::provider::endpoint::BaseUrl;
use synfact_core::provider::error::BatchProblem;
use synfact_core::provider::files::{poll_delay_ms, read_file, Request};
use synfact_core::provider::wire::ProviderKind;
use synfact_core::run::batch::{hand_over, take_up, BatchState, Line};
use synfact_core::run::engine::CallRequest;
use synfact_core::Event;
use tokio::sync::mpsc;

/// Tries of a route that answers 429 or 5xx before the round gives up.
const ROUTE_TRIES: u32 = 5;

/// What a round needs from its run.
pub struct Round {
    pub store: Arc<Store>,
    pub run_id: String,
    pub endpoints: Vec<(ProviderKind, BaseUrl)>,
    pub keys: Arc<Vec<String>>,
    pub client: reqwest::Client,
    pub tx: mpsc::UnboundedSender<Event>,
    /// With `--no-wait`: told (the provider's count of the round's lines done, and of all) when
    /// the round is at the provider and anything more means waiting for it.
    pub waiting: Option<mpsc::UnboundedSender<(u64, u64)>>,
}

impl Round {
    fn send(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// Writes the round's state to the store (before anything else happens), then tells the
    /// engine. A store that cannot be written pauses the run.
    fn save(&self, state: Option<&BatchState>) -> bool {
        if self.store.save_batch(&self.run_id, state).is_err() {
            self.send(Event::StorageFull);
            return false;
        }
        self.send(Event::BatchSaved(state.cloned()));
        if let Some(s) = state {
            let (done, total) = s.at_provider();
            self.send(Event::AtProvider { done, total });
        }
        true
    }

    fn key(&self, endpoint: usize) -> &str {
        self.keys.get(endpoint).map(String::as_str).unwrap_or("")
    }

    /// A route call, tried again on 429 and 5xx with back-off.
    async fn call(&self, endpoint: usize, req: &Request) -> Result<(u16, String), BatchProblem> {
        let kind = self.endpoints[endpoint].0;
        let mut tries = 0;
        loop {
            match http::route(&self.client, kind, self.key(endpoint), req).await {
                Err(detail) => return Err(BatchProblem::Unreachable { detail }),
                Ok((status, _)) if (status == 429 || status >= 500) && tries + 1 < ROUTE_TRIES => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(poll_delay_ms(tries + 1))).await;
                }
                Ok(answer) => return Ok(answer),
            }
        }
    }

    /// Carries out `Command::SendRound`; `saved` is the round the store holds, if any.
    pub async fn drive(self, round: u32, calls: Vec<CallRequest>, saved: Option<BatchState>) {
        let mut misses = Vec::new();
        for req in calls {
            match self.store.cached(&req.cache_key) {
                Ok(Some(hit)) => self.send(Event::Reply {
                    call: req.call,
                    result: Ok(hit),
                    cached: true,
                }),
                _ => misses.push(req),
            }
        }
        if misses.is_empty() {
            return;
        }
        misses.sort_by_key(|c| (c.item, c.step.index()));
        let by_id: HashMap<String, u64> = misses.iter().map(|c| (c.line_id(), c.call)).collect();
        let lines: Vec<Line> = misses
            .iter()
            .map(|c| Line {
                id: c.line_id(),
                endpoint: c.endpoint,
                kind: self.endpoints[c.endpoint].0,
                llm: &c.llm,
            })
            .collect();
        let (mut state, mut contents) = take_up(saved, round, &lines);
        if !self.save(Some(&state)) {
            return;
        }
        let mut problem = None;
        for k in 0..state.jobs.len() {
            if state.jobs[k].batch_id.is_some() || state.jobs[k].collected {
                continue;
            }
            match self.submit(round, k, &mut state, contents.remove(&k)).await {
                Ok(()) if self.save(Some(&state)) => {}
                Ok(()) => return,
                Err(p) => {
                    problem = Some(p);
                    break;
                }
            }
        }
        if problem.is_some() {
            // Jobs that never reached the provider are dropped; their calls go back.
            state.jobs.retain(|j| j.batch_id.is_some());
            if !self.save(Some(&state)) {
                return;
            }
        }
        let mut unchanged = 0;
        while state.jobs.iter().any(|j| !j.collected) {
            let mut changed = false;
            for k in 0..state.jobs.len() {
                if state.jobs[k].collected {
                    continue;
                }
                let endpoint = state.jobs[k].endpoint;
                let (kind, base) = self.endpoints[endpoint].clone();
                let Some(id) = state.jobs[k].batch_id.clone() else {
                    continue;
                };
                // A poll that fails is tried again later: the batch goes on at the provider.
                let Ok((status, body)) = self.call(endpoint, &batch::get(kind, &base, &id)).await
                else {
                    continue;
                };
                let Ok(info) = read_batch(kind, status, &body) else {
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
                    match self.results(endpoint, &base, &info).await {
                        Ok(mut lines) => results.append(&mut lines),
                        Err(p) => {
                            problem.get_or_insert(p);
                        }
                    }
                }
                // The round's state is saved before its replies are handed on: the last reply
                // may start the next round at once.
                state.jobs[k].collected = true;
                let last = !state.jobs.iter().any(|j| !j.collected);
                if !self.save(if last { None } else { Some(&state) }) {
                    return;
                }
                if info.status != BatchStatus::Failed {
                    let ids = &state.jobs[k].custom_ids;
                    for (call, result) in hand_over(kind, &results, ids, &by_id) {
                        self.send(Event::Reply {
                            call,
                            result,
                            cached: false,
                        });
                    }
                }
            }
            if changed {
                unchanged = 0;
                if !self.save(Some(&state)) {
                    return;
                }
            } else {
                unchanged += 1;
            }
            if state.jobs.iter().any(|j| !j.collected) {
                if let Some(w) = &self.waiting {
                    let _ = w.send(state.at_provider());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(poll_delay_ms(unchanged))).await;
            }
        }
        if state.jobs.is_empty() && !self.save(None) {
            return;
        }
        if let Some(p) = problem {
            self.send(Event::BatchFailed(p));
        }
    }

    /// A finished batch's result lines (OpenAI's output and error files, Anthropic's results).
    async fn results(
        &self,
        endpoint: usize,
        base: &BaseUrl,
        info: &batch::BatchInfo,
    ) -> Result<Vec<(String, batch::LineResult)>, BatchProblem> {
        let kind = self.endpoints[endpoint].0;
        let mut out = Vec::new();
        for req in batch::results(kind, base, info).map_err(|e| batch::problem(&e))? {
            match self.call(endpoint, &req).await? {
                (200, text) => out.append(&mut read_results(kind, &text).0),
                (status, body) => {
                    return Err(BatchProblem::Http {
                        status,
                        detail: body.chars().take(300).collect(),
                    })
                }
            }
        }
        Ok(out)
    }

    /// Submits job `k`: OpenAI's file uploaded then its batch created; Anthropic's batch created
    /// with its requests.
    async fn submit(
        &self,
        round: u32,
        k: usize,
        state: &mut BatchState,
        content: Option<String>,
    ) -> Result<(), BatchProblem> {
        let endpoint = state.jobs[k].endpoint;
        let (kind, base) = self.endpoints[endpoint].clone();
        let lost = || BatchProblem::Unreadable {
            detail: "the round's requests were lost".into(),
        };
        let create = match kind {
            ProviderKind::Anthropic => anthropic::create(&base, content.ok_or_else(lost)?),
            ProviderKind::OpenAi => {
                if state.jobs[k].file_id.is_none() {
                    let name = format!("synfact-round-{round}-{}.jsonl", k + 1);
                    let upload = batch::upload(&base, &name, content.ok_or_else(lost)?);
                    let (status, body) = self.call(endpoint, &upload).await?;
                    let id = read_file(status, &body).map_err(|e| batch::submit_problem(&e))?;
                    state.jobs[k].file_id = Some(id);
                }
                batch::create(&base, state.jobs[k].file_id.as_deref().unwrap_or_default())
            }
        };
        let (status, body) = self.call(endpoint, &create).await?;
        let info = read_batch(kind, status, &body).map_err(|e| match kind {
            ProviderKind::Anthropic => batch::submit_problem(&e),
            ProviderKind::OpenAi => batch::problem(&e),
        })?;
        state.jobs[k].batch_id = Some(info.id.clone());
        state.update(k, &info);
        Ok(())
    }
}
