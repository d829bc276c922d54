//! Provider wire formats: building HTTP requests and reading replies, with no IO.
//! OpenAI-compatible chat completions and Anthropic Messages.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Which protocol an endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderKind {
    /// OpenAI chat completions and everything compatible (OpenRouter, Ollama, llama.cpp, ...).
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
}

impl ProviderKind {
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OpenAI-compatible",
            ProviderKind::Anthropic => "Anthropic",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
}

/// How to call one model: the inference config of the original.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub model: String,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub max_tokens: u32,
    /// "low" / "medium" / "high" for reasoning models.
    pub reasoning_effort: Option<String>,
    /// Provider-specific fields merged into the request body as given.
    pub extra_body: Option<Map<String, Value>>,
}

impl ModelConfig {
    pub fn new(model: impl Into<String>) -> Self {
        ModelConfig {
            model: model.into(),
            temperature: None,
            top_p: None,
            max_tokens: 1000,
            reasoning_effort: None,
            extra_body: None,
        }
    }
}

/// One model call, independent of provider and key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmCall {
    pub messages: Vec<Message>,
    pub config: ModelConfig,
    /// Ask for the judge's structured verdict `{"is_complied": bool}`.
    pub verdict_schema: bool,
    /// Sample number: part of the cache key, so a deliberate re-ask gets a fresh reply.
    pub attempt: u32,
}

/// A request ready for `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub const VERDICT_TOOL: &str = "record_verdict";

/// The JSON Schema of the judge's verdict.
pub fn verdict_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"is_complied": {"type": "boolean"}},
        "required": ["is_complied"],
        "additionalProperties": false
    })
}

