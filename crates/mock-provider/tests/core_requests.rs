//! The requests synfact's core builds are accepted by the server, and its replies parse back,
//! for every step of the loop and both protocols.

use mock_provider::faults::Faults;
use mock_provider::{spawn, AppState};
use synfact_core::provider::wire::{
    build_request, parse_response, ModelConfig, ProviderKind, RawReply,
};
use synfact_core::template::prompts::Prompts;
use synfact_core::{
    BaseUrl, Command, EndpointSpec, Engine, Event, FactTemplate, ModelSpec, Run, RunSettings,
    Stage, Status, Step,
};

async fn one_item_through_all_steps(kind: ProviderKind, model: &str) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let state = AppState::new(Faults::default(), Some("k".into()));
    let base = BaseUrl::parse(&spawn(state.clone(), false).await).unwrap();
    let mut config = ModelConfig::new(model);
    config.temperature = Some(1.0);
    let run = Run::new(
        "r".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        Prompts::default(),
        vec![EndpointSpec {
            kind,
            base_url: base.clone(),
            concurrency: 1,
            rpm: None,
        }],
        vec![ModelSpec {
            endpoint: 0,
            config: config.clone(),
        }],
        ModelSpec {
            endpoint: 0,
            config: ModelConfig::new(model),
        },
        RunSettings {
            examples: 1,
            ..RunSettings::default()
        },
    );
    let mut engine = Engine::new(run);
    let mut cmds = engine.handle(Event::Start, 0.0);
    let client = reqwest::Client::new();
    let mut steps = vec![];
    while let Some(req) = cmds.iter().find_map(|c| match c {
        Command::Send(r) => Some(r.clone()),
        _ => None,
    }) {
        steps.push(req.step);
        let http = build_request(kind, &base, "k", &req.llm);
        let mut b = client.post(&http.url).body(http.body.clone());
        for (k, v) in &http.headers {
            b = b.header(k, v);
        }
        let resp = b.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap();
        assert_eq!(status, 200, "{:?} {body}", req.step);
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let result = parse_response(
            kind,
            &RawReply {
                status,
                header: &header,
                redirected: false,
                body: &body,
            },
        );
        assert!(result.is_ok(), "{result:?}");
        cmds = engine.handle(
            Event::Reply {
                call: req.call,
                result,
                cached: false,
            },
            1.0,
        );
    }
    assert_eq!(steps, Step::ALL.to_vec());
    assert_eq!(engine.status(), &Status::Finished);
    let run = engine.run();
    assert_eq!(run.items[0].stage, Stage::Accepted);
    assert!(
        run.items[0]
            .verdicts
            .answer
            .as_deref()
            .is_some_and(|w| w.len() > 5),
        "the judge gave its reason through the structured output"
    );
    assert!(run.items[0]
        .answer
        .as_deref()
        .unwrap()
        .contains("The Javan Rainforest Honeyeater is blue in color."));
    let stats = state.inner.lock().unwrap().stats.clone();
    assert_eq!(
        (stats.invalid, stats.self_check_failures),
        (0, 0),
        "{:?}",
        stats.last_invalid
    );
}

#[tokio::test]
async fn openai_compatible_loop() {
    one_item_through_all_steps(ProviderKind::OpenAi, "gpt-4.1-mini").await;
}

#[tokio::test]
async fn openai_reasoning_model_loop() {
    one_item_through_all_steps(ProviderKind::OpenAi, "o4-mini").await;
}

#[tokio::test]
async fn anthropic_loop() {
    one_item_through_all_steps(ProviderKind::Anthropic, "claude-sonnet-4-5").await;
}
