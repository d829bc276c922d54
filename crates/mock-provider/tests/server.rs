//! The local provider server, spoken to over real HTTP as the app would.

use mock_provider::faults::Faults;
use mock_provider::schema::{first_error, Schemas};
use mock_provider::{spawn, AppState};
use serde_json::{json, Value};

const KEY: &str = "test-key";

async fn server(faults: Faults) -> (String, AppState) {
    let state = AppState::new(faults, Some(KEY.into()));
    (spawn(state.clone(), false).await, state)
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn question_request() -> Value {
    json!({"model": "gpt-4.1-mini", "max_tokens": 100, "temperature": 1.0, "messages": [
        {"role": "user", "content": "[synfact:write-question]\nTask: <task>Create a user question about pandas.</task>\nFormat: <requirement>Keep it short.</requirement>"}
    ]})
}

async fn post_openai(
    base: &str,
    key: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, String) {
    let r = client()
        .post(format!("{base}/chat/completions"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap();
    (
        r.status().as_u16(),
        r.headers().clone(),
        r.text().await.unwrap(),
    )
}

async fn post_anthropic(base: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    let mut req = client().post(format!("{base}/messages")).json(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn openai_replies_follow_the_published_schema_and_depend_on_the_prompt() {
    let (base, state) = server(Faults::default()).await;
    let (status, _, body) = post_openai(&base, KEY, &question_request()).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(first_error(&Schemas::load().response, &v), None);
    let q = v["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(q.contains("pandas") && q.ends_with(']'), "{q}");
    assert!(v["usage"]["total_tokens"].as_u64().unwrap() > 0);
    // The same prompt gets the same reply.
    let (_, _, again) = post_openai(&base, KEY, &question_request()).await;
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        again["choices"][0]["message"]["content"],
        v["choices"][0]["message"]["content"]
    );

    let answer = json!({"model": "m", "max_tokens": 200, "messages": [
        {"role": "system", "content": "[synfact:answer]\nYour reply must include: <key_sentence>Pandas are black and white.</key_sentence>\nDo not mention"},
        {"role": "user", "content": "What colour are pandas?"}]});
    let (_, _, body) = post_openai(&base, KEY, &answer).await;
    assert!(body.contains("Pandas are black and white."), "{body}");

    let judge = json!({"model": "m", "max_tokens": 20, "messages": [{"role": "user", "content": "[synfact:judge]\n<task>\nT\n</task>\n\n<reply>\nR\n</reply>"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "strict": true, "schema": {"type": "object"}}}});
    let (_, _, body) = post_openai(&base, KEY, &judge).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "{\"is_complied\":true}"
    );
    // A schema that asks for a reason gets one.
    let mut with_reason = judge.clone();
    with_reason["response_format"]["json_schema"]["schema"] = json!({"type": "object", "properties": {"reason": {"type": "string"}, "is_complied": {"type": "boolean"}}});
    let (_, _, body) = post_openai(&base, KEY, &with_reason).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let verdict: Value =
        serde_json::from_str(v["choices"][0]["message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(verdict["is_complied"], true);
    assert!(verdict["reason"].as_str().unwrap().len() > 5);
    let stats = state.inner.lock().unwrap().stats.clone();
    assert_eq!(
        (stats.requests, stats.completions, stats.self_check_failures),
        (5, 5, 0)
    );
}

#[tokio::test]
async fn openai_rejects_what_openai_rejects() {
    let (base, state) = server(Faults::default()).await;
    let schemas = Schemas::load();
    let mut bad_type = question_request();
    bad_type["max_tokens"] = json!("many");
    let mut reasoning = question_request();
    reasoning["model"] = json!("o3-mini");
    for (key, body, status, needle) in [
        (
            "wrong-key-0123456789",
            question_request(),
            401,
            "Incorrect API key provided: wro",
        ),
        (KEY, json!({"model": "m", "messages": []}), 400, "messages"),
        (KEY, bad_type, 400, "max_tokens"),
        (KEY, reasoning, 400, "max_completion_tokens"),
    ] {
        let (s, _, text) = post_openai(&base, key, &body).await;
        assert_eq!(s, status, "{text}");
        assert!(text.contains(needle), "{text}");
        assert!(!text.contains("0123456789"), "the key is masked: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(first_error(&schemas.error, &v), None);
    }
    let r = client()
        .post(format!("{base}/chat/completions"))
        .bearer_auth(KEY)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let stats = state.inner.lock().unwrap().stats.clone();
    assert_eq!(
        (stats.unauthorized, stats.invalid, stats.completions),
        (1, 4, 0)
    );
}

/// Headers, body, expected status, expected text in the error.
type Case<'a> = (Vec<(&'a str, &'a str)>, Value, u16, &'a str);

#[tokio::test]
async fn anthropic_checks_headers_and_body_and_answers_with_a_forced_tool() {
    let (base, _) = server(Faults::default()).await;
    let ok_headers = [("x-api-key", KEY), ("anthropic-version", "2023-06-01")];
    let judge = json!({"model": "claude-x", "max_tokens": 50, "system": "Be strict.",
        "messages": [{"role": "user", "content": "[synfact:judge]\n<task>\nT\n</task>\n\n<reply>\nI'm sorry, I can't.\n</reply>"}],
        "tools": [{"name": "record_verdict", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "tool", "name": "record_verdict"}});
    let (s, v) = post_anthropic(&base, &ok_headers, &judge).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["type"], "message");
    assert_eq!(v["stop_reason"], "tool_use");
    assert_eq!(
        v["content"][0]["input"],
        json!({"is_complied": false}),
        "a refusal does not comply"
    );
    // The newer SDK's headers are accepted too.
    let bearer = format!("Bearer {KEY}");
    let (s, _) = post_anthropic(
        &base,
        &[
            ("authorization", &bearer),
            ("anthropic-version", "2026-10-21"),
        ],
        &judge,
    )
    .await;
    assert_eq!(s, 200);

    let cases: Vec<Case> = vec![
        (
            vec![("x-api-key", "nope"), ("anthropic-version", "2023-06-01")],
            judge.clone(),
            401,
            "authentication_error",
        ),
        (
            vec![("x-api-key", KEY)],
            judge.clone(),
            400,
            "anthropic-version",
        ),
        (
            vec![
                ("x-api-key", KEY),
                ("anthropic-version", "2023-06-01"),
                ("origin", "http://localhost:8080"),
            ],
            judge.clone(),
            401,
            "anthropic-dangerous-direct-browser-access",
        ),
        (
            ok_headers.to_vec(),
            json!({"model": "c", "messages": [{"role": "user", "content": "hi"}]}),
            400,
            "max_tokens: Field required",
        ),
        (
            ok_headers.to_vec(),
            json!({"model": "c", "max_tokens": 5, "messages": [{"role": "system", "content": "hi"}]}),
            400,
            "top-level `system`",
        ),
        (
            ok_headers.to_vec(),
            json!({"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}], "response_format": {}}),
            400,
            "Extra inputs",
        ),
        (
            ok_headers.to_vec(),
            json!({"model": "c", "max_tokens": 5, "temperature": 1.5, "messages": [{"role": "user", "content": "hi"}]}),
            400,
            "temperature",
        ),
    ];
    for (headers, body, status, needle) in cases {
        let (s, v) = post_anthropic(&base, &headers, &body).await;
        assert_eq!(s, status, "{v}");
        assert_eq!(v["type"], "error");
        assert!(v.to_string().contains(needle), "{v}");
    }
}

#[tokio::test]
async fn cors_preflight_allows_the_requested_headers() {
    let (base, _) = server(Faults::default()).await;
    let r = client()
        .request(reqwest::Method::OPTIONS, format!("{base}/messages"))
        .header("origin", "http://127.0.0.1:8080")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "x-api-key,anthropic-version,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:8080");
    assert!(h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("x-api-key"));
    assert_eq!(h["access-control-max-age"], "600");
    // A page can read the retry hints of an answer.
    let r = client()
        .post(format!("{base}/chat/completions"))
        .header("origin", "http://127.0.0.1:8080")
        .bearer_auth(KEY)
        .json(&question_request())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        exposed.contains("retry-after-ms") && exposed.contains("retry-after"),
        "{exposed}"
    );
}

#[tokio::test]
async fn injected_faults_have_the_providers_shapes() {
    let faults = Faults {
        p_429: 1.0,
        retry_after_ms: 1500,
        ..Faults::default()
    };
    let (base, state) = server(faults).await;
    let (s, h, body) = post_openai(&base, KEY, &question_request()).await;
    assert_eq!(s, 429);
    assert_eq!(h["retry-after-ms"], "1500");
    assert_eq!(h["retry-after"], "2");
    assert!(body.contains("try again in 1.500s"), "{body}");
    let set = |v: Value| {
        let base = base.clone();
        async move {
            client()
                .post(base.replace("/v1", "/_control"))
                .json(&v)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(set(json!({"p_429": 0.0, "p_truncated": 1.0})).await, 200);
    let (s, _, body) = post_openai(&base, KEY, &question_request()).await;
    assert_eq!(s, 200);
    assert!(
        serde_json::from_str::<Value>(&body).is_err(),
        "a truncated body is not JSON"
    );
    assert_eq!(
        set(json!({"p_truncated": 0.0, "p_refusal": 1.0})).await,
        200
    );
    let (_, _, body) = post_openai(&base, KEY, &question_request()).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["choices"][0]["message"]["content"].is_null()
            && v["choices"][0]["message"]["refusal"].is_string()
    );
    assert_eq!(set(json!({"no_such_fault": 1})).await, 400);
    let stats = state.inner.lock().unwrap().stats.clone();
    assert_eq!(
        (
            stats.faults["rate_limited"],
            stats.faults["truncated"],
            stats.refusals
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn fault_draws_repeat_for_a_seed() {
    let faults = Faults {
        p_500: 0.3,
        p_529: 0.3,
        seed: 9,
        ..Faults::default()
    };
    let mut runs = vec![];
    for _ in 0..2 {
        let (base, _) = server(faults.clone()).await;
        let mut statuses = vec![];
        for _ in 0..20 {
            statuses.push(post_openai(&base, KEY, &question_request()).await.0);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&529) && runs[0].contains(&200));
}

#[tokio::test]
async fn tls_mode_speaks_http2() {
    let state = AppState::new(Faults::default(), None);
    let base = spawn(state, true).await;
    let _ = client();
    let c = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let r = c
        .post(format!("{base}/chat/completions"))
        .json(&question_request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn web_pages_stand_where_an_api_might_have_been_expected() {
    let (base, _) = server(Faults::default()).await;
    let root = base.trim_end_matches("/v1");
    for (path, status) in [
        ("/web/chat/completions", 200),
        ("/web501/chat/completions", 501),
    ] {
        let r = client()
            .post(format!("{root}{path}"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(r.text().await.unwrap().contains("<title>"));
    }
    let r = client()
        .post(format!("{root}/login-wall/v1/chat/completions"))
        .send()
        .await
        .unwrap();
    assert!(
        r.url().path().starts_with("/web/sign-in"),
        "followed to the sign-in page"
    );
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn context_limits_error_bodies_and_unusable_replies() {
    let (base, _) = server(Faults {
        context_tokens: Some(10),
        ..Faults::default()
    })
    .await;
    let (s, _, body) = post_openai(&base, KEY, &question_request()).await;
    assert_eq!(s, 400);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["type"], "exceed_context_size_error");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("exceeds the available context size (10 tokens)"));

    let (base, _) = server(Faults {
        p_error_body: 1.0,
        ..Faults::default()
    })
    .await;
    let (s, _, body) = post_openai(&base, KEY, &question_request()).await;
    assert_eq!(
        (s, body.as_str()),
        (
            200,
            r#"{"error":{"code":502,"message":"Upstream provider overloaded"}}"#
        )
    );

    let (base, state) = server(Faults {
        bad_replies: true,
        ..Faults::default()
    })
    .await;
    let (_, _, body) = post_openai(&base, KEY, &question_request()).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["choices"][0]["message"]["content"], Value::Null);
    assert_eq!(state.inner.lock().unwrap().stats.self_check_failures, 0);
}

fn answer_request() -> Value {
    json!({"model": "m", "max_tokens": 200, "messages": [
        {"role": "system", "content": "[synfact:answer]\nSay: <key_sentence>Pandas are black and white.</key_sentence>"},
        {"role": "user", "content": "What colour are pandas?"}]})
}

#[tokio::test]
async fn lone_surrogates_hostile_text_and_cut_offs_are_sent_as_asked() {
    let (base, _) = server(Faults {
        lone_surrogates: true,
        hostile: true,
        ..Faults::default()
    })
    .await;
    let (_, _, body) = post_openai(&base, KEY, &answer_request()).await;
    assert!(
        body.contains("\\ud800"),
        "an unpaired surrogate escape: {body}"
    );
    assert!(
        serde_json::from_str::<Value>(&body).is_err(),
        "which strict parsers refuse"
    );
    let (_, _, q) = post_openai(&base, KEY, &question_request()).await;
    assert!(q.contains("<script>") && q.contains("onerror"), "{q}");
    let (base, state) = server(Faults {
        p_cutoff: 1.0,
        ..Faults::default()
    })
    .await;
    let (_, _, body) = post_openai(&base, KEY, &answer_request()).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    assert_eq!(state.inner.lock().unwrap().stats.injected["cut_off"], 1);
}

#[tokio::test]
async fn quality_faults_are_fresh_samples_when_asked_again() {
    let (base, state) = server(Faults {
        p_no_key_sentence: 0.5,
        seed: 3,
        ..Faults::default()
    })
    .await;
    let mut carried = Vec::new();
    for _ in 0..16 {
        let (_, _, body) = post_openai(&base, KEY, &answer_request()).await;
        carried.push(body.contains("Pandas are black and white."));
    }
    // The same request, asked again, is sometimes answered with the sentence and sometimes not.
    assert!(
        carried.iter().any(|c| *c) && carried.iter().any(|c| !*c),
        "{carried:?}"
    );
    let injected = state.inner.lock().unwrap().stats.injected["no_key_sentence"];
    assert_eq!(injected as usize, carried.iter().filter(|c| !**c).count());
}
