//! What the command line's tests share: a local provider server, the binary run as a user
//! runs it, the server's counters, and the files a run writes.

#![allow(dead_code)]

use mock_provider::faults::Faults;
use mock_provider::{spawn, AppState};
use std::path::PathBuf;
use std::process::{Command, Output};

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synfact-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub async fn server(faults: Faults) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    spawn(AppState::new(faults, None), false).await
}

/// The local server's counters.
pub async fn stats(base: &str) -> serde_json::Value {
    let root = base.trim_end_matches("/v1");
    reqwest::get(format!("{root}/_stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn requests(base: &str) -> u64 {
    stats(base).await["requests"].as_u64().unwrap()
}

pub fn synfact(store: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_synfact"));
    c.arg("--store")
        .arg(store)
        .args(args)
        .env_remove("SYNFACT_API_KEY");
    c
}

pub async fn output(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

pub fn chat_file(dir: &std::path::Path) -> String {
    let name = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_chat.jsonl"))
        .expect("a chat JSONL file");
    std::fs::read_to_string(name).unwrap()
}

/// Makes a run of `examples` items of the built-in template in `store` against the local server
/// at `base`, its files written to `out`.
pub async fn make_run(store: &std::path::Path, base: &str, examples: &str, out: &std::path::Path) {
    let out = out.to_string_lossy().to_string();
    let args = [
        "run",
        "blue_honeyeater",
        "--provider",
        "custom",
        "--base-url",
        base,
        "--model",
        "gen",
        "--judge-model",
        "judge",
        "--examples",
        examples,
        "--quiet",
        "--out",
        &out,
    ];
    let o = output(synfact(store, &args)).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
