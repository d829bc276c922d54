//! The providers' batch services as plain requests and replies. OpenAI's Batch API (and any
//! OpenAI-compatible server with the same routes): the input file's lines (`{custom_id, method,
//! url, body}`), the upload (`POST /files`, purpose `batch`), the batch (`POST /batches`, window
//! `24h`, one model per file), its state (`GET /batches/{id}`), its cancel, and the output and
//! error files read back by `custom_id` — never by line order. Anthropic's Message Batches
//! (`anthropic`): the same steps without a file. A batch's calls are billed at the batch price.
//! The functions taking a `ProviderKind` speak either protocol.

pub mod anthropic;

use crate::provider::endpoint::BaseUrl;
use crate::provider::error::{BatchProblem, CallError, ErrorKind};
use crate::provider::files::{json_of, url, ApiError, Body, Request};
use crate::provider::wire::{parse_response, request_body, LlmCall, ProviderKind, RawReply, Usage};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The most requests one input file may hold (OpenAI's documented limit).
pub const MAX_LINES: usize = 50_000;
/// The largest input file (200 MB).
pub const MAX_BYTES: usize = 200 * 1024 * 1024;

/// The most requests and bytes one batch of the protocol may hold.
pub fn limits(kind: ProviderKind) -> (usize, usize) {
    match kind {
        ProviderKind::OpenAi => (MAX_LINES, MAX_BYTES),
        ProviderKind::Anthropic => (anthropic::MAX_REQUESTS, anthropic::MAX_BYTES),
    }
}
/// The route every line of a chat batch names.
pub const ROUTE: &str = "/v1/chat/completions";

/// One request of a batch: the call's body as it would be sent live (OpenAI: a line of the
/// input file; Anthropic: an entry of the batch's `requests`).
pub fn input_line(kind: ProviderKind, custom_id: &str, call: &LlmCall) -> String {
    if kind == ProviderKind::Anthropic {
        return anthropic::request(custom_id, call);
    }
    json!({
        "custom_id": custom_id,
        "method": "POST",
        "url": ROUTE,
        "body": request_body(ProviderKind::OpenAi, call),
    })
    .to_string()
}

/// Cuts lines (in order) into files of at most `max_lines` lines and `max_bytes` bytes (with
/// their newlines): the ranges of each file. A line longer than a whole file gets a file alone
/// (the provider then refuses it, and says which).
pub fn split(lines: &[String], max_lines: usize, max_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, line) in lines.iter().enumerate() {
        let size = line.len() + 1;
        if i > start && (i - start >= max_lines || bytes + size > max_bytes) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < lines.len() {
        out.push(start..lines.len());
    }
    out
}

/// Uploads an input file.
pub fn upload(base: &BaseUrl, file_name: &str, content: String) -> Request {
    Request {
        method: "POST",
        url: url(base, "files"),
        body: Body::File {
            purpose: "batch",
            file_name: file_name.to_string(),
            content,
        },
    }
}

/// Starts a batch over an uploaded file.
pub fn create(base: &BaseUrl, input_file_id: &str) -> Request {
    Request {
        method: "POST",
        url: url(base, "batches"),
        body: Body::Json(
            json!({
                "input_file_id": input_file_id,
                "endpoint": ROUTE,
                "completion_window": "24h",
            })
            .to_string(),
        ),
    }
}

/// What one batch submits: OpenAI's input file (a line each), Anthropic's request body.
pub fn batch_content(kind: ProviderKind, lines: &[String]) -> String {
    match kind {
        ProviderKind::OpenAi => lines.iter().map(|l| format!("{l}\n")).collect(),
        ProviderKind::Anthropic => anthropic::body(lines),
    }
}

pub fn get(kind: ProviderKind, base: &BaseUrl, id: &str) -> Request {
    if kind == ProviderKind::Anthropic {
        return anthropic::get(base, id);
    }
    Request {
        method: "GET",
        url: url(base, &format!("batches/{id}")),
        body: Body::None,
    }
}

pub fn cancel(kind: ProviderKind, base: &BaseUrl, id: &str) -> Request {
    if kind == ProviderKind::Anthropic {
        return anthropic::cancel(base, id);
    }
    Request {
        method: "POST",
        url: url(base, &format!("batches/{id}/cancel")),
        body: Body::None,
    }
}

/// An output or error file's lines.
pub fn content(base: &BaseUrl, file_id: &str) -> Request {
    Request {
        method: "GET",
        url: url(base, &format!("files/{file_id}/content")),
        body: Body::None,
    }
}

/// Where a batch stands, as the API names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Validating,
    Failed,
    InProgress,
    Finalizing,
    Completed,
    Expired,
    Cancelling,
    Cancelled,
    /// A status this version does not know (its name).
    Other(String),
}

