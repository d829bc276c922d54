//! What the buttons do: start, pause, resume, cancel, open and delete runs. Holds the database
//! connection and the current run's driver.

use crate::driver::{Driver, Phase, RunView};
use crate::runs::{self, RunMeta};
use crate::{db, prefs};
use idb::Database;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use synfact_core::setup::{preset, RunForm};
use synfact_core::{Event, FactTemplate, Run};

/// Copyable handle to the app's run machinery, provided as context.
#[derive(Clone, Copy)]
pub struct Controller {
    db: StoredValue<Option<Rc<Database>>, LocalStorage>,
    driver: StoredValue<Option<Rc<Driver>>, LocalStorage>,
    pub view: RunView,
    pub saved: RwSignal<Vec<RunMeta>>,
    /// Why Generate could not start, or another problem to show.
    pub problems: RwSignal<Vec<String>>,
}

impl Controller {
    pub fn new() -> Controller {
        Controller {
            db: StoredValue::new_local(None),
            driver: StoredValue::new_local(None),
            view: RunView::new(),
            saved: RwSignal::new(Vec::new()),
            problems: RwSignal::new(Vec::new()),
        }
    }

    async fn database(self) -> Result<Rc<Database>, String> {
        if let Some(d) = self.db.with_value(|d| d.clone()) {
            return Ok(d);
        }
        let d = Rc::new(db::open().await?);
        self.db.set_value(Some(d.clone()));
        Ok(d)
    }

    fn current(self) -> Option<Rc<Driver>> {
        self.driver.with_value(|d| d.clone())
    }

    fn replace_driver(self, driver: Rc<Driver>) {
        if let Some(old) = self.current() {
            old.retire();
        }
        self.driver.set_value(Some(driver));
    }

    /// Validates everything, saves the new run, and starts it.
    pub fn generate(self, form: RunForm, template_json: String) {
        let template = match FactTemplate::from_json(&template_json) {
            Ok(t) => t,
            Err(errors) => {
                let mut p = vec!["The template has problems (see Template).".to_string()];
                p.extend(errors.iter().map(|e| e.to_string()));
                self.problems.set(p);
                return;
            }
        };
        let now = crate::now_ms();
        let id = format!(
            "run-{}-{:04x}",
            now as u64,
            (js_sys::Math::random() * 65535.0) as u32
        );
        let prepared = match form.prepare(&template, id, now) {
            Ok(p) => p,
            Err(errors) => {
                self.problems.set(errors);
                return;
            }
        };
        self.problems.set(Vec::new());
        if let Some(old) = self.current() {
            old.retire();
        }
        self.view.phase.set(Phase::Running);
        self.view.status_line.set(format!(
            "Starting: {} items planned…",
            prepared.run.items.len()
        ));
        spawn_local(async move {
            let db = match self.database().await {
                Ok(d) => d,
                Err(e) => return self.fail(e),
            };
            if let Err(e) = runs::save(&db, &prepared.run, false, true).await {
                // The run still goes ahead in memory; the user is told it cannot be resumed.
                self.view.storage_error.set(Some(e));
            }
            let known = crate::cache::known_keys(&db).await.unwrap_or_default();
            let driver = Driver::new(prepared.run, prepared.keys, db, known, self.view);
            self.replace_driver(driver.clone());
            driver.dispatch(Event::Start);
            self.refresh_saved();
        });
    }

    fn fail(self, message: String) {
        self.view.phase.set(Phase::Empty);
        self.view
            .status_line
            .set(format!("Could not start: {message}"));
    }

    pub fn pause(self) {
        if let Some(d) = self.current() {
            d.dispatch(Event::Pause);
        }
    }

    /// Carries on, with the keys now in the form (so a corrected key takes effect).
    pub fn resume(self, form: &RunForm) {
        if let Some(d) = self.current() {
            let keys = d.with_run(|run| keys_for(run, form));
            d.set_keys(keys);
            d.dispatch(Event::Resume);
        }
    }

    pub fn cancel(self) {
        if let Some(d) = self.current() {
            d.dispatch(Event::Cancel);
        }
        self.refresh_saved();
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

    /// Shows a saved run; an unfinished one can then be resumed.
    pub fn open(self, id: String, form: RunForm) {
        spawn_local(async move {
            let result = async {
                let db = self.database().await?;
                let (run, _) = runs::load(&db, &id).await?;
                let known = crate::cache::known_keys(&db).await?;
                Ok::<_, String>((db, run, known))
            }
            .await;
            match result {
                Ok((db, run, known)) => {
                    let keys = keys_for(&run, &form);
                    let driver = Driver::new(run, keys, db, known, self.view);
                    self.replace_driver(driver.clone());
                    driver.show();
                }
                Err(e) => self.problems.set(vec![e]),
            }
        });
    }

    pub fn delete(self, id: String) {
        if let Some(d) = self.current().filter(|d| d.run_id() == id) {
            d.discard();
            self.driver.set_value(None);
            self.view.run.set(None);
            self.view.phase.set(Phase::Empty);
            self.view.progress.set(Default::default());
            self.view.status_line.set("The run was deleted.".into());
        }
        spawn_local(async move {
            let result = async { runs::delete(&*self.database().await?, &id).await }.await;
            if let Err(e) = result {
                self.problems.set(vec![e]);
            }
            self.refresh_saved();
        });
    }

    /// Saves what is pending now (the page is going away).
    pub fn flush(self) {
        if let Some(d) = self.current() {
            d.flush();
        }
    }

    /// At start-up: list saved runs and reopen the newest, so a reload picks up where it was.
    pub fn restore(self, form: RunForm) {
        spawn_local(async move {
            let list = match async { runs::list(&*self.database().await?).await }.await {
                Ok(l) => l,
                Err(e) => return self.view.storage_error.set(Some(e)),
            };
            let newest = list.first().map(|m| m.run.id.clone());
            self.saved.set(list);
            if let (Some(id), None) = (newest, self.current()) {
                self.open(id, form);
            }
        });
    }
}

impl Default for Controller {
    fn default() -> Self {
        Self::new()
    }
}

/// The key for each endpoint of a run, taken from the form rows with the same provider and URL.
pub fn keys_for(run: &Run, form: &RunForm) -> Vec<String> {
    let same = |url: &str, e: &str| url.trim().trim_end_matches('/') == e;
    run.endpoints
        .iter()
        .map(|e| {
            form.models
                .iter()
                .find(|m| preset(&m.provider).kind == e.kind && same(&m.base_url, &e.base_url))
                .map(|m| m.api_key.clone())
                .or_else(|| {
                    (!form.judge_provider.is_empty() && same(&form.judge_base_url, &e.base_url))
                        .then(|| form.judge_api_key.clone())
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Keeps the form in localStorage as it changes.
pub fn persist_form(form: RwSignal<RunForm>, remember_keys: RwSignal<bool>) {
    Effect::new(move |_| {
        let remember = remember_keys.get();
        prefs::set_remember_keys(remember);
        form.with(|f| prefs::save_form(f, remember));
    });
}
