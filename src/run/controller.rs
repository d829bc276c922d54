//! What the buttons do: start, pause, resume, cancel, open and delete runs. Holds the database
//! connection and the current run's executor.

use super::executor::Executor;
use super::lock::{self, Acquired};
use super::view::{Phase, RunView};
use crate::storage::cache;
use crate::storage::db::{self, StorageError};
use crate::storage::runs::{self, RunProgress};
use crate::words;
use idb::Database;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use synfact_core::cost::PriceTable;
use synfact_core::form::{FieldError, RunForm};
use synfact_core::run::review::ReviewAction;
use synfact_core::{Event, Run, Status, TemplateDoc};

/// Copyable handle to the app's run machinery, provided as context.
#[derive(Clone, Copy)]
pub struct Controller {
    db: StoredValue<Option<Rc<Database>>, LocalStorage>,
    current: StoredValue<Option<Rc<Executor>>, LocalStorage>,
    known: StoredValue<Option<Rc<RefCell<HashSet<String>>>>, LocalStorage>,
    pub view: RunView,
    pub saved: RwSignal<Vec<RunProgress>>,
    /// Why Generate or Resume could not go ahead, worded for the alert by the buttons.
    pub problems: RwSignal<Vec<String>>,
    /// The same problems, by field, to show next to each.
    pub field_errors: RwSignal<Vec<FieldError>>,
    /// A run is being set up (Generate was pressed): further presses are ignored.
    starting: RwSignal<bool>,
    /// Bumped when stored data was freed (a run deleted, the cache cleared).
    pub storage_changed: RwSignal<u64>,
}

/// What the browser's storage holds for this site.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageUse {
    pub cached_replies: usize,
    pub cache_bytes: u64,
    pub runs: usize,
    pub runs_bytes: u64,
    /// `navigator.storage.estimate()`: bytes used and allowed, where the browser tells.
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

async fn estimate() -> (Option<f64>, Option<f64>) {
    use wasm_bindgen::JsValue;
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return (None, None);
    };
    let Ok(promise) = storage.estimate() else {
        return (None, None);
    };
    let Ok(e) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return (None, None);
    };
    let get = |k: &str| {
        js_sys::Reflect::get(&e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_f64())
    };
    (get("usage"), get("quota"))
}

impl Controller {
    pub fn new() -> Controller {
        Controller {
            db: StoredValue::new_local(None),
            current: StoredValue::new_local(None),
            known: StoredValue::new_local(None),
            view: RunView::new(),
            saved: RwSignal::new(Vec::new()),
            problems: RwSignal::new(Vec::new()),
            field_errors: RwSignal::new(Vec::new()),
            starting: RwSignal::new(false),
            storage_changed: RwSignal::new(0),
        }
    }

    /// The database, opened on first use.
    pub async fn database(self) -> Result<Rc<Database>, StorageError> {
        if let Some(d) = self.db.with_value(|d| d.clone()) {
            return Ok(d);
        }
        let d = Rc::new(db::open().await?);
        self.db.set_value(Some(d.clone()));
        Ok(d)
    }

    /// The keys of every cached reply, read once per tab.
    async fn known(self, database: &Database) -> Rc<RefCell<HashSet<String>>> {
        if let Some(k) = self.known.with_value(|k| k.clone()) {
            return k;
        }
        let keys = cache::known_keys(database).await.unwrap_or_default();
        let k = Rc::new(RefCell::new(keys));
        self.known.set_value(Some(k.clone()));
        k
    }

    fn current(self) -> Option<Rc<Executor>> {
        self.current.with_value(|d| d.clone())
    }

    /// Reads the current run, if one is open (untracked: subscribe to `view.revision` first).
    pub fn with_run<T>(self, f: impl FnOnce(&Run) -> T) -> Option<T> {
        self.current().map(|e| e.with_run(f))
    }

    /// Shows `next` in place of the current run. A run that is going is paused first, and the
    /// note says so: opening something else never stops a run silently.
    fn replace(self, next: Rc<Executor>) {
        if let Some(old) = self.current() {
            if old.status() == Status::Running {
                old.dispatch(Event::Pause);
                let fact = old.with_run(|r| r.template.fact_name.clone());
                self.view.note.set(Some(words::paused_to_show(&fact)));
            }
            old.close();
        }
        self.current.set_value(Some(next.clone()));
        next.show();
    }

    async fn executor(self, run: Run, keys: Vec<String>) -> Result<Rc<Executor>, StorageError> {
        let database = self.database().await?;
        let known = self.known(&database).await;
        let on_state = Box::new(move || self.refresh_saved());
        Ok(Executor::new(
            run, keys, database, known, self.view, on_state,
        ))
    }

