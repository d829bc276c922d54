//! `synfact fine-tune` against the local server's fine-tuning routes: a run's chat file (and its
//! validation file) uploaded, the job created and saved with the run; `--no-wait` exits while it
//! runs and the same command follows that job (never starting another) to its new model.

mod common;

use common::*;
use mock_provider::faults::Faults;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_started_once_and_followed_to_its_new_model() {
    let base = server(Faults {
        ft_step_ms: 100,
        ..Faults::default()
    })
    .await;
    let dir = temp_dir("fine-tune");
    let store = dir.join("s.redb");
    make_run(&store, &base, "12", &dir.join("out")).await;
    let ft = |extra: &[&str]| {
        let mut a = vec![
            "fine-tune",
            "--provider",
            "custom",
            "--base-url",
            &base,
            "--suffix",
            "honeyeater",
            "--split",
            "0.2",
        ];
        a.extend_from_slice(extra);
        let mut c = synfact(&store, &a);
        c.env("SYNFACT_API_KEY", "sk-local");
        c
    };
    let started = output(ft(&["--no-wait"])).await;
    let err = String::from_utf8_lossy(&started.stderr).to_string();
    assert_eq!(started.status.code(), Some(75), "{err}");
    assert!(err.contains("Uploading blue_honeyeater"), "{err}");
    let job = err
        .split("Fine-tuning job ")
        .nth(1)
        .and_then(|t| t.split(':').next())
        .unwrap_or_else(|| panic!("no job in {err}"))
        .to_string();
    // --no-wait again and again, as a cron job would: each looks at the job once, until it ends.
    let mut followed = output(ft(&["--no-wait"])).await;
    for _ in 0..40 {
        if followed.status.code() != Some(75) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        followed = output(ft(&["--no-wait"])).await;
    }
    let err2 = String::from_utf8_lossy(&followed.stderr).to_string();
    assert!(followed.status.success(), "{err2}");
    assert!(!err2.contains("Uploading"), "started again: {err2}");
    assert!(
        err2.contains(&format!("Fine-tuning job {job}: succeeded")),
        "{err2}"
    );
    let model = String::from_utf8_lossy(&followed.stdout).trim().to_string();
    assert!(
        model.starts_with("ft:") && model.contains("honeyeater"),
        "{model}"
    );
    // Too few examples for the provider: refused in the page's words before any upload.
    let small = temp_dir("fine-tune-small");
    let s2 = small.join("s.redb");
    make_run(&s2, &base, "3", &small.join("out")).await;
    let mut c = synfact(
        &s2,
        &["fine-tune", "--provider", "custom", "--base-url", &base],
    );
    c.env("SYNFACT_API_KEY", "sk-local");
    let refused = output(c).await;
    assert_eq!(refused.status.code(), Some(2), "nothing was sent");
    let words = String::from_utf8_lossy(&refused.stderr);
    assert!(
        words.contains("3") && !words.contains("Uploading"),
        "{words}"
    );
}
