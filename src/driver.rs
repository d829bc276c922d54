//! Executes the run engine's commands in the browser: calls (through the cache), aborts, timers
//! and saves, and mirrors the engine's state into the UI's signals.

use crate::{cache, provider, runs};
use idb::Database;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use synfact_core::engine::CallRequest;
use synfact_core::wire::{CallError, Completion, ErrorKind};
use synfact_core::{Command, Engine, Event, Item, Progress, Run, Status};
use web_sys::AbortController;

/// Where a run is, for the buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No run open.
    Empty,
    Running,
    /// Paused, stopped by an error, cancelled, or reopened unfinished: Resume carries on.
    Resumable,
    Finished,
}

/// The signals a run shows itself through.
#[derive(Clone, Copy)]
pub struct RunView {
    pub status_line: RwSignal<String>,
    pub progress: RwSignal<Progress>,
    pub phase: RwSignal<Phase>,
    /// The run as last drawn (refreshed a few times a second while running).
    pub run: RwSignal<Option<Run>>,
    pub storage_error: RwSignal<Option<String>>,
}

impl RunView {
    pub fn new() -> RunView {
        RunView {
            status_line: RwSignal::new(
                "No run yet: choose a template and a provider, then press Generate.".into(),
            ),
            progress: RwSignal::new(Progress::default()),
            phase: RwSignal::new(Phase::Empty),
            run: RwSignal::new(None),
            storage_error: RwSignal::new(None),
        }
    }
}

impl Default for RunView {
    fn default() -> Self {
        Self::new()
    }
}

/// Drives one run.
pub struct Driver {
    engine: RefCell<Engine>,
    keys: RefCell<Vec<String>>,
    db: Rc<Database>,
    view: RunView,
    aborts: RefCell<HashMap<u64, AbortController>>,
    unsaved: RefCell<BTreeMap<usize, Item>>,
    /// Replies not yet written to the cache: written with the items they advanced, in one transaction.
    uncached: RefCell<Vec<(String, Completion)>>,
    /// Keys of every cached reply; a key not here needs no lookup.
    known: RefCell<HashSet<String>>,
    flush_pending: Cell<bool>,
    redraw_pending: Cell<bool>,
    status_pending: Cell<bool>,
    /// False once another run replaces this one: its late events are ignored.
    active: Cell<bool>,
}

const SAVE_EVERY_MS: u32 = 150;
const REDRAW_EVERY_MS: u32 = 500;
const STATUS_EVERY_MS: u32 = 100;

impl Driver {
    /// A driver for `run`, with one key per endpoint.
    pub fn new(
        run: Run,
        keys: Vec<String>,
        db: Rc<Database>,
        known: HashSet<String>,
        view: RunView,
    ) -> Rc<Driver> {
        let d = Rc::new(Driver {
            engine: RefCell::new(Engine::new(run)),
            keys: RefCell::new(keys),
            db,
            view,
            aborts: RefCell::new(HashMap::new()),
            unsaved: RefCell::new(BTreeMap::new()),
            uncached: RefCell::new(Vec::new()),
            known: RefCell::new(known),
            flush_pending: Cell::new(false),
            redraw_pending: Cell::new(false),
            status_pending: Cell::new(false),
            active: Cell::new(true),
        });
        d.redraw();
        d
    }

    /// Reads the run.
    pub fn with_run<T>(&self, f: impl FnOnce(&Run) -> T) -> T {
        f(self.engine.borrow().run())
    }

    /// Replaces the endpoints' keys (the user corrected one, then pressed Resume).
    pub fn set_keys(&self, keys: Vec<String>) {
        *self.keys.borrow_mut() = keys;
    }

    pub fn run_id(&self) -> String {
        self.engine.borrow().run().id.clone()
    }

    /// Stops this driver for good (another run takes the view): what is pending is saved, then
    /// in-flight calls are aborted.
    pub fn retire(&self) {
        self.flush();
        self.discard();
    }

    /// Stops this driver without saving anything more (its run is being deleted).
    pub fn discard(&self) {
        self.active.set(false);
        for (_, c) in self.aborts.borrow_mut().drain() {
            c.abort();
        }
    }

