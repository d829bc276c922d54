//! Evaluation runs on the engine: every case answered and labelled, choices read without a
//! judge call, each sample its own cache key, and a reload that asks no answered call again.

use super::sim::Sim;
use super::*;
use crate::eval::results::EvalResults;
use crate::eval::{Belief, EvalKind, EvalQuestions, EvalSettings, EvalSpec};
use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::{ModelConfig, ProviderKind};
use crate::run::EndpointSpec;
use crate::run::{ModelSpec, RunSettings};
use crate::template::fact::FactTemplate;
use std::collections::HashSet;

fn eval_run() -> Run {
    let model = |name: &str| ModelSpec {
        endpoint: 0,
        config: ModelConfig::new(name),
    };
    Run::new_eval(
        "eval".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse("http://127.0.0.1:9/v1").unwrap(),
            concurrency: 4,
            rpm: None,
        }],
        vec![model("base"), model("ft:base:birds")],
        model("judge"),
        RunSettings::default(),
        EvalSpec {
            settings: EvalSettings {
                samples: 2,
                ..EvalSettings::default()
            },
            questions: EvalQuestions {
                questions: vec!["What colour is it?".into(), "Describe its plumage.".into()],
                distractor: String::new(),
                contrary: "The Javan Rainforest Honeyeater is yellow in color.".into(),
            },
            training_run: None,
        },
    )
}

#[test]
fn every_case_is_answered_and_only_open_answers_are_judged() {
    let run = eval_run();
    // Per model: 2 questions × 2 samples open, 2 orders × 2 samples choice, 4 distinguish.
    assert_eq!(run.items.len(), 2 * (4 + 4 + 4));
    assert_eq!(run.judge.config.temperature, Some(0.0));
    assert_eq!(run.generators[1].config.temperature, Some(1.0));
    let sim = Sim::new(run).finish();
    let done = sim.finished.expect("finished");
    assert_eq!((done.accepted, done.failed), (24, 0));
    assert_eq!(sim.steps_sent(Step::WriteAnswer), 24);
    assert_eq!(sim.steps_sent(Step::JudgeAnswer), 8, "only open answers");
    assert_eq!(sim.steps_sent(Step::WriteQuestion), 0);
    // The judge saw the open answer; "A" is the key sentence in half the choices.
    let r = EvalResults::of(sim.engine.run());
    let open = &r.rates[0][0];
    assert_eq!(open.decided(), 4);
    let choice = &r.rates[1][1];
    assert_eq!((choice.supports, choice.contradicts), (2, 2));
    for i in &sim.engine.run().items {
        let case = i.eval.as_ref().unwrap();
        assert!(case.belief.is_some());
        if case.kind == EvalKind::Open {
            let said_blue = i.answer.as_deref() == Some("It is blue in color.");
            assert_eq!(case.belief == Some(Belief::Supports), said_blue);
        }
    }
}

#[test]
fn each_sample_is_its_own_call_and_a_reload_asks_nothing_twice() {
    let keys: HashSet<String> = {
        let sim = Sim::new(eval_run()).finish();
        sim.sent
            .iter()
            .filter(|(_, r)| r.step == Step::WriteAnswer)
            .map(|(_, r)| r.cache_key.clone())
            .collect()
    };
    assert_eq!(keys.len(), 24, "a sample repeats no other's cache key");
    // The same open answer to the same question is judged once: the judge's call is the same
    // (temperature 0), so the cache answers the repeat.
    let mut reference = Sim::new(eval_run());
    reference.use_cache = true;
    let reference = reference.finish();
    assert!(reference.network_calls < 32);
    let mut first = Sim::new(eval_run());
    first.use_cache = true;
    first.start();
    first.run_until(250.0);
    let saved = serde_json::to_string(first.engine.run()).unwrap();
    let lost = first.network_calls - first.cached_replies;
    let before = first.network_calls;
    let mut second = Sim::new(serde_json::from_str(&saved).unwrap());
    second.cache = std::mem::take(&mut first.cache);
    second.use_cache = true;
    let second = second.finish();
    assert_eq!(second.finished.unwrap().accepted, 24);
    assert_eq!(
        before + second.network_calls,
        reference.network_calls + lost
    );
}

#[test]
fn a_fine_tune_is_kept_with_its_run_and_sends_nothing() {
    use crate::eval::fine_tune::{FineTune, JobSpec, JobStatus};
    let run = crate::testing::run("blue_honeyeater", &["m"], "j", |_| {});
    let mut engine = Engine::new(run);
    let ft = FineTune {
        base_url: BaseUrl::parse("https://api.openai.com/v1").unwrap(),
        spec: JobSpec::default(),
        training_file: "file-a".into(),
        validation_file: None,
        job_id: "ftjob-1".into(),
        status: JobStatus::Running,
        fine_tuned_model: None,
        error: None,
        events: Vec::new(),
    };
    let cmds = engine.handle(Event::FineTune(Some(ft.clone())), 0.0);
    assert!(cmds.iter().all(|c| !matches!(c, Command::Send(_))));
    assert_eq!(engine.run().fine_tune.as_ref(), Some(&ft));
    // Saved with the run's settings record: a reload reads it back.
    let saved: Run = serde_json::from_str(&serde_json::to_string(engine.run()).unwrap()).unwrap();
    assert_eq!(saved.fine_tune, Some(ft));
}

#[test]
fn an_evaluation_is_priced_by_its_own_calls() {
    use crate::cost::{estimate, Price, PriceTable};
    let run = eval_run();
    let mut prices = PriceTable::default();
    for m in ["base", "ft:base:birds", "judge"] {
        let price = Price {
            input: 1.0,
            output: 2.0,
            cached_input: None,
            cache_write: None,
            batch_input: None,
            batch_output: None,
        };
        prices.prices.insert(m.into(), price);
    }
    let e = estimate(&run, &prices, None);
    // Per model: 12 answers, and 4 judge calls for the open ones (choices are read locally).
    assert_eq!((e.items, e.calls), (24, 2 * (12 + 4)));
    let sim = Sim::new(run).finish();
    let sent = sim.steps_sent(Step::WriteAnswer) + sim.steps_sent(Step::JudgeAnswer);
    assert_eq!(
        e.calls as usize, sent,
        "the estimate counts the calls the run makes"
    );
    assert!(e.usd.unwrap() > 0.0 && e.input_tokens > e.output_tokens);
}

#[test]
fn an_evaluations_progress_counts_its_own_calls() {
    let run = eval_run();
    let mut sim = Sim::new(run);
    sim.apply(Event::Start);
    let p = sim.engine.progress();
    // Per model: 12 answers and 4 labels; nothing answered yet, no question step.
    assert_eq!((p.calls_answered, p.calls_needed), (0, 2 * (12 + 4)));
    assert_eq!(p.steps[Step::WriteQuestion.index()].done, 0);
    assert_eq!(
        p.steps[Step::JudgeAnswer.index()].skipped,
        2 * 8,
        "choices are not judged"
    );
    let sim = sim.finish();
    let p = sim.engine.progress();
    let sent = sim.steps_sent(Step::WriteAnswer) + sim.steps_sent(Step::JudgeAnswer);
    assert_eq!((p.calls_answered, p.calls_needed), (sent, sent));
    assert_eq!(p.steps[Step::WriteAnswer.index()].done, 24);
    assert_eq!(p.steps[Step::JudgeAnswer.index()].done, 8);
}
