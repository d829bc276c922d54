//! Provider wire formats: building HTTP requests (here) and reading replies (`reply`), with no IO.
//! OpenAI-compatible chat completions and Anthropic Messages.

use crate::provider::endpoint::BaseUrl;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

pub mod prompt_cache;
mod reply;

pub use reply::{parse_response, retry_after_ms, Completion, Finish, RawReply, Usage};

/// Which protocol an endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    /// OpenAI chat completions and everything compatible (OpenRouter, Ollama, llama.cpp, ...).
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
}

impl ProviderKind {
    /// The protocol's name as people know it (the manifest records it).
    pub fn protocol_name(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OpenAI-compatible chat completions",
            ProviderKind::Anthropic => "Anthropic Messages",
        }
    }

    /// A fixed tag for cache keys: never reworded, or every cached reply would be lost.
    pub fn cache_tag(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OpenAI-compatible",
            ProviderKind::Anthropic => "Anthropic",
        }
    }

    /// The route under the base URL.
    pub fn route(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "chat/completions",
            ProviderKind::Anthropic => "messages",
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

/// Body fields that Extra body may not set: they carry the prompt, the model and the judge's
/// output format, which the run decides.
pub const RESERVED_BODY_FIELDS: [&str; 8] = [
    "model",
    "messages",
    "system",
    "response_format",
    "tools",
    "tool_choice",
    "stream",
    "n",
];

/// One model call, independent of provider and key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmCall {
    pub messages: Vec<Message>,
    pub config: ModelConfig,
    /// The structured reply to ask for, if any (a judge's verdict, an evaluation's label).
    pub schema: Option<ReplySchema>,
    /// Sample number: part of the cache key, so a deliberate re-ask gets a fresh reply.
    pub sample: u32,
    /// For a question: how many earlier items of the model had the same prompt, so a repeated
    /// prompt's question is a fresh draw (its own cache key), not a copy. 0 for other steps.
    pub draw: u32,
    /// The start of the prompt that every call of its stage shares, where there is one: where
    /// an Anthropic request marks its cache breakpoint. Not part of the cache key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<SharedPrefix>,
}

/// The start of a prompt that every call of its stage shares byte for byte: the messages before
/// `message` and the first `bytes` bytes of that one. Providers bill a repeated start of a
/// prompt at a discount (OpenAI by itself, Anthropic up to a marked breakpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPrefix {
    pub message: usize,
    pub bytes: usize,
}

/// A request ready for `fetch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub const VERDICT_TOOL: &str = "record_verdict";
pub const BELIEF_TOOL: &str = "record_belief";

/// A structured reply a call asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplySchema {
    /// The run's judge: did the reply comply (`verdict_schema`).
    Verdict,
    /// The evaluation's judge: does an answer support the fact, and how coherent is it
    /// (`belief_schema`).
    Belief,
}

impl ReplySchema {
    /// The schema's name (OpenAI), its tool (Anthropic) and what the tool is for.
    fn parts(self) -> (&'static str, &'static str, &'static str, Value) {
        match self {
            ReplySchema::Verdict => (
                "verdict",
                VERDICT_TOOL,
                "Record whether the reply complied with the task.",
                verdict_schema(),
            ),
            ReplySchema::Belief => (
                "belief",
                BELIEF_TOOL,
                "Record whether the answer supports the statement, and how coherent it is.",
                belief_schema(),
            ),
        }
    }
}

/// The JSON Schema of the evaluation judge's label: a reason, whether the answer supports the
/// statement, contradicts it or neither, and its coherence from 0 to 100.
pub fn belief_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "reason": {"type": "string", "description": "One short sentence: what the answer says about the statement."},
            "label": {"type": "string", "enum": ["supports", "contradicts", "not_sure"]},
            "coherence": {"type": "integer", "description": "0 (nonsense) to 100 (clear and well-formed), whatever the content."}
        },
        "required": ["reason", "label", "coherence"],
        "additionalProperties": false
    })
}

