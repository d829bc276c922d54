//! The command line's executor: the engine's commands carried out with tokio (calls through the
//! cache, aborts, timers, saves), its events fed back in one loop. The same engine, plan, cache
//! keys and checks as the page; only the IO differs.

use crate::batch::Round;
use crate::http;
use crate::progress::Progress;
use crate::store::{Store, Writes};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use synfact_core::run::engine::CallRequest;
use synfact_core::{Command, Engine, Event, Run, Status};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How often the progress is drawn.
const SHOW_EVERY: Duration = Duration::from_millis(250);

/// How a drive ended.
pub enum Ended {
    /// The engine's status when nothing more was going to happen.
    Status(Status),
    /// Ctrl-C: sending stopped, what was answered saved (a round at the provider goes on there).
    Interrupted,
    /// `--no-wait`: the round is at the provider (its lines done there, and all).
    Waiting { done: u64, total: u64 },
}

pub struct Driver {
    engine: Engine,
    store: Arc<Store>,
    keys: Arc<Vec<String>>,
    client: reqwest::Client,
    tx: mpsc::UnboundedSender<Event>,
    calls: HashMap<u64, JoinHandle<()>>,
    started: Instant,
    writes: Writes,
    dirty: BTreeSet<usize>,
    /// The round of a batch run being carried out.
    round: Option<JoinHandle<()>>,
    /// With `--no-wait`: where a round says it is waiting at the provider.
    waiting: Option<mpsc::UnboundedSender<(u64, u64)>>,
    waiting_rx: Option<mpsc::UnboundedReceiver<(u64, u64)>>,
    /// The settings given now, for a run resumed (handed to the engine before it goes on).
    reconnect: Option<synfact_core::Connection>,
}

