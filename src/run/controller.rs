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
use synfact_core::eval::fine_tune::FineTune;
use synfact_core::form::eval::EvalForm;
use synfact_core::form::{FieldError, Prepared, RunForm};
use synfact_core::run::review::ReviewAction;
use synfact_core::{Connection, Event, Run, Status, TemplateDoc};

/// Copyable handle to the app's run machinery, provided as context.
#[derive(Clone, Copy)]
pub struct Controller {
    pub(super) db: StoredValue<Option<Rc<Database>>, LocalStorage>,
    pub(super) current: StoredValue<Option<Rc<Executor>>, LocalStorage>,
    pub(super) known: StoredValue<Option<Rc<RefCell<HashSet<String>>>>, LocalStorage>,
    pub view: RunView,
    pub saved: RwSignal<Vec<RunProgress>>,
    /// Why Generate or Resume could not go ahead, worded for the alert by the buttons.
    pub problems: RwSignal<Vec<String>>,
    /// The same problems, by field, to show next to each.
    pub field_errors: RwSignal<Vec<FieldError>>,
    /// A run is being set up (Generate was pressed): further presses are ignored.
    pub(super) starting: RwSignal<bool>,
    /// Bumped when stored data was freed (a run deleted, the cache cleared).
    pub storage_changed: RwSignal<u64>,
    /// Called when the newest run, reopened at start-up, was going with a round of batches at
    /// the provider: the app resumes it with the form as it is, when the form is complete.
    pub(super) follow_batches: StoredValue<Option<Callback<(), bool>>, LocalStorage>,
}

