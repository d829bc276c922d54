//! OpenAI's Batch API, as its reference documents it: `POST /v1/batches` over a file uploaded
//! with purpose `batch` (each line `{custom_id, method, url, body}`, `custom_id`s unique, one
//! model per file, the route `/v1/chat/completions`, window `24h`), `GET /v1/batches/{id}`,
//! `POST /v1/batches/{id}/cancel`. A batch moves validating → in_progress → finalizing →
//! completed one state every `--batch-step-ms` (a clock the tests set through `/_control`);
//! a file that breaks the line rules fails validation with the line named. Each line is answered
//! by the chat route itself (its checks, replies and seeded faults); the output file holds the
//! lines that answered 200 and the error file the rest, each in an order of its own, never the
//! input's. `--batch-expire-share` leaves that share of lines unrun (the batch ends `expired`),
//! `--batch-fail` fails the next batch's validation with the given words, `--batch-429` answers
//! the next N calls to these routes with a 429.

use crate::fine_tune::{invalid, now_s, FileRec};
use crate::{json_response, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

/// Which service a batch was made through.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    OpenAi,
    /// Anthropic's Message Batches (`message_batches`).
    Anthropic,
}

pub struct BatchRec {
    pub(crate) protocol: Protocol,
    pub(crate) input_file_id: String,
    pub(crate) created: Instant,
    pub(crate) created_at: u64,
    /// (custom_id, body) of each line, in file order.
    pub(crate) lines: Vec<(String, Value)>,
    /// Validation errors: (line number, code, message).
    pub(crate) errors: Vec<LineError>,
    /// The lines left unrun when the window closes.
    pub(crate) expire: HashSet<String>,
    /// When it was cancelled, and the lines done by then.
    pub(crate) cancelled: Option<(Instant, usize)>,
    /// The key headers it was created with: its lines are made with them.
    pub(crate) auth: HeaderMap,
    pub(crate) results: Option<Results>,
}

pub(crate) struct Results {
    output_file_id: Option<String>,
    error_file_id: Option<String>,
    /// Anthropic's results, one line each.
    pub(crate) text: Option<String>,
    pub(crate) completed: usize,
    pub(crate) failed: usize,
}

/// How one line of a batch ended.
pub(crate) enum Ran {
    Expired,
    Cancelled,
    Answered(u16, Value),
}

/// The key headers a batch's lines are made with.
pub(crate) fn auth_of(headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    for name in ["authorization", "x-api-key", "anthropic-version"] {
        if let Some(v) = headers.get(name) {
            out.insert(name, v.clone());
        }
    }
    out
}

#[derive(Default)]
pub struct Store {
    pub batches: BTreeMap<String, BatchRec>,
    /// Lines left unrun once: sent again, they run (as at a provider past its busy hour).
    expired_before: HashSet<String>,
}

/// The line rules, checked in order: the first line that breaks one is named, as OpenAI names it.
/// A validation error: the line's number, a code and the words.
type LineError = (usize, String, String);

fn validate(text: &str, endpoint: &str) -> (Vec<(String, Value)>, Vec<LineError>) {
    let mut lines = Vec::new();
    let mut ids = HashSet::new();
    let mut model: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fail = |code: &str, message: String| (n, code.to_string(), message);
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return (
                lines,
                vec![fail(
                    "invalid_json_line",
                    "This line is not parseable as valid JSON.".to_string(),
                )],
            );
        };
        let Some(id) = v["custom_id"].as_str() else {
            return (
                lines,
                vec![fail(
                    "missing_required_parameter",
                    "Missing required parameter: 'custom_id'.".into(),
                )],
            );
        };
        if !ids.insert(id.to_string()) {
            return (
                lines,
                vec![fail(
                    "duplicate_custom_id",
                    format!(
                        "The custom_id for this request is a duplicate of another request: {id}."
                    ),
                )],
            );
        }
        if v["method"] != "POST" {
            return (
                lines,
                vec![fail("invalid_method", "The method must be POST.".into())],
            );
        }
        if v["url"] != endpoint {
            return (
                lines,
                vec![fail(
                    "mismatched_endpoint",
                    format!(
                        "The provided URL '{}' does not match the batch endpoint '{endpoint}'.",
                        v["url"].as_str().unwrap_or("")
                    ),
                )],
            );
        }
        let Some(m) = v["body"]["model"].as_str() else {
            return (
                lines,
                vec![fail(
                    "missing_required_parameter",
                    "Model parameter is required.".into(),
                )],
            );
        };
        match &model {
            Some(first) if first != m => {
                return (lines, vec![fail("mismatched_model", format!("The model '{m}' does not match the model '{first}' of the other requests in this file: a batch holds one model."))]);
            }
            _ => model = Some(m.to_string()),
        }
        lines.push((id.to_string(), v["body"].clone()));
    }
    if lines.is_empty() {
        return (
            lines,
            vec![(
                0,
                "empty_file".into(),
                "The batch input file is empty.".into(),
            )],
        );
    }
    (lines, Vec::new())
}