    /// Feeds an event to the engine and carries out what it asks.
    pub fn dispatch(self: &Rc<Self>, event: Event) {
        if !self.active.get() {
            return;
        }
        let now = crate::now_ms();
        let commands = self.engine.borrow_mut().handle(event, now);
        let mut ended = false;
        for c in commands {
            match c {
                Command::Send(req) => {
                    let d = self.clone();
                    spawn_local(async move {
                        let (result, cached) = d.perform(&req).await;
                        d.dispatch(Event::Reply {
                            call: req.call,
                            result,
                            cached,
                        });
                    });
                }
                Command::Abort(call) => {
                    if let Some(c) = self.aborts.borrow_mut().remove(&call) {
                        c.abort();
                    }
                }
                Command::WakeAt(at) => {
                    let d = self.clone();
                    let ms = (at - now).clamp(0.0, 24.0 * 3600.0 * 1000.0) as u32;
                    gloo_timers::callback::Timeout::new(ms, move || d.dispatch(Event::Timer))
                        .forget();
                }
                Command::Save(item) => {
                    self.unsaved.borrow_mut().insert(item.id, *item);
                }
                Command::Finished(_) | Command::Stopped(_) => ended = true,
            }
        }
        // The status and table are redrawn a few times a second, not on every reply: under
        // 170 replies a second the page would spend its time on layout.
        if ended || self.view.phase.get_untracked() != self.phase() {
            self.flush();
            self.redraw();
            self.update_status();
        } else {
            self.schedule_flush();
            self.schedule_redraw();
            self.once_later(
                STATUS_EVERY_MS,
                |d| &d.status_pending,
                Driver::update_status,
            );
        }
    }

    fn phase(&self) -> Phase {
        match self.engine.borrow().status() {
            Status::Running => Phase::Running,
            Status::Finished => Phase::Finished,
            _ => Phase::Resumable,
        }
    }

    /// One call: from the cache if it was answered before, else from the provider (then cached).
    async fn perform(&self, req: &CallRequest) -> (Result<Completion, CallError>, bool) {
        if self.known.borrow().contains(&req.cache_key) {
            match cache::get(&self.db, &req.cache_key).await {
                Ok(Some(hit)) => return (Ok(hit), true),
                Ok(None) => {}
                Err(e) => self.view.storage_error.set(Some(e)),
            }
        }
        if !self.active.get() || !self.engine.borrow().is_in_flight(req.call) {
            return (Err(CallError::new(ErrorKind::Aborted, "cancelled")), false);
        }
        let (kind, base_url) = {
            let engine = self.engine.borrow();
            let e = &engine.run().endpoints[req.endpoint];
            (e.kind, e.base_url.clone())
        };
        let key = self
            .keys
            .borrow()
            .get(req.endpoint)
            .cloned()
            .unwrap_or_default();
        let controller =
            AbortController::new().expect("AbortController exists in every supported browser");
        self.aborts
            .borrow_mut()
            .insert(req.call, controller.clone());
        let result =
            provider::call(kind, &base_url, &key, &req.llm, req.timeout_ms, &controller).await;
        self.aborts.borrow_mut().remove(&req.call);
        if let Ok(completion) = &result {
            // Cached with the next save, in the same transaction as the item it advances.
            self.known.borrow_mut().insert(req.cache_key.clone());
            self.uncached
                .borrow_mut()
                .push((req.cache_key.clone(), completion.clone()));
        }
        (result, false)
    }

    fn update_status(&self) {
        if !self.active.get() {
            return;
        }
        let engine = self.engine.borrow();
        self.view.status_line.set(engine.status_line());
        self.view.progress.set(engine.progress());
        drop(engine);
        self.view.phase.set(self.phase());
    }

    /// Runs `action` once, `ms` from now, however often this is called until then.
    fn once_later(
        self: &Rc<Self>,
        ms: u32,
        pending: fn(&Driver) -> &Cell<bool>,
        action: fn(&Driver),
    ) {
        if pending(self).replace(true) {
            return;
        }
        let d = self.clone();
        gloo_timers::callback::Timeout::new(ms, move || {
            pending(&d).set(false);
            action(&d);
        })
        .forget();
    }

    fn schedule_flush(self: &Rc<Self>) {
        self.once_later(SAVE_EVERY_MS, |d| &d.flush_pending, Driver::flush);
    }

    /// Writes new replies, changed items and the run's counts in one transaction, so a saved
    /// item never gets ahead of the cached reply that moved it.
    pub fn flush(&self) {
        if !self.active.get() {
            return;
        }
        let items: Vec<Item> = std::mem::take(&mut *self.unsaved.borrow_mut())
            .into_values()
            .collect();
        let replies = std::mem::take(&mut *self.uncached.borrow_mut());
        let mut entries: Vec<(&str, String, String)> =
            replies.iter().map(|(k, c)| cache::entry(k, c)).collect();
        {
            let engine = self.engine.borrow();
            let finished = *engine.status() == Status::Finished;
            entries.extend(runs::entries(engine.run(), finished, items.iter()));
        }
        let db = self.db.clone();
        let view = self.view;
        spawn_local(async move {
            if let Err(e) = crate::db::put_many(&db, &entries).await {
                view.storage_error.set(Some(e));
            }
        });
    }

    fn schedule_redraw(self: &Rc<Self>) {
        self.once_later(REDRAW_EVERY_MS, |d| &d.redraw_pending, Driver::redraw);
    }

    fn redraw(&self) {
        if self.active.get() {
            self.view.run.set(Some(self.engine.borrow().run().clone()));
        }
    }

    /// Shows the run's state without starting it (a reopened run).
    pub fn show(&self) {
        self.update_status();
        self.redraw();
    }
}
