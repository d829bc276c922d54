//! Executes the run engine's commands in the browser: calls (through the cache), aborts, timers
//! and saves. What the page shows is published through `RunView`, a few times a second.

mod batch;

use super::saver::{self, Saver};
use super::view::{Phase, RunView};
use super::Controller;
use crate::storage::cache;
use crate::storage::db::StorageError;
use crate::{provider, words};
use idb::Database;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use synfact_core::cost::PriceTable;
use synfact_core::form::Prepared;
use synfact_core::provider::error::{CallError, ErrorKind};
use synfact_core::provider::wire::Completion;
use synfact_core::run::engine::CallRequest;
use synfact_core::{Command, Connection, Engine, Event, Run, Status};
use web_sys::AbortController;

const SAVE_EVERY_MS: u32 = 150;
const PUBLISH_EVERY_MS: u32 = 300;
const STATUS_EVERY_MS: u32 = 100;
/// Failed saves in a row, with the storage full, before the run pauses (a full disk does not
/// empty itself: the first refusal pauses).
const FULL_BEFORE_PAUSE: u32 = 1;

/// Carries out one event: the engine and everything its commands reach (calls through the
/// cache, aborts, timers, saves, rounds of batches).
pub type Carry = fn(&Rc<Executor>, Event);

/// What an executor takes from the engine's chunk.
#[derive(Clone, Copy)]
pub struct EngineFns {
    /// The engine for a run (it indexes the run's questions for near-duplicates).
    pub engine: fn(Run) -> Engine,
    /// What `Executor::dispatch` runs.
    pub carry: Carry,
    /// The status line, the note under a finished run, and the progress, in the page's words.
    pub status: fn(&Engine) -> Said,
    /// What the saver writes with.
    pub writers: crate::storage::runs::Writers,
    /// What `Executor::flush` runs: the saving of what is pending.
    pub flush: fn(&Rc<Executor>),
    /// What the controller does with a run once this chunk is here: start a planned run, carry
    /// on with a saved one (its connection and keys checked), reopen the newest at start-up.
    pub launch: fn(Controller, Prepared, PriceTable),
    pub resume: fn(Controller, Rc<Executor>, Connection, Vec<String>),
    pub restore: fn(Controller),
}

/// The executor's engine half. In the release build it is a chunk of its own, so the first
/// screen does not wait for it: the page fetches it while the form is filled (`prefetch`), and
/// an executor is made only once it is here, so events are then carried out at once.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
pub fn engine_part() -> Result<EngineFns, crate::parts::ChunkError> {
    Ok(EngineFns {
        engine: Engine::new,
        carry: Executor::carry_out,
        status: said,
        writers: crate::storage::runs::Writers::ALL,
        flush: Executor::flush_now,
        launch: Controller::launch_now,
        resume: Controller::resume_now,
        restore: Controller::restore_now,
    })
}

/// The engine's half, its chunk fetched if it is not here yet.
pub async fn load_engine() -> Result<EngineFns, StorageError> {
    crate::parts::call_split!(engine_part())
        .await
        .map_err(StorageError::chunk(crate::parts::SplitCode::RunEngine))
}

/// Fetches the engine's chunk ahead of the first Generate (nothing to do without splitting).
pub fn prefetch() {
    spawn_local(async {
        let _ = load_engine().await;
    });
}

/// What the page shows of a run's state: its status line, the note under a finished run, and
/// the progress.
pub type Said = (String, Option<String>, synfact_core::Progress);

fn said(engine: &Engine) -> Said {
    let progress = engine.progress();
    let line = words::status_line(engine.status(), &progress, engine.run());
    (
        line,
        words::finish_note(engine.status(), engine.run()),
        progress,
    )
}

