//! A fine-tune's steps, whoever sends the requests (the page's `fetch`, the command line's HTTP
//! client): the run's chat files checked, uploaded and the job created; one poll of the job and
//! its events; a cancel. The sender puts the key in its provider's header and nowhere else; it
//! answers the status and body, or why nothing answered.

use crate::errors::{DownloadError, FineTuneError, FtCall};
use std::future::Future;
use synfact_core::dataset::{fine_tune_files, Bundle, DatasetFile};
use synfact_core::eval::fine_tune::{self, read_events, read_job, FineTune, JobSpec};
use synfact_core::provider::endpoint::BaseUrl;
use synfact_core::provider::files::{read_file, ApiError, Request};

/// Where a start is.
#[derive(Clone, Debug, PartialEq)]
pub enum FtStep {
    Idle,
    /// Uploading the named file.
    Uploading(String),
    Creating,
    Cancelling,
}

fn provider(call: FtCall) -> impl Fn(ApiError) -> FineTuneError {
    move |error| FineTuneError::Provider { call, error }
}

async fn answer<S, F>(send: &S, req: Request, call: FtCall) -> Result<(u16, String), FineTuneError>
where
    S: Fn(Request) -> F,
    F: Future<Output = Result<(u16, String), String>>,
{
    send(req)
        .await
        .map_err(|detail| FineTuneError::Refused { call, detail })
}

/// The training file (and the validation file, when the export was split), checked: enough
/// examples for the provider.
pub fn training_files(
    bundle: &Bundle,
) -> Result<(DatasetFile, Option<DatasetFile>), FineTuneError> {
    let Some((training, validation)) = fine_tune_files(&bundle.files) else {
        return Err(FineTuneError::Files(DownloadError::NoRun));
    };
    let lines = training
        .text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    if lines < fine_tune::MIN_EXAMPLES {
        return Err(FineTuneError::TooFew { lines });
    }
    Ok((training.clone(), validation.cloned()))
}

/// Uploads the files and creates the job: the job as started.
pub async fn start_with<S, F>(
    send: &S,
    base: &BaseUrl,
    spec: &JobSpec,
    (training, validation): (&DatasetFile, Option<&DatasetFile>),
    step: impl Fn(FtStep),
) -> Result<FineTune, FineTuneError>
where
    S: Fn(Request) -> F,
    F: Future<Output = Result<(u16, String), String>>,
{
    let mut ids = Vec::new();
    for f in std::iter::once(training).chain(validation) {
        step(FtStep::Uploading(f.name.clone()));
        let req = fine_tune::upload(base, &f.name, &f.text);
        let (status, body) = answer(send, req, FtCall::Upload).await?;
        ids.push(read_file(status, &body).map_err(provider(FtCall::Upload))?);
    }
    step(FtStep::Creating);
    let req = fine_tune::create(base, spec, &ids[0], ids.get(1).map(String::as_str));
    let (status, body) = answer(send, req, FtCall::Create).await?;
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

/// One poll: the job and its newest events. True when anything changed.
pub async fn poll_with<S, F>(send: &S, ft: &mut FineTune) -> Result<bool, FineTuneError>
where
    S: Fn(Request) -> F,
    F: Future<Output = Result<(u16, String), String>>,
{
    let req = fine_tune::get(&ft.base_url, &ft.job_id);
    let (status, body) = answer(send, req, FtCall::Follow).await?;
    let (_, job_status, model, error) =
        read_job(status, &body).map_err(provider(FtCall::Follow))?;
    let req = fine_tune::events(&ft.base_url, &ft.job_id);
    let (status, body) = answer(send, req, FtCall::Follow).await?;
    let events = read_events(status, &body).ok();
    Ok(ft.update(job_status, model, error, events))
}

/// Asks the provider to cancel the job; the job as it answered.
pub async fn cancel_with<S, F>(send: &S, mut ft: FineTune) -> Result<FineTune, FineTuneError>
where
    S: Fn(Request) -> F,
    F: Future<Output = Result<(u16, String), String>>,
{
    let req = fine_tune::cancel(&ft.base_url, &ft.job_id);
    let (status, body) = answer(send, req, FtCall::Cancel).await?;
    let (_, s, model, error) = read_job(status, &body).map_err(provider(FtCall::Cancel))?;
    ft.update(s, model, error, None);
    Ok(ft)
}