fn batch_error(status: StatusCode, message: &str, code: &str) -> Response {
    json_response(
        status,
        json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}}),
    )
}

/// A 429 on the routes themselves, while `--batch-429` has some left.
fn limited(state: &AppState) -> Option<Response> {
    take_429(state).then(|| {
        batch_error(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit reached for batch requests. Please try again in 1s.",
            "rate_limit_exceeded",
        )
    })
}

/// Whether this call to a batch route gets one of `--batch-429`'s 429s.
pub(crate) fn take_429(state: &AppState) -> bool {
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    if g.faults.batch_429 == 0 {
        return false;
    }
    g.faults.batch_429 -= 1;
    g.stats.batch_429 += 1;
    true
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = limited(&state) {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return invalid(
            "We could not parse the JSON body of your request.",
            "",
            "invalid_json",
        );
    };
    let endpoint = req["endpoint"].as_str().unwrap_or_default().to_string();
    if !matches!(
        endpoint.as_str(),
        "/v1/chat/completions" | "/v1/responses" | "/v1/embeddings" | "/v1/completions"
    ) {
        return invalid(
            &format!("Invalid endpoint '{endpoint}'."),
            "endpoint",
            "invalid_value",
        );
    }
    if req["completion_window"] != "24h" {
        return invalid(
            "Invalid completion_window: only '24h' is supported.",
            "completion_window",
            "invalid_value",
        );
    }
    let file_id = req["input_file_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let faults = state.faults();
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let text = match g.ft.files.get(&file_id) {
        Some(FileRec {
            purpose,
            content: Some(text),
            ..
        }) if purpose == "batch" => text.clone(),
        Some(f) => {
            return invalid(
                &format!(
                    "File {file_id} has purpose {}, but must have purpose batch.",
                    f.purpose
                ),
                "input_file_id",
                "invalid_value",
            )
        }
        None => {
            return invalid(
                &format!("No such File object: {file_id}"),
                "input_file_id",
                "invalid_value",
            )
        }
    };
    let (lines, mut errors) = validate(&text, &endpoint);
    if let Some(words) = g.faults.batch_fail.take() {
        errors.push((1, "invalid_request".into(), words));
    }
    let rec = BatchRec {
        protocol: Protocol::OpenAi,
        input_file_id: file_id,
        created: Instant::now(),
        created_at: now_s(),
        lines,
        errors,
        expire: HashSet::new(),
        cancelled: None,
        auth: auth_of(&headers),
        results: None,
    };
    let v = add(&mut g, &faults, rec, "batch", |id, b| {
        describe(id, b, faults.batch_step_ms)
    });
    json_response(StatusCode::OK, v)
}

/// Keeps a new batch (its lines to leave unrun drawn by content, once each) under a new id
/// with `prefix`; returns its description by `describe`.
pub(crate) fn add(
    g: &mut crate::Inner,
    faults: &crate::faults::Faults,
    mut rec: BatchRec,
    prefix: &str,
    describe: impl Fn(&str, &BatchRec) -> Value,
) -> Value {
    rec.expire = rec
        .lines
        .iter()
        .filter(|(id, _)| {
            crate::faults::content_draw(faults.seed, "batch_expire", id) < faults.batch_expire_share
                && !g.batches.expired_before.contains(id)
        })
        .map(|(id, _)| id.clone())
        .collect();
    g.batches.expired_before.extend(rec.expire.iter().cloned());
    let id = g.ft.id(prefix);
    g.stats.batches_created += 1;
    let v = describe(&id, &rec);
    g.batches.batches.insert(id, rec);
    v
}

/// The state a batch is in by the clock: `--batch-step-ms` as it is set now (a test may move the
/// clock of a batch already made).
pub(crate) fn step_of(b: &BatchRec, step_ms: u64) -> u64 {
    b.created.elapsed().as_millis() as u64 / step_ms.max(1)
}

/// A cancel takes this long to settle (cancelling → cancelled), whatever the clock's step.
const CANCEL_MS: u128 = 300;

pub(crate) fn cancel_settled(b: &BatchRec) -> bool {
    b.cancelled
        .is_some_and(|(at, _)| at.elapsed().as_millis() >= CANCEL_MS)
}

/// The lines done at `step`: none before in_progress, all from finalizing (the unrun aside).
pub(crate) fn done_at(b: &BatchRec, step: u64, step_ms: u64) -> usize {
    let runnable = b.lines.len() - b.expire.len();
    match step {
        0 => 0,
        1 => {
            let into = b.created.elapsed().as_millis() as u64 % step_ms.max(1);
            runnable * into as usize / step_ms.max(1) as usize
        }
        _ => runnable,
    }
}

fn status_of(b: &BatchRec, step: u64) -> &'static str {
    if !b.errors.is_empty() {
        return if step >= 1 { "failed" } else { "validating" };
    }
    if b.cancelled.is_some() {
        return if cancel_settled(b) && b.results.is_some() {
            "cancelled"
        } else {
            "cancelling"
        };
    }
    match step {
        0 => "validating",
        1 => "in_progress",
        2 => "finalizing",
        _ if b.results.is_none() => "finalizing",
        _ if !b.expire.is_empty() => "expired",
        _ => "completed",
    }
}