/// The run the form describes, planned (large code, needed only once Generate is pressed): in
/// the chunk with the engine's half.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn prepare_run(
    form: RunForm,
    template: synfact_core::FactTemplate,
    prompts: synfact_core::template::prompts::Prompts,
    id: String,
    now: f64,
) -> Result<Result<Prepared, Vec<FieldError>>, crate::parts::ChunkError> {
    Ok(form.prepare(&template, &prompts, id, now))
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
            follow_batches: StoredValue::new_local(None),
        }
    }

    /// What to do when a reopened run has a round of batches at the provider (see
    /// `follow_batches`): true when it was resumed.
    pub fn on_batches_reopened(self, follow: Callback<(), bool>) {
        self.follow_batches.set_value(Some(follow));
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
    pub(super) async fn known(self, database: &Database) -> Rc<RefCell<HashSet<String>>> {
        if let Some(k) = self.known.with_value(|k| k.clone()) {
            return k;
        }
        let keys = cache::known_keys(database).await.unwrap_or_default();
        let k = Rc::new(RefCell::new(keys));
        self.known.set_value(Some(k.clone()));
        k
    }

    pub(super) fn current(self) -> Option<Rc<Executor>> {
        self.current.with_value(|d| d.clone())
    }

    /// Reads the current run, if one is open (untracked: subscribe to `view.revision` first).
    pub fn with_run<T>(self, f: impl FnOnce(&Run) -> T) -> Option<T> {
        self.current().map(|e| e.with_run(f))
    }

    /// Shows `next` in place of the current run. A run that is going is paused first, and the
    /// note says so: opening something else never stops a run silently.
    pub(super) fn replace(self, next: Rc<Executor>) {
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

    pub(super) async fn executor(
        self,
        run: Run,
        keys: Vec<String>,
    ) -> Result<Rc<Executor>, StorageError> {
        let fns = super::executor::load_engine().await?;
        let database = self.database().await?;
        let known = self.known(&database).await;
        let on_state = Box::new(move || self.refresh_saved());
        Ok(Executor::new(
            run, keys, database, known, self.view, on_state, fns,
        ))
    }

    /// Lists the form's problems top to bottom as the page shows their fields, so the first named
    /// is the one the cursor goes to.
    pub(super) fn show_errors(self, mut errors: Vec<FieldError>) {
        synfact_core::form::fields::in_page_order(&mut errors);
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
        let Some(TemplateDoc {
            template, prompts, ..
        }) = doc.filter(|_| errors.is_empty())
        else {
            // The template's column comes first on the page, then the form's fields: every
            // problem is named at once, top to bottom.
            let mut p = vec![words::TEMPLATE_HAS_PROBLEMS.to_string()];
            p.extend(errors.into_iter().map(words::template_issue));
            let mut fields = form.check();
            synfact_core::form::fields::in_page_order(&mut fields);
            p.extend(fields.iter().map(words::field_error));
            self.field_errors.set(fields);
            self.problems.set(p);
            return;
        };
        let now = crate::now_ms();
        let id = format!(
            "run-{}-{:04x}",
            now as u64,
            (js_sys::Math::random() * 65535.0) as u32
        );
        // The form's problems at once (the caller takes the cursor to the first); planning the
        // run, which finds the same ones, comes from a chunk.
        let errors = form.check();
        if !errors.is_empty() {
            return self.show_errors(errors);
        }
        // Pressed again while the run is planned: nothing more. Said at once: on a slow
        // connection the planning's code may still be on its way.
        self.starting.set(true);
        let before = self.view.status_line.get_untracked();
        self.view.status_line.set(words::PLANNING.into());
        spawn_local(async move {
            let prepared =
                crate::parts::call_split!(prepare_run(form, template, prompts, id, now)).await;
            self.starting.set(false);
            match prepared {
                Ok(Ok(p)) => {
                    // `launch` says "Starting: N items planned…", or names what stops it.
                    self.view.status_line.set(before);
                    self.launch(p, prices);
                }
                Ok(Err(errors)) => {
                    self.view.status_line.set(before);
                    self.show_errors(errors);
                }
                Err(e) => {
                    let e = StorageError::chunk(crate::parts::SplitCode::RunEngine)(e);
                    self.view.status_line.set(words::could_not_start(&e));
                }
            }
        });
    }

    /// Starts an evaluation of the template's fact: the Evaluate section's models and questions,
    /// the main form's judge and limits. `training_run` is the dataset run it was trained on,
    /// when one is shown.
    pub fn evaluate(
        self,
        eval: &EvalForm,
        form: &RunForm,
        template_file: &str,
        prices: PriceTable,
    ) -> Vec<String> {
        if self.starting.get_untracked() || self.view.phase.get_untracked() == Phase::Running {
            return vec![words::RUN_GOING.to_string()];
        }
        let (doc, issues) = TemplateDoc::parse(template_file);
        let errors: Vec<_> = issues.iter().filter(|i| !i.is_warning()).collect();
        let Some(doc) = doc.filter(|_| errors.is_empty()) else {
            let mut p = vec![words::TEMPLATE_HAS_PROBLEMS.to_string()];
            p.extend(errors.into_iter().map(words::template_issue));
            return p;
        };
        let training = self
            .with_run(|r| r.eval.is_none().then(|| r.id.clone()))
            .flatten();
        let now = crate::now_ms();
        let id = format!(
            "eval-{}-{:04x}",
            now as u64,
            (js_sys::Math::random() * 65535.0) as u32
        );
        match eval.prepare(form, &doc, training, id, now) {
            Ok(prepared) => {
                self.view.note.set(None);
                self.launch(prepared, prices);
                Vec::new()
            }
            Err(e) => e
                .fields
                .iter()
                .map(words::field_error)
                .chain(e.problems.iter().map(words::eval_problem))
                .collect(),
        }
    }

    /// Checks the budget can be counted, saves the new run (in place of an unreviewed finished
    /// one with the same settings), and starts it: with the engine's chunk, which holds how.
    fn launch(self, prepared: Prepared, prices: PriceTable) {
        // Pressed again meanwhile: nothing more.
        self.starting.set(true);
        spawn_local(async move {
            let fns = super::executor::load_engine().await;
            self.starting.set(false);
            match fns {
                Ok(fns) => (fns.launch)(self, prepared, prices),
                Err(e) => self.view.status_line.set(words::could_not_start(&e)),
            }
        });
    }

    pub(super) fn launch_now(self, mut prepared: Prepared, prices: PriceTable) {
        if prepared.run.settings.budget_usd.is_some() {
            let run = &prepared.run;
            let unpriced = run
                .generators
                .iter()
                .chain([&run.judge])
                .map(|m| m.config.model.as_str())
                .find(|m| prices.price_of(m).is_none());
            if let Some(m) = unpriced {
                self.problems.set(vec![words::budget_needs_price(m)]);
                return;
            }
        }
        prepared.run.settings.prices = prices;
        self.problems.set(Vec::new());
        self.field_errors.set(Vec::new());
        self.starting.set(true);
        // The run shown (not going: Generate waits for that) stops drawing now, so none of its
        // pending redraws can put its status back over the new run's.
        if let Some(old) = self.current() {
            // A run left unfinished stays in Saved runs: said, so it does not seem lost.
            if !matches!(old.status(), Status::Finished | Status::Running) {
                let fact = old.with_run(|r| r.template.fact_name.clone());
                self.view.note.set(Some(words::unfinished_kept(&fact)));
            }
            old.close();
            self.current.set_value(None);
        }
        self.view
            .status_line
            .set(words::starting(prepared.run.items.len()));
        spawn_local(async move {
            let run = prepared.run;
            let result = async {
                // The engine's chunk (which also saves runs) first: if it cannot be fetched, the
                // status line says so once, and nothing is sent or saved.
                super::executor::load_engine().await?;
                let database = self.database().await?;
                // The run goes ahead in memory even if it cannot be saved; the saver keeps trying.
                if let Err(e) = runs::create(&database, &run, &Status::Idle).await {
                    self.view.storage_error.set(Some(e));
                }
                // The run shown was closed above: its last writes were queued before these,
                // and IndexedDB commits transactions in order, so a deleted run stays deleted.
                let same = self.same_runs(&database, &run).await;
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
                    self.view.status_line.set(words::could_not_start(&e));
                }
            }
        });
    }

    /// Generating again with the same settings makes the same run again (from the cache): it
    /// takes the place of earlier finished runs in Saved runs, unless they were reviewed.
    pub(super) async fn same_runs(self, database: &Database, run: &Run) -> Vec<String> {
        // The hashing comes with the run's writers (in the engine's chunk, here by now).
        let Ok(writers) = runs::load_writers().await else {
            return Vec::new();
        };
        let fingerprint = (writers.fingerprint)(run);
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

    /// Keeps `ft` with run `run_id` (saved with it, so a reload follows the job on), when that
    /// run is still the one shown; false when another run took its place.
    pub fn set_fine_tune(self, run_id: &str, ft: Option<FineTune>) -> bool {
        let Some(e) = self.current() else {
            return false;
        };
        if e.run_id() != run_id {
            return false;
        }
        e.dispatch(Event::FineTune(ft));
        e.settings_changed();
        e.flush();
        self.view.publish(Vec::new(), false);
        true
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
    pub fn resume(self, form: &RunForm, eval: &EvalForm, prices: PriceTable) {
        let Some(e) = self.current() else { return };
        // An evaluation goes to the models in the Evaluate section.
        let connection = e.with_run(|run| match run.eval {
            Some(_) => eval.connection(form, run),
            None => form.connection(run),
        });
        let (mut connection, keys) = match connection {
            Ok(c) => c,
            Err(errors) => return self.show_errors(errors),
        };
        // Prices changed since the run was made count from now on (a raised budget too).
        connection.prices = Some(prices);
        self.view.note.set(None);
        // A run is shown only once the engine's chunk is here: so is the code that resumes.
        (e.fns().resume)(self, e, connection, keys);
    }

    pub(super) fn resume_now(self, e: Rc<Executor>, connection: Connection, keys: Vec<String>) {
        spawn_local(async move {
            let acquired = if e.holds_lock() {
                Acquired::Unsupported
            } else {
                lock::acquire(&e.run_id()).await
            };
            match acquired {
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

    /// Saves what is pending now (the page is going away).
    pub fn flush(self) {
        if let Some(e) = self.current() {
            e.flush();
        }
    }
}

impl Default for Controller {
    fn default() -> Self {
        Self::new()
    }
}