    fn show_errors(self, errors: Vec<FieldError>) {
        self.problems
            .set(errors.iter().map(words::field_error).collect());
        self.field_errors.set(errors);
    }

    /// Validates everything, saves the new run, and starts it. `template_file` is the
    /// template and its custom prompts (`TemplateDoc`).
    pub fn generate(self, form: RunForm, template_file: String, prices: PriceTable) {
        if self.starting.get_untracked() || self.view.phase.get_untracked() == Phase::Running {
            return;
        }
        // What the last Generate found no longer stands; this one says what it finds.
        self.field_errors.set(Vec::new());
        self.view.note.set(None);
        let (doc, issues) = TemplateDoc::parse(&template_file);
        let errors: Vec<_> = issues.iter().filter(|i| !i.is_warning()).collect();
        let Some(TemplateDoc { template, prompts }) = doc.filter(|_| errors.is_empty()) else {
            let mut p = vec!["The template has problems (see Template).".to_string()];
            p.extend(errors.into_iter().map(words::template_issue));
            self.problems.set(p);
            return;
        };
        let now = crate::now_ms();
        let id = format!(
            "run-{}-{:04x}",
            now as u64,
            (js_sys::Math::random() * 65535.0) as u32
        );
        let mut prepared = match form.prepare(&template, &prompts, id, now) {
            Ok(p) => p,
            Err(errors) => return self.show_errors(errors),
        };
        if prepared.run.settings.budget_usd.is_some() {
            let run = &prepared.run;
            let unpriced = run
                .generators
                .iter()
                .chain([&run.judge])
                .map(|m| m.config.model.as_str())
                .find(|m| prices.price_of(m).is_none());
            if let Some(m) = unpriced {
                self.problems.set(vec![format!(
                    "Budget (USD) needs a price for every model, and {m} has none: leave the budget empty, or add its price under Prices of the models without a list price (below the estimate) and try again."
                )]);
                return;
            }
        }
        prepared.run.settings.prices = prices;
        self.problems.set(Vec::new());
        self.field_errors.set(Vec::new());
        self.starting.set(true);
        self.view.status_line.set(format!(
            "Starting: {} planned…",
            words::count(prepared.run.items.len(), "item", "items")
        ));
        spawn_local(async move {
            let run = prepared.run;
            let result = async {
                let database = self.database().await?;
                // The run goes ahead in memory even if it cannot be saved; the saver keeps trying.
                if let Err(e) = runs::create(&database, &run, &Status::Idle).await {
                    self.view.storage_error.set(Some(e));
                }
                let same = self.same_runs(&database, &run).await;
                // A run about to be forgotten must not save itself again as it closes.
                if let Some(old) = self.current().filter(|e| same.contains(&e.run_id())) {
                    old.discard();
                    self.current.set_value(None);
                }
                for id in same {
                    let _ = runs::delete(&database, &id, &[]).await;
                }
                self.executor(run, prepared.keys).await
            }
            .await;
            match result {
                Ok(executor) => {
                    match lock::acquire(&executor.run_id()).await {
                        Acquired::Held(lock) => executor.hold(lock),
                        Acquired::Refused(why) => {
                            self.view.note.set(Some(words::lock_refused(&why)))
                        }
                        Acquired::Elsewhere | Acquired::Unsupported => {}
                    }
                    // Started before it is shown: the first calls go out before the page draws
                    // the new run (the drawing's effects would otherwise run first).
                    executor.dispatch(Event::Start);
                    self.replace(executor.clone());
                    self.starting.set(false);
                    self.refresh_saved();
                }
                Err(e) => {
                    self.starting.set(false);
                    self.view.phase.set(Phase::Empty);
                    self.view
                        .status_line
                        .set(format!("Could not start: {}", words::storage_error(&e)));
                }
            }
        });
    }

    /// Generating again with the same settings makes the same run again (from the cache): it
    /// takes the place of earlier finished runs in Saved runs, unless they were reviewed.
    async fn same_runs(self, database: &Database, run: &Run) -> Vec<String> {
        let fingerprint = run.fingerprint();
        let Ok(saved) = runs::list(database).await else {
            return Vec::new();
        };
        saved
            .into_iter()
            .filter(|p| {
                p.id != run.id
                    && p.fingerprint == fingerprint
                    && p.reviewed == 0
                    && p.state == runs::RunState::Finished
            })
            .map(|p| p.id)
            .collect()
    }

    /// A reviewer's action on items of the run shown.
    pub fn review(self, items: Vec<usize>, action: ReviewAction) {
        if let Some(e) = self.current() {
            e.dispatch(Event::Review { items, action });
        }
    }

