//! `POST /v1/messages`, as Anthropic answers it.

use crate::reply::{tokens, Outcome, PromptKind};
use crate::{
    content_text, delay_and_fault, header_str, json_response, maybe_truncate, texts, AppState,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

const VERSIONS: [&str; 2] = ["2023-06-01", "2026-10-21"];
const FIELDS: [&str; 17] = [
    "model",
    "messages",
    "max_tokens",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "stream",
    "metadata",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
    "service_tier",
    "container",
    "context_management",
];

fn error(error_type: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": error_type, "message": message}})
}

fn reject(state: &AppState, status: StatusCode, error_type: &str, message: &str) -> Response {
    let auth = status == StatusCode::UNAUTHORIZED;
    let m = message.to_string();
    state.count(|s| {
        if auth {
            s.unauthorized += 1
        } else {
            s.invalid += 1;
            s.last_invalid = Some(m);
        }
    });
    json_response(status, error(error_type, message))
}

/// The checks the Messages API makes of a request body; the first problem found.
pub fn check_body(v: &Value) -> Result<(), String> {
    let obj = v
        .as_object()
        .ok_or("The request body must be a JSON object.")?;
    for k in obj.keys() {
        if !FIELDS.contains(&k.as_str()) {
            return Err(format!("{k}: Extra inputs are not permitted"));
        }
    }
    match obj.get("model").and_then(Value::as_str) {
        Some(m) if !m.is_empty() => {}
        _ => return Err("model: Field required".into()),
    }
    match obj.get("max_tokens").and_then(Value::as_u64) {
        Some(n) if n >= 1 => {}
        Some(_) => return Err("max_tokens: Input should be greater than or equal to 1".into()),
        None => return Err("max_tokens: Field required".into()),
    }
    let messages = obj
        .get("messages")
        .and_then(Value::as_array)
        .ok_or("messages: Field required")?;
    if messages.is_empty() {
        return Err("messages: at least one message is required".into());
    }
    for (i, m) in messages.iter().enumerate() {
        match m.get("role").and_then(Value::as_str) {
            Some("user") | Some("assistant") => {}
            Some("system") => {
                return Err(format!("messages.{i}.role: Unexpected role \"system\". The Messages API accepts a top-level `system` parameter, not \"system\" as an input message role."))
            }
            _ => return Err(format!("messages.{i}.role: Input should be 'user' or 'assistant'")),
        }
        match m.get("content") {
            Some(Value::String(_)) | Some(Value::Array(_)) => {}
            _ => return Err(format!("messages.{i}.content: Field required")),
        }
    }
    if let Some(s) = obj.get("system") {
        if !(s.is_string() || s.is_array()) {
            return Err("system: Input should be a valid string".into());
        }
    }
    for p in ["temperature", "top_p"] {
        if let Some(x) = obj.get(p) {
            match x.as_f64() {
                Some(f) if (0.0..=1.0).contains(&f) => {}
                _ => return Err(format!("{p}: Input should be a number between 0 and 1")),
            }
        }
    }
    let tool_names: Vec<&str> = match obj.get("tools") {
        None => vec![],
        Some(Value::Array(tools)) => {
            let mut names = vec![];
            for (i, t) in tools.iter().enumerate() {
                let name = t
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or(format!("tools.{i}.name: Field required"))?;
                if !t.get("input_schema").is_some_and(Value::is_object) {
                    return Err(format!("tools.{i}.input_schema: Field required"));
                }
                names.push(name);
            }
            names
        }
        Some(_) => return Err("tools: Input should be a valid list".into()),
    };
    if let Some(tc) = obj.get("tool_choice") {
        match tc.get("type").and_then(Value::as_str) {
            Some("auto") | Some("any") | Some("none") => {}
            Some("tool") => {
                let name = tc.get("name").and_then(Value::as_str).unwrap_or("");
                if !tool_names.contains(&name) {
                    return Err(format!(
                        "tool_choice.name: Tool '{name}' not found in provided tools"
                    ));
                }
            }
            _ => {
                return Err(
                    "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'".into(),
                )
            }
        }
    }
    Ok(())
}

pub async fn messages(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let started = std::time::Instant::now();
    state.count(|s| {
        s.requests += 1;
        *s.by_route.entry("messages".into()).or_default() += 1;
    });
    let key = header_str(&headers, "x-api-key")
        .or_else(|| header_str(&headers, "authorization").and_then(|v| v.strip_prefix("Bearer ")))
        .map(str::trim);
    if let Some(k) = key {
        state.count(|s| {
            s.keys_seen.insert(k.to_string());
        });
    }
    if headers.contains_key("origin")
        && header_str(&headers, "anthropic-dangerous-direct-browser-access") != Some("true")
    {
        let m = "CORS requests must set 'anthropic-dangerous-direct-browser-access' header";
        return reject(&state, StatusCode::UNAUTHORIZED, "authentication_error", m);
    }
    match (key, &state.api_key) {
        (None, _) => {
            return reject(
                &state,
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "x-api-key header is required",
            )
        }
        (Some(k), Some(expected)) if k != expected => {
            return reject(
                &state,
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid x-api-key",
            )
        }
        _ => {}
    }
    match header_str(&headers, "anthropic-version") {
        None => {
            return reject(
                &state,
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "anthropic-version: header is required",
            )
        }
        Some(v) if !VERSIONS.contains(&v) => {
            let m = format!("anthropic-version: invalid version {v}");
            return reject(&state, StatusCode::BAD_REQUEST, "invalid_request_error", &m);
        }
        _ => {}
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return reject(
                &state,
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                &format!("The request body is not valid JSON: {e}"),
            )
        }
    };
    if let Err(m) = check_body(&request) {
        return reject(&state, StatusCode::BAD_REQUEST, "invalid_request_error", &m);
    }
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let system = content_text(request.get("system").unwrap_or(&Value::Null));
    let user = texts(&messages, "user");
    let kind = PromptKind::of(&format!("{system}\n{user}"));
    state.count(|s| {
        *s.by_kind.entry(kind.name().into()).or_default() += 1;
        s.last_prompts.insert(
            kind.name().into(),
            format!("{system}\n{user}").trim().to_string(),
        );
    });
    if let Some((n, ctx)) = state.too_long(&format!("{system}{user}")) {
        return reject(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            &format!("prompt is too long: {n} tokens > {ctx} maximum"),
        );
    }

    let model_name = request["model"].as_str().unwrap_or_default().to_string();
    let (cache, store) = state.cache_lookup(|c| c.anthropic_lookup(&model_name, &request));
    let (latency, transient, faults) = state.roll();
    let error_body = |status: StatusCode, _code: &str, msg: &str| {
        let t = match status.as_u16() {
            429 => "rate_limit_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        error(t, msg)
    };
    if let Some(resp) = delay_and_fault(&state, latency, transient, &faults, error_body).await {
        return resp;
    }
    let model = request["model"].as_str().unwrap_or_default().to_string();
    let outcome = state.decide(kind, &model, &system, &user, &faults, &body);
    let forced_tool = request["tool_choice"]["type"].as_str() == Some("tool");
    let tool_name = request["tool_choice"]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let id_hash = crate::faults::fnv1a(faults.seed, &[&body]);
    let tool_schema = request["tools"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == tool_name.as_str()))
        .map(|t| t["input_schema"].clone())
        .unwrap_or_default();
    let (content, stop_reason) = match &outcome {
        Outcome::Text(t) => (json!([{"type": "text", "text": t}]), "end_turn"),
        Outcome::CutOff(t) => (json!([{"type": "text", "text": t}]), "max_tokens"),
        Outcome::Unusable if kind == PromptKind::Judge => {
            (json!([{"type": "text", "text": "maybe"}]), "end_turn")
        }
        Outcome::Unusable => (json!([]), "end_turn"),
        Outcome::Refusal(_) => (json!([]), "refusal"),
        Outcome::Verdict(v) if forced_tool => (
            json!([{"type": "tool_use", "id": format!("toolu_mock{id_hash:016x}"), "name": tool_name, "input": crate::reply::verdict_json(*v, &tool_schema)}]),
            "tool_use",
        ),
        Outcome::Verdict(v) => (
            json!([{"type": "text", "text": json!({"is_complied": v}).to_string()}]),
            "end_turn",
        ),
        Outcome::Belief { label, coherence } if forced_tool => (
            json!([{"type": "tool_use", "id": format!("toolu_mock{id_hash:016x}"), "name": tool_name, "input": crate::reply::belief_json(label, *coherence)}]),
            "tool_use",
        ),
        Outcome::Belief { label, coherence } => (
            json!([{"type": "text", "text": crate::reply::belief_json(label, *coherence).to_string()}]),
            "end_turn",
        ),
    };
    let output_tokens = tokens(&content.to_string());
    let reply = json!({
        "id": format!("msg_mock{id_hash:016x}"),
        "type": "message",
        "role": "assistant",
        "model": request["model"],
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {"input_tokens": tokens(&format!("{system}{user}")).saturating_sub(cache.read + cache.written).max(1),
                  "output_tokens": output_tokens,
                  "cache_creation_input_tokens": cache.written, "cache_read_input_tokens": cache.read}
    });
    state.cache_store(cache, store);
    crate::answered(&state, transient, latency, started, &outcome);
    maybe_truncate(reply, transient)
}
