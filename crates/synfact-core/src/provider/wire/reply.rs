//! Reading a provider's reply: a completion, or a `CallError` that says what kind of failure it
//! was (an API error, an HTML page, an empty body, an event stream, cut-short JSON).

use super::ProviderKind;
use crate::provider::error::{BodyProblem, CallError, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a completion stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finish {
    Stop,
    Length,
    ContentFilter,
    Refusal,
    ToolUse,
    Other(String),
}

/// Token counts of one reply, as the provider reported them (0 where it did not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Output tokens spent thinking (included in `output_tokens`).
    pub reasoning_tokens: u64,
    /// Input tokens served from the provider's prompt cache (included in `input_tokens`).
    pub cached_tokens: u64,
    /// Input tokens written to the provider's prompt cache, billed above the input price
    /// (Anthropic; included in `input_tokens`).
    pub cache_write_tokens: u64,
    /// Input and output tokens of calls sent through a provider's batch service, billed at the
    /// batch price (included in `input_tokens` and `output_tokens`).
    #[serde(default)]
    pub batch_input_tokens: u64,
    #[serde(default)]
    pub batch_output_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.reasoning_tokens += other.reasoning_tokens;
        self.cached_tokens += other.cached_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.batch_input_tokens += other.batch_input_tokens;
        self.batch_output_tokens += other.batch_output_tokens;
    }
}

/// A reply, normalised across providers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub text: String,
    /// Arguments of a forced tool call or a JSON-schema reply, when the provider gave one.
    pub structured: Option<Value>,
    pub refusal: Option<String>,
    pub finish: Finish,
    pub usage: Usage,
    /// The body held unpaired UTF-16 surrogates, replaced by U+FFFD (as browsers do).
    #[serde(default)]
    pub repaired: bool,
}

/// What came back over HTTP, as the adapter saw it.
pub struct RawReply<'a> {
    pub status: u16,
    /// Looks up a response header by lower-case name.
    pub header: &'a dyn Fn(&str) -> Option<String>,
    /// The request was redirected (often to a login page).
    pub redirected: bool,
    pub body: &'a str,
}

impl RawReply<'_> {
    fn content_type(&self) -> String {
        (self.header)("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    fn is_html(&self) -> bool {
        let ct = self.content_type();
        let start = self
            .body
            .trim_start()
            .get(..15)
            .unwrap_or("")
            .to_ascii_lowercase();
        ct.contains("text/html")
            || (!ct.contains("json")
                && (start.starts_with("<!doctype") || start.starts_with("<html")))
    }
}

/// Reads a provider's reply.
pub fn parse_response(kind: ProviderKind, reply: &RawReply) -> Result<Completion, CallError> {
    let ok = (200..300).contains(&reply.status);
    if !ok {
        return Err(parse_error(reply));
    }
    if reply.is_html() {
        return Err(not_an_api(reply));
    }
    let body = reply.body;
    if body.trim().is_empty() {
        return Err(CallError::new(ErrorKind::Body(BodyProblem::Empty), ""));
    }
    let trimmed = body.trim_start();
    if reply.content_type().contains("text/event-stream")
        || trimmed.starts_with("data:")
        || trimmed.starts_with("event:")
    {
        return Err(CallError::new(
            ErrorKind::Body(BodyProblem::EventStream),
            "",
        ));
    }
    let (value, repaired) = parse_json(body)?;
    if let Some(e) = value.get("error").filter(|e| !e.is_null()) {
        let message = error_message(e).unwrap_or_default();
        let mut err = CallError::new(ErrorKind::Body(BodyProblem::ErrorObject), message);
        err.retry_after_ms = retry_after_ms(reply.header, &err.detail);
        return Err(err);
    }
    let parsed = match kind {
        ProviderKind::OpenAi => parse_openai(&value),
        ProviderKind::Anthropic => parse_anthropic(&value),
    };
    let mut completion =
        parsed.ok_or_else(|| CallError::new(ErrorKind::Body(BodyProblem::WrongShape), ""))?;
    completion.repaired = repaired;
    Ok(completion)
}

