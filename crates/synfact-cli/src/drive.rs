//! The command line's executor: the engine's commands carried out with tokio (calls through the
//! cache, aborts, timers, saves), its events fed back in one loop. The same engine, plan, cache
//! keys and checks as the page; only the IO differs.

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
    /// Ctrl-C: sending stopped, what was answered saved.
    Interrupted,
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
}

impl Driver {
    pub fn new(
        run: Run,
        saved: Option<Status>,
        store: Arc<Store>,
        keys: Vec<String>,
    ) -> (Driver, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut engine = Engine::new(run);
        if let Some(s) = saved {
            engine.restore_status(s);
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap_or_default();
        let writes = Writes {
            run: Some(engine.run().clone()),
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
            },
            rx,
        )
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    fn handle(&mut self, event: Event) {
        let now = self.now();
        for c in self.engine.handle(event, now) {
            match c {
                Command::Send(req) => self.send(req),
                // No batch service from here yet: a round's calls go out one by one.
                Command::SendRound { calls, .. } => calls.into_iter().for_each(|r| self.send(r)),
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
        let first = if *self.engine.status() == Status::Idle {
            Event::Start
        } else {
            Event::Resume
        };
        self.handle(first);
        let mut show = tokio::time::interval(SHOW_EVERY);
        let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            let status = self.engine.status().clone();
            if status != Status::Running && self.calls.is_empty() {
                self.save()?;
                progress.show(&self.engine, true);
                return Ok(Ended::Status(status));
            }
            tokio::select! {
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
                    self.save()?;
                    progress.show(&self.engine, true);
                    return Ok(Ended::Interrupted);
                }
            }
        }
    }
}
