//! Request building and reply parsing for both protocols.

use super::*;
use crate::provider::error::{BodyProblem, CallError, ErrorKind};

fn call(model: &str, verdict: bool) -> LlmCall {
    let mut config = ModelConfig::new(model);
    config.temperature = Some(1.0);
    LlmCall {
        messages: vec![Message::system("be brief"), Message::user("hi")],
        config,
        schema: verdict.then_some(ReplySchema::Verdict),
        sample: 0,
        draw: 0,
        shared: None,
    }
}

fn base(s: &str) -> BaseUrl {
    BaseUrl::parse(s).unwrap()
}

#[test]
fn openai_body_uses_max_tokens_or_max_completion_tokens() {
    let b = request_body(ProviderKind::OpenAi, &call("gpt-4.1", false));
    assert_eq!(b["max_tokens"], 1000);
    assert_eq!(b["temperature"], 1.0);
    assert_eq!(b["messages"][0]["role"], "system");
    assert!(b.get("response_format").is_none());
    for m in ["o3-mini", "gpt-5", "openai/o4-mini", "GPT-5-mini"] {
        let b = request_body(ProviderKind::OpenAi, &call(m, false));
        assert_eq!(b["max_completion_tokens"], 1000, "{m}");
        assert!(
            b.get("max_tokens").is_none() && b.get("temperature").is_none(),
            "{m}"
        );
    }
    let mut effort = call("llama", false);
    effort.config.reasoning_effort = Some("low".into());
    let b = request_body(ProviderKind::OpenAi, &effort);
    assert_eq!(
        (
            b["reasoning_effort"].as_str(),
            b["max_completion_tokens"].as_u64()
        ),
        (Some("low"), Some(1000))
    );
    assert_eq!(
        b["temperature"], 1.0,
        "sampling stays for a non-reasoning model"
    );
    assert!(
        !is_reasoning_model("ollama/llama3")
            && !is_reasoning_model("olmo-2")
            && !is_reasoning_model("o")
    );
}

#[test]
fn judge_asks_for_a_strict_verdict_with_a_reason() {
    let schema = verdict_schema();
    assert_eq!(
        schema["required"],
        serde_json::json!(["reason", "is_complied"])
    );
    assert_eq!(schema["properties"]["is_complied"]["type"], "boolean");
    assert_eq!(schema["properties"]["reason"]["type"], "string");
    assert_eq!(schema["additionalProperties"], false);
    let b = request_body(ProviderKind::OpenAi, &call("gpt-4.1-mini", true));
    assert_eq!(b["response_format"]["type"], "json_schema");
    assert_eq!(b["response_format"]["json_schema"]["name"], "verdict");
    assert_eq!(b["response_format"]["json_schema"]["strict"], true);
    assert_eq!(b["response_format"]["json_schema"]["schema"], schema);
    let a = request_body(ProviderKind::Anthropic, &call("claude-sonnet-4-5", true));
    assert_eq!(a["tool_choice"]["name"], VERDICT_TOOL);
    assert_eq!(a["tools"][0]["input_schema"], schema);
    assert_eq!(a["system"], "be brief");
    assert_eq!(a["messages"].as_array().unwrap().len(), 1);
    assert_eq!(a["max_tokens"], 1000);
}

#[test]
fn extra_body_is_merged_but_cannot_replace_the_prompt_or_format() {
    let mut c = call("x", true);
    c.config.extra_body = Some(
        serde_json::from_str(
            r#"{"provider":{"sort":"price"},"messages":[],"model":"y","response_format":null}"#,
        )
        .unwrap(),
    );
    let b = request_body(ProviderKind::OpenAi, &c);
    assert_eq!(b["provider"]["sort"], "price");
    assert_eq!(b["model"], "x");
    assert_eq!(b["messages"].as_array().unwrap().len(), 2);
    assert_eq!(b["response_format"]["type"], "json_schema");
}

