//! OpenAI's files and fine-tuning routes, as its API reference documents them: `POST /v1/files`
//! (multipart: `purpose`, `file`; a fine-tuning file is checked line by line),
//! `POST /v1/fine_tuning/jobs` (a known base model, an uploaded training file of at least ten
//! examples), `GET /v1/fine_tuning/jobs/{id}` and `…/events`, `POST …/cancel`. A job moves
//! validating_files → queued → running → succeeded (or failed, with `--ft-fail`) one state every
//! `--ft-step-ms`; the fine-tuned model's name starts `ft:`, which the chat routes then answer as
//! a model under evaluation. A file uploaded for a batch is kept and read back by
//! `GET /v1/files/{id}/content`.

use crate::{json_response, AppState};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Base models the local server fine-tunes.
const BASE_MODELS: [&str; 4] = [
    "gpt-4o-mini-2024-07-18",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-3.5-turbo-0125",
];

pub struct FileRec {
    pub name: String,
    pub purpose: String,
    pub bytes: usize,
    pub examples: usize,
    /// The text, for a file that can be read back (batch input, output and error files).
    pub content: Option<String>,
}

pub struct JobRec {
    pub model: String,
    pub suffix: String,
    pub created: Instant,
    pub created_at: u64,
    pub step_ms: u64,
    pub fail: Option<String>,
    pub cancelled_at: Option<u64>,
    pub training_file: String,
}

#[derive(Default)]
pub struct Store {
    pub files: BTreeMap<String, FileRec>,
    pub jobs: BTreeMap<String, JobRec>,
    next: u64,
}

impl Store {
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-mock{:06}", self.next)
    }
}

pub(crate) fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

pub(crate) fn invalid(message: &str, param: &str, code: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}),
    )
}

/// A fine-tuning file's problem, in OpenAI's words, or how many examples it holds.
fn check_file(text: &str) -> Result<usize, String> {
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .map_err(|_| format!("Invalid file format. Line {} is not valid JSON.", i + 1))?;
        let messages = v["messages"].as_array().ok_or_else(|| {
            format!(
                "Invalid file format. Line {}, key \"messages\": is missing.",
                i + 1
            )
        })?;
        let ok = messages.iter().all(|m| {
            matches!(m["role"].as_str(), Some("system" | "user" | "assistant"))
                && m["content"].is_string()
        }) && messages.iter().any(|m| m["role"] == "assistant");
        if !ok {
            return Err(format!(
                "Invalid file format. Line {}: each message needs a role (system, user or assistant) and text content, with at least one assistant message.",
                i + 1
            ));
        }
        n += 1;
    }
    Ok(n)
}

pub async fn upload(State(state): State<AppState>, mut form: Multipart) -> Response {
    let (mut purpose, mut file) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("purpose") => purpose = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_string();
                file = field.text().await.ok().map(|t| (name, t));
            }
            _ => {}
        }
    }
    let Some(purpose) = purpose else {
        return invalid(
            "Missing required parameter: 'purpose'.",
            "purpose",
            "missing_required_parameter",
        );
    };
    if !matches!(
        purpose.as_str(),
        "fine-tune" | "batch" | "assistants" | "vision"
    ) {
        return invalid(&format!("'{purpose}' is not one of ['fine-tune', 'batch', 'assistants', 'vision'] - 'purpose'"), "purpose", "invalid_value");
    }
    let Some((name, text)) = file else {
        return invalid(
            "Missing required parameter: 'file'.",
            "file",
            "missing_required_parameter",
        );
    };
    let examples = if purpose == "fine-tune" {
        match check_file(&text) {
            Ok(n) => n,
            Err(m) => return invalid(&m, "file", "invalid_file_format"),
        }
    } else {
        0
    };
    // 0 (a `Faults::default()`) is OpenAI's own limit.
    let max = Some(state.faults().batch_max_bytes)
        .filter(|m| *m > 0)
        .unwrap_or(200 * 1024 * 1024);
    if purpose == "batch" && text.len() as u64 > max {
        return invalid(
            &format!(
                "File is too large: {} bytes. A batch input file may be at most {max} bytes.",
                text.len()
            ),
            "file",
            "file_too_large",
        );
    }
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let id = g.ft.id("file");
    let bytes = text.len();
    g.ft.files.insert(
        id.clone(),
        FileRec {
            name: name.clone(),
            purpose: purpose.clone(),
            bytes,
            examples,
            content: (purpose == "batch").then(|| text.clone()),
        },
    );
    json_response(
        StatusCode::OK,
        json!({"id": id, "object": "file", "bytes": bytes, "created_at": now_s(), "filename": name, "purpose": purpose, "status": "processed"}),
    )
}