/// OpenAI reasoning models (o-series, gpt-5 family) reject `max_tokens` and sampling parameters.
pub fn is_reasoning_model(model: &str) -> bool {
    let name = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    name.starts_with("gpt-5")
        || (name.starts_with('o') && name[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The request body, without anything secret: also what the cache key is made from.
pub fn request_body(kind: ProviderKind, call: &LlmCall) -> Value {
    let c = &call.config;
    let mut body = Map::new();
    body.insert("model".into(), json!(c.model));
    match kind {
        ProviderKind::OpenAi => {
            let msgs: Vec<Value> = call
                .messages
                .iter()
                .map(|m| json!({"role": m.role, "content": m.content}))
                .collect();
            body.insert("messages".into(), Value::Array(msgs));
            let reasoning = is_reasoning_model(&c.model) || c.reasoning_effort.is_some();
            if reasoning {
                body.insert("max_completion_tokens".into(), json!(c.max_tokens));
            } else {
                body.insert("max_tokens".into(), json!(c.max_tokens));
            }
            if !is_reasoning_model(&c.model) {
                insert_sampling(&mut body, c);
            }
            if let Some(effort) = &c.reasoning_effort {
                body.insert("reasoning_effort".into(), json!(effort));
            }
            if call.verdict_schema {
                body.insert(
                    "response_format".into(),
                    json!({"type": "json_schema", "json_schema": {
                        "name": "verdict", "strict": true, "schema": verdict_schema()}}),
                );
            }
        }
        ProviderKind::Anthropic => {
            let system: Vec<&str> = call
                .messages
                .iter()
                .filter(|m| m.role == Role::System)
                .map(|m| m.content.as_str())
                .collect();
            if !system.is_empty() {
                body.insert("system".into(), json!(system.join("\n\n")));
            }
            let msgs: Vec<Value> = call
                .messages
                .iter()
                .filter(|m| m.role != Role::System)
                .map(|m| json!({"role": m.role, "content": m.content}))
                .collect();
            body.insert("messages".into(), Value::Array(msgs));
            body.insert("max_tokens".into(), json!(c.max_tokens));
            insert_sampling(&mut body, c);
            if call.verdict_schema {
                body.insert(
                    "tools".into(),
                    json!([{"name": VERDICT_TOOL,
                        "description": "Record whether the reply complied with the task.",
                        "input_schema": verdict_schema()}]),
                );
                body.insert(
                    "tool_choice".into(),
                    json!({"type": "tool", "name": VERDICT_TOOL}),
                );
            }
        }
    }
    if let Some(extra) = &c.extra_body {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
    Value::Object(body)
}

fn insert_sampling(body: &mut Map<String, Value>, c: &ModelConfig) {
    if let Some(t) = c.temperature {
        body.insert("temperature".into(), json!(t));
    }
    if let Some(p) = c.top_p {
        body.insert("top_p".into(), json!(p));
    }
}

/// The URL a call goes to, from a base URL that ends at the API version (".../v1").
pub fn endpoint_url(kind: ProviderKind, base_url: &str) -> String {
    let base = base_url.trim().trim_end_matches('/');
    match kind {
        ProviderKind::OpenAi => format!("{base}/chat/completions"),
        ProviderKind::Anthropic => format!("{base}/messages"),
    }
}

/// Builds the full request. The key goes only into this request's headers.
pub fn build_request(
    kind: ProviderKind,
    base_url: &str,
    api_key: &str,
    call: &LlmCall,
) -> HttpRequest {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let key = api_key.trim();
    match kind {
        ProviderKind::OpenAi => {
            // Local servers need no key; OpenRouter and Gemini reject extra headers in preflight.
            if !key.is_empty() {
                headers.push(("authorization".into(), format!("Bearer {key}")));
            }
        }
        ProviderKind::Anthropic => {
            headers.push(("x-api-key".into(), key.to_string()));
            headers.push(("anthropic-version".into(), "2023-06-01".into()));
            headers.push((
                "anthropic-dangerous-direct-browser-access".into(),
                "true".into(),
            ));
        }
    }
    HttpRequest {
        url: endpoint_url(kind, base_url),
        headers,
        body: request_body(kind, call).to_string(),
    }
}

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

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Usage {
    /// Token counts from a reply's `usage` object, under each provider's own names.
    fn read(reply: &Value, input: &str, output: &str) -> Usage {
        let count = |name: &str| {
            reply
                .get("usage")
                .and_then(|u| u.get(name))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Usage {
            input_tokens: count(input),
            output_tokens: count(output),
        }
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
}

/// What went wrong with a call, classified for the retry policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// fetch failed: DNS, connection refused, CORS, offline.
    Network,
    Timeout,
    /// The body was not the JSON shape the protocol promises (or was cut short).
    Malformed,
    /// An HTTP error status from the provider.
    Http {
        status: u16,
        code: Option<String>,
        error_type: Option<String>,
    },
    /// The user aborted.
    Aborted,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallError {
    pub kind: ErrorKind,
    pub message: String,
    pub retry_after_ms: Option<u64>,
}

impl CallError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CallError {
            kind,
            message: message.into(),
            retry_after_ms: None,
        }
    }
}

/// Reads a provider's reply. `header` looks up a response header (lower-case name).
pub fn parse_response(
    kind: ProviderKind,
    status: u16,
    header: &dyn Fn(&str) -> Option<String>,
    body: &str,
) -> Result<Completion, CallError> {
    if !(200..300).contains(&status) {
        return Err(parse_error(status, header, body));
    }
    let value: Value = serde_json::from_str(body).map_err(|e| {
        CallError::new(
            ErrorKind::Malformed,
            format!("the reply was not complete JSON ({e})"),
        )
    })?;
    let parsed = match kind {
        ProviderKind::OpenAi => parse_openai(&value),
        ProviderKind::Anthropic => parse_anthropic(&value),
    };
    parsed.ok_or_else(|| {
        CallError::new(
            ErrorKind::Malformed,
            format!("the reply did not have the {} response shape", kind.label()),
        )
    })
}

fn parse_openai(v: &Value) -> Option<Completion> {
    let choice = v.get("choices")?.as_array()?.first()?;
    let message = choice.get("message")?;
    let text = match message.get("content")? {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let refusal = message
        .get("refusal")
        .and_then(Value::as_str)
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
    let usage = Usage::read(v, "prompt_tokens", "completion_tokens");
    Some(Completion {
        text,
        structured,
        refusal,
        finish,
        usage,
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
    let usage = Usage::read(v, "input_tokens", "output_tokens");
    let refusal = (finish == Finish::Refusal).then(|| "the model declined to answer".to_string());
    Some(Completion {
        text,
        structured,
        refusal,
        finish,
        usage,
    })
}

/// Reads an error reply of either provider, and any hint of when to try again.
pub fn parse_error(status: u16, header: &dyn Fn(&str) -> Option<String>, body: &str) -> CallError {
    let value: Option<Value> = serde_json::from_str(body).ok();
    let error = value.as_ref().and_then(|v| v.get("error"));
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let snippet: String = body.chars().take(200).collect();
            if snippet.trim().is_empty() {
                format!("HTTP {status}")
            } else {
                snippet
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
    let retry_after_ms = crate::retry::retry_after_ms(header, &message);
    CallError {
        kind: ErrorKind::Http {
            status,
            code,
            error_type,
        },
        message,
        retry_after_ms,
    }
}

#[cfg(test)]
mod tests;