    /// Sends items back to the judge. A run that is not going takes the endpoints and keys in the
    /// form now (as Resume does); a running one keeps its own, which match its endpoints.
    pub fn judge_again(self, items: Vec<usize>, form: &RunForm) {
        let Some(e) = self.current() else { return };
        if e.status() != Status::Running {
            let connection = e.with_run(|run| form.connection(run));
            let (connection, keys) = match connection {
                Ok(c) => c,
                Err(errors) => return self.show_errors(errors),
            };
            self.problems.set(Vec::new());
            e.set_keys(keys);
            e.dispatch(Event::Reconnect(connection));
        }
        e.dispatch(Event::Review {
            items,
            action: ReviewAction::JudgeAgain,
        });
    }

    /// Dollars the run shown has spent at its prices.
    pub fn spent_usd(self) -> Option<f64> {
        self.current().map(|e| e.spent_usd())
    }

    pub fn pause(self) {
        if let Some(e) = self.current() {
            e.dispatch(Event::Pause);
        }
    }

    /// Carries on with the endpoints, keys and limits in the form now (same models), so a
    /// corrected base URL or key takes effect — unless another tab is driving the run.
    pub fn resume(self, form: &RunForm, prices: PriceTable) {
        let Some(e) = self.current() else { return };
        let connection = e.with_run(|run| form.connection(run));
        let (mut connection, keys) = match connection {
            Ok(c) => c,
            Err(errors) => return self.show_errors(errors),
        };
        // Prices changed since the run was made count from now on (a raised budget too).
        connection.prices = Some(prices);
        self.view.note.set(None);
        spawn_local(async move {
            match lock::acquire(&e.run_id()).await {
                Acquired::Held(l) => e.hold(l),
                Acquired::Elsewhere => {
                    return self.problems.set(vec![words::ELSEWHERE.to_string()]);
                }
                Acquired::Unsupported => {}
                Acquired::Refused(why) => self.view.note.set(Some(words::lock_refused(&why))),
            }
            self.problems.set(Vec::new());
            self.field_errors.set(Vec::new());
            e.set_keys(keys);
            e.dispatch(Event::Reconnect(connection));
            e.settings_changed();
            // Anything that could not be saved before is tried again first.
            e.flush();
            e.dispatch(Event::Resume);
        });
    }

    pub fn cancel(self) {
        if let Some(e) = self.current() {
            e.dispatch(Event::Cancel);
        }
    }

    /// Reloads the list of saved runs.
    pub fn refresh_saved(self) {
        spawn_local(async move {
            let result = async { runs::list(&*self.database().await?).await }.await;
            match result {
                Ok(list) => self.saved.set(list),
                Err(e) => self.view.storage_error.set(Some(e)),
            }
        });
    }

    /// Opens a chat JSONL file as a finished run (saved like one), to review and export it.
    /// Returns what to tell the user: lines skipped, or why nothing was opened.
    pub fn open_file(self, name: String, text: String) -> Result<Option<String>, String> {
        use synfact_core::dataset::chat::{read_chat_jsonl, run_from_chat};
        let (examples, problems) = read_chat_jsonl(&text);
        let first = |p: &[synfact_core::dataset::chat::LineProblem]| {
            p.first()
                .map(|p| format!("line {}: {}", p.line, p.problem))
                .unwrap_or_default()
        };
        if examples.is_empty() {
            return Err(if problems.is_empty() {
                format!("{name} was not opened: it holds no lines.")
            } else {
                format!(
                    "{name} was not opened: no line is a chat example ({}). A line must be {{\"messages\": [{{\"role\": \"user\", …}}, {{\"role\": \"assistant\", …}}]}}.",
                    first(&problems)
                )
            });
        }
        let note = (!problems.is_empty()).then(|| {
            format!(
                "Opened {name}: {} read, {} skipped (first, {}).",
                words::count(examples.len(), "example", "examples"),
                words::count(problems.len(), "line", "lines"),
                first(&problems)
            )
        });
        let now = crate::now_ms();
        let id = format!(
            "file-{}-{:04x}",
            now as u64,
            (js_sys::Math::random() * 65535.0) as u32
        );
        let run = run_from_chat(id.clone(), now, &name, examples);
        spawn_local(async move {
            let result = async {
                let database = self.database().await?;
                runs::create(&database, &run, &Status::Finished).await
            }
            .await;
            match result {
                Ok(()) => {
                    self.refresh_saved();
                    self.open(id);
                }
                Err(e) => self.problems.set(vec![words::storage_error(&e)]),
            }
        });
        Ok(note)
    }