fn describe(id: &str, b: &BatchRec, step_ms: u64) -> Value {
    let step = step_of(b, step_ms);
    let status = status_of(b, step);
    let total = b.lines.len();
    let (completed, failed) = match &b.results {
        Some(r) => (r.completed, r.failed),
        None => (b.cancelled.map_or(done_at(b, step, step_ms), |(_, n)| n), 0),
    };
    let errors = (!b.errors.is_empty()).then(|| {
        json!({"object": "list", "data": b.errors.iter().map(|(line, code, message)| json!({"code": code, "message": message, "param": null, "line": line})).collect::<Vec<_>>()})
    });
    let ended = matches!(status, "completed" | "expired" | "cancelled" | "failed");
    json!({
        "id": id, "object": "batch", "endpoint": "/v1/chat/completions", "errors": errors,
        "input_file_id": b.input_file_id, "completion_window": "24h", "status": status,
        "output_file_id": b.results.as_ref().and_then(|r| r.output_file_id.clone()),
        "error_file_id": b.results.as_ref().and_then(|r| r.error_file_id.clone()),
        "created_at": b.created_at,
        "in_progress_at": (step >= 1 && b.errors.is_empty()).then_some(b.created_at + 1),
        "expires_at": b.created_at + 86_400,
        "completed_at": (status == "completed").then(now_s),
        "failed_at": (status == "failed").then(now_s),
        "expired_at": (status == "expired").then(now_s),
        "cancelled_at": (status == "cancelled").then(now_s),
        "finalizing_at": (ended && status != "failed").then(now_s),
        "request_counts": {"total": total, "completed": completed, "failed": failed},
        "metadata": null
    })
}

/// Runs a batch's lines through its protocol's own route (its checks, replies and faults):
/// each line's id and how it ended, in the batch's order; `None` when there is nothing to run.
async fn run_lines(state: &AppState, id: &str) -> Option<(Protocol, Vec<(String, Ran)>)> {
    let (protocol, lines, expire, auth, upto) = {
        let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
        let b = g.batches.batches.get(id)?;
        if b.results.is_some() || !b.errors.is_empty() {
            return None;
        }
        let upto = b.cancelled.map_or(b.lines.len(), |(_, n)| n);
        let rec = (b.lines.clone(), b.expire.clone(), b.auth.clone());
        (b.protocol, rec.0, rec.1, rec.2, upto)
    };
    let mut out = Vec::new();
    let mut run = 0;
    for (custom_id, body) in lines {
        if expire.contains(&custom_id) {
            out.push((custom_id, Ran::Expired));
            continue;
        }
        if run >= upto {
            out.push((custom_id, Ran::Cancelled));
            continue;
        }
        run += 1;
        let (headers, body) = (auth.clone(), axum::body::Bytes::from(body.to_string()));
        let response = match protocol {
            Protocol::OpenAi => {
                crate::openai::chat_completions(State(state.clone()), headers, body).await
            }
            Protocol::Anthropic => {
                crate::anthropic::messages(State(state.clone()), headers, body).await
            }
        };
        let status = response.status().as_u16();
        let bytes = crate::body_bytes(response.into_body()).await;
        // A body that is not JSON (a fault) is kept as the text it was.
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        out.push((custom_id, Ran::Answered(status, body)));
    }
    state.count(|s| s.batch_lines += run as u64);
    Some((protocol, out))
}

