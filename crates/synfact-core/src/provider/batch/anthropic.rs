//! Anthropic's Message Batches (`POST /v1/messages/batches`: up to 100,000 requests or 256 MB,
//! each `{custom_id, params}` with the body a live `/v1/messages` call would have; results within
//! 24 hours, read from the batch's `results_url` as JSON lines matched by `custom_id`). Browsers
//! cannot reach these routes (they answer no CORS preflight): the command line uses them.
//!
//! Read into the same shapes as OpenAI's batches: `processing_status` `in_progress`, `canceling`,
//! `ended`; a result `succeeded` is a reply, `errored` a reply with the error's HTTP status,
//! `expired` and `canceled` calls not run. No `cache_control` breakpoint is marked in a batch's
//! requests: every token of a batched call is billed at the batch price, as counted.

use super::{BatchInfo, BatchStatus, LineResult, CANCELLED, EXPIRED};
use crate::provider::endpoint::BaseUrl;
use crate::provider::files::{json_of, url, ApiError, Body, Request};
use crate::provider::wire::{request_body, LlmCall, ProviderKind};
use serde_json::{json, Value};

/// The most requests in one batch.
pub const MAX_REQUESTS: usize = 100_000;
/// The largest batch (256 MB).
pub const MAX_BYTES: usize = 256 * 1024 * 1024;

/// One entry of a batch's `requests`.
pub fn request(custom_id: &str, call: &LlmCall) -> String {
    json!({
        "custom_id": custom_id,
        "params": request_body(ProviderKind::Anthropic, call),
    })
    .to_string()
}

/// The body that creates a batch of these requests.
pub fn body(requests: &[String]) -> String {
    format!("{{\"requests\":[{}]}}", requests.join(","))
}

/// Creates a batch (its body from `body`).
pub fn create(base: &BaseUrl, body: String) -> Request {
    Request {
        method: "POST",
        url: url(base, "messages/batches"),
        body: Body::Json(body),
    }
}

pub fn get(base: &BaseUrl, id: &str) -> Request {
    Request {
        method: "GET",
        url: url(base, &format!("messages/batches/{id}")),
        body: Body::None,
    }
}

pub fn cancel(base: &BaseUrl, id: &str) -> Request {
    Request {
        method: "POST",
        url: url(base, &format!("messages/batches/{id}/cancel")),
        body: Body::None,
    }
}

/// The request for an ended batch's results: its `results_url` when that is on the provider's
/// own host (the key is sent nowhere else), refused otherwise.
pub fn results(base: &BaseUrl, info: &BatchInfo) -> Result<Vec<Request>, ApiError> {
    let Some(at) = &info.output_file_id else {
        return Ok(Vec::new());
    };
    let origin = |u: &str| {
        let rest = u.split_once("://").map_or("", |(_, r)| r);
        let host = rest.split('/').next().unwrap_or("");
        format!("{}://{host}", u.split("://").next().unwrap_or(""))
    };
    if origin(at) != origin(base.as_str()) {
        return Err(ApiError::Unreadable(format!(
            "the batch's results are on another host ({}), not the provider's own: not read",
            origin(at)
        )));
    }
    Ok(vec![Request {
        method: "GET",
        url: at.clone(),
        body: Body::None,
    }])
}

