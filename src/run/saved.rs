//! Saved runs: listing them, opening one (or a chat JSONL file, as a finished run), deleting one
//! with the cached replies only it used, and reopening the newest at start-up.

use super::controller::Controller;
use super::lock::{self, Acquired};
use super::view::Phase;
use crate::errors::{OpenError, OpenedNote};
use crate::storage::db::StorageError;
use crate::storage::runs;
use crate::words;
use idb::Database;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;
use synfact_core::Status;

/// What loading a saved run gives.
type Loaded = std::pin::Pin<
    Box<
        dyn std::future::Future<
            Output = Result<(synfact_core::Run, runs::RunProgress), StorageError>,
        >,
    >,
>;

/// Reads a saved run (its records' decoding is large, and needed only once a run is opened): in
/// the chunk of what loads after the first screen.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn load_saved(
    database: std::rc::Rc<Database>,
    id: String,
) -> Result<Loaded, crate::parts::ChunkError> {
    Ok(Box::pin(async move { runs::load(&database, &id).await }))
}

impl Controller {
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
    /// Returns the lines it skipped, if any; or why nothing was opened.
    pub fn open_file(self, name: String, text: String) -> Result<Option<OpenedNote>, OpenError> {
        use synfact_core::dataset::chat::{read_chat_jsonl, run_from_chat};
        let (examples, problems) = read_chat_jsonl(&text);
        if examples.is_empty() {
            return Err(match problems.into_iter().next() {
                None => OpenError::Empty(name),
                Some(first) => OpenError::NoExamples { name, first },
            });
        }
        let note = problems.first().cloned().map(|first| OpenedNote {
            name: name.clone(),
            read: examples.len(),
            skipped: problems.len(),
            first,
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
        self.open_then(id, false);
    }

    /// Shows a saved run; with `follow`, a round of batches it has at the provider is followed.
    fn open_then(self, id: String, follow: bool) {
        if self.current().is_some_and(|e| e.run_id() == id) {
            // Already shown (and perhaps going): nothing to reopen.
            return;
        }
        spawn_local(async move {
            let result = async {
                let database = self.database().await?;
                let loading = crate::parts::call_split!(load_saved(database, id.clone()))
                    .await
                    .map_err(StorageError::chunk(crate::parts::SplitCode::SavedRun))?;
                let (run, progress) = loading.await?;
                let executor = self.executor(run, Vec::new()).await?;
                if let Some(status) = progress.status {
                    executor.restore_status(status);
                }
                Ok::<_, StorageError>(executor)
            }
            .await;
            match result {
                Ok(executor) => {
                    let acquired = lock::acquire(&executor.run_id()).await;
                    let elsewhere = matches!(acquired, Acquired::Elsewhere);
                    let batches =
                        executor.with_run(|r| r.batch.as_ref().is_some_and(|b| b.pending()));
                    let follow = follow && batches && !elsewhere;
                    if let (true, Acquired::Held(l)) = (follow, acquired) {
                        // Kept for the resume below (a lock let go is not free at once).
                        executor.hold(l);
                    }
                    self.replace(executor);
                    if elsewhere {
                        self.view.status_line.set(words::ELSEWHERE.to_string());
                    } else if follow {
                        let followed = self.follow_batches.get_value().is_some_and(|f| f.run(()));
                        if !followed {
                            if let Some(e) = self.current() {
                                e.let_go();
                            }
                        }
                    }
                }
                Err(e) => {
                    self.problems.set(vec![words::storage_error(&e)]);
                    self.no_run_after_start_up();
                }
            }
        });
    }

    /// The status line said that saved runs were being looked for or the last opened at
    /// start-up, and none is shown: says there is no run.
    fn no_run_after_start_up(self) {
        let said = self.view.status_line.get_untracked();
        if self.current().is_none()
            && (said == words::LOOKING_FOR_RUNS || said == words::OPENING_LAST_RUN)
        {
            self.view.status_line.set(words::NO_RUN_YET.into());
        }
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
            self.view.status_line.set(words::RUN_DELETED.into());
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

    /// At start-up: list saved runs and reopen the newest, so a reload picks up where it was.
    /// Its code comes with the engine's chunk, which reading saved runs needs anyway.
    pub fn restore(self) {
        spawn_local(async move {
            match crate::parts::call_split!(super::executor::engine_part()).await {
                Ok(fns) => (fns.restore)(self),
                Err(e) => {
                    // Whether there are saved runs is not known: the line does not say none, nor
                    // that a run can start (that needs the same code).
                    if self.current().is_none() {
                        self.view
                            .status_line
                            .set(words::RUNS_PART_NOT_LOADED.into());
                    }
                    let e = StorageError::chunk(crate::parts::SplitCode::SavedRuns)(e);
                    self.view.storage_error.set(Some(e));
                }
            }
        });
    }

    pub(super) fn restore_now(self) {
        spawn_local(async move {
            let list = match async { runs::list(&*self.database().await?).await }.await {
                Ok(l) => l,
                Err(e) => {
                    // Whether there are saved runs is not known: the line does not say none.
                    if self.current().is_none() {
                        self.view.status_line.set(words::RUNS_NOT_READ.into());
                    }
                    return self.view.storage_error.set(Some(e));
                }
            };
            let newest = list.first().map(|m| (m.id.clone(), m.state));
            self.saved.set(list);
            // Not over a run Generate is starting (the list can take a moment: its reading is
            // in a chunk fetched after the first screen).
            let free = self.current().is_none() && !self.starting.get_untracked();
            if let (Some((id, state)), true) = (newest, free) {
                // A run that was going when the page closed, with a round of batches at the
                // provider, is followed again at once (the batches went on without the page).
                let follow = state == runs::RunState::Running;
                self.view.status_line.set(words::OPENING_LAST_RUN.into());
                self.open_then(id, follow);
            } else {
                self.no_run_after_start_up();
            }
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
}