/// Drives one run.
pub struct Executor {
    engine: RefCell<Engine>,
    keys: RefCell<Vec<String>>,
    db: Rc<Database>,
    view: RunView,
    aborts: RefCell<HashMap<u64, AbortController>>,
    saver: Saver,
    /// Keys of every cached reply (shared by all runs of the tab); a key not here needs no lookup.
    known: Rc<RefCell<HashSet<String>>>,
    /// Items changed since the view last heard.
    unpublished: RefCell<Vec<usize>>,
    flush_pending: Cell<bool>,
    publish_pending: Cell<bool>,
    status_pending: Cell<bool>,
    /// False once the run is closed (another run shown, or deleted): late events are ignored.
    live: Cell<bool>,
    /// Closed for the view (another run shown) but still saving what it had: the writes under
    /// way when it closed, and what they left for the next.
    closing: Cell<bool>,
    /// Called when the run's state changes (to refresh the list of saved runs).
    on_state: Box<dyn Fn()>,
    /// The state changed and `on_state` is owed once the write holding it is committed (the
    /// list of saved runs reads the store: told earlier, it would show the state before).
    state_owed: Cell<bool>,
    /// This tab's claim on the run while it goes (see `lock`).
    lock: RefCell<Option<super::lock::RunLock>>,
    /// A batch run's round being carried out.
    round: RefCell<Option<Rc<batch::RoundRun>>>,
    /// What `dispatch` runs and the saver writes with (from the engine's chunk).
    fns: EngineFns,
}

impl Executor {
    /// An executor for `run`, with one key per endpoint.
    pub fn new(
        run: Run,
        keys: Vec<String>,
        db: Rc<Database>,
        known: Rc<RefCell<HashSet<String>>>,
        view: RunView,
        on_state: Box<dyn Fn()>,
        fns: EngineFns,
    ) -> Rc<Executor> {
        Rc::new(Executor {
            engine: RefCell::new((fns.engine)(run)),
            keys: RefCell::new(keys),
            db,
            view,
            aborts: RefCell::new(HashMap::new()),
            saver: Saver::default(),
            known,
            unpublished: RefCell::new(Vec::new()),
            flush_pending: Cell::new(false),
            publish_pending: Cell::new(false),
            status_pending: Cell::new(false),
            live: Cell::new(true),
            closing: Cell::new(false),
            on_state,
            state_owed: Cell::new(false),
            lock: RefCell::new(None),
            round: RefCell::new(None),
            fns,
        })
    }

    /// Reads the run.
    pub fn with_run<T>(&self, f: impl FnOnce(&Run) -> T) -> T {
        f(self.engine.borrow().run())
    }

    pub fn status(&self) -> Status {
        self.engine.borrow().status().clone()
    }

    pub fn spent_usd(&self) -> f64 {
        self.engine.borrow().spent_usd()
    }

    pub fn run_id(&self) -> String {
        self.engine.borrow().run().id.clone()
    }

    /// Takes back the status the run was saved with (see `Engine::restore_status`).
    pub fn restore_status(&self, saved: Status) {
        self.engine.borrow_mut().restore_status(saved);
    }

    /// Replaces the endpoints' keys (Resume with the form as it is now).
    pub fn set_keys(&self, keys: Vec<String>) {
        *self.keys.borrow_mut() = keys;
    }

    /// The run's settings record must be written again (a reconnect changed it).
    pub fn settings_changed(&self) {
        self.saver.settings_changed();
    }

    /// Closes this run for good (another run takes the view): in-flight calls are aborted and
    /// late events ignored, but what is pending is still saved, after a write under way if
    /// there is one.
    pub fn close(self: &Rc<Self>) {
        self.closing.set(true);
        self.flush();
        self.stop();
    }

    /// Keeps this tab's lock on the run while it goes.
    pub fn hold(&self, lock: super::lock::RunLock) {
        *self.lock.borrow_mut() = Some(lock);
    }

    /// Lets go of the run's lock (another tab may take the run).
    pub fn let_go(&self) {
        self.lock.borrow_mut().take();
    }

    /// Whether this tab holds the run's lock now.
    pub fn holds_lock(&self) -> bool {
        self.lock.borrow().is_some()
    }

    /// Closes this run without saving anything more (it is being deleted).
    pub fn discard(&self) {
        self.closing.set(false);
        self.stop();
    }

