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

pub struct BatchRec {
    input_file_id: String,
    created: Instant,
    created_at: u64,
    /// (custom_id, body) of each line, in file order.
    lines: Vec<(String, Value)>,
    /// Validation errors: (line number, code, message).
    errors: Vec<LineError>,
    /// The lines left unrun when the window closes.
    expire: HashSet<String>,
    /// When it was cancelled, and the lines done by then.
    cancelled: Option<(Instant, usize)>,
    /// The Authorization header it was created with: its lines are made with it.
    auth: Option<String>,
    results: Option<Results>,
}

struct Results {
    output_file_id: Option<String>,
    error_file_id: Option<String>,
    completed: usize,
    failed: usize,
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
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    if g.faults.batch_429 == 0 {
        return None;
    }
    g.faults.batch_429 -= 1;
    g.stats.batch_429 += 1;
    Some(batch_error(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate limit reached for batch requests. Please try again in 1s.",
        "rate_limit_exceeded",
    ))
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
    let expire: HashSet<String> = lines
        .iter()
        .filter(|(id, _)| {
            crate::faults::content_draw(faults.seed, "batch_expire", id) < faults.batch_expire_share
                && !g.batches.expired_before.contains(id)
        })
        .map(|(id, _)| id.clone())
        .collect();
    g.batches.expired_before.extend(expire.iter().cloned());
    let id = g.ft.id("batch");
    g.stats.batches_created += 1;
    let rec = BatchRec {
        input_file_id: file_id,
        created: Instant::now(),
        created_at: now_s(),
        lines,
        errors,
        expire,
        cancelled: None,
        auth: crate::header_str(&headers, "authorization").map(str::to_string),
        results: None,
    };
    let v = describe(&id, &rec, faults.batch_step_ms);
    g.batches.batches.insert(id, rec);
    json_response(StatusCode::OK, v)
}

/// The state a batch is in by the clock: `--batch-step-ms` as it is set now (a test may move the
/// clock of a batch already made).
fn step_of(b: &BatchRec, step_ms: u64) -> u64 {
    b.created.elapsed().as_millis() as u64 / step_ms.max(1)
}

/// A cancel takes this long to settle (cancelling → cancelled), whatever the clock's step.
const CANCEL_MS: u128 = 300;

fn cancel_settled(b: &BatchRec) -> bool {
    b.cancelled
        .is_some_and(|(at, _)| at.elapsed().as_millis() >= CANCEL_MS)
}

/// The lines done at `step`: none before in_progress, all from finalizing (the unrun aside).
fn done_at(b: &BatchRec, step: u64, step_ms: u64) -> usize {
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

/// Runs a batch's lines through the chat route and writes its output and error files.
async fn finish(state: &AppState, id: &str) {
    let (lines, expire, auth, upto) = {
        let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = g.batches.batches.get(id) else {
            return;
        };
        if b.results.is_some() || !b.errors.is_empty() {
            return;
        }
        let upto = b.cancelled.map_or(b.lines.len(), |(_, n)| n);
        (b.lines.clone(), b.expire.clone(), b.auth.clone(), upto)
    };
    let mut output = Vec::new();
    let mut errors = Vec::new();
    let mut run = 0;
    for (k, (custom_id, body)) in lines.iter().enumerate() {
        let request_id = format!("req_mock{k:06}");
        let line_id = format!("batch_req_{id}_{k}");
        if expire.contains(custom_id) {
            errors.push(json!({"id": line_id, "custom_id": custom_id, "response": null,
                "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}));
            continue;
        }
        if run >= upto {
            // Cancelled before it ran.
            errors.push(json!({"id": line_id, "custom_id": custom_id, "response": null,
                "error": {"code": "batch_cancelled", "message": "This request was not executed because the batch was cancelled."}}));
            continue;
        }
        run += 1;
        let mut headers = HeaderMap::new();
        if let Some(a) = auth.as_deref().and_then(|a| a.parse().ok()) {
            headers.insert(axum::http::header::AUTHORIZATION, a);
        }
        let response = crate::openai::chat_completions(
            State(state.clone()),
            headers,
            axum::body::Bytes::from(body.to_string()),
        )
        .await;
        let status = response.status().as_u16();
        let bytes = crate::body_bytes(response.into_body()).await;
        // A body that is not JSON (a fault) is kept as the text it was.
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        let line = json!({"id": line_id, "custom_id": custom_id,
            "response": {"status_code": status, "request_id": request_id, "body": body}, "error": null});
        if status == 200 {
            output.push(line);
        } else {
            errors.push(line);
        }
    }
    state.count(|s| s.batch_lines += run as u64);
    // Each file in an order of its own: by a hash of the line's id.
    let order =
        |v: &Value| crate::faults::fnv1a(7, &[v["custom_id"].as_str().unwrap_or("").as_bytes()]);
    output.sort_by_key(order);
    errors.sort_by_key(order);
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
    let results = Results {
        output_file_id: file(&output, "batch_output.jsonl"),
        error_file_id: file(&errors, "batch_errors.jsonl"),
        completed: output.len(),
        failed: errors.len() - expire.len().min(errors.len()),
    };
    if let Some(b) = g.batches.batches.get_mut(id) {
        b.results = Some(results);
    }
}

fn unknown(id: &str) -> Response {
    batch_error(
        StatusCode::NOT_FOUND,
        &format!("No batch found with id '{id}'."),
        "not_found",
    )
}

pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    if let Some(r) = limited(&state) {
        return r;
    }
    let step_ms = state.faults().batch_step_ms;
    let ready = {
        let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = g.batches.batches.get(&id) else {
            return unknown(&id);
        };
        let step = step_of(b, step_ms);
        b.results.is_none() && b.errors.is_empty() && (step >= 3 || cancel_settled(b))
    };
    if ready {
        finish(&state, &id).await;
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
    g.stats.batches_cancelled += 1;
    let Some(b) = g.batches.batches.get_mut(&id) else {
        return unknown(&id);
    };
    let step = step_of(b, step_ms);
    if b.cancelled.is_none() && b.results.is_none() && b.errors.is_empty() {
        b.cancelled = Some((Instant::now(), done_at(b, step, step_ms)));
    }
    json_response(StatusCode::OK, describe(&id, b, step_ms))
}