impl BatchStatus {
    fn parse(s: &str) -> BatchStatus {
        match s {
            "validating" => BatchStatus::Validating,
            "failed" => BatchStatus::Failed,
            "in_progress" => BatchStatus::InProgress,
            "finalizing" => BatchStatus::Finalizing,
            "completed" => BatchStatus::Completed,
            "expired" => BatchStatus::Expired,
            "cancelling" => BatchStatus::Cancelling,
            "cancelled" => BatchStatus::Cancelled,
            other => BatchStatus::Other(other.to_string()),
        }
    }

    /// Nothing more will happen to the batch: its files can be read.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            BatchStatus::Failed
                | BatchStatus::Completed
                | BatchStatus::Expired
                | BatchStatus::Cancelled
        )
    }
}

/// A batch as `GET /batches/{id}` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchInfo {
    pub id: String,
    pub status: BatchStatus,
    pub output_file_id: Option<String>,
    pub error_file_id: Option<String>,
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
    /// Validation errors of a failed batch: the provider's words, with the line they name.
    pub errors: Vec<String>,
}

/// The requests that read a finished batch's results: OpenAI's output and error files,
/// Anthropic's results (only on the provider's own host: the key goes nowhere else).
pub fn results(
    kind: ProviderKind,
    base: &BaseUrl,
    info: &BatchInfo,
) -> Result<Vec<Request>, ApiError> {
    match kind {
        ProviderKind::OpenAi => Ok([&info.output_file_id, &info.error_file_id]
            .into_iter()
            .flatten()
            .map(|f| content(base, f))
            .collect()),
        ProviderKind::Anthropic => anthropic::results(base, info),
    }
}