/// Where a job stands now, and its events (oldest first).
fn describe(id: &str, j: &JobRec) -> (Value, Vec<Value>) {
    let step = (j.created.elapsed().as_millis() as u64) / j.step_ms.max(1);
    let step = j.cancelled_at.map_or(step, |c| step.min(c));
    let mut events = vec![(0, "info", "Validating training file".to_string())];
    let mut status = "validating_files";
    let mut model = Value::Null;
    let mut error = Value::Null;
    if step >= 1 {
        events.push((
            1,
            "info",
            "Files validated, moving job to queued state".into(),
        ));
        status = "queued";
    }
    if step >= 2 {
        events.push((2, "info", "Fine-tuning job started".into()));
        events.push((2, "info", "Step 10/30: training loss=0.42".into()));
        status = "running";
    }
    if step >= 3 {
        if let Some(f) = &j.fail {
            events.push((3, "error", format!("Fine-tuning job failed: {f}")));
            status = "failed";
            error = json!({"code": "training_failed", "message": f, "param": null});
        } else {
            let name = format!(
                "ft:{}:synfact:{}:{}",
                j.model,
                j.suffix,
                &id[id.len() - 6..]
            );
            events.push((3, "info", format!("New fine-tuned model created: {name}")));
            events.push((3, "info", "The job has successfully completed".into()));
            status = "succeeded";
            model = json!(name);
        }
    }
    if j.cancelled_at.is_some() && status != "succeeded" && status != "failed" {
        events.push((step, "info", "Fine-tuning job cancelled".into()));
        status = "cancelled";
    }
    let job = json!({
        "object": "fine_tuning.job", "id": id, "model": j.model, "created_at": j.created_at,
        "finished_at": if matches!(status, "succeeded" | "failed" | "cancelled") { json!(now_s()) } else { Value::Null },
        "fine_tuned_model": model, "organization_id": "org-mock", "result_files": [],
        "status": status, "validation_file": null, "training_file": j.training_file,
        "hyperparameters": {"n_epochs": 3}, "trained_tokens": null, "error": error, "seed": 1
    });
    let events = events
        .into_iter()
        .enumerate()
        .map(|(k, (at, level, message))| {
            json!({"object": "fine_tuning.job.event", "id": format!("ftevent-{id}-{k}"), "created_at": j.created_at + at, "level": level, "message": message, "type": "message"})
        })
        .collect();
    (job, events)
}

pub async fn create(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return invalid(
            "We could not parse the JSON body of your request.",
            "",
            "invalid_json",
        );
    };
    let model = req["model"].as_str().unwrap_or_default().to_string();
    if !BASE_MODELS.contains(&model.as_str()) {
        return invalid(
            &format!("Model {model} is not available for fine-tuning or does not exist."),
            "model",
            "model_not_available",
        );
    }
    let training = req["training_file"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let faults = state.faults();
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let Some(file) = g.ft.files.get(&training) else {
        return invalid(
            &format!("invalid training_file: {training}"),
            "training_file",
            "invalid_training_file",
        );
    };
    if file.purpose != "fine-tune" {
        return invalid(
            &format!(
                "File {training} has purpose {}, but must have purpose fine-tune.",
                file.purpose
            ),
            "training_file",
            "invalid_training_file",
        );
    }
    if file.examples < 10 {
        return invalid(
            &format!(
                "Training file has {} example(s), but must have at least 10 examples",
                file.examples
            ),
            "training_file",
            "invalid_n_examples",
        );
    }
    if let Some(v) = req["validation_file"].as_str() {
        if !g.ft.files.contains_key(v) {
            return invalid(
                &format!("invalid validation_file: {v}"),
                "validation_file",
                "invalid_validation_file",
            );
        }
    }
    let id = g.ft.id("ftjob");
    let job = JobRec {
        model,
        suffix: req["suffix"].as_str().unwrap_or("").to_string(),
        created: Instant::now(),
        created_at: now_s(),
        step_ms: faults.ft_step_ms,
        fail: faults.ft_fail.clone(),
        cancelled_at: None,
        training_file: training,
    };
    let (v, _) = describe(&id, &job);
    g.ft.jobs.insert(id, job);
    json_response(StatusCode::OK, v)
}

fn unknown_job(id: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": {"message": format!("Could not find fine-tune: {id}"), "type": "invalid_request_error", "param": "fine_tune_id", "code": "fine_tune_not_found"}}),
    )
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.ft.jobs.get(&id) {
        Some(j) => json_response(StatusCode::OK, describe(&id, j).0),
        None => unknown_job(&id),
    }
}

pub async fn events(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.ft.jobs.get(&id) {
        Some(j) => {
            let mut events = describe(&id, j).1;
            events.reverse();
            json_response(
                StatusCode::OK,
                json!({"object": "list", "data": events, "has_more": false}),
            )
        }
        None => unknown_job(&id),
    }
}

pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.ft.jobs.get_mut(&id) {
        Some(j) => {
            let step = (j.created.elapsed().as_millis() as u64) / j.step_ms.max(1);
            if step < 3 {
                j.cancelled_at.get_or_insert(step);
            }
            json_response(StatusCode::OK, describe(&id, j).0)
        }
        None => unknown_job(&id),
    }
}

/// `GET /v1/files/{id}/content`: a batch file's text (input, output or errors).
pub async fn content(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.ft.files.get(&id).and_then(|f| f.content.clone()) {
        Some(text) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            text,
        )
            .into_response(),
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": {"message": format!("No such File object: {id}"), "type": "invalid_request_error", "param": "id", "code": null}}),
        ),
    }
}