/// Parses JSON, accepting unpaired surrogate escapes (`"\ud800"`) by replacing them, as browsers
/// do with such text. Returns whether anything was replaced.
fn parse_json(body: &str) -> Result<(Value, bool), CallError> {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => Ok((v, false)),
        Err(e) => {
            if let Some(fixed) = replace_lone_surrogates(body) {
                if let Ok(v) = serde_json::from_str::<Value>(&fixed) {
                    return Ok((v, true));
                }
            }
            let problem = if e.is_eof() {
                BodyProblem::Truncated
            } else {
                BodyProblem::NotJson
            };
            Err(CallError::new(ErrorKind::Body(problem), e.to_string()))
        }
    }
}

/// Rewrites `\uD800`-style escapes that do not form a surrogate pair as `\uFFFD`; `None` if
/// there were none.
fn replace_lone_surrogates(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let hex = |i: usize| -> Option<u16> {
        let s = body.get(i..i + 4)?;
        u16::from_str_radix(s, 16).ok()
    };
    let escape_at = |i: usize| bytes.get(i) == Some(&b'\\') && bytes.get(i + 1) == Some(&b'u');
    let mut out = String::with_capacity(body.len());
    let mut changed = false;
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2; // an escaped character, such as \\ or \"
            continue;
        }
        let Some(unit) = hex(i + 2) else {
            i += 2;
            continue;
        };
        let high = (0xD800..0xDC00).contains(&unit);
        let low = (0xDC00..0xE000).contains(&unit);
        if high && escape_at(i + 6) && hex(i + 8).is_some_and(|u| (0xDC00..0xE000).contains(&u)) {
            i += 12; // a proper pair
            continue;
        }
        if high || low {
            out.push_str(&body[last..i]);
            out.push_str("\\ufffd");
            changed = true;
            last = i + 6;
        }
        i += 6;
    }
    changed.then(|| {
        out.push_str(&body[last..]);
        out
    })
}

fn parse_openai(v: &Value) -> Option<Completion> {
    let choice = v.get("choices")?.as_array()?.first()?;
    let message = choice.get("message")?;
    let text = match message.get("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        // Some servers send content as a list of text parts.
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        Some(_) => return None,
    };
    let refusal = message
        .get("refusal")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(str::to_string);
    let finish = match choice.get("finish_reason").and_then(Value::as_str) {
        Some("stop") | None => Finish::Stop,
        Some("length") => Finish::Length,
        Some("content_filter") => Finish::ContentFilter,
        Some("tool_calls") | Some("function_call") => Finish::ToolUse,
        Some(other) => Finish::Other(other.to_string()),
    };
    let structured = message
        .get("tool_calls")
        .and_then(|t| {
            t.as_array()?
                .first()?
                .get("function")?
                .get("arguments")?
                .as_str()
                .map(str::to_string)
        })
        .and_then(|args| serde_json::from_str(&args).ok());
    let usage = v.get("usage");
    let count = |path: &[&str]| {
        let mut at = usage;
        for p in path {
            at = at.and_then(|u| u.get(*p));
        }
        at.and_then(Value::as_u64).unwrap_or(0)
    };
    Some(Completion {
        text,
        structured,
        refusal,
        finish,
        usage: Usage {
            input_tokens: count(&["prompt_tokens"]),
            output_tokens: count(&["completion_tokens"]),
            reasoning_tokens: count(&["completion_tokens_details", "reasoning_tokens"]),
            cached_tokens: count(&["prompt_tokens_details", "cached_tokens"]),
            cache_write_tokens: 0,
            ..Usage::default()
        },
        repaired: false,
    })
}

