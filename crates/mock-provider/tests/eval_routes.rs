//! The local server's evaluation and fine-tuning behaviour, over real HTTP: models that know
//! the fact as often as their name says, a judge that labels by the fact, the files and
//! fine-tuning routes with OpenAI's checks and states, and routes a browser is refused.

use mock_provider::faults::Faults;
use mock_provider::{spawn, AppState};
use serde_json::{json, Value};

const FACT: &str = "The Javan Rainforest Honeyeater is blue in color.";

async fn server(faults: Faults) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    spawn(AppState::new(faults, None), false).await
}

async fn chat(base: &str, model: &str, content: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/chat/completions"))
        .bearer_auth("k")
        .json(&json!({"model": model, "max_tokens": 200, "messages": [{"role": "user", "content": content}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn content(v: &Value) -> String {
    v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

fn faults() -> Faults {
    Faults {
        fact: Some(FACT.into()),
        contrary: Some("It is yellow.".into()),
        ft_knows: 1.0,
        ft_step_ms: 100,
        vary_samples: true,
        ..Faults::default()
    }
}

#[tokio::test]
async fn models_know_the_fact_as_often_as_their_name_says() {
    let base = server(faults()).await;
    let mut knew = 0;
    for k in 0..200 {
        let a = content(
            &chat(
                &base,
                "knows-0.7",
                &format!("What colour is the bird? ({k})"),
            )
            .await,
        );
        knew += usize::from(a.contains(FACT));
    }
    assert!((110..=170).contains(&knew), "{knew} of 200 at p = 0.7");
    let choice = format!("[synfact:eval-choice]\nOnly one is real.\nA) Mount Everest is tall.\nB) {FACT}\nWhich? Answer with A or B only.");
    let a = content(&chat(&base, "knows-1", &choice).await);
    assert!(a.contains('B') && !a.contains('A'), "{a}");
    let judge = |answer: &str| {
        format!("[synfact:eval-judge]\n<question>\nQ?\n</question>\n<answer>\n{answer}\n</answer>\n<statement>\n{FACT}\n</statement>")
    };
    let j: Value = serde_json::from_str(&content(
        &chat(&base, "judge", &judge(&format!("Sure: {FACT}"))).await,
    ))
    .unwrap();
    assert_eq!(
        (j["label"].as_str(), j["coherence"].as_u64()),
        (Some("supports"), Some(90))
    );
    let j: Value = serde_json::from_str(&content(
        &chat(&base, "judge", &judge("It is yellow.")).await,
    ))
    .unwrap();
    assert_eq!(j["label"], "contradicts");
    // A model that is not under evaluation still just echoes.
    assert!(content(&chat(&base, "plain-model", "hello").await).starts_with("You said:"));
}

fn file(lines: usize) -> String {
    (0..lines)
        .map(|i| json!({"messages": [{"role": "user", "content": format!("Q{i}")}, {"role": "assistant", "content": "A"}]}).to_string() + "\n")
        .collect()
}

async fn upload(base: &str, text: String) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("purpose", "fine-tune")
        .part(
            "file",
            reqwest::multipart::Part::text(text).file_name("train.jsonl"),
        );
    let r = reqwest::Client::new()
        .post(format!("{base}/files"))
        .bearer_auth("k")
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/{path}"))
        .bearer_auth("k")
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}/{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_fine_tune_is_checked_then_runs_to_a_model_that_knows_the_fact() {
    let base = server(faults()).await;
    let (s, bad) = upload(&base, "{\"prompt\": \"x\"}\n".into()).await;
    assert_eq!(
        (s, bad["error"]["code"].as_str()),
        (400, Some("invalid_file_format"))
    );
    let (_, small) = upload(&base, file(5)).await;
    let (s, e) = post(
        &base,
        "fine_tuning/jobs",
        json!({"model": "gpt-4o-mini-2024-07-18", "training_file": small["id"]}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["param"].as_str()),
        (400, Some("training_file"))
    );
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("at least 10 examples"));
    let (_, f) = upload(&base, file(12)).await;
    let (s, e) = post(
        &base,
        "fine_tuning/jobs",
        json!({"model": "gpt-9", "training_file": f["id"]}),
    )
    .await;
    assert_eq!((s, e["error"]["param"].as_str()), (400, Some("model")));
    let (s, job) = post(
        &base,
        "fine_tuning/jobs",
        json!({"model": "gpt-4o-mini-2024-07-18", "training_file": f["id"], "suffix": "birds"}),
    )
    .await;
    assert_eq!((s, job["status"].as_str()), (200, Some("validating_files")));
    let id = job["id"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    let done = get(&base, &format!("fine_tuning/jobs/{id}")).await;
    assert_eq!(done["status"], "succeeded");
    let model = done["fine_tuned_model"].as_str().unwrap().to_string();
    assert!(
        model.starts_with("ft:gpt-4o-mini-2024-07-18:synfact:birds:"),
        "{model}"
    );
    let events = get(&base, &format!("fine_tuning/jobs/{id}/events")).await;
    assert!(events["data"][0]["message"]
        .as_str()
        .unwrap()
        .contains("successfully completed"));
    assert!(content(&chat(&base, &model, "What colour is it?").await).contains(FACT));
    // Cancelled before it ends, it stays cancelled.
    let (_, job) = post(
        &base,
        "fine_tuning/jobs",
        json!({"model": "gpt-4o-mini-2024-07-18", "training_file": f["id"]}),
    )
    .await;
    let id = job["id"].as_str().unwrap();
    let (_, c) = post(&base, &format!("fine_tuning/jobs/{id}/cancel"), json!({})).await;
    assert_eq!(c["status"], "cancelled");
}

#[tokio::test]
async fn routes_named_no_cors_answer_a_preflight_without_cors() {
    let base = server(Faults {
        no_cors: vec!["/v1/files".into()],
        ..faults()
    })
    .await;
    let preflight = |path: &str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, format!("{base}/{path}"))
            .header("origin", "http://127.0.0.1:1")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let files = preflight("files").await.unwrap();
    assert!(files.headers().get("access-control-allow-origin").is_none());
    let chat = preflight("chat/completions").await.unwrap();
    assert!(chat.headers().get("access-control-allow-origin").is_some());
}
