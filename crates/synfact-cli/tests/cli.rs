//! The `synfact` binary against the local provider server, as a user runs it: a run that
//! finishes and writes its files, the same command resuming without asking anything again, a
//! kill -9 mid-run costing at most the calls in flight, keys only from the environment, and a
//! bad template refused in the page's words.

mod common;

use common::*;
use mock_provider::faults::Faults;
use std::time::Duration;

fn run_args<'a>(base: &'a str, examples: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
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
        "--stop-when",
        "attempts",
        "--quiet",
        "--out",
        out,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_writes_its_files_and_the_same_command_resumes_without_asking_again() {
    let base = server(Faults::default()).await;
    let dir = temp_dir("resume");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().to_string();
    let store = dir.join("s.redb");
    let first = output(synfact(&store, &run_args(&base, "6", &out_s))).await;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.starts_with("Finished: 6 accepted, 0 rejected, 0 failed"),
        "{stderr}"
    );
    let chat = chat_file(&out);
    assert_eq!(chat.lines().count(), 6);
    let asked = requests(&base).await;
    assert_eq!(asked, 24);
    // Again: the same run, answered by the store; nothing sent.
    let again = output(synfact(&store, &run_args(&base, "6", &out_s))).await;
    assert!(again.status.success());
    assert_eq!(requests(&base).await, asked);
    assert_eq!(chat_file(&out), chat);
    let runs = output(synfact(&store, &["runs"])).await;
    let runs = String::from_utf8_lossy(&runs.stdout).to_string();
    assert_eq!(runs.lines().count(), 1);
    assert!(runs.starts_with("cli-"), "saved under its own id: {runs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_mid_run_loses_at_most_the_calls_in_flight_and_the_dataset_is_the_same() {
    let base = server(Faults {
        latency_ms: 40,
        ..Faults::default()
    })
    .await;
    let dir = temp_dir("kill");
    let store = dir.join("s.redb");
    let out = dir.join("out").to_string_lossy().to_string();
    let mut args = run_args(&base, "30", &out);
    args.extend(["--concurrency", "4"]);
    let mut child = synfact(&store, &args).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    child.kill().unwrap();
    let _ = child.wait();
    let before = requests(&base).await;
    assert!(
        before > 0 && before < 120,
        "killed mid-run after {before} requests"
    );
    let resumed = output(synfact(&store, &args)).await;
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let total = requests(&base).await;
    // 120 calls in all: at most the 4 in flight at the kill were asked twice.
    eprintln!("killed after {before} requests; {total} in all for 120 calls");
    assert!(total <= 120 + 4, "{total} requests for 120 calls");

    // A clean run of the same command elsewhere gives the same dataset.
    let clean_dir = temp_dir("kill-clean");
    let clean_out = clean_dir.join("out").to_string_lossy().to_string();
    let mut clean_args = run_args(&base, "30", &clean_out);
    clean_args.extend(["--concurrency", "4"]);
    let clean = output(synfact(&clean_dir.join("s.redb"), &clean_args)).await;
    assert!(clean.status.success());
    assert_eq!(
        chat_file(&dir.join("out")),
        chat_file(&clean_dir.join("out"))
    );
}

#[tokio::test]
async fn a_key_given_as_an_argument_is_refused_and_never_echoed() {
    let dir = temp_dir("key");
    let o = output(synfact(
        &dir.join("s.redb"),
        &[
            "run",
            "blue_honeyeater",
            "--model",
            "m",
            "--judge-model",
            "j",
            "--api-key=sk-secret-123",
        ],
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("environment only") && err.contains("OPENAI_API_KEY"),
        "{err}"
    );
    assert!(!err.contains("sk-secret-123"));
    assert!(!dir.join("s.redb").exists(), "nothing was started");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_paused_by_its_budget_goes_on_with_the_budget_given_when_it_is_run_again() {
    let base = server(Faults::default()).await;
    let dir = temp_dir("budget");
    let store = dir.join("s.redb");
    let out = dir.join("out").to_string_lossy().to_string();
    // Models with list prices, so that the spend is known.
    let mut args: Vec<&str> = run_args(&base, "30", &out)
        .into_iter()
        .map(|a| {
            if a == "gen" || a == "judge" {
                "gpt-4o-mini"
            } else {
                a
            }
        })
        .collect();
    args.extend(["--budget", "0.0002"]);
    let paused = output(synfact(&store, &args)).await;
    assert_eq!(paused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&paused.stderr);
    assert!(
        said.contains("budget") && said.contains("--budget"),
        "{said}"
    );
    assert!(
        !said.contains("press Resume"),
        "the page's button named: {said}"
    );
    let asked = requests(&base).await;
    assert!(asked < 120, "paused early: {asked}");
    let n = args.len();
    args[n - 1] = "5";
    let resumed = output(synfact(&store, &args)).await;
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    // At most the calls in flight when it paused (six on plain HTTP) were asked twice.
    assert!(
        requests(&base).await <= 120 + 6,
        "nothing answered asked again"
    );
    assert_eq!(chat_file(&dir.join("out")).lines().count(), 30);
}

#[tokio::test]
async fn a_bad_template_or_setting_is_refused_in_the_pages_words() {
    let dir = temp_dir("bad");
    let file = dir.join("t.json");
    std::fs::write(&file, "{\"fact_name\": 3}").unwrap();
    let o = output(synfact(
        &dir.join("s.redb"),
        &[
            "run",
            file.to_str().unwrap(),
            "--model",
            "m",
            "--judge-model",
            "j",
        ],
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).trim().is_empty());
    let o = output(synfact(
        &dir.join("s.redb"),
        &[
            "run",
            "blue_honeyeater",
            "--provider",
            "custom",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--judge-model",
            "j",
            "--examples",
            "abc",
        ],
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Examples must be a whole number") || err.contains("Examples"),
        "{err}"
    );
    // A setting the form has no word for is refused, not taken for the default.
    let o = output(synfact(
        &dir.join("s.redb"),
        &[
            "run",
            "blue_honeyeater",
            "--model",
            "m",
            "--judge-model",
            "j",
            "--stop-when",
            "bananas",
        ],
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--stop-when bananas"));
    // The commands that read a store do not make one where none is.
    let o = output(synfact(&dir.join("typo.redb"), &["export"])).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no store at"));
    assert!(!dir.join("typo.redb").exists());
    // An empty file is not a dataset.
    std::fs::write(dir.join("empty.jsonl"), "").unwrap();
    let o = output(synfact(
        &dir.join("s.redb"),
        &["check", dir.join("empty.jsonl").to_str().unwrap()],
    ))
    .await;
    assert_eq!(o.status.code(), Some(1));
}