/// Each result file in an order of its own: by a hash of the line's id.
pub(crate) fn shuffled(mut lines: Vec<Value>) -> Vec<Value> {
    lines.sort_by_key(|v| {
        crate::faults::fnv1a(7, &[v["custom_id"].as_str().unwrap_or("").as_bytes()])
    });
    lines
}

/// Runs a batch's lines and keeps its results as its protocol gives them.
async fn finish(state: &AppState, id: &str) {
    let Some((protocol, ran)) = run_lines(state, id).await else {
        return;
    };
    let results = match protocol {
        Protocol::OpenAi => openai_files(state, id, ran),
        Protocol::Anthropic => crate::message_batches::results_of(ran),
    };
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(b) = g.batches.batches.get_mut(id) {
        b.results = Some(results);
    }
}

impl Results {
    pub(crate) fn anthropic(text: String, completed: usize, failed: usize) -> Results {
        Results {
            output_file_id: None,
            error_file_id: None,
            text: Some(text),
            completed,
            failed,
        }
    }
}

/// OpenAI's output file (the lines answered 200) and error file (the rest).
fn openai_files(state: &AppState, id: &str, ran: Vec<(String, Ran)>) -> Results {
    let mut output = Vec::new();
    let mut errors = Vec::new();
    let mut expired = 0;
    for (k, (custom_id, r)) in ran.into_iter().enumerate() {
        let line_id = format!("batch_req_{id}_{k}");
        match r {
            Ran::Expired => {
                expired += 1;
                errors.push(json!({"id": line_id, "custom_id": custom_id, "response": null,
                "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}));
            }
            Ran::Cancelled => errors.push(json!({"id": line_id, "custom_id": custom_id, "response": null,
                "error": {"code": "batch_cancelled", "message": "This request was not executed because the batch was cancelled."}})),
            Ran::Answered(status, body) => {
                let line = json!({"id": line_id, "custom_id": custom_id,
                    "response": {"status_code": status, "request_id": format!("req_mock{k:06}"), "body": body}, "error": null});
                if status == 200 {
                    output.push(line);
                } else {
                    errors.push(line);
                }
            }
        }
    }
    let (output, errors) = (shuffled(output), shuffled(errors));
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let mut file = |lines: &[Value], name: &str| -> Option<String> {
        if lines.is_empty() {
            return None;
        }
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let fid = g.ft.id("file");
        g.ft.files.insert(
            fid.clone(),
            FileRec {
                name: name.into(),
                purpose: "batch_output".into(),
                bytes: text.len(),
                examples: 0,
                content: Some(text),
            },
        );
        Some(fid)
    };
    Results {
        output_file_id: file(&output, "batch_output.jsonl"),
        error_file_id: file(&errors, "batch_errors.jsonl"),
        text: None,
        completed: output.len(),
        failed: errors.len() - expired,
    }
}

fn unknown(id: &str) -> Response {
    batch_error(
        StatusCode::NOT_FOUND,
        &format!("No batch found with id '{id}'."),
        "not_found",
    )
}

/// Runs a batch's lines once its clock says they are done (or its cancel settled); false when
/// there is no such batch.
pub(crate) async fn settle(state: &AppState, id: &str, step_ms: u64) -> bool {
    let ready = {
        let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = g.batches.batches.get(id) else {
            return false;
        };
        let step = step_of(b, step_ms);
        b.results.is_none() && b.errors.is_empty() && (step >= 3 || cancel_settled(b))
    };
    if ready {
        finish(state, id).await;
    }
    true
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = limited(&state) {
        return r;
    }
    let step_ms = state.faults().batch_step_ms;
    if !settle(&state, &id, step_ms).await {
        return unknown(&id);
    }
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.batches.batches.get(&id) {
        Some(b) => json_response(StatusCode::OK, describe(&id, b, step_ms)),
        None => unknown(&id),
    }
}

pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = limited(&state) {
        return r;
    }
    let step_ms = state.faults().batch_step_ms;
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match cancel_rec(&mut g, &id, step_ms) {
        Some(b) => json_response(StatusCode::OK, describe(&id, b, step_ms)),
        None => unknown(&id),
    }
}

/// Marks a batch cancelled (the lines done by then are kept); the batch, if there is one.
pub(crate) fn cancel_rec<'a>(
    g: &'a mut crate::Inner,
    id: &str,
    step_ms: u64,
) -> Option<&'a BatchRec> {
    g.stats.batches_cancelled += 1;
    let b = g.batches.batches.get_mut(id)?;
    let step = step_of(b, step_ms);
    if b.cancelled.is_none() && b.results.is_none() && b.errors.is_empty() {
        b.cancelled = Some((Instant::now(), done_at(b, step, step_ms)));
    }
    Some(b)
}
