//! `POST /v1/chat/completions`, as OpenAI answers it.

use crate::reply::{tokens, Outcome, PromptKind};
use crate::schema::first_error;
use crate::{delay_and_fault, header_str, json_response, masked, maybe_truncate, texts, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

fn error(message: &str, error_type: &str, param: Option<&str>, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": error_type, "param": param, "code": code}})
}

fn reject(state: &AppState, status: StatusCode, body: Value) -> Response {
    let auth = status == StatusCode::UNAUTHORIZED;
    let msg = body["error"]["message"].as_str().map(str::to_string);
    state.count(|s| {
        if auth {
            s.unauthorized += 1
        } else {
            s.invalid += 1;
            s.last_invalid = msg;
        }
    });
    self_check(state, &state.schemas.error, &body);
    json_response(status, body)
}

fn self_check(state: &AppState, validator: &jsonschema::Validator, body: &Value) {
    if let Some((path, e)) = first_error(validator, body) {
        eprintln!("mock-provider: our own reply breaks the schema at {path}: {e}");
        state.count(|s| s.self_check_failures += 1);
    }
}

fn is_reasoning(model: &str) -> bool {
    let m = model.rsplit('/').next().unwrap_or(model);
    m.starts_with("gpt-5")
        || (m.starts_with('o') && m[1..].starts_with(|c: char| c.is_ascii_digit()))
}

pub async fn chat_completions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    state.count(|s| {
        s.requests += 1;
        *s.by_route.entry("chat_completions".into()).or_default() += 1;
    });
    let bearer = header_str(&headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(k) = bearer {
        state.count(|s| {
            s.keys_seen.insert(k.to_string());
        });
    }
    if let Some(expected) = &state.api_key {
        match bearer {
            None => {
                let m = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
                return reject(
                    &state,
                    StatusCode::UNAUTHORIZED,
                    error(m, "invalid_request_error", None, None),
                );
            }
            Some(k) if k != expected => {
                let m = format!("Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.", masked(k));
                return reject(
                    &state,
                    StatusCode::UNAUTHORIZED,
                    error(&m, "invalid_request_error", None, Some("invalid_api_key")),
                );
            }
            _ => {}
        }
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => {
            let m = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";
            return reject(
                &state,
                StatusCode::BAD_REQUEST,
                error(m, "invalid_request_error", None, None),
            );
        }
    };
    if let Some((path, e)) = first_error(&state.schemas.request, &request) {
        let m = format!("Invalid request at '{path}': {e}");
        return reject(
            &state,
            StatusCode::BAD_REQUEST,
            error(&m, "invalid_request_error", Some(&path), None),
        );
    }
    let model = request["model"].as_str().unwrap_or_default().to_string();
    if is_reasoning(&model) && request.get("max_tokens").is_some() {
        let m = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
        return reject(
            &state,
            StatusCode::BAD_REQUEST,
            error(
                m,
                "invalid_request_error",
                Some("max_tokens"),
                Some("unsupported_parameter"),
            ),
        );
    }
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let system = [texts(&messages, "system"), texts(&messages, "developer")].join("\n");
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
        state.count(|s| s.invalid += 1);
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": {"code": 400, "message": format!("request ({n} tokens) exceeds the available context size ({ctx} tokens), try increasing it"),
                "type": "exceed_context_size_error", "n_prompt_tokens": n, "n_ctx": ctx}}),
        );
    }

    let prompt = crate::prompt_cache::openai_prompt(&request);
    let (cache, store) = state.cache_lookup(|c| c.openai_lookup(&model, &prompt));
    let (latency, transient, faults) = state.roll();
    let error_body = |status: StatusCode, code: &str, msg: &str| {
        let t = if status == StatusCode::TOO_MANY_REQUESTS {
            "requests"
        } else {
            "server_error"
        };
        error(msg, t, None, Some(code))
    };
    if let Some(resp) = delay_and_fault(&state, latency, transient, &faults, error_body).await {
        return resp;
    }
    let outcome = state.decide(kind, &model, &system, &user, &faults, &body);
    let structured = request["response_format"]["type"].as_str() == Some("json_schema");
    let finish = if matches!(outcome, Outcome::CutOff(_)) {
        "length"
    } else {
        "stop"
    };
    let (content, refusal) = match &outcome {
        Outcome::Text(t) | Outcome::CutOff(t) => (Value::String(t.clone()), Value::Null),
        Outcome::Unusable if kind == PromptKind::Judge => {
            (Value::String("maybe".into()), Value::Null)
        }
        Outcome::Unusable => (Value::Null, Value::Null),
        Outcome::Refusal(r) => (Value::Null, Value::String(r.clone())),
        Outcome::Verdict(v) if structured => (
            Value::String(
                crate::reply::verdict_json(
                    *v,
                    &request["response_format"]["json_schema"]["schema"],
                )
                .to_string(),
            ),
            Value::Null,
        ),
        Outcome::Verdict(v) => (Value::String(v.to_string()), Value::Null),
        Outcome::Belief { label, coherence } => (
            Value::String(crate::reply::belief_json(label, *coherence).to_string()),
            Value::Null,
        ),
    };
    let completion_tokens = tokens(content.as_str().or(refusal.as_str()).unwrap_or(""));
    let prompt_tokens = tokens(&format!("{system}{user}"));
    let id = format!(
        "chatcmpl-mock{:016x}",
        crate::faults::fnv1a(faults.seed, &[&body])
    );
    let reply = json!({
        "id": id,
        "object": "chat.completion",
        "created": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal, "annotations": []},
            "logprobs": null,
            "finish_reason": finish
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cache.read.min(prompt_tokens), "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "service_tier": "default",
        "system_fingerprint": "fp_mock"
    });
    self_check(&state, &state.schemas.response, &reply);
    state.cache_store(cache, store);
    crate::answered(&state, transient, latency, started, &outcome);
    maybe_truncate(reply, transient)
}