    /// Shows a saved run; an unfinished one can then be resumed.
    pub fn open(self, id: String) {
        if self.current().is_some_and(|e| e.run_id() == id) {
            // Already shown (and perhaps going): nothing to reopen.
            return;
        }
        spawn_local(async move {
            let result = async {
                let database = self.database().await?;
                let (run, progress) = runs::load(&database, &id).await?;
                let executor = self.executor(run, Vec::new()).await?;
                if let Some(status) = progress.status {
                    executor.restore_status(status);
                }
                Ok::<_, StorageError>(executor)
            }
            .await;
            match result {
                Ok(executor) => {
                    let elsewhere =
                        matches!(lock::acquire(&executor.run_id()).await, Acquired::Elsewhere);
                    self.replace(executor);
                    if elsewhere {
                        self.view.status_line.set(words::ELSEWHERE.to_string());
                    }
                }
                Err(e) => self.problems.set(vec![words::storage_error(&e)]),
            }
        });
    }

    /// Deletes a saved run and the cached replies only it used (replies an unfinished run still
    /// needs are kept, so resuming it costs nothing more).
    pub fn delete(self, id: String) {
        if let Some(e) = self.current().filter(|e| e.run_id() == id) {
            e.discard();
            self.current.set_value(None);
            self.view.publish(Vec::new(), true);
            self.view.phase.set(Phase::Empty);
            self.view.progress.set(Default::default());
            self.view.status_line.set("The run was deleted.".into());
            self.view.outcome.set(None);
        }
        spawn_local(async move {
            let result = async {
                let database = self.database().await?;
                let replies = self.own_replies(&database, &id).await;
                runs::delete(&database, &id, &replies).await?;
                if let Some(known) = self.known.with_value(|k| k.clone()) {
                    let mut known = known.borrow_mut();
                    for k in &replies {
                        known.remove(k);
                    }
                }
                Ok::<_, StorageError>(())
            }
            .await;
            if let Err(e) = result {
                self.problems.set(vec![words::storage_error(&e)]);
            }
            self.refresh_saved();
            self.storage_changed.update(|n| *n += 1);
        });
    }

    /// The cache keys a run wrote that no other unfinished saved run may need.
    async fn own_replies(self, database: &Database, id: &str) -> Vec<String> {
        let Ok((run, _)) = runs::load(database, id).await else {
            return Vec::new();
        };
        let mut mine: HashSet<String> = synfact_core::run::calls::cache_keys(&run)
            .into_iter()
            .collect();
        let others = runs::list(database).await.unwrap_or_default();
        for p in others
            .iter()
            .filter(|p| p.id != id && p.state != runs::RunState::Finished)
        {
            if let Ok((other, _)) = runs::load(database, &p.id).await {
                for k in synfact_core::run::calls::cache_keys(&other) {
                    mine.remove(&k);
                }
            }
        }
        mine.into_iter().collect()
    }

    /// Empties the response cache (runs keep their results; re-running costs calls again).
    pub fn clear_cache(self) {
        spawn_local(async move {
            let result = async { db::clear(&*self.database().await?, db::RESPONSES).await }.await;
            match result {
                Ok(()) => {
                    if let Some(known) = self.known.with_value(|k| k.clone()) {
                        known.borrow_mut().clear();
                    }
                }
                Err(e) => self.problems.set(vec![words::storage_error(&e)]),
            }
            self.storage_changed.update(|n| *n += 1);
        });
    }

    /// How much the cache and the saved runs take, and what the browser allows this site.
    pub async fn storage_use(self) -> Result<StorageUse, StorageError> {
        let database = self.database().await?;
        let cache = db::store_size(&database, db::RESPONSES).await?;
        let items = db::store_size(&database, db::ITEMS).await?;
        let settings = db::store_size(&database, db::RUNS).await?;
        let runs = runs::list(&database).await?.len();
        let (usage, quota) = estimate().await;
        Ok(StorageUse {
            cached_replies: cache.0,
            cache_bytes: cache.1,
            runs,
            runs_bytes: items.1 + settings.1,
            usage,
            quota,
        })
    }

    /// Saves what is pending now (the page is going away).
    pub fn flush(self) {
        if let Some(e) = self.current() {
            e.flush();
        }
    }

    /// At start-up: list saved runs and reopen the newest, so a reload picks up where it was.
    pub fn restore(self) {
        spawn_local(async move {
            let list = match async { runs::list(&*self.database().await?).await }.await {
                Ok(l) => l,
                Err(e) => return self.view.storage_error.set(Some(e)),
            };
            let newest = list.first().map(|m| m.id.clone());
            self.saved.set(list);
            if let (Some(id), None) = (newest, self.current()) {
                self.open(id);
            }
        });
    }
}

impl Default for Controller {
    fn default() -> Self {
        Self::new()
    }
}
