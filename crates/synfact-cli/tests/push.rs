//! `synfact push` against the local server's stand-in for the Hugging Face Hub: a run's dataset
//! committed as the page commits it (the same files and card), the token only from `HF_TOKEN`
//! and never in the output, a wrong token refused in the page's words.

mod common;

use common::*;
use mock_provider::faults::Faults;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runs_dataset_is_committed_to_the_hub_with_the_token_from_the_environment() {
    let base = server(Faults::default()).await;
    let hub = base.trim_end_matches("/v1").to_string();
    let dir = temp_dir("push");
    let store = dir.join("s.redb");
    make_run(&store, &base, "5", &dir.join("out")).await;
    let push = |token: &str| {
        let mut c = synfact(
            &store,
            &["push", "--repo", "alice/honeyeater", "--hub", &hub],
        );
        c.env("HF_TOKEN", token);
        c
    };
    let wrong = output(push("hf_wrong_token")).await;
    assert_eq!(wrong.status.code(), Some(1));
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains("Not pushed") || err.contains("401") || err.contains("token"),
        "{err}"
    );
    assert!(!err.contains("hf_wrong_token"));
    let ok = output(push(mock_provider::HUB_TOKEN)).await;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(ok.status.success(), "{said}");
    assert!(said.contains("/datasets/alice/honeyeater"), "{said}");
    assert!(!said.contains(mock_provider::HUB_TOKEN));
    let hub_state: serde_json::Value = reqwest::get(format!("{hub}/_hub"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let files = &hub_state["alice/honeyeater"]["files"];
    let chat = files
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("_chat.jsonl"))
        .map(|(_, v)| v.as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no chat file in {hub_state}"));
    assert_eq!(
        chat,
        chat_file(&dir.join("out")),
        "the same bytes as the export"
    );
    assert!(files.get("README.md").is_some(), "a dataset card: {files}");
}
