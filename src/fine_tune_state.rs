//! Start a fine-tune as the page holds it: its form (kept like the others), the steps of a
//! start (upload the files, create the job), following the job until it ends (backing off
//! while nothing changes; a reload follows it on, as the job is saved with its run), and
//! cancelling it. A browser refused at the first call gets the same steps as terminal commands.

use crate::api::{send, Unreached};
use crate::errors::{DownloadError, FineTuneError};
pub use crate::fine_tune_job::FtStep;
use crate::fine_tune_job::{cancel_with, poll_with, start_with, training_files};
use crate::form_state::FormState;
use crate::run::Controller;
use crate::storage::prefs;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use synfact_core::dataset::Bundle;
use synfact_core::eval::fine_tune::curl_commands;
use synfact_core::form::fine_tune::FineTuneForm;
use synfact_core::provider::files::{poll_delay_ms, Request};

#[derive(Clone, Copy)]
pub struct FineTuneState {
    pub form: RwSignal<FineTuneForm>,
    /// Start was pressed: the form's problems show.
    pub tried: RwSignal<bool>,
    pub step: RwSignal<FtStep>,
    pub error: RwSignal<Option<FineTuneError>>,
    /// The terminal commands, once the browser was refused.
    pub terminal: RwSignal<Option<String>>,
    /// The run whose job is being followed (one loop at a time).
    following: RwSignal<Option<String>>,
}

/// One request through `fetch`, `key` in the Authorization header only.
async fn fetch(req: Request, key: String) -> Result<(u16, String), String> {
    send(&req, &key).await.map_err(|Unreached(d)| d)
}

impl FineTuneState {
    pub fn new() -> FineTuneState {
        FineTuneState {
            form: RwSignal::new(prefs::load_ft_form()),
            tried: RwSignal::new(false),
            step: RwSignal::new(FtStep::Idle),
            error: RwSignal::new(None),
            terminal: RwSignal::new(None),
            following: RwSignal::new(None),
        }
    }

    /// Saves the form as it changes, and follows the shown run's job whenever it has one that
    /// has not ended and the key is there (after a reload too).
    pub fn watch(self, ctl: Controller, settings: FormState) {
        let form = self.form;
        Effect::new(move |_| {
            let on = settings.remember_keys.get();
            if !form.with(|f| prefs::save_ft_form(f, on)) {
                settings
                    .save_error
                    .set(Some(crate::errors::SaveError::Form));
            }
        });
        Effect::new(move |_| {
            ctl.view.revision.track();
            let has_key = form.with(|f| !f.api_key.trim().is_empty());
            let open = ctl
                .with_run(|r| {
                    r.fine_tune
                        .as_ref()
                        .filter(|ft| !ft.status.is_final())
                        .map(|_| r.id.clone())
                })
                .flatten();
            if let Some(run_id) = open {
                if has_key && self.following.get_untracked().as_ref() != Some(&run_id) {
                    self.following.set(Some(run_id.clone()));
                    spawn_local(async move {
                        if crate::parts::call_split!(follow(self, ctl, run_id))
                            .await
                            .is_err()
                        {
                            self.error.set(Some(FineTuneError::Chunk));
                            self.following.set(None);
                        }
                    });
                }
            }
        });
    }

    /// Uploads the export's chat files, creates the job and follows it.
    pub fn start(self, ctl: Controller, bundle: Result<Bundle, DownloadError>) {
        if self.step.get_untracked() != FtStep::Idle {
            return;
        }
        self.tried.set(true);
        self.error.set(None);
        self.terminal.set(None);
        let (base, key, spec) = match self.form.get_untracked().prepare() {
            Ok(p) => p,
            Err(e) => return self.error.set(Some(FineTuneError::Form(e))),
        };
        let (training, validation) = match bundle
            .map_err(FineTuneError::Files)
            .and_then(|b| training_files(&b))
        {
            Ok(files) => files,
            Err(e) => return self.error.set(Some(e)),
        };
        let Some(run_id) = ctl.with_run(|r| r.id.clone()) else {
            return;
        };
        spawn_local(async move {
            let result = start_with(
                &|req| fetch(req, key.clone()),
                &base,
                &spec,
                (&training, validation.as_ref()),
                |s| self.step.set(s),
            )
            .await;
            self.step.set(FtStep::Idle);
            match result {
                Ok(ft) => {
                    ctl.set_fine_tune(&run_id, Some(ft));
                }
                Err(e) => {
                    if matches!(e, FineTuneError::Refused { .. }) {
                        self.terminal.set(Some(curl_commands(
                            &base,
                            &spec,
                            &training.name,
                            validation.as_ref().map(|v| v.name.as_str()),
                        )));
                    }
                    self.error.set(Some(e));
                }
            }
        });
    }

    /// Polls the shown run's job (and its events) until it ends, the run is no longer shown,
    /// or another loop takes over.
    fn follow(self, ctl: Controller, run_id: String) {
        spawn_local(async move {
            let mut unchanged = 0;
            loop {
                sleep(Duration::from_millis(poll_delay_ms(unchanged))).await;
                if self.following.get_untracked().as_ref() != Some(&run_id) {
                    return;
                }
                let shown = ctl
                    .with_run(|r| (r.id == run_id).then(|| r.fine_tune.clone()).flatten())
                    .flatten();
                let key = self.form.with_untracked(|f| f.api_key.trim().to_string());
                let Some(mut ft) = shown.filter(|ft| !ft.status.is_final()) else {
                    break;
                };
                if key.is_empty() {
                    break;
                }
                match poll_with(&|req| fetch(req, key.clone()), &mut ft).await {
                    Ok(true) => {
                        unchanged = 0;
                        self.error.set(None);
                        ctl.set_fine_tune(&run_id, Some(ft));
                    }
                    Ok(false) => unchanged += 1,
                    // An unreachable provider is tried again, less often; an HTTP error
                    // (a key refused, a job gone) stops following until something changes.
                    Err(e @ FineTuneError::Refused { .. }) => {
                        unchanged += 1;
                        self.error.set(Some(e));
                    }
                    Err(e) => {
                        self.error.set(Some(e));
                        break;
                    }
                }
            }
            if self.following.get_untracked().as_ref() == Some(&run_id) {
                self.following.set(None);
            }
        });
    }

    /// Asks the provider to cancel the shown run's job.
    pub fn cancel(self, ctl: Controller) {
        let Some((run_id, Some(ft))) = ctl.with_run(|r| (r.id.clone(), r.fine_tune.clone())) else {
            return;
        };
        let key = self.form.with_untracked(|f| f.api_key.trim().to_string());
        self.step.set(FtStep::Cancelling);
        spawn_local(async move {
            let result = cancel_with(&|req| fetch(req, key.clone()), ft).await;
            self.step.set(FtStep::Idle);
            match result {
                Ok(ft) => {
                    ctl.set_fine_tune(&run_id, Some(ft));
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

/// Following a job is needed only once a run with a fine-tune is shown: in the chunk fetched
/// after the first screen.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn follow(
    state: FineTuneState,
    ctl: Controller,
    run_id: String,
) -> Result<(), crate::parts::ChunkError> {
    state.follow(ctl, run_id);
    Ok(())
}

impl Default for FineTuneState {
    fn default() -> Self {
        Self::new()
    }
}