#[test]
fn keys_go_in_headers_only() {
    let r = build_request(
        ProviderKind::Anthropic,
        &base("http://h/v1/"),
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
        .contains(&("anthropic-version".into(), "2023-06-01".into())));
    assert!(r
        .headers
        .iter()
        .any(|(k, _)| k == "anthropic-dangerous-direct-browser-access"));
    let o = build_request(
        ProviderKind::OpenAi,
        &base("http://h/v1"),
        " ",
        &call("c", false),
    );
    assert_eq!(o.url, "http://h/v1/chat/completions");
    assert!(o.headers.iter().all(|(k, _)| k != "authorization"));
    let o = build_request(
        ProviderKind::OpenAi,
        &base("http://h/v1"),
        " sk-1 ",
        &call("c", false),
    );
    assert!(o
        .headers
        .contains(&("authorization".into(), "Bearer sk-1".into())));
}

fn none(_: &str) -> Option<String> {
    None
}

fn parse(kind: ProviderKind, status: u16, body: &str) -> Result<Completion, CallError> {
    parse_with(kind, status, &none, body)
}

fn parse_with(
    kind: ProviderKind,
    status: u16,
    header: &dyn Fn(&str) -> Option<String>,
    body: &str,
) -> Result<Completion, CallError> {
    parse_response(
        kind,
        &RawReply {
            status,
            header,
            redirected: false,
            body,
        },
    )
}

#[test]
fn parses_replies_of_both_providers() {
    let o = r#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":5}}}"#;
    let c = parse(ProviderKind::OpenAi, 200, o).unwrap();
    assert_eq!(
        (c.text.as_str(), &c.finish, c.refusal.as_deref()),
        ("Hi", &Finish::Stop, None)
    );
    assert_eq!(
        c.usage,
        Usage {
            input_tokens: 30,
            output_tokens: 12,
            reasoning_tokens: 5,
            cached_tokens: 8,
            cache_write_tokens: 0,
            ..Usage::default()
        }
    );
    let a = r#"{"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"tool_use","id":"t","name":"record_verdict","input":{"is_complied":true}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2,"cache_read_input_tokens":100,"cache_creation_input_tokens":7}}"#;
    let c = parse(ProviderKind::Anthropic, 200, a).unwrap();
    assert_eq!(c.structured, Some(serde_json::json!({"is_complied": true})));
    assert_eq!(c.finish, Finish::ToolUse);
    assert_eq!(
        c.usage,
        Usage {
            input_tokens: 112,
            output_tokens: 2,
            reasoning_tokens: 0,
            cached_tokens: 100,
            cache_write_tokens: 7,
            ..Usage::default()
        }
    );
    let r = r#"{"type":"message","content":[],"stop_reason":"refusal","usage":{"input_tokens":1,"output_tokens":0}}"#;
    assert_eq!(
        parse(ProviderKind::Anthropic, 200, r).unwrap().finish,
        Finish::Refusal
    );
}

