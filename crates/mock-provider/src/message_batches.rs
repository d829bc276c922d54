//! Anthropic's Message Batches, as its reference documents them: `POST /v1/messages/batches`
//! with `{"requests": [{custom_id, params}]}` (up to 100,000 requests or 256 MB; each `custom_id`
//! unique and `[A-Za-z0-9_-]{1,64}`; the key in `x-api-key` and an `anthropic-version`),
//! `GET /v1/messages/batches/{id}` (`processing_status` `in_progress` → `ended`, or `canceling`),
//! `POST …/cancel`, and the results at the batch's `results_url` once it has ended: one JSON
//! line per request, `succeeded` (the message), `errored` (the error a live call would have
//! answered), `expired` or `canceled`, in an order of their own. A batch's requests are checked
//! and answered by the Messages route itself when they run (so a bad `params` comes back
//! `errored`, as at Anthropic), on the same clock and faults as OpenAI's batches.

use crate::batch::{self, auth_of, BatchRec, Protocol, Ran, Results};
use crate::fine_tune::now_s;
use crate::{header_str, json_response, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Instant;

const MAX_REQUESTS: usize = 100_000;
const MAX_BYTES: usize = 256 * 1024 * 1024;

fn error(status: StatusCode, error_type: &str, message: &str) -> Response {
    json_response(
        status,
        json!({"type": "error", "error": {"type": error_type, "message": message}}),
    )
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

/// The key and version headers, as every Anthropic route wants them.
fn refused(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    if batch::take_429(state) {
        return Some(error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "Number of requests has exceeded your rate limit. Please try again in 1s.",
        ));
    }
    let key = header_str(headers, "x-api-key").map(str::trim);
    match (key, &state.api_key) {
        (None, _) => {
            return Some(error(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "x-api-key header is required",
            ))
        }
        (Some(k), Some(expected)) if k != expected => {
            return Some(error(
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid x-api-key",
            ))
        }
        _ => {}
    }
    header_str(headers, "anthropic-version")
        .is_none()
        .then(|| invalid("anthropic-version: header is required"))
}

fn good_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The requests of a create body, or what is wrong with it (the first problem, named by index).
fn read_requests(body: &[u8]) -> Result<Vec<(String, Value)>, String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|_| "The request body is not valid JSON.")?;
    let requests = v
        .get("requests")
        .and_then(Value::as_array)
        .ok_or("requests: Field required")?;
    if requests.is_empty() {
        return Err("requests: List should have at least 1 item after validation, not 0".into());
    }
    if requests.len() > MAX_REQUESTS {
        return Err(format!(
            "requests: List should have at most {MAX_REQUESTS} items after validation, not {}",
            requests.len()
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let id = r
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("requests.{i}.custom_id: Field required"))?;
        if !good_id(id) {
            return Err(format!(
                "requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            ));
        }
        if !seen.insert(id) {
            return Err(format!(
                "requests.{i}.custom_id: Duplicate custom_id '{id}': each request's custom_id must be unique within the batch"
            ));
        }
        let params = r
            .get("params")
            .filter(|p| p.is_object())
            .ok_or_else(|| format!("requests.{i}.params: Field required"))?;
        out.push((id.to_string(), params.clone()));
    }
    Ok(out)
}

/// The results URL of a batch on this server, as the client reached it.
fn results_url(uri: &Uri, headers: &HeaderMap, id: &str) -> String {
    let host = uri
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| header_str(headers, "host").map(str::to_string))
        .unwrap_or_default();
    let scheme = uri.scheme_str().unwrap_or("http");
    format!("{scheme}://{host}/v1/messages/batches/{id}/results")
}

/// Seconds since 1970 as an RFC 3339 time, as Anthropic writes its times (days to a civil date
/// by the usual era arithmetic; no date crate is needed for one format).
fn rfc3339(secs: u64) -> String {
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn describe(id: &str, b: &BatchRec, step_ms: u64, url: &str) -> Value {
    let step = batch::step_of(b, step_ms);
    let total = b.lines.len();
    let ended = b.results.is_some();
    let status = match (ended, b.cancelled.is_some()) {
        (true, _) => "ended",
        (false, true) => "canceling",
        (false, false) => "in_progress",
    };
    let counts = match &b.results {
        Some(r) => {
            let canceled = b.cancelled.map_or(0, |(_, n)| total - b.expire.len() - n);
            json!({"processing": 0, "succeeded": r.completed, "errored": r.failed,
                "canceled": canceled, "expired": b.expire.len()})
        }
        None => {
            let done = b
                .cancelled
                .map_or(batch::done_at(b, step, step_ms), |(_, n)| n);
            json!({"processing": total - done, "succeeded": done, "errored": 0,
                "canceled": 0, "expired": 0})
        }
    };
    json!({
        "id": id, "type": "message_batch", "processing_status": status,
        "request_counts": counts,
        "created_at": rfc3339(b.created_at), "expires_at": rfc3339(b.created_at + 86_400),
        "ended_at": ended.then(|| rfc3339(now_s())),
        "cancel_initiated_at": b.cancelled.map(|_| rfc3339(b.created_at + 1)),
        "archived_at": null,
        "results_url": ended.then_some(url),
    })
}

fn unknown(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found_error",
        &format!("No message batch found with id '{id}'."),
    )
}

pub async fn create(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    if body.len() > MAX_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
        );
    }
    let lines = match read_requests(&body) {
        Ok(l) => l,
        Err(m) => return invalid(&m),
    };
    let faults = state.faults();
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let rec = BatchRec {
        protocol: Protocol::Anthropic,
        input_file_id: String::new(),
        created: Instant::now(),
        created_at: now_s(),
        lines,
        errors: Vec::new(),
        expire: HashSet::new(),
        cancelled: None,
        auth: auth_of(&headers),
        results: None,
    };
    let v = batch::add(&mut g, &faults, rec, "msgbatch", |id, b| {
        describe(
            id,
            b,
            faults.batch_step_ms,
            &results_url(&uri, &headers, id),
        )
    });
    json_response(StatusCode::OK, v)
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    let step_ms = state.faults().batch_step_ms;
    if !batch::settle(&state, &id, step_ms).await {
        return unknown(&id);
    }
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match g.batches.batches.get(&id) {
        Some(b) => json_response(
            StatusCode::OK,
            describe(&id, b, step_ms, &results_url(&uri, &headers, &id)),
        ),
        None => unknown(&id),
    }
}

pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    let step_ms = state.faults().batch_step_ms;
    let mut g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    match batch::cancel_rec(&mut g, &id, step_ms) {
        Some(b) => json_response(
            StatusCode::OK,
            describe(&id, b, step_ms, &results_url(&uri, &headers, &id)),
        ),
        None => unknown(&id),
    }
}

pub async fn results(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = refused(&state, &headers) {
        return r;
    }
    let g = state.inner.lock().unwrap_or_else(|e| e.into_inner());
    let Some(b) = g.batches.batches.get(&id) else {
        return unknown(&id);
    };
    match b.results.as_ref().and_then(|r| r.text.clone()) {
        Some(text) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/x-jsonl")],
            text,
        )
            .into_response(),
        None => invalid(&format!(
            "Message Batch {id} has not yet ended: its results are not available."
        )),
    }
}

/// A batch's results as Anthropic writes them, one line per request.
pub(crate) fn results_of(ran: Vec<(String, Ran)>) -> Results {
    let (mut completed, mut failed) = (0, 0);
    let mut lines: Vec<Value> = ran
        .into_iter()
        .map(|(custom_id, r)| {
            let result = match r {
                Ran::Expired => json!({"type": "expired"}),
                Ran::Cancelled => json!({"type": "canceled"}),
                Ran::Answered(200, message) => {
                    completed += 1;
                    json!({"type": "succeeded", "message": message})
                }
                Ran::Answered(_, error) => {
                    failed += 1;
                    json!({"type": "errored", "error": error})
                }
            };
            json!({"custom_id": custom_id, "result": result})
        })
        .collect();
    lines = batch::shuffled(lines);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    Results::anthropic(text, completed, failed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_written_as_rfc3339() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_796_169_599), "2026-12-01T23:59:59Z");
    }
}