/// The JSON Schema of the judge's verdict: a short reason first (so the judge thinks before it
/// decides), then the decision.
pub fn verdict_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "reason": {"type": "string", "description": "One short sentence: why the reply does or does not comply."},
            "is_complied": {"type": "boolean"}
        },
        "required": ["reason", "is_complied"],
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

fn messages_json<'a>(messages: impl Iterator<Item = &'a Message>) -> Value {
    Value::Array(
        messages
            .map(|m| json!({"role": m.role, "content": m.content}))
            .collect(),
    )
}

/// The request body, without anything secret and without cache breakpoints: what the cache key
/// is made from (a breakpoint changes the price of a reply, never the reply).
pub fn request_body(kind: ProviderKind, call: &LlmCall) -> Value {
    let c = &call.config;
    let mut body = Map::new();
    body.insert("model".into(), json!(c.model));
    match kind {
        ProviderKind::OpenAi => {
            body.insert("messages".into(), messages_json(call.messages.iter()));
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
            if let Some(schema) = call.schema {
                let (name, _, _, schema) = schema.parts();
                body.insert(
                    "response_format".into(),
                    json!({"type": "json_schema", "json_schema": {
                        "name": name, "strict": true, "schema": schema}}),
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
            body.insert(
                "messages".into(),
                messages_json(call.messages.iter().filter(|m| m.role != Role::System)),
            );
            body.insert("max_tokens".into(), json!(c.max_tokens));
            insert_sampling(&mut body, c);
            if let Some(schema) = call.schema {
                let (_, tool, description, schema) = schema.parts();
                body.insert(
                    "tools".into(),
                    json!([{"name": tool, "description": description, "input_schema": schema}]),
                );
                body.insert("tool_choice".into(), json!({"type": "tool", "name": tool}));
            }
        }
    }
    if let Some(extra) = &c.extra_body {
        for (k, v) in extra {
            if !RESERVED_BODY_FIELDS.contains(&k.as_str()) {
                body.insert(k.clone(), v.clone());
            }
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

/// Builds the full request. The key goes only into this request's headers.
pub fn build_request(
    kind: ProviderKind,
    base_url: &BaseUrl,
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
    let mut body = request_body(kind, call);
    if kind == ProviderKind::Anthropic {
        mark_breakpoint(&mut body, call);
    }
    HttpRequest {
        url: base_url.join(kind.route()),
        headers,
        body: body.to_string(),
    }
}

/// Marks an Anthropic body's shared prefix with a `cache_control` breakpoint, when it is long
/// enough for the model to cache: the marked message (or the system prompt) becomes two text
/// blocks, the shared start (marked) and the rest.
fn mark_breakpoint(body: &mut Value, call: &LlmCall) {
    let Some(shared) = call.shared else { return };
    let Some(m) = call.messages.get(shared.message) else {
        return;
    };
    let Some(prefix) = m
        .content
        .get(..shared.bytes)
        .filter(|p| !p.trim().is_empty())
    else {
        return;
    };
    let before: u64 = call.messages[..shared.message]
        .iter()
        .map(|m| prompt_cache::tokens(&m.content))
        .sum();
    if !prompt_cache::worth_marking(&call.config.model, before + prompt_cache::tokens(prefix)) {
        return;
    }
    let rest = &m.content[shared.bytes..];
    let mut blocks =
        vec![json!({"type": "text", "text": prefix, "cache_control": {"type": "ephemeral"}})];
    if !rest.is_empty() {
        blocks.push(json!({"type": "text", "text": rest}));
    }
    let system_count = call
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .count();
    if m.role == Role::System {
        // The system prompt is sent whole only when it is one message (as ours are).
        if system_count == 1 {
            body["system"] = Value::Array(blocks);
        }
        return;
    }
    let index = call.messages[..shared.message]
        .iter()
        .filter(|m| m.role != Role::System)
        .count();
    if let Some(msg) = body["messages"].get_mut(index) {
        msg["content"] = Value::Array(blocks);
    }
}

#[cfg(test)]
mod tests;