fn parse_anthropic(v: &Value) -> Option<Completion> {
    if v.get("type")?.as_str()? != "message" {
        return None;
    }
    let mut text = String::new();
    let mut structured = None;
    for block in v.get("content")?.as_array()? {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => text.push_str(block.get("text")?.as_str()?),
            Some("tool_use") => structured = block.get("input").cloned(),
            _ => {}
        }
    }
    let finish = match v.get("stop_reason").and_then(Value::as_str) {
        Some("end_turn") | Some("stop_sequence") | None => Finish::Stop,
        Some("max_tokens") | Some("model_context_window_exceeded") => Finish::Length,
        Some("refusal") => Finish::Refusal,
        Some("tool_use") => Finish::ToolUse,
        Some(other) => Finish::Other(other.to_string()),
    };
    let count = |name: &str| {
        v.get("usage")
            .and_then(|u| u.get(name))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    // Anthropic counts cache reads and writes apart from input_tokens; all of it was read.
    let cache_read = count("cache_read_input_tokens");
    let cache_write = count("cache_creation_input_tokens");
    Some(Completion {
        text,
        structured,
        refusal: None,
        finish,
        usage: Usage {
            input_tokens: count("input_tokens") + cache_read + cache_write,
            output_tokens: count("output_tokens"),
            reasoning_tokens: 0,
            cached_tokens: cache_read,
            cache_write_tokens: cache_write,
            ..Usage::default()
        },
        repaired: false,
    })
}

fn error_message(e: &Value) -> Option<String> {
    match e {
        Value::String(s) => Some(s.clone()),
        _ => e.get("message").and_then(Value::as_str).map(str::to_string),
    }
}

/// The `<title>` of an HTML page, as plain text (never the page itself).
fn html_title(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let Some(start) = lower.find("<title") else {
        return String::new();
    };
    let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
        return String::new();
    };
    let end = lower[open_end..]
        .find("</title")
        .map_or(open_end, |i| open_end + i);
    let title: String = body[open_end..end]
        .chars()
        .filter(|c| !matches!(c, '<' | '>'))
        .collect();
    title.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn not_an_api(reply: &RawReply) -> CallError {
    CallError::new(
        ErrorKind::NotAnApi {
            status: reply.status,
            redirected: reply.redirected,
        },
        html_title(reply.body),
    )
}

/// Statuses where a proxy's HTML error page means "try again", not "wrong address".
fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504 | 520..=530)
}

/// Reads an error reply of either provider, and any hint of when to try again.
fn parse_error(reply: &RawReply) -> CallError {
    let status = reply.status;
    if reply.is_html() && !transient_status(status) {
        return not_an_api(reply);
    }
    let value: Option<Value> = serde_json::from_str(reply.body).ok();
    let error = value.as_ref().and_then(|v| v.get("error"));
    let message = error.and_then(error_message).unwrap_or_else(|| {
        if reply.is_html() {
            html_title(reply.body)
        } else {
            reply.body.trim().chars().take(200).collect()
        }
    });
    let code = error.and_then(|e| e.get("code")).and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let error_type = error
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut err = CallError::new(
        ErrorKind::Http {
            status,
            code,
            error_type,
        },
        message,
    );
    err.retry_after_ms = retry_after_ms(reply.header, &err.detail);
    err
}

/// The provider's hint of when to try again: `retry-after-ms`, `retry-after` (seconds, or an
/// HTTP date measured from the reply's own `Date` header), or OpenAI's "try again in 1.574s" /
/// "in 20ms" in the message.
pub fn retry_after_ms(header: &dyn Fn(&str) -> Option<String>, message: &str) -> Option<u64> {
    if let Some(ms) =
        header("retry-after-ms").and_then(|v| crate::provider::number::decimal(v.trim()))
    {
        return Some(ms.max(0.0) as u64);
    }
    if let Some(v) = header("retry-after") {
        if let Some(s) = crate::provider::number::decimal(v.trim()) {
            return Some((s.max(0.0) * 1000.0) as u64);
        }
        // An HTTP date: how far it is from the reply's own Date header, when there is one.
        if let (Ok(at), Some(Ok(now))) = (
            httpdate::parse_http_date(v.trim()),
            header("date").map(|d| httpdate::parse_http_date(d.trim())),
        ) {
            return Some(at.duration_since(now).map_or(0, |d| d.as_millis() as u64));
        }
    }
    let lower = message.to_ascii_lowercase();
    let at = lower.find("try again in ")? + "try again in ".len();
    let rest = &lower[at..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let value = crate::provider::number::decimal(&number)?;
    let unit = &rest[number.len()..];
    if unit.starts_with("ms") {
        Some(value as u64)
    } else if unit.starts_with('s') {
        Some((value * 1000.0) as u64)
    } else if unit.starts_with('m') {
        Some((value * 60_000.0) as u64)
    } else {
        None
    }
}
