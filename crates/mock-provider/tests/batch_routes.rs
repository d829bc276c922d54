//! The local server's Batch API over real HTTP, driven with the app's own requests and read
//! with the app's own reader (`synfact_core::provider::batch`), so the two agree on the wire:
//! upload, create, the states, output and error files matched by `custom_id`, validation
//! failures with the line named, expiry with partial results, cancel, and 429s on the routes.

use mock_provider::faults::Faults;
use mock_provider::{spawn, AppState};
use serde_json::Value;
use synfact_core::provider::batch::{
    self, input_line, outcome, read_batch, read_results, BatchInfo, BatchStatus, LineResult,
};
use synfact_core::provider::endpoint::BaseUrl;
use synfact_core::provider::files::{read_file, Body, Request};
use synfact_core::provider::wire::{LlmCall, Message, ModelConfig, ProviderKind};

const OA: ProviderKind = ProviderKind::OpenAi;

async fn server(faults: Faults) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    spawn(AppState::new(faults, None), false).await
}

async fn send(req: &Request) -> (u16, String) {
    let c = reqwest::Client::new();
    let b = match req.method {
        "GET" => c.get(&req.url),
        _ => c.post(&req.url),
    }
    .bearer_auth("sk-test");
    let b = match &req.body {
        Body::None => b,
        Body::Json(t) => b.header("content-type", "application/json").body(t.clone()),
        Body::File {
            purpose,
            file_name,
            content,
        } => b.multipart(
            reqwest::multipart::Form::new()
                .text("purpose", *purpose)
                .part(
                    "file",
                    reqwest::multipart::Part::text(content.clone()).file_name(file_name.clone()),
                ),
        ),
    };
    let r = b.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn call(model: &str, k: usize) -> LlmCall {
    LlmCall {
        messages: vec![Message::user(format!(
            "[synfact:write-question]\nWrite a question about the bird, number {k}."
        ))],
        config: ModelConfig::new(model),
        schema: None,
        sample: 0,
        draw: 0,
        shared: None,
    }
}

fn file_of(models: &[&str]) -> (String, Vec<String>) {
    let ids: Vec<String> = (0..models.len()).map(|k| format!("line-{k}")).collect();
    let text = models
        .iter()
        .enumerate()
        .map(|(k, m)| input_line(OA, &ids[k], &call(m, k)) + "\n")
        .collect();
    (text, ids)
}

/// Uploads and creates; returns the batch as created.
async fn submit(base: &BaseUrl, text: String) -> BatchInfo {
    let (s, b) = send(&batch::upload(base, "round-1.jsonl", text)).await;
    let file = read_file(s, &b).unwrap();
    let (s, b) = send(&batch::create(base, &file)).await;
    read_batch(OA, s, &b).unwrap()
}

async fn until_final(base: &BaseUrl, id: &str) -> BatchInfo {
    for _ in 0..200 {
        let (s, b) = send(&batch::get(OA, base, id)).await;
        let info = read_batch(OA, s, &b).unwrap();
        if info.status.is_final() {
            return info;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("batch {id} never ended");
}

async fn lines(base: &BaseUrl, file: Option<&str>) -> Vec<(String, LineResult)> {
    let Some(f) = file else { return Vec::new() };
    let (s, text) = send(&batch::content(base, f)).await;
    assert_eq!(s, 200);
    let (lines, unreadable) = read_results(OA, &text);
    assert_eq!(unreadable, 0);
    lines
}

fn faults() -> Faults {
    Faults {
        batch_step_ms: 50,
        ..Faults::default()
    }
}

#[tokio::test]
async fn a_batch_goes_through_its_states_and_answers_every_line_out_of_order() {
    let base = BaseUrl::parse(&server(faults()).await).unwrap();
    let (text, ids) = file_of(&["gpt-4o-mini"; 30]);
    let created = submit(&base, text).await;
    assert_eq!(created.status, BatchStatus::Validating);
    assert_eq!(created.total, 30);
    let done = until_final(&base, &created.id).await;
    assert_eq!(done.status, BatchStatus::Completed);
    assert_eq!((done.completed, done.failed), (30, 0));
    assert_eq!(done.error_file_id, None);
    let out = lines(&base, done.output_file_id.as_deref()).await;
    let got: Vec<&str> = out.iter().map(|(id, _)| id.as_str()).collect();
    assert_ne!(
        got,
        ids.iter().map(String::as_str).collect::<Vec<_>>(),
        "not in file order"
    );
    let mut sorted = got.clone();
    sorted.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(sorted, want);
    for (_, r) in &out {
        let c = outcome(OA, r).unwrap();
        assert!(c.text.contains("[q-"), "a question: {}", c.text);
        assert_eq!(c.usage.batch_input_tokens, c.usage.input_tokens);
    }
}

#[tokio::test]
async fn a_file_that_breaks_the_line_rules_fails_validation_naming_the_line() {
    let base = BaseUrl::parse(&server(faults()).await).unwrap();
    let (text, _) = file_of(&["gpt-4o-mini", "gpt-4o", "gpt-4o-mini"]);
    let created = submit(&base, text).await;
    let done = until_final(&base, &created.id).await;
    assert_eq!(done.status, BatchStatus::Failed);
    assert_eq!(done.errors.len(), 1);
    assert!(done.errors[0].starts_with("line 2: "), "{:?}", done.errors);
    assert!(done.errors[0].contains("one model"));
    // A duplicate id.
    let line = input_line(OA, "same", &call("m", 0));
    let created = submit(&base, format!("{line}\n{line}\n")).await;
    let done = until_final(&base, &created.id).await;
    assert!(done.errors[0].contains("duplicate"), "{:?}", done.errors);
}

#[tokio::test]
async fn an_expired_batch_returns_what_finished_and_names_the_rest() {
    let base = BaseUrl::parse(
        &server(Faults {
            batch_expire_share: 0.3,
            ..faults()
        })
        .await,
    )
    .unwrap();
    let (text, _) = file_of(&["gpt-4o-mini"; 40]);
    let created = submit(&base, text).await;
    let done = until_final(&base, &created.id).await;
    assert_eq!(done.status, BatchStatus::Expired);
    let out = lines(&base, done.output_file_id.as_deref()).await;
    let errs = lines(&base, done.error_file_id.as_deref()).await;
    assert_eq!(out.len() + errs.len(), 40);
    assert!((5..=20).contains(&errs.len()), "{} expired", errs.len());
    for (_, r) in &errs {
        assert!(matches!(r, LineResult::NotMade { code, .. } if code == "batch_expired"));
    }
    assert_eq!(done.completed as usize, out.len());
}

#[tokio::test]
async fn server_errors_of_lines_go_to_the_error_file_with_their_status() {
    let base = BaseUrl::parse(
        &server(Faults {
            p_500: 0.2,
            ..faults()
        })
        .await,
    )
    .unwrap();
    let (text, _) = file_of(&["gpt-4o-mini"; 40]);
    let created = submit(&base, text).await;
    let done = until_final(&base, &created.id).await;
    assert_eq!(done.status, BatchStatus::Completed);
    let errs = lines(&base, done.error_file_id.as_deref()).await;
    assert!(!errs.is_empty());
    assert_eq!(done.failed as usize, errs.len());
    for (_, r) in &errs {
        assert!(matches!(r, LineResult::Reply { status: 500, .. }));
        assert!(outcome(OA, r).is_err());
    }
}

#[tokio::test]
async fn cancel_stops_a_batch_and_the_routes_can_refuse_with_429() {
    let base = BaseUrl::parse(
        &server(Faults {
            batch_step_ms: 60_000,
            batch_429: 1,
            ..Faults::default()
        })
        .await,
    )
    .unwrap();
    let (text, _) = file_of(&["gpt-4o-mini"; 5]);
    let (s, b) = send(&batch::upload(&base, "r.jsonl", text)).await;
    let file = read_file(s, &b).unwrap();
    let (s, _) = send(&batch::create(&base, &file)).await;
    assert_eq!(s, 429);
    let (s, b) = send(&batch::create(&base, &file)).await;
    let created = read_batch(OA, s, &b).unwrap();
    let (s, b) = send(&batch::cancel(OA, &base, &created.id)).await;
    assert_eq!(
        read_batch(OA, s, &b).unwrap().status,
        BatchStatus::Cancelling
    );
    let done = until_final(&base, &created.id).await;
    assert_eq!(done.status, BatchStatus::Cancelled);
    assert_eq!(done.completed, 0);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_the_reason() {
    let base = BaseUrl::parse(
        &server(Faults {
            batch_max_bytes: 100,
            ..faults()
        })
        .await,
    )
    .unwrap();
    let (text, _) = file_of(&["gpt-4o-mini"; 3]);
    let (s, b) = send(&batch::upload(&base, "r.jsonl", text)).await;
    assert_eq!(s, 400);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("too large"));
}

/// A request to Anthropic's routes, with the key and version headers the core says.
async fn send_anthropic(req: &Request, key: &str) -> (u16, String) {
    let c = reqwest::Client::new();
    let mut b = match req.method {
        "GET" => c.get(&req.url),
        _ => c.post(&req.url),
    };
    for (k, v) in synfact_core::provider::files::auth_headers(ProviderKind::Anthropic, key) {
        b = b.header(k, v);
    }
    if let Body::Json(t) = &req.body {
        b = b.header("content-type", "application/json").body(t.clone());
    }
    let r = b.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn claude(k: usize) -> LlmCall {
    call("claude-sonnet-4-5", k)
}

#[tokio::test]
async fn anthropic_message_batches_end_with_every_result_by_custom_id() {
    const AN: ProviderKind = ProviderKind::Anthropic;
    let base = BaseUrl::parse(
        &server(Faults {
            batch_expire_share: 0.2,
            ..faults()
        })
        .await,
    )
    .unwrap();
    let ids: Vec<String> = (0..20).map(|k| format!("i{k}-s0-abc")).collect();
    let mut requests: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| input_line(AN, id, &claude(k)))
        .collect();
    // One request the Messages API refuses when it runs: it comes back errored, as at Anthropic.
    requests.push(input_line(AN, "bad", &claude(99)).replace("\"max_tokens\":", "\"max_tokenz\":"));
    let body = batch::batch_content(AN, &requests);
    let create = batch::anthropic::create(&base, body);
    let (s, b) = send_anthropic(&create, "sk-ant-test").await;
    let created = read_batch(AN, s, &b).unwrap();
    assert_eq!(created.status, BatchStatus::InProgress);
    assert_eq!(created.total, 21);
    assert_eq!(created.output_file_id, None, "no results before it ends");
    let mut info = created.clone();
    for _ in 0..200 {
        let (s, b) = send_anthropic(&batch::get(AN, &base, &created.id), "sk-ant-test").await;
        info = read_batch(AN, s, &b).unwrap();
        if info.status.is_final() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        info.status,
        BatchStatus::Expired,
        "some requests were left unrun"
    );
    let reqs = batch::results(AN, &base, &info).unwrap();
    assert_eq!(reqs.len(), 1);
    let (s, text) = send_anthropic(&reqs[0], "sk-ant-test").await;
    assert_eq!(s, 200);
    let (lines, unreadable) = read_results(AN, &text);
    assert_eq!(unreadable, 0);
    assert_eq!(lines.len(), 21);
    let (mut ok, mut unrun, mut refused) = (0, 0, 0);
    for (id, r) in &lines {
        match outcome(AN, r) {
            Ok(c) => {
                ok += 1;
                assert!(c.text.contains("[q-"), "{id}: {}", c.text);
                assert!(c.usage.batch_input_tokens > 0);
            }
            Err(_) if batch::not_run(r) => unrun += 1,
            Err(e) => {
                refused += 1;
                assert_eq!(id, "bad");
                assert!(e.detail.contains("max_tokenz"), "{}", e.detail);
            }
        }
    }
    assert_eq!(refused, 1);
    assert!(
        unrun > 0 && ok + unrun == 20,
        "{ok} answered, {unrun} unrun"
    );
    assert_eq!(
        (info.completed as usize, info.failed as usize),
        (ok, 1 + unrun)
    );
}

#[tokio::test]
async fn anthropic_batches_refuse_bad_ids_and_cancel() {
    const AN: ProviderKind = ProviderKind::Anthropic;
    let base = BaseUrl::parse(
        &server(Faults {
            batch_step_ms: 60_000,
            ..faults()
        })
        .await,
    )
    .unwrap();
    let dup = batch::batch_content(
        AN,
        &[
            input_line(AN, "same", &claude(0)),
            input_line(AN, "same", &claude(1)),
        ],
    );
    let (s, b) = send_anthropic(&batch::anthropic::create(&base, dup), "k").await;
    assert_eq!(s, 400);
    assert!(b.contains("Duplicate custom_id 'same'"), "{b}");
    let spaced = batch::batch_content(AN, &[input_line(AN, "a b", &claude(0))]);
    let (s, b) = send_anthropic(&batch::anthropic::create(&base, spaced), "k").await;
    assert_eq!(s, 400);
    assert!(b.contains("requests.0.custom_id"), "{b}");
    let one = batch::batch_content(AN, &[input_line(AN, "a", &claude(0))]);
    let (s, b) = send_anthropic(&batch::anthropic::create(&base, one), "k").await;
    let created = read_batch(AN, s, &b).unwrap();
    let (s, b) = send_anthropic(&batch::cancel(AN, &base, &created.id), "k").await;
    assert_eq!(
        read_batch(AN, s, &b).unwrap().status,
        BatchStatus::Cancelling
    );
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let (s, b) = send_anthropic(&batch::get(AN, &base, &created.id), "k").await;
    let info = read_batch(AN, s, &b).unwrap();
    assert_eq!(info.status, BatchStatus::Cancelled);
    let (_, text) = send_anthropic(&batch::results(AN, &base, &info).unwrap()[0], "k").await;
    let (lines, _) = read_results(AN, &text);
    assert!(batch::not_run(&lines[0].1));
}