/// Reads a batch object.
pub fn read_batch(kind: ProviderKind, status: u16, body: &str) -> Result<BatchInfo, ApiError> {
    if kind == ProviderKind::Anthropic {
        return anthropic::read_batch(status, body);
    }
    let v = json_of(status, body)?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let id = text("id").ok_or_else(|| ApiError::Unreadable("no \"id\" in the batch".into()))?;
    let st =
        text("status").ok_or_else(|| ApiError::Unreadable("no \"status\" in the batch".into()))?;
    let count = |k: &str| {
        v.get("request_counts")
            .and_then(|c| c.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let errors = v
        .get("errors")
        .and_then(|e| e.get("data"))
        .and_then(Value::as_array)
        .map(|data| {
            data.iter()
                .filter_map(|e| {
                    let message = e.get("message")?.as_str()?;
                    Some(match e.get("line").and_then(Value::as_u64) {
                        Some(line) => format!("line {line}: {message}"),
                        None => message.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(BatchInfo {
        id,
        status: BatchStatus::parse(&st),
        output_file_id: text("output_file_id"),
        error_file_id: text("error_file_id"),
        total: count("total"),
        completed: count("completed"),
        failed: count("failed"),
        errors,
    })
}

/// One result line of an output or error file, by its `custom_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineResult {
    /// The call was made: its HTTP status and body, as a live call would have had them.
    Reply { status: u16, body: String },
    /// The call was not made (`error` set): the provider's code and words.
    NotMade { code: String, message: String },
}

/// Reads an output or error file: each line's `custom_id` and result, and how many lines could
/// not be read at all.
pub fn read_results(kind: ProviderKind, text: &str) -> (Vec<(String, LineResult)>, usize) {
    if kind == ProviderKind::Anthropic {
        return anthropic::read_results(text);
    }
    let mut out = Vec::new();
    let mut unreadable = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            unreadable += 1;
            continue;
        };
        let Some(id) = v.get("custom_id").and_then(Value::as_str) else {
            unreadable += 1;
            continue;
        };
        let result = match v.get("response").filter(|r| !r.is_null()) {
            Some(r) => LineResult::Reply {
                status: r.get("status_code").and_then(Value::as_u64).unwrap_or(0) as u16,
                body: r.get("body").map(Value::to_string).unwrap_or_default(),
            },
            None => {
                let e = v.get("error");
                let text = |k: &str| {
                    e.and_then(|e| e.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                LineResult::NotMade {
                    code: text("code"),
                    message: text("message"),
                }
            }
        };
        out.push((id.to_string(), result));
    }
    (out, unreadable)
}

/// A result line as the outcome of its call, read exactly as a live reply would be; a reply's
/// tokens are marked as billed at the batch price.
pub fn outcome(
    kind: ProviderKind,
    result: &LineResult,
) -> Result<crate::provider::wire::Completion, CallError> {
    match result {
        LineResult::Reply { status, body } => {
            let header = |name: &str| (name == "content-type").then(|| "application/json".into());
            let mut c = parse_response(
                kind,
                &RawReply {
                    status: *status,
                    header: &header,
                    redirected: false,
                    body,
                },
            )?;
            c.usage = batched(c.usage);
            Ok(c)
        }
        // The provider gives no HTTP status for a line it did not run: a server-side failure,
        // retried in the next round like a live 500.
        LineResult::NotMade { code, message } => Err(CallError::new(
            ErrorKind::Http {
                status: 500,
                code: Some(code.clone()).filter(|c| !c.is_empty()),
                error_type: None,
            },
            message.clone(),
        )),
    }
}

/// `usage` as billed through a batch: every token at the batch price (the batch price already
/// is the discount; prompt-cache discounts are not counted on top).
pub fn batched(usage: Usage) -> Usage {
    Usage {
        batch_input_tokens: usage.input_tokens,
        batch_output_tokens: usage.output_tokens,
        cached_tokens: 0,
        cache_write_tokens: 0,
        ..usage
    }
}

/// What kept a round from going on, from a route's answer.
pub fn problem(e: &ApiError) -> BatchProblem {
    match e {
        ApiError::Http {
            status, message, ..
        } => BatchProblem::Http {
            status: *status,
            detail: message.clone(),
        },
        ApiError::Unreadable(what) => BatchProblem::Unreadable {
            detail: what.clone(),
        },
    }
}

/// What kept a round from going on, from the answer to its submission (OpenAI's upload,
/// Anthropic's create): a refusal that is not a rate limit or a server error is the batch's
/// own fault (too big, a bad request), said as such.
pub fn submit_problem(e: &ApiError) -> BatchProblem {
    match e {
        ApiError::Http {
            status, message, ..
        } if *status != 429 && *status < 500 => BatchProblem::UploadRefused {
            status: *status,
            detail: message.clone(),
        },
        e => problem(e),
    }
}

/// A result line that says its call was not run (the window closed, the batch was cancelled):
/// it goes in the next round without counting a try.
pub fn not_run(result: &LineResult) -> bool {
    matches!(result, LineResult::NotMade { code, .. } if code == EXPIRED || code == CANCELLED)
}

/// The codes of a line not run, as OpenAI's error file names them (Anthropic's results are read
/// into the same words).
pub const EXPIRED: &str = "batch_expired";
pub const CANCELLED: &str = "batch_cancelled";

/// The id a call's line carries: its item and step, and the start of its cache key (so a
/// reopened run finds its calls in a batch it submitted before). It fits Anthropic's rule for
/// ids too (`[A-Za-z0-9_-]{1,64}`).
pub fn custom_id(item: usize, step: usize, cache_key: &str) -> String {
    let key: String = cache_key.chars().take(24).collect();
    format!("i{item}-s{step}-{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://api.openai.com/v1").unwrap()
    }

    #[test]
    fn files_are_cut_at_the_line_and_byte_limits() {
        let lines: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
        assert_eq!(split(&lines, 4, 1000), vec![0..4, 4..8, 8..10]);
        // Each line is 6 bytes + a newline: 2 fit in 15 bytes.
        assert_eq!(split(&lines, 100, 15).len(), 5);
        assert_eq!(split(&[], 4, 100), Vec::<std::ops::Range<usize>>::new());
        let long = vec!["x".repeat(50), "y".into()];
        assert_eq!(split(&long, 10, 20), vec![0..1, 1..2]);
    }

    #[test]
    fn requests_follow_the_documented_routes() {
        let b = base();
        let up = upload(&b, "round-1.jsonl", "{}\n".into());
        assert_eq!(up.url, "https://api.openai.com/v1/files");
        assert!(matches!(
            up.body,
            Body::File {
                purpose: "batch",
                ..
            }
        ));
        let c = create(&b, "file-1");
        assert_eq!(c.url, "https://api.openai.com/v1/batches");
        let Body::Json(body) = c.body else { panic!() };
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["completion_window"], "24h");
        assert_eq!(v["endpoint"], "/v1/chat/completions");
        assert_eq!(v["input_file_id"], "file-1");
        assert_eq!(
            get(ProviderKind::OpenAi, &b, "batch_1").url,
            "https://api.openai.com/v1/batches/batch_1"
        );
        assert_eq!(cancel(ProviderKind::OpenAi, &b, "batch_1").method, "POST");
        assert_eq!(
            content(&b, "file-9").url,
            "https://api.openai.com/v1/files/file-9/content"
        );
    }

    #[test]
    fn a_batch_and_its_validation_errors_are_read() {
        let body = r#"{"id":"batch_1","object":"batch","status":"failed","request_counts":{"total":3,"completed":0,"failed":0},
            "errors":{"object":"list","data":[{"code":"invalid_request","message":"Model is required","line":2}]},
            "output_file_id":null}"#;
        let b = read_batch(ProviderKind::OpenAi, 200, body).unwrap();
        assert_eq!(b.status, BatchStatus::Failed);
        assert!(b.status.is_final());
        assert_eq!(b.errors, vec!["line 2: Model is required"]);
        assert_eq!(b.output_file_id, None);
        assert_eq!(b.total, 3);
        let e = read_batch(
            ProviderKind::OpenAi,
            429,
            r#"{"error":{"message":"Too many","code":"rate_limit"}}"#,
        );
        assert!(matches!(e, Err(ApiError::Http { status: 429, .. })));
        let going = read_batch(ProviderKind::OpenAi, 200, r#"{"id":"b","status":"in_progress","request_counts":{"total":5,"completed":2,"failed":1}}"#).unwrap();
        assert!(!going.status.is_final());
        assert_eq!((going.completed, going.failed), (2, 1));
    }

    #[test]
    fn result_lines_are_matched_by_custom_id_and_read_as_live_replies() {
        let text = concat!(
            r#"{"id":"r2","custom_id":"b","response":{"status_code":200,"request_id":"q","body":{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}},"error":null}"#,
            "\n",
            r#"{"id":"r1","custom_id":"a","response":{"status_code":429,"request_id":"q","body":{"error":{"message":"slow down","type":"rate_limit"}}},"error":null}"#,
            "\n",
            r#"{"id":"r3","custom_id":"c","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}"#,
            "\nnot json\n"
        );
        let (lines, unreadable) = read_results(ProviderKind::OpenAi, text);
        assert_eq!(unreadable, 1);
        let ids: Vec<&str> = lines.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
        let ok = outcome(ProviderKind::OpenAi, &lines[0].1).unwrap();
        assert_eq!(ok.text, "Hi");
        assert_eq!(ok.usage.batch_input_tokens, 10);
        assert_eq!(ok.usage.batch_output_tokens, 2);
        let limited = outcome(ProviderKind::OpenAi, &lines[1].1).unwrap_err();
        assert!(matches!(limited.kind, ErrorKind::Http { status: 429, .. }));
        let expired = outcome(ProviderKind::OpenAi, &lines[2].1).unwrap_err();
        assert!(expired.detail.contains("completion window"));
    }

    #[test]
    fn a_line_holds_the_live_request_body() {
        let call = LlmCall {
            messages: vec![crate::provider::wire::Message::user("Q?")],
            config: crate::provider::wire::ModelConfig::new("gpt-4o-mini"),
            schema: None,
            sample: 0,
            draw: 0,
            shared: None,
        };
        let line: Value =
            serde_json::from_str(&input_line(ProviderKind::OpenAi, "i1-s0-ab", &call)).unwrap();
        assert_eq!(line["custom_id"], "i1-s0-ab");
        assert_eq!(line["url"], ROUTE);
        assert_eq!(line["body"], request_body(ProviderKind::OpenAi, &call));
        assert_eq!(custom_id(3, 2, &"f".repeat(64)).len(), "i3-s2-".len() + 24);
    }
}