    /// Whether writes still go to the store: a live run, or one closing.
    fn saving(&self) -> bool {
        self.live.get() || self.closing.get()
    }

    fn stop(&self) {
        self.live.set(false);
        self.lock.borrow_mut().take();
        for (_, c) in self.aborts.borrow_mut().drain() {
            c.abort();
        }
    }

    /// Feeds an event to the engine and carries out what it asks.
    pub fn dispatch(self: &Rc<Self>, event: Event) {
        if self.live.get() {
            (self.fns.carry)(self, event);
        }
    }

    fn carry_out(self: &Rc<Self>, event: Event) {
        let now = crate::now_ms();
        let commands = self.engine.borrow_mut().handle(event, now);
        let mut changed_state = false;
        let mut sent = false;
        for c in commands {
            match c {
                Command::Send(req) => {
                    sent = true;
                    let me = self.clone();
                    spawn_local(async move {
                        let (result, cached) = me.perform(&req).await;
                        me.dispatch(Event::Reply {
                            call: req.call,
                            result,
                            cached,
                        });
                    });
                }
                Command::SendRound { round, calls } => {
                    sent = true;
                    self.send_round(round, calls);
                }
                Command::Abort(call) => {
                    if let Some(c) = self.aborts.borrow_mut().remove(&call) {
                        c.abort();
                    }
                    self.abort_round(call);
                }
                Command::WakeAt(at) => {
                    let me = self.clone();
                    let ms = (at - now).clamp(0.0, 24.0 * 3600.0 * 1000.0) as u32;
                    gloo_timers::callback::Timeout::new(ms, move || me.dispatch(Event::Timer))
                        .forget();
                }
                Command::Save { item, reply } => {
                    self.saver.item(item);
                    self.unpublished.borrow_mut().push(item);
                    if let Some((key, completion)) = reply {
                        self.known.borrow_mut().insert(key.clone());
                        self.saver.reply(key, completion);
                    }
                }
                Command::Status => changed_state = true,
            }
        }
        // The page is redrawn a few times a second, not on every reply: under 170 replies a
        // second it would spend its time on layout.
        if changed_state {
            let running = *self.engine.borrow().status() == Status::Running;
            if !running {
                // Another tab may take the run over from here.
                self.lock.borrow_mut().take();
            }
            if running && sent {
                // A start or resume: the calls go out first (their futures run before the next
                // task), the saving and redrawing after. Measured by `cargo xtask bench profile`:
                // the first call left 33 ms after the start with both first, 27 ms with this
                // alone, 7 ms with the controller also starting the run before showing it.
                let me = self.clone();
                gloo_timers::callback::Timeout::new(0, move || {
                    if me.live.get() {
                        me.state_changed();
                    }
                })
                .forget();
            } else {
                self.state_changed();
            }
        } else {
            self.once_later(SAVE_EVERY_MS, |e| &e.flush_pending, Executor::flush);
            self.once_later(PUBLISH_EVERY_MS, |e| &e.publish_pending, Executor::publish);
            self.once_later(
                STATUS_EVERY_MS,
                |e| &e.status_pending,
                Executor::update_status,
            );
        }
    }

    /// Saves, redraws and tells the controller after the run's state changed.
    fn state_changed(self: &Rc<Self>) {
        self.state_owed.set(true);
        self.flush();
        self.publish();
        self.update_status();
    }

    fn phase(&self) -> Phase {
        match self.engine.borrow().status() {
            Status::Running => Phase::Running,
            Status::Finished => Phase::Finished,
            _ => Phase::Resumable,
        }
    }

