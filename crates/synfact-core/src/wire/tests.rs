//! Request building and reply parsing for both protocols.

use super::*;

fn call(model: &str, verdict: bool) -> LlmCall {
    let mut config = ModelConfig::new(model);
    config.temperature = Some(1.0);
    LlmCall {
        messages: vec![Message::system("be brief"), Message::user("hi")],
        config,
        verdict_schema: verdict,
        attempt: 0,
    }
}

#[test]
fn openai_body_uses_max_tokens_or_max_completion_tokens() {
    let b = request_body(ProviderKind::OpenAi, &call("gpt-4.1", false));
    assert_eq!(b["max_tokens"], 1000);
    assert_eq!(b["temperature"], 1.0);
    assert_eq!(b["messages"][0]["role"], "system");
    for m in ["o3-mini", "gpt-5", "openai/o4-mini"] {
        let b = request_body(ProviderKind::OpenAi, &call(m, false));
        assert_eq!(b["max_completion_tokens"], 1000, "{m}");
        assert!(
            b.get("max_tokens").is_none() && b.get("temperature").is_none(),
            "{m}"
        );
    }
    assert!(!is_reasoning_model("ollama/llama3") && !is_reasoning_model("olmo-2"));
}

#[test]
fn judge_asks_for_structured_output() {
    let b = request_body(ProviderKind::OpenAi, &call("gpt-4.1-mini", true));
    assert_eq!(b["response_format"]["type"], "json_schema");
    assert_eq!(b["response_format"]["json_schema"]["name"], "verdict");
    let a = request_body(ProviderKind::Anthropic, &call("claude-sonnet-4-5", true));
    assert_eq!(a["tool_choice"]["name"], VERDICT_TOOL);
    assert_eq!(a["system"], "be brief");
    assert_eq!(a["messages"].as_array().unwrap().len(), 1);
}

#[test]
fn extra_body_is_merged() {
    let mut c = call("x", false);
    c.config.extra_body = Some(serde_json::from_str(r#"{"provider":{"sort":"price"}}"#).unwrap());
    assert_eq!(
        request_body(ProviderKind::OpenAi, &c)["provider"]["sort"],
        "price"
    );
}

#[test]
fn keys_go_in_headers_only() {
    let r = build_request(
        ProviderKind::Anthropic,
        "http://h/v1/",
        "sk-ant-secret",
        &call("c", false),
    );
    assert_eq!(r.url, "http://h/v1/messages");
    assert!(!r.body.contains("secret") && !r.url.contains("secret"));
    assert!(r
        .headers
        .contains(&("x-api-key".into(), "sk-ant-secret".into())));
    assert!(r
        .headers
        .iter()
        .any(|(k, _)| k == "anthropic-dangerous-direct-browser-access"));
    let o = build_request(ProviderKind::OpenAi, "http://h/v1", "", &call("c", false));
    assert_eq!(o.url, "http://h/v1/chat/completions");
    assert!(o.headers.iter().all(|(k, _)| k != "authorization"));
}

fn none(_: &str) -> Option<String> {
    None
}

#[test]
fn parses_replies_of_both_providers() {
    let o = r#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#;
    let c = parse_response(ProviderKind::OpenAi, 200, &none, o).unwrap();
    assert_eq!(
        (c.text.as_str(), c.finish, c.usage.output_tokens),
        ("Hi", Finish::Stop, 1)
    );
    let a = r#"{"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"tool_use","id":"t","name":"record_verdict","input":{"is_complied":true}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2}}"#;
    let c = parse_response(ProviderKind::Anthropic, 200, &none, a).unwrap();
    assert_eq!(c.structured, Some(json!({"is_complied": true})));
    let r = r#"{"type":"message","content":[],"stop_reason":"refusal","usage":{"input_tokens":1,"output_tokens":0}}"#;
    assert!(parse_response(ProviderKind::Anthropic, 200, &none, r)
        .unwrap()
        .refusal
        .is_some());
}

#[test]
fn truncated_or_foreign_bodies_are_malformed() {
    for body in [r#"{"choices":[{"mess"#, r#"{"type":"message"}"#, "[]"] {
        let e = parse_response(ProviderKind::OpenAi, 200, &none, body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Malformed, "{body}");
    }
}

#[test]
fn errors_carry_status_code_and_retry_hint() {
    let body = r#"{"error":{"message":"Rate limit reached. Please try again in 1.5s.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
    let e = parse_response(ProviderKind::OpenAi, 429, &none, body).unwrap_err();
    assert_eq!(e.retry_after_ms, Some(1500));
    assert!(
        matches!(e.kind, ErrorKind::Http { status: 429, code: Some(ref c), .. } if c == "rate_limit_exceeded")
    );
    let e = parse_response(
        ProviderKind::Anthropic,
        529,
        &|h| (h == "retry-after").then(|| "3".into()),
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    )
    .unwrap_err();
    assert_eq!(e.retry_after_ms, Some(3000));
    assert!(
        matches!(e.kind, ErrorKind::Http { status: 529, error_type: Some(ref t), .. } if t == "overloaded_error")
    );
    assert_eq!(parse_error(502, &none, "").message, "HTTP 502");
}