/// Reads a Message Batch object.
pub fn read_batch(status: u16, body: &str) -> Result<BatchInfo, ApiError> {
    let v = json_of(status, body)?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let id = text("id").ok_or_else(|| ApiError::Unreadable("no \"id\" in the batch".into()))?;
    let st = text("processing_status")
        .ok_or_else(|| ApiError::Unreadable("no \"processing_status\" in the batch".into()))?;
    let count = |k: &str| {
        v.get("request_counts")
            .and_then(|c| c.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let (succeeded, errored, canceled, expired) = (
        count("succeeded"),
        count("errored"),
        count("canceled"),
        count("expired"),
    );
    let status = match st.as_str() {
        "in_progress" => BatchStatus::InProgress,
        "canceling" => BatchStatus::Cancelling,
        "ended" if v.get("cancel_initiated_at").is_some_and(|t| !t.is_null()) => {
            BatchStatus::Cancelled
        }
        "ended" if expired > 0 => BatchStatus::Expired,
        "ended" => BatchStatus::Completed,
        other => BatchStatus::Other(other.to_string()),
    };
    Ok(BatchInfo {
        id,
        status,
        output_file_id: text("results_url"),
        error_file_id: None,
        total: succeeded + errored + canceled + expired + count("processing"),
        completed: succeeded,
        failed: errored + canceled + expired,
        errors: Vec::new(),
    })
}

/// The HTTP status a live call would have answered with this error type.
fn status_of(error_type: &str) -> u16 {
    match error_type {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        _ => 500,
    }
}

/// Reads a batch's results: each line's `custom_id` and result, and how many lines could not be
/// read at all.
pub fn read_results(text: &str) -> (Vec<(String, LineResult)>, usize) {
    let mut out = Vec::new();
    let mut unreadable = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v = serde_json::from_str::<Value>(line).ok();
        let id = v
            .as_ref()
            .and_then(|v| v.get("custom_id"))
            .and_then(Value::as_str);
        let result = v.as_ref().and_then(|v| v.get("result"));
        let (Some(id), Some(result)) = (id, result) else {
            unreadable += 1;
            continue;
        };
        let line = match result.get("type").and_then(Value::as_str) {
            Some("succeeded") => LineResult::Reply {
                status: 200,
                body: result
                    .get("message")
                    .map(Value::to_string)
                    .unwrap_or_default(),
            },
            Some("errored") => {
                let error = result.get("error").cloned().unwrap_or(Value::Null);
                let kind = error
                    .get("error")
                    .and_then(|e| e.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or("api_error");
                LineResult::Reply {
                    status: status_of(kind),
                    body: error.to_string(),
                }
            }
            Some("expired") => LineResult::NotMade {
                code: EXPIRED.into(),
                message: "The request was not run before the batch's 24 hours ran out.".into(),
            },
            Some("canceled") => LineResult::NotMade {
                code: CANCELLED.into(),
                message: "The request was not run: the batch was cancelled.".into(),
            },
            _ => {
                unreadable += 1;
                continue;
            }
        };
        out.push((id.to_string(), line));
    }
    (out, unreadable)
}

#[cfg(test)]
mod tests {
    use super::super::{not_run, outcome};
    use super::*;
    use crate::provider::error::ErrorKind;
    use crate::provider::wire::{Message, ModelConfig};

    fn base() -> BaseUrl {
        BaseUrl::parse("https://api.anthropic.com/v1").unwrap()
    }

    #[test]
    fn a_batch_holds_each_live_body_under_its_custom_id() {
        let call = LlmCall {
            messages: vec![Message::system("Facts."), Message::user("Q?")],
            config: ModelConfig::new("claude-sonnet-4-5"),
            schema: None,
            sample: 0,
            draw: 0,
            shared: None,
        };
        let body = body(&[request("i0-s0-aa", &call), request("i1-s0-bb", &call)]);
        let v: Value = serde_json::from_str(&body).unwrap();
        let requests = v["requests"].as_array().unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1]["custom_id"], "i1-s0-bb");
        assert_eq!(
            requests[0]["params"],
            request_body(ProviderKind::Anthropic, &call)
        );
        let c = create(&base(), body);
        assert_eq!(c.url, "https://api.anthropic.com/v1/messages/batches");
        assert_eq!(
            get(&base(), "msgbatch_1").url,
            "https://api.anthropic.com/v1/messages/batches/msgbatch_1"
        );
        assert_eq!(
            cancel(&base(), "msgbatch_1").url,
            "https://api.anthropic.com/v1/messages/batches/msgbatch_1/cancel"
        );
    }

    #[test]
    fn the_processing_status_reads_as_a_batch_state() {
        let going = read_batch(200, r#"{"id":"msgbatch_1","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":3,"succeeded":1,"errored":1,"canceled":0,"expired":0},"results_url":null,"cancel_initiated_at":null}"#).unwrap();
        assert_eq!(going.status, BatchStatus::InProgress);
        assert_eq!((going.total, going.completed, going.failed), (5, 1, 1));
        assert_eq!(going.output_file_id, None);
        let ended = read_batch(200, r#"{"id":"msgbatch_1","processing_status":"ended","request_counts":{"processing":0,"succeeded":4,"errored":0,"canceled":0,"expired":1},"results_url":"https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"}"#).unwrap();
        assert_eq!(ended.status, BatchStatus::Expired);
        assert!(ended.status.is_final());
        assert_eq!(results(&base(), &ended).unwrap().len(), 1);
        let cancelled = read_batch(200, r#"{"id":"b","processing_status":"ended","cancel_initiated_at":"2026-01-01T00:00:00Z","request_counts":{"canceled":2}}"#).unwrap();
        assert_eq!(cancelled.status, BatchStatus::Cancelled);
        let refused = read_batch(
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        );
        assert!(
            matches!(refused, Err(ApiError::Http { status: 401, ref message, .. }) if message == "invalid x-api-key")
        );
    }

    #[test]
    fn results_elsewhere_than_the_providers_host_are_not_fetched_with_the_key() {
        let mut info = read_batch(
            200,
            r#"{"id":"b","processing_status":"ended","request_counts":{"succeeded":1}}"#,
        )
        .unwrap();
        info.output_file_id = Some("https://evil.example/v1/messages/batches/b/results".into());
        assert!(results(&base(), &info).is_err());
        info.output_file_id = Some("https://api.anthropic.com.evil.example/x".into());
        assert!(results(&base(), &info).is_err());
    }

    #[test]
    fn each_result_is_read_as_the_live_reply_would_be() {
        let text = concat!(
            r#"{"custom_id":"b","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}}}}"#,
            "\n",
            r#"{"custom_id":"a","result":{"type":"errored","error":{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}}}"#,
            "\n",
            r#"{"custom_id":"c","result":{"type":"expired"}}"#,
            "\n",
            r#"{"custom_id":"d","result":{"type":"canceled"}}"#,
            "\n{\"custom_id\":\"e\"}\n"
        );
        let (lines, unreadable) = read_results(text);
        assert_eq!(unreadable, 1);
        let ok = outcome(ProviderKind::Anthropic, &lines[0].1).unwrap();
        assert_eq!(ok.text, "Paris.");
        assert_eq!(
            (ok.usage.batch_input_tokens, ok.usage.batch_output_tokens),
            (12, 3)
        );
        let busy = outcome(ProviderKind::Anthropic, &lines[1].1).unwrap_err();
        assert!(matches!(busy.kind, ErrorKind::Http { status: 529, .. }));
        assert!(!not_run(&lines[1].1));
        assert!(not_run(&lines[2].1) && not_run(&lines[3].1));
    }
}