#[test]
fn reply_shapes_each_read_their_own_way() {
    let openai = |message: &str, finish: &str| {
        format!(r#"{{"choices":[{{"message":{message},"finish_reason":{finish}}}]}}"#)
    };
    // content null reads as empty text (the refusal or the tool call says what happened).
    let c = parse(
        ProviderKind::OpenAi,
        200,
        &openai(r#"{"content":null,"refusal":"No."}"#, r#""stop""#),
    )
    .unwrap();
    assert_eq!((c.text.as_str(), c.refusal.as_deref()), ("", Some("No.")));
    // A blank refusal is no refusal.
    let c = parse(
        ProviderKind::OpenAi,
        200,
        &openai(r#"{"content":"x","refusal":"  "}"#, r#""stop""#),
    )
    .unwrap();
    assert_eq!(c.refusal, None);
    // Content as a list of text parts.
    let c = parse(
        ProviderKind::OpenAi,
        200,
        &openai(
            r#"{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}"#,
            "null",
        ),
    )
    .unwrap();
    assert_eq!(c.text, "ab");
    // A tool call's arguments are the structured verdict.
    let c = parse(
        ProviderKind::OpenAi,
        200,
        &openai(r#"{"content":null,"tool_calls":[{"function":{"arguments":"{\"is_complied\":false}"}}]}"#, r#""tool_calls""#),
    )
    .unwrap();
    assert_eq!(
        (c.structured, c.finish),
        (
            Some(serde_json::json!({"is_complied": false})),
            Finish::ToolUse
        )
    );
    for (finish, expected) in [
        (r#""length""#, Finish::Length),
        (r#""content_filter""#, Finish::ContentFilter),
        (r#""function_call""#, Finish::ToolUse),
        (r#""eos""#, Finish::Other("eos".into())),
        ("null", Finish::Stop),
    ] {
        assert_eq!(
            parse(
                ProviderKind::OpenAi,
                200,
                &openai(r#"{"content":"x"}"#, finish)
            )
            .unwrap()
            .finish,
            expected
        );
    }
    // A number as content is not the shape.
    assert_eq!(
        parse(
            ProviderKind::OpenAi,
            200,
            &openai(r#"{"content":5}"#, "null")
        )
        .unwrap_err()
        .kind,
        ErrorKind::Body(BodyProblem::WrongShape)
    );
    // Anthropic: text blocks join, other blocks are skipped, a stop at max_tokens is a cut-off.
    let a = r#"{"type":"message","content":[{"type":"text","text":"Hello "},{"type":"thinking","thinking":"hm"},{"type":"text","text":"there"}],"stop_reason":"max_tokens"}"#;
    let c = parse(ProviderKind::Anthropic, 200, a).unwrap();
    assert_eq!((c.text.as_str(), c.finish), ("Hello there", Finish::Length));
    for (stop, expected) in [
        ("end_turn", Finish::Stop),
        ("stop_sequence", Finish::Stop),
        ("model_context_window_exceeded", Finish::Length),
        ("pause_turn", Finish::Other("pause_turn".into())),
    ] {
        let body = format!(
            r#"{{"type":"message","content":[{{"type":"text","text":"x"}}],"stop_reason":"{stop}"}}"#
        );
        assert_eq!(
            parse(ProviderKind::Anthropic, 200, &body).unwrap().finish,
            expected,
            "{stop}"
        );
    }
    assert_eq!(
        parse(
            ProviderKind::Anthropic,
            200,
            r#"{"type":"message","content":[{"type":"text","text":7}]}"#
        )
        .unwrap_err()
        .kind,
        ErrorKind::Body(BodyProblem::WrongShape)
    );
}

#[test]
fn unusable_bodies_say_what_they_are() {
    let html = |ct: &'static str| move |h: &str| (h == "content-type").then(|| ct.to_string());
    let (stream, page, json) = (
        html("text/event-stream"),
        html("text/html; charset=utf-8"),
        html("application/json"),
    );
    type Header<'a> = &'a dyn Fn(&str) -> Option<String>;
    let cases: Vec<(Header, &str, ErrorKind)> = vec![
        (
            &none,
            r#"{"choices":[{"mess"#,
            ErrorKind::Body(BodyProblem::Truncated),
        ),
        (
            &none,
            "upstream hiccup",
            ErrorKind::Body(BodyProblem::NotJson),
        ),
        (&none, "", ErrorKind::Body(BodyProblem::Empty)),
        (&none, "  \n", ErrorKind::Body(BodyProblem::Empty)),
        (
            &none,
            "data: {\"choices\": []}\n\n",
            ErrorKind::Body(BodyProblem::EventStream),
        ),
        (&stream, "{}", ErrorKind::Body(BodyProblem::EventStream)),
        (
            &none,
            r#"{"type":"message"}"#,
            ErrorKind::Body(BodyProblem::WrongShape),
        ),
        (&none, "[]", ErrorKind::Body(BodyProblem::WrongShape)),
        (
            &none,
            r#"{"error":{"message":"Upstream provider overloaded","code":502}}"#,
            ErrorKind::Body(BodyProblem::ErrorObject),
        ),
        (
            &page,
            "<!doctype html><title>Sign in</title>",
            ErrorKind::NotAnApi {
                status: 200,
                redirected: false,
            },
        ),
        (
            &none,
            "<!DOCTYPE html><html><body>hi</body></html>",
            ErrorKind::NotAnApi {
                status: 200,
                redirected: false,
            },
        ),
        // JSON content type with markup inside is a broken reply, not a web page.
        (
            &json,
            "<html>upstream hiccup</html>",
            ErrorKind::Body(BodyProblem::NotJson),
        ),
    ];
    for (header, body, kind) in cases {
        let e = parse_with(ProviderKind::OpenAi, 200, header, body).unwrap_err();
        assert_eq!(e.kind, kind, "{body}");
        assert!(
            !e.detail.contains('<'),
            "never markup in the detail: {}",
            e.detail
        );
    }
    let e = parse(
        ProviderKind::OpenAi,
        200,
        r#"{"error":{"message":"Upstream provider overloaded"}}"#,
    )
    .unwrap_err();
    assert_eq!(e.detail, "Upstream provider overloaded");
    let page = "<html><head><title>\n  Sign in \u{2013} Corp </title></head><body><script>x</script></body></html>";
    let e = parse_with(ProviderKind::OpenAi, 200, &html("text/html"), page).unwrap_err();
    assert_eq!(e.detail, "Sign in \u{2013} Corp");
}

#[test]
fn a_lone_surrogate_is_replaced_and_noted() {
    let body = r#"{"choices":[{"message":{"content":"a\ud800b \ud83d\ude00 \\ud800 \udc00"},"finish_reason":"stop"}]}"#;
    let c = parse(ProviderKind::OpenAi, 200, body).unwrap();
    assert_eq!(c.text, "a\u{FFFD}b \u{1F600} \\ud800 \u{FFFD}");
    assert!(c.repaired);
    let clean = parse(
        ProviderKind::OpenAi,
        200,
        r#"{"choices":[{"message":{"content":"ok"}}]}"#,
    )
    .unwrap();
    assert!(!clean.repaired);
}

#[test]
fn errors_carry_status_code_and_retry_hint() {
    let body = r#"{"error":{"message":"Rate limit reached. Please try again in 1.5s.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
    let e = parse(ProviderKind::OpenAi, 429, body).unwrap_err();
    assert_eq!(e.retry_after_ms, Some(1500));
    assert_eq!(e.detail, "Rate limit reached. Please try again in 1.5s.");
    assert_eq!(
        e.kind,
        ErrorKind::Http {
            status: 429,
            code: Some("rate_limit_exceeded".into()),
            error_type: Some("requests".into())
        }
    );
    let e = parse_with(
        ProviderKind::Anthropic,
        529,
        &|h| (h == "retry-after").then(|| "3".into()),
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    )
    .unwrap_err();
    assert_eq!(e.retry_after_ms, Some(3000));
    assert_eq!(
        e.kind,
        ErrorKind::Http {
            status: 529,
            code: None,
            error_type: Some("overloaded_error".into())
        }
    );
    let e = parse(
        ProviderKind::OpenAi,
        400,
        r#"{"error":{"message":"m","code":400}}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Http {
            status: 400,
            code: Some("400".into()),
            error_type: None
        }
    );
    let e = parse(ProviderKind::OpenAi, 502, "").unwrap_err();
    assert_eq!(
        (e.kind, e.detail),
        (
            ErrorKind::Http {
                status: 502,
                code: None,
                error_type: None
            },
            "".into()
        )
    );
    let e = parse(ProviderKind::OpenAi, 500, "  oops  ").unwrap_err();
    assert_eq!(e.detail, "oops");
    // An HTML page on an error status: a proxy's error page (retry) or the wrong address.
    let e = parse(
        ProviderKind::OpenAi,
        502,
        "<html><title>502 Bad Gateway</title></html>",
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.detail),
        (
            ErrorKind::Http {
                status: 502,
                code: None,
                error_type: None
            },
            "502 Bad Gateway".into()
        )
    );
    for status in [404, 501, 405] {
        let e = parse(
            ProviderKind::OpenAi,
            status,
            "<!DOCTYPE html><title>Not here</title>",
        )
        .unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::NotAnApi {
                status,
                redirected: false
            }
        );
    }
}

#[test]
fn retry_hints_in_every_form() {
    let h = |pairs: &'static [(&'static str, &'static str)]| {
        move |n: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        retry_after_ms(&h(&[("retry-after-ms", "250")]), ""),
        Some(250)
    );
    assert_eq!(retry_after_ms(&h(&[("retry-after-ms", "-5")]), ""), Some(0));
    assert_eq!(
        retry_after_ms(&h(&[("retry-after-ms", "1.5")]), ""),
        Some(1)
    );
    // retry-after-ms wins over retry-after.
    assert_eq!(
        retry_after_ms(&h(&[("retry-after-ms", "250"), ("retry-after", "9")]), ""),
        Some(250)
    );
    assert_eq!(retry_after_ms(&h(&[("retry-after", "2")]), ""), Some(2000));
    assert_eq!(
        retry_after_ms(&h(&[("retry-after", "0.25")]), ""),
        Some(250)
    );
    assert_eq!(
        retry_after_ms(
            &h(&[
                ("retry-after", "Wed, 21 Oct 2026 07:28:30 GMT"),
                ("date", "Wed, 21 Oct 2026 07:28:00 GMT")
            ]),
            ""
        ),
        Some(30_000)
    );
    assert_eq!(
        retry_after_ms(
            &h(&[
                ("retry-after", "Wed, 21 Oct 2026 07:27:00 GMT"),
                ("date", "Wed, 21 Oct 2026 07:28:00 GMT")
            ]),
            ""
        ),
        Some(0),
        "a date in the past means now"
    );
    assert_eq!(
        retry_after_ms(&h(&[("retry-after", "Wed, 21 Oct 2026 07:28:30 GMT")]), ""),
        None
    );
    assert_eq!(
        retry_after_ms(&none, "Please try again in 1.574s."),
        Some(1574)
    );
    assert_eq!(retry_after_ms(&none, "try again in 20ms"), Some(20));
    assert_eq!(retry_after_ms(&none, "Try again in 2m."), Some(120_000));
    assert_eq!(retry_after_ms(&none, "try again in 5h"), None);
    assert_eq!(retry_after_ms(&none, "try again in soon"), None);
    assert_eq!(retry_after_ms(&none, "slow down"), None);
}

#[test]
fn usage_adds_up_field_by_field() {
    let mut u = Usage {
        input_tokens: 1,
        output_tokens: 2,
        reasoning_tokens: 3,
        cached_tokens: 4,
        cache_write_tokens: 5,
        batch_input_tokens: 0,
        batch_output_tokens: 0,
    };
    u.add(&Usage {
        input_tokens: 10,
        output_tokens: 20,
        reasoning_tokens: 30,
        cached_tokens: 40,
        cache_write_tokens: 50,
        batch_input_tokens: 0,
        batch_output_tokens: 0,
    });
    assert_eq!(
        u,
        Usage {
            input_tokens: 11,
            output_tokens: 22,
            reasoning_tokens: 33,
            cached_tokens: 44,
            cache_write_tokens: 55,
            ..Usage::default()
        }
    );
}

#[test]
fn surrogate_repair_respects_escapes_and_pairs() {
    let body =
        |content: &str| format!(r#"{{"choices":[{{"message":{{"content":"{content}"}}}}]}}"#);
    let text = |content: &str| {
        parse(ProviderKind::OpenAi, 200, &body(content))
            .unwrap()
            .text
    };
    // A high surrogate followed by an escaped backslash and the letters "udc00" is not a pair.
    assert_eq!(text(r#"a\ud800\\udc00"#), "a\u{FFFD}\\udc00");
    // An escaped quote before the surrogate is skipped over as one escape.
    assert_eq!(text(r#"say \"hi\" \ud800"#), "say \"hi\" \u{FFFD}");
    assert_eq!(
        text(r#"\udc00\ud83d\ude00\ud800"#),
        "\u{FFFD}\u{1F600}\u{FFFD}"
    );
}

#[test]
fn an_error_given_as_a_plain_string_is_read_too() {
    let e = parse(ProviderKind::OpenAi, 200, r#"{"error": "Upstream down"}"#).unwrap_err();
    assert_eq!(
        (e.kind, e.detail),
        (
            ErrorKind::Body(BodyProblem::ErrorObject),
            "Upstream down".into()
        )
    );
    let page = "<html><head><meta charset=utf-8><title id=t>Gateway Timeout</title></head></html>";
    let e = parse(ProviderKind::OpenAi, 504, page).unwrap_err();
    assert_eq!(e.detail, "Gateway Timeout");
}
