//! `synfact run --batch` against the local server's batch routes, as a user runs it: through
//! OpenAI's Batch API and Anthropic's Message Batches the dataset is byte for byte the live
//! run's, with lines failing and expiring on the way; with `--no-wait` each command submits or
//! collects a round and exits, the next takes it up, and no line is sent twice.

mod common;

use common::*;
use mock_provider::faults::Faults;

fn args<'a>(provider: &'a str, base: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        "blue_honeyeater",
        "--provider",
        provider,
        "--base-url",
        base,
        "--model",
        "gen",
        "--judge-model",
        "judge",
        "--examples",
        "20",
        "--stop-when",
        "attempts",
        "--concurrency",
        "4",
        "--quiet",
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    a
}

/// Runs the command in a fresh store and returns its chat JSONL.
async fn dataset(name: &str, provider: &str, base: &str, extra: &[&str]) -> String {
    let dir = temp_dir(name);
    let out = dir.join("out").to_string_lossy().to_string();
    let mut c = synfact(&dir.join("s.redb"), &args(provider, base, &out, extra));
    c.env("ANTHROPIC_API_KEY", "sk-ant-test");
    let o = output(c).await;
    assert!(
        o.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    chat_file(&dir.join("out"))
}

fn faulty() -> Faults {
    Faults {
        batch_step_ms: 30,
        p_500: 0.1,
        batch_expire_share: 0.1,
        ..Faults::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openai_batch_run_makes_the_live_runs_dataset() {
    let base = server(faulty()).await;
    let live = dataset("oa-live", "custom", &base, &[]).await;
    let before = stats(&base).await;
    let batched = dataset("oa-batch", "custom", &base, &["--batch"]).await;
    assert_eq!(batched.lines().count(), 20);
    assert_eq!(batched, live, "the same replies make the same bytes");
    let after = stats(&base).await;
    let made = after["batches_created"].as_u64().unwrap();
    assert!(made >= 4, "four rounds at least: {made}");
    assert_eq!(before["batches_created"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anthropic_run_goes_through_message_batches_and_makes_the_live_runs_dataset() {
    let base = server(faulty()).await;
    let live = dataset("an-live", "anthropic", &base, &[]).await;
    let live_calls = stats(&base).await["by_route"]["messages"].as_u64().unwrap();
    let batched = dataset("an-batch", "anthropic", &base, &["--batch"]).await;
    assert_eq!(batched, live);
    let s = stats(&base).await;
    assert!(s["batches_created"].as_u64().unwrap() >= 4, "{s}");
    // Every batched line ran through the Messages route: as many as live, give or take the
    // retries of lines that failed or expired.
    let batch_lines = s["batch_lines"].as_u64().unwrap();
    assert!(batch_lines >= 80, "{batch_lines}");
    assert_eq!(
        s["by_route"]["messages"].as_u64().unwrap(),
        live_calls + batch_lines
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_wait_submits_and_exits_and_the_same_command_collects_without_sending_twice() {
    let base = server(Faults {
        batch_step_ms: 150,
        ..Faults::default()
    })
    .await;
    let dir = temp_dir("no-wait");
    let out = dir.join("out").to_string_lossy().to_string();
    let a = args("custom", &base, &out, &["--batch", "--no-wait"]);
    let mut waits = 0;
    let mut last = None;
    for _ in 0..60 {
        let o = output(synfact(&dir.join("s.redb"), &a)).await;
        match o.status.code() {
            Some(75) => {
                waits += 1;
                // Quiet: one line, the round at the provider and how to collect it.
                let err = String::from_utf8_lossy(&o.stderr);
                assert_eq!(err.trim().lines().count(), 1, "{err}");
                assert!(err.contains("done at the provider"), "{err}");
                assert!(
                    err.contains("the same command collects the results"),
                    "{err}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            code => {
                last = Some((code, String::from_utf8_lossy(&o.stderr).to_string()));
                break;
            }
        }
    }
    let (code, err) = last.expect("the run finished");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        waits >= 4,
        "each of the four rounds was waited for: {waits}"
    );
    let s = stats(&base).await;
    assert_eq!(s["batches_created"], 4, "one batch per round: {s}");
    assert_eq!(s["batch_lines"], 80, "20 items × 4 calls, none twice: {s}");
    let live = dataset("no-wait-live", "custom", &base, &[]).await;
    assert_eq!(chat_file(&dir.join("out")), live);
}