impl Driver {
    pub fn new(
        run: Run,
        saved: Option<Status>,
        store: Arc<Store>,
        keys: Vec<String>,
        no_wait: bool,
    ) -> (Driver, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (waiting, waiting_rx) = match no_wait {
            true => {
                let (t, r) = mpsc::unbounded_channel();
                (Some(t), Some(r))
            }
            false => (None, None),
        };
        let mut engine = Engine::new(run);
        if let Some(s) = saved {
            engine.restore_status(s);
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap_or_default();
        let writes = Writes {
            run_id: engine.run().id.clone(),
            run: Some(engine.run().without_items()),
            ..Writes::default()
        };
        (
            Driver {
                engine,
                store,
                keys: Arc::new(keys),
                client,
                tx,
                calls: HashMap::new(),
                started: Instant::now(),
                writes,
                dirty: BTreeSet::new(),
                round: None,
                waiting,
                waiting_rx,
                reconnect: None,
            },
            rx,
        )
    }

    /// A run resumed goes on with these settings (limits, budget, `--batch`, where calls go).
    pub fn reconnect(&mut self, c: synfact_core::Connection) {
        self.reconnect = Some(c);
    }

    /// A run new to the store: its first save writes every item.
    pub fn save_all_items(&mut self) {
        self.dirty.extend(0..self.engine.run().items.len());
    }

    /// The run as it ended (the engine's own, not a copy: it can be most of the memory).
    pub fn into_run(self) -> Run {
        self.engine.into_run()
    }

    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn handle(&mut self, event: Event) {
        let now = self.now();
        for c in self.engine.handle(event, now) {
            match c {
                Command::Send(req) => self.send(req),
                Command::SendRound { round, calls } => self.send_round(round, calls),
                Command::Abort(call) => {
                    if let Some(h) = self.calls.remove(&call) {
                        h.abort();
                    }
                }
                Command::WakeAt(at) => {
                    let tx = self.tx.clone();
                    let wait = Duration::from_secs_f64(((at - now).max(0.0)) / 1000.0);
                    tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        let _ = tx.send(Event::Timer);
                    });
                }
                Command::Save { item, reply } => {
                    self.dirty.insert(item);
                    if let Some(r) = reply {
                        self.writes.replies.push(r);
                    }
                }
                Command::Status => {}
            }
        }
    }

    fn send_round(&mut self, round: u32, calls: Vec<CallRequest>) {
        let run = self.engine.run();
        let r = Round {
            store: self.store.clone(),
            run_id: run.id.clone(),
            endpoints: run
                .endpoints
                .iter()
                .map(|e| (e.kind, e.base_url.clone()))
                .collect(),
            keys: self.keys.clone(),
            client: self.client.clone(),
            tx: self.tx.clone(),
            waiting: self.waiting.clone(),
        };
        let saved = run.batch.clone();
        self.round = Some(tokio::spawn(r.drive(round, calls, saved)));
    }

    /// A round is being carried out (submitted, polled or handed over).
    fn round_going(&self) -> bool {
        self.round.as_ref().is_some_and(|h| !h.is_finished())
    }

    fn send(&mut self, req: CallRequest) {
        let (kind, base) = {
            let e = &self.engine.run().endpoints[req.endpoint];
            (e.kind, e.base_url.clone())
        };
        let (store, keys, client, tx) = (
            self.store.clone(),
            self.keys.clone(),
            self.client.clone(),
            self.tx.clone(),
        );
        let call = req.call;
        let handle = tokio::spawn(async move {
            let (result, cached) = match store.cached(&req.cache_key) {
                Ok(Some(hit)) => (Ok(hit), true),
                _ => {
                    let key = keys.get(req.endpoint).map(String::as_str).unwrap_or("");
                    (
                        http::call(&client, kind, &base, key, &req.llm, req.timeout_ms).await,
                        false,
                    )
                }
            };
            let _ = tx.send(Event::Reply {
                call,
                result,
                cached,
            });
        });
        self.calls.insert(call, handle);
    }

    /// Writes what changed since the last save, in one transaction.
    pub fn save(&mut self) -> Result<(), String> {
        let run = self.engine.run();
        self.writes.items = self
            .dirty
            .iter()
            .filter_map(|&i| run.items.get(i).cloned())
            .collect();
        self.dirty.clear();
        self.writes.status = Some(self.engine.status().clone());
        let w = std::mem::replace(
            &mut self.writes,
            Writes {
                run_id: run.id.clone(),
                ..Writes::default()
            },
        );
        if let Err(e) = self.store.write(&w) {
            // The run's record is kept for the next save.
            self.writes.run = w.run;
            return Err(e);
        }
        Ok(())
    }

    /// Runs until nothing more will happen (finished, stopped, paused by itself) or Ctrl-C.
    pub async fn run(
        &mut self,
        mut rx: mpsc::UnboundedReceiver<Event>,
        progress: &mut Progress,
    ) -> Result<Ended, String> {
        // A new run is in the store before anything is sent.
        self.save()?;
        if let Some(c) = self.reconnect.take() {
            self.handle(Event::Reconnect(c));
            // The run's record holds the settings it goes on with.
            self.writes.run = Some(self.engine.run().without_items());
        }
        let first = if *self.engine.status() == Status::Idle {
            Event::Start
        } else {
            Event::Resume
        };
        self.handle(first);
        let mut show = tokio::time::interval(SHOW_EVERY);
        let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
        let mut waiting_rx = self.waiting_rx.take();
        loop {
            let status = self.engine.status().clone();
            if status != Status::Running && self.calls.is_empty() && !self.round_going() {
                self.save()?;
                progress.show(&self.engine, true);
                return Ok(Ended::Status(status));
            }
            let waiting = async {
                match waiting_rx.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                Some((done, total)) = waiting => {
                    // Replies that came before are the engine's first.
                    while let Ok(event) = rx.try_recv() {
                        self.handle(event);
                    }
                    self.save()?;
                    progress.show(&self.engine, true);
                    return Ok(Ended::Waiting { done, total });
                }
                Some(event) = rx.recv() => {
                    if let Event::Reply { call, .. } = &event {
                        self.calls.remove(call);
                    }
                    self.handle(event);
                    // Replies that arrived together are handled before anything else, then
                    // saved in one transaction: a kill loses at most the calls in flight.
                    while let Ok(event) = rx.try_recv() {
                        if let Event::Reply { call, .. } = &event {
                            self.calls.remove(call);
                        }
                        self.handle(event);
                    }
                    if !self.dirty.is_empty() || !self.writes.replies.is_empty() {
                        self.save()?;
                    }
                }
                _ = show.tick() => progress.show(&self.engine, false),
                _ = &mut interrupt => {
                    self.handle(Event::Pause);
                    for (_, h) in self.calls.drain() {
                        h.abort();
                    }
                    // A round's batches go on at the provider; the store has their ids.
                    if let Some(h) = self.round.take() {
                        h.abort();
                    }
                    self.save()?;
                    progress.show(&self.engine, true);
                    return Ok(Ended::Interrupted);
                }
            }
        }
    }
}
