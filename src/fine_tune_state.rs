//! Start a fine-tune as the page holds it: its form (kept like the others), the steps of a
//! start (upload the files, create the job), following the job until it ends (backing off
//! while nothing changes; a reload follows it on, as the job is saved with its run), and
//! cancelling it. A browser refused at the first call gets the same steps as terminal commands.

use crate::api::{send, Unreached};
use crate::errors::{DownloadError, FineTuneError, FtCall};
use crate::form_state::FormState;
use crate::run::Controller;
use crate::storage::prefs;
use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use synfact_core::dataset::{fine_tune_files, Bundle};
use synfact_core::eval::fine_tune::{self, curl_commands, read_events, read_job, FineTune};
use synfact_core::form::fine_tune::FineTuneForm;
use synfact_core::provider::files::{poll_delay_ms, read_file, ApiError, Request};

/// Where a start is.
#[derive(Clone, Debug, PartialEq)]
pub enum FtStep {
    Idle,
    /// Uploading the named file.
    Uploading(String),
    Creating,
    Cancelling,
}

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

/// A call's reply, or why it failed, as the section reports it.
async fn answer(req: &Request, key: &str, call: FtCall) -> Result<(u16, String), FineTuneError> {
    send(req, key)
        .await
        .map_err(|Unreached(detail)| FineTuneError::Refused { call, detail })
}

fn provider(call: FtCall) -> impl Fn(ApiError) -> FineTuneError {
    move |error| FineTuneError::Provider { call, error }
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
                    self.follow(ctl, run_id);
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
        let bundle = match bundle {
            Ok(b) => b,
            Err(e) => return self.error.set(Some(FineTuneError::Files(e))),
        };
        let Some((training, validation)) = fine_tune_files(&bundle.files) else {
            return self
                .error
                .set(Some(FineTuneError::Files(DownloadError::NoRun)));
        };
        let lines = training
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count();
        if lines < fine_tune::MIN_EXAMPLES {
            return self.error.set(Some(FineTuneError::TooFew { lines }));
        }
        let (training, validation) = (training.clone(), validation.cloned());
        let Some(run_id) = ctl.with_run(|r| r.id.clone()) else {
            return;
        };
        spawn_local(async move {
            let result = async {
                let mut ids = Vec::new();
                for f in std::iter::once(&training).chain(validation.as_ref()) {
                    self.step.set(FtStep::Uploading(f.name.clone()));
                    let (status, body) = answer(
                        &fine_tune::upload(&base, &f.name, &f.text),
                        &key,
                        FtCall::Upload,
                    )
                    .await?;
                    ids.push(read_file(status, &body).map_err(provider(FtCall::Upload))?);
                }
                self.step.set(FtStep::Creating);
                let (status, body) = answer(
                    &fine_tune::create(&base, &spec, &ids[0], ids.get(1).map(String::as_str)),
                    &key,
                    FtCall::Create,
                )
                .await?;
                let (job_id, status, model, error) =
                    read_job(status, &body).map_err(provider(FtCall::Create))?;
                Ok(FineTune {
                    base_url: base.clone(),
                    spec: spec.clone(),
                    training_file: ids[0].clone(),
                    validation_file: ids.get(1).cloned(),
                    job_id,
                    status,
                    fine_tuned_model: model,
                    error,
                    events: Vec::new(),
                })
            }
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
        self.following.set(Some(run_id.clone()));
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
                match self.poll(&mut ft, &key).await {
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

    /// One poll: the job and its newest events. True when anything changed.
    async fn poll(self, ft: &mut FineTune, key: &str) -> Result<bool, FineTuneError> {
        let (status, body) = answer(
            &fine_tune::get(&ft.base_url, &ft.job_id),
            key,
            FtCall::Follow,
        )
        .await?;
        let (_, job_status, model, error) =
            read_job(status, &body).map_err(provider(FtCall::Follow))?;
        let (status, body) = answer(
            &fine_tune::events(&ft.base_url, &ft.job_id),
            key,
            FtCall::Follow,
        )
        .await?;
        let events = read_events(status, &body).ok();
        Ok(ft.update(job_status, model, error, events))
    }

    /// Asks the provider to cancel the shown run's job.
    pub fn cancel(self, ctl: Controller) {
        let Some((run_id, Some(mut ft))) = ctl.with_run(|r| (r.id.clone(), r.fine_tune.clone()))
        else {
            return;
        };
        let key = self.form.with_untracked(|f| f.api_key.trim().to_string());
        self.step.set(FtStep::Cancelling);
        spawn_local(async move {
            let result = async {
                let (status, body) = answer(
                    &fine_tune::cancel(&ft.base_url, &ft.job_id),
                    &key,
                    FtCall::Cancel,
                )
                .await?;
                let (_, s, model, error) =
                    read_job(status, &body).map_err(provider(FtCall::Cancel))?;
                ft.update(s, model, error, None);
                Ok(ft)
            }
            .await;
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

impl Default for FineTuneState {
    fn default() -> Self {
        Self::new()
    }
}