    /// One call: from the cache if it was answered before, else from the provider.
    async fn perform(&self, req: &CallRequest) -> (Result<Completion, CallError>, bool) {
        if self.known.borrow().contains(&req.cache_key) {
            match cache::get(&self.db, &req.cache_key).await {
                Ok(Some(hit)) => return (Ok(hit), true),
                Ok(None) => {}
                Err(e) => self.view.storage_error.set(Some(e)),
            }
        }
        if !self.live.get() || !self.engine.borrow().is_in_flight(req.call) {
            return (Err(CallError::new(ErrorKind::Aborted, "")), false);
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
        let controller = match AbortController::new() {
            Ok(c) => c,
            Err(_) => {
                return (
                    Err(CallError::new(ErrorKind::Request, "AbortController")),
                    false,
                )
            }
        };
        self.aborts
            .borrow_mut()
            .insert(req.call, controller.clone());
        let result =
            provider::call(kind, &base_url, &key, &req.llm, req.timeout_ms, &controller).await;
        self.aborts.borrow_mut().remove(&req.call);
        (result, false)
    }

    fn update_status(self: &Rc<Self>) {
        if !self.live.get() {
            return;
        }
        let (line, outcome, progress) = (self.fns.status)(&self.engine.borrow());
        self.view.status_line.set(line);
        if self.view.outcome.with_untracked(|o| *o != outcome) {
            self.view.outcome.set(outcome);
        }
        self.view.progress.set(progress);
        self.view.phase.set(self.phase());
    }

    /// Tells the views which items changed since they last heard.
    fn publish(self: &Rc<Self>) {
        if !self.live.get() {
            return;
        }
        let changed = std::mem::take(&mut *self.unpublished.borrow_mut());
        if !changed.is_empty() {
            self.view.publish(changed, false);
        }
    }

    /// Shows the run's state without starting it (a new or reopened run).
    pub fn show(self: &Rc<Self>) {
        self.unpublished.borrow_mut().clear();
        self.view.publish(Vec::new(), true);
        self.update_status();
    }

    /// Runs `action` once, `ms` from now, however often this is called until then.
    fn once_later(
        self: &Rc<Self>,
        ms: u32,
        pending: fn(&Executor) -> &Cell<bool>,
        action: fn(&Rc<Executor>),
    ) {
        if pending(self).replace(true) {
            return;
        }
        let me = self.clone();
        gloo_timers::callback::Timeout::new(ms, move || {
            pending(&me).set(false);
            action(&me);
        })
        .forget();
    }

    /// What this executor took from the engine's chunk.
    pub fn fns(&self) -> EngineFns {
        self.fns
    }

    /// Writes new replies, changed items and the run's counts in one transaction, so a saved
    /// item never gets ahead of the cached reply that moved it. A failed write keeps everything
    /// for the next try; a full disk pauses the run. (Its code is in the engine's chunk.)
    pub fn flush(self: &Rc<Self>) {
        (self.fns.flush)(self)
    }

    fn flush_now(self: &Rc<Self>) {
        if !self.saving() {
            return;
        }
        let Some((batch, writes)) = self.saver.begin(&self.engine.borrow(), &self.fns.writers)
        else {
            return;
        };
        let me = self.clone();
        spawn_local(async move {
            let result = saver::write(&me.db, &writes).await;
            let again = me.saver.end(batch, &result);
            // Once the last write asked for has committed, the state the list reads is the
            // run's (a failed write is tried again later, and tells then).
            let more = again && me.saving();
            if result.is_ok() && !more && me.state_owed.replace(false) {
                (me.on_state)();
            }
            match result {
                Ok(()) => {
                    if matches!(
                        me.view.storage_error.get_untracked(),
                        Some(StorageError::Full)
                    ) {
                        me.view.storage_error.set(None);
                    }
                    if again {
                        me.flush();
                    }
                }
                Err(e) => {
                    let full = e == StorageError::Full;
                    me.view.storage_error.set(Some(e));
                    if full && me.saver.failures.get() >= FULL_BEFORE_PAUSE {
                        me.dispatch(Event::StorageFull);
                    } else {
                        // Try again soon, and less often the longer it fails.
                        let wait = 500u32 << me.saver.failures.get().min(6);
                        me.once_later(wait, |e| &e.flush_pending, Executor::flush);
                    }
                }
            }
        });
    }
}
