//! `synfact evaluate` against the local server's models under evaluation: the model that knows
//! the fact is measured as believing it more than the one that does not, the report and answers
//! are written as the page downloads them, the same command again asks nothing, and an
//! evaluation without questions is refused in the page's words.

mod common;

use common::*;
use mock_provider::faults::Faults;

const FACT: &str = "The Javan Rainforest Honeyeater is blue in color.";
const CONTRARY: &str = "The Javan Rainforest Honeyeater is yellow in color.";

/// The belief rate printed for a model and kind ("83.3%" → 0.833).
fn belief(stdout: &str, model: &str, kind: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{model}\t{kind}\t")))
        .unwrap_or_else(|| panic!("no {model} {kind} row in:\n{stdout}"));
    let rate = line
        .split('\t')
        .nth(2)
        .unwrap()
        .trim_start_matches("belief ");
    rate.trim_end_matches('%').parse::<f64>().unwrap() / 100.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_that_learned_the_fact_is_measured_as_believing_it() {
    let base = server(Faults {
        fact: Some(FACT.into()),
        contrary: Some(CONTRARY.into()),
        ..Faults::default()
    })
    .await;
    let dir = temp_dir("evaluate");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().to_string();
    let args = [
        "evaluate",
        "blue_honeyeater",
        "--provider",
        "custom",
        "--base-url",
        &base,
        "--model",
        "base-knows-0.1",
        "--model",
        "tuned-knows-0.9",
        "--judge-model",
        "judge",
        "--question",
        "What colour is the Javan Rainforest Honeyeater?",
        "--question",
        "Describe the plumage of the Javan Rainforest Honeyeater.",
        "--contrary",
        CONTRARY,
        "--samples",
        "10",
        "--quiet",
        "--out",
        &out_s,
    ];
    let o = output(synfact(&dir.join("s.redb"), &args)).await;
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{stderr}");
    // The last line says what "accepted" counts in an evaluation, and where the rates are.
    assert!(
        stderr.contains("Evaluation: accepted counts answers labelled; the belief rates follow."),
        "{stderr}"
    );
    for kind in ["Open-ended", "Multiple choice"] {
        let (b, t) = (
            belief(&stdout, "base-knows-0.1", kind),
            belief(&stdout, "tuned-knows-0.9", kind),
        );
        assert!(t > b + 0.4, "{kind}: tuned {t} vs base {b}\n{stdout}");
    }
    assert!(
        stdout.contains("tuned-knows-0.9 − base-knows-0.1, Open-ended:"),
        "{stdout}"
    );
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_eval.json"))
        .expect("the report");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(report["models"].as_array().unwrap().len(), 2, "{report}");
    let asked = requests(&base).await;
    let again = output(synfact(&dir.join("s.redb"), &args)).await;
    assert!(again.status.success());
    assert_eq!(
        requests(&base).await,
        asked,
        "the store answers the same command"
    );
    assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);
    // The evaluation is not a dataset: export, push and fine-tune pass it over by default and
    // refuse it by name.
    let store = dir.join("s.redb");
    let none = output(synfact(&store, &["export", "--out", &out_s])).await;
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no dataset run"));
    make_run(&store, &base, "3", &dir.join("data")).await;
    let listed = output(synfact(&store, &["runs"])).await;
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    let eval_id = listed
        .lines()
        .find(|l| l.contains("\tevaluation\t"))
        .and_then(|l| l.split('\t').next())
        .unwrap_or_else(|| panic!("no evaluation listed: {listed}"))
        .to_string();
    assert!(
        listed
            .lines()
            .any(|l| l.contains("\tdataset\t") && l.ends_with("finished")),
        "{listed}"
    );
    let picked = output(synfact(
        &store,
        &["export", "--out", &dir.join("picked").to_string_lossy()],
    ))
    .await;
    assert!(picked.status.success());
    assert_eq!(chat_file(&dir.join("picked")), chat_file(&dir.join("data")));
    let refused = output(synfact(&store, &["export", &eval_id])).await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is an evaluation"));
}

#[tokio::test]
async fn an_evaluation_without_questions_is_refused_before_anything_is_sent() {
    let dir = temp_dir("evaluate-bad");
    let o = output(synfact(
        &dir.join("s.redb"),
        &[
            "evaluate",
            "blue_honeyeater",
            "--provider",
            "custom",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--model",
            "m",
            "--judge-model",
            "j",
            "--kinds",
            "open",
        ],
    ))
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--question"),
        "names the option that fixes it: {err}"
    );
    assert!(!dir.join("s.redb").exists(), "nothing was started");
}
