//! The engine driven natively by a simulated clock and a scripted provider.

use super::sim::{Script, Sim};
use super::*;
use crate::run::{EndpointSpec, Generator, RunSettings};
use crate::template::FactTemplate;
use crate::wire::{ModelConfig, ProviderKind};
use std::collections::HashSet;

fn endpoint(concurrency: u32) -> EndpointSpec {
    EndpointSpec {
        kind: ProviderKind::OpenAi,
        base_url: "http://127.0.0.1:9/v1".into(),
        concurrency,
        rpm: None,
    }
}

fn run_with(examples: usize, concurrency: u32, settings: impl FnOnce(&mut RunSettings)) -> Run {
    let mut s = RunSettings {
        examples,
        backoff_base_ms: 100,
        ..RunSettings::default()
    };
    settings(&mut s);
    Run::new(
        "r1".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        vec![endpoint(concurrency)],
        vec![Generator {
            endpoint: 0,
            config: ModelConfig::new("gen"),
        }],
        Generator {
            endpoint: 0,
            config: ModelConfig::new("judge"),
        },
        s,
    )
}

fn http(status: u16, code: Option<&str>) -> CallError {
    CallError::new(
        ErrorKind::Http {
            status,
            code: code.map(Into::into),
            error_type: None,
        },
        format!("HTTP {status}"),
    )
}

#[test]
fn happy_path_accepts_every_item_in_four_calls() {
    let sim = Sim::new(run_with(20, 6, |_| {})).finish();
    let s = sim.finished.expect("finished");
    assert_eq!(
        s.finished_line(),
        "Finished: 20 accepted, 0 rejected, 0 failed"
    );
    assert_eq!(sim.sent.len(), 80);
    for step in Step::ALL {
        assert_eq!(sim.steps_sent(step), 20);
    }
    assert_eq!(sim.saves, 80);
    let run = sim.engine.run();
    assert!(run
        .items
        .iter()
        .all(|i| i.answer.as_deref().unwrap().contains("is blue in color")));
    assert_eq!(run.chat_jsonl(None).lines().count(), 20);
    assert_eq!(sim.engine.progress().steps[3].done, 20);
    assert_eq!(run.items[0].usage.output_tokens, 20);
}

#[test]
fn concurrency_limit_is_never_exceeded() {
    let mut sim = Sim::new(run_with(30, 4, |_| {}));
    sim.latency = Box::new(|r| 50.0 + (r.item % 7) as f64 * 30.0);
    let sim = sim.finish();
    assert_eq!(sim.max_active[&0], 4);
}

#[test]
fn pipelined_items_answer_before_all_questions_are_done() {
    let sim = Sim::new(run_with(40, 6, |_| {})).finish();
    let first_answer = sim
        .sent
        .iter()
        .position(|(_, r)| r.step == Step::WriteAnswer)
        .unwrap();
    let last_question = sim
        .sent
        .iter()
        .rposition(|(_, r)| r.step == Step::WriteQuestion)
        .unwrap();
    assert!(first_answer < last_question);
}

#[test]
fn stage_barrier_writes_no_answer_before_every_question_is_judged() {
    let sim = Sim::new(run_with(40, 6, |s| s.schedule = Schedule::StageBarrier)).finish();
    let first_answer = sim
        .sent
        .iter()
        .position(|(_, r)| r.step == Step::WriteAnswer)
        .unwrap();
    let last_judge = sim
        .sent
        .iter()
        .rposition(|(_, r)| r.step == Step::JudgeQuestion)
        .unwrap();
    assert!(first_answer > last_judge);
    assert_eq!(sim.finished.unwrap().accepted, 40);
}

#[test]
fn items_closest_to_done_go_first() {
    let mut sim = Sim::new(run_with(10, 1, |_| {}));
    sim.start();
    sim.run_until(f64::INFINITY);
    // With one slot, each item runs its whole chain before the next item starts.
    let order: Vec<(usize, Step)> = sim.sent.iter().map(|(_, r)| (r.item, r.step)).collect();
    assert_eq!(
        &order[..5],
        &[
            (0, Step::WriteQuestion),
            (0, Step::JudgeQuestion),
            (0, Step::WriteAnswer),
            (0, Step::JudgeAnswer),
            (1, Step::WriteQuestion)
        ]
    );
}

#[test]
fn requests_per_minute_limit_holds_in_every_window() {
    let mut run = run_with(10, 8, |_| {});
    run.endpoints[0].rpm = Some(12);
    let sim = Sim::new(run).finish();
    assert_eq!(sim.finished.unwrap().accepted, 10);
    let times: Vec<f64> = sim.sent.iter().map(|(t, _)| *t).collect();
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..].iter().take_while(|u| **u < t + 60_000.0).count();
        assert!(in_window <= 12, "{in_window} sends in the minute from {t}");
    }
    assert!(
        *times.last().unwrap() >= 180_000.0,
        "40 calls at 12/min take over 3 minutes"
    );
}

#[test]
fn transient_errors_are_retried_with_backoff_and_counted() {
    let mut sim = Sim::new(run_with(6, 6, |_| {}));
    // The first try of every question fails, with a different transient error per item.
    sim.script = Box::new(|r, n| {
        if r.step != Step::WriteQuestion || n > 0 {
            return Script::Ok;
        }
        let mut e = match r.item % 6 {
            0 => http(429, Some("rate_limit_exceeded")),
            1 => http(500, None),
            2 => http(529, None),
            3 => CallError::new(ErrorKind::Malformed, "cut short"),
            4 => CallError::new(ErrorKind::Timeout, "timed out"),
            _ => CallError::new(ErrorKind::Network, "offline"),
        };
        if r.item == 0 {
            e.retry_after_ms = Some(5_000);
        }
        Script::Fail(e)
    });
    let sim = sim.finish();
    assert_eq!(sim.finished.unwrap().accepted, 6);
    let run = sim.engine.run();
    assert!(run.items.iter().all(|i| i.retries == [1, 0, 0, 0]));
    assert_eq!(sim.engine.progress().steps[0].retried, 6);
    // Item 0 honoured the five-second hint.
    let tries: Vec<f64> = sim
        .sent
        .iter()
        .filter(|(_, r)| r.item == 0 && r.step == Step::WriteQuestion)
        .map(|(t, _)| *t)
        .collect();
    assert!(tries[1] - tries[0] >= 5_100.0 - 1.0, "{tries:?}");
}

#[test]
fn retries_are_bounded_and_the_item_fails_with_the_last_error() {
    let mut sim = Sim::new(run_with(3, 6, |s| s.max_retries = 2));
    sim.script = Box::new(|r, _| {
        if r.item == 1 && r.step == Step::WriteAnswer {
            Script::Fail(http(503, None))
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert_eq!(
        sim.finished.unwrap().finished_line(),
        "Finished: 2 accepted, 0 rejected, 1 failed"
    );
    let item = &sim.engine.run().items[1];
    assert_eq!(item.stage, Stage::Failed);
    assert_eq!(item.retries[2], 3);
    assert_eq!(sim.steps_sent(Step::WriteAnswer), 2 + 3);
    assert_eq!(
        item.reason.as_deref(),
        Some("Answers: gave up after 3 tries; last error: HTTP 503")
    );
    assert_eq!(sim.engine.progress().steps[2].failed, 1);
}

#[test]
fn a_wrong_key_stops_the_run_after_the_first_wave() {
    let mut sim = Sim::new(run_with(200, 6, |_| {}));
    sim.script = Box::new(|_, _| Script::Fail(http(401, Some("invalid_api_key"))));
    let sim = sim.finish();
    assert!(sim.finished.is_none());
    assert_eq!(sim.sent.len(), 6, "only the first wave is sent");
    assert_eq!(sim.stopped.len(), 1);
    assert!(
        sim.stopped[0].contains("rejected the API key (401)"),
        "{}",
        sim.stopped[0]
    );
    assert!(matches!(sim.engine.status(), Status::Stopped(_)));
    assert_eq!(sim.aborted.len(), 5);
}

#[test]
fn insufficient_quota_is_never_retried() {
    let mut sim = Sim::new(run_with(5, 1, |_| {}));
    sim.script = Box::new(|_, _| Script::Fail(http(429, Some("insufficient_quota"))));
    let sim = sim.finish();
    assert_eq!(sim.sent.len(), 1);
    assert!(sim.stopped[0].contains("no quota left"));
}

#[test]
fn refusals_and_judge_rejections_reject_exactly_those_items() {
    let mut sim = Sim::new(run_with(12, 6, |_| {}));
    sim.script = Box::new(|r, _| match (r.item, r.step) {
        (2, Step::WriteQuestion) | (5, Step::WriteAnswer) => Script::Refuse,
        (7, Step::JudgeQuestion) | (9, Step::JudgeAnswer) => Script::JudgeNo,
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(
        sim.finished.unwrap().finished_line(),
        "Finished: 8 accepted, 4 rejected, 0 failed"
    );
    let reasons: Vec<(usize, String)> = sim
        .engine
        .run()
        .items
        .iter()
        .filter(|i| i.stage == Stage::Rejected)
        .map(|i| (i.id, i.reason.clone().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                2,
                "Questions: the model refused: I can't help with that.".into()
            ),
            (
                5,
                "Answers: the model refused: I can't help with that.".into()
            ),
            (
                7,
                "Question checks: the judge found it did not comply".into()
            ),
            (9, "Answer checks: the judge found it did not comply".into()),
        ]
    );
    let p = sim.engine.progress();
    assert_eq!(
        [
            p.steps[0].rejected,
            p.steps[1].rejected,
            p.steps[2].rejected,
            p.steps[3].rejected
        ],
        [1, 1, 1, 1]
    );
}

#[test]
fn pause_sends_nothing_until_resume() {
    let mut sim = Sim::new(run_with(20, 2, |_| {}));
    sim.start();
    sim.run_until(250.0);
    sim.apply(Event::Pause);
    let before = sim.sent.len();
    sim.run_until(10_000.0);
    assert_eq!(
        sim.sent.len(),
        before,
        "in-flight calls finish, nothing new is sent"
    );
    assert_eq!(sim.engine.status(), &Status::Paused);
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.finished.unwrap().accepted, 20);
}

#[test]
fn cancel_aborts_in_flight_calls_and_resume_carries_on() {
    let mut sim = Sim::new(run_with(10, 3, |_| {}));
    sim.start();
    sim.run_until(150.0);
    sim.apply(Event::Cancel);
    assert_eq!(sim.aborted.len(), 3);
    assert_eq!(sim.engine.status(), &Status::Cancelled);
    assert!(sim.stopped[0].starts_with("Cancelled"));
    sim.run_until(5_000.0);
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.finished.unwrap().accepted, 10);
}

#[test]
fn resume_from_a_saved_run_finishes_the_same_without_repeating_answered_calls() {
    let reference = Sim::new(run_with(30, 6, |_| {})).finish();
    let mut first = Sim::new(run_with(30, 6, |_| {}));
    first.use_cache = true;
    first.start();
    first.run_until(420.0);
    // The tab dies: only the saved run and the response cache survive.
    let saved = serde_json::to_string(first.engine.run()).unwrap();
    let cache = std::mem::take(&mut first.cache);
    let calls_before = first.network_calls;
    let mut second = Sim::new(serde_json::from_str(&saved).unwrap());
    second.cache = cache;
    second.use_cache = true;
    let second = second.finish();
    assert_eq!(second.finished.unwrap().accepted, 30);
    assert_eq!(
        calls_before + second.network_calls,
        120,
        "every call reached the network exactly once"
    );
    let pairs = |r: &Run| {
        r.items
            .iter()
            .map(|i| (i.question.clone(), i.answer.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(second.engine.run()), pairs(reference.engine.run()));
}

#[test]
fn several_generators_make_n_each_and_the_judge_has_its_own_endpoint() {
    let mut run = run_with(5, 6, |_| {});
    run = Run::new(
        run.id,
        0.0,
        run.template,
        vec![endpoint(6), endpoint(2)],
        vec![
            Generator {
                endpoint: 0,
                config: ModelConfig::new("a"),
            },
            Generator {
                endpoint: 0,
                config: ModelConfig::new("b"),
            },
        ],
        Generator {
            endpoint: 1,
            config: ModelConfig::new("judge"),
        },
        run.settings,
    );
    let sim = Sim::new(run).finish();
    assert_eq!(sim.finished.unwrap().accepted, 10);
    assert!(sim
        .sent
        .iter()
        .all(|(_, r)| (r.endpoint == 1) == r.step.is_judge()));
    assert!(sim
        .sent
        .iter()
        .filter(|(_, r)| r.step.is_judge())
        .all(|(_, r)| r.llm.config.model == "judge"));
    let models: HashSet<&str> = sim
        .sent
        .iter()
        .filter(|(_, r)| r.step == Step::WriteAnswer)
        .map(|(_, r)| r.llm.config.model.as_str())
        .collect();
    assert_eq!(models, HashSet::from(["a", "b"]));
    assert_eq!(sim.engine.run().chat_jsonl(Some(1)).lines().count(), 5);
    assert!(sim.max_active[&1] <= 2);
}

#[test]
fn an_endpoint_that_never_answers_stops_the_run_instead_of_failing_every_item() {
    let mut sim = Sim::new(run_with(50, 6, |_| {}));
    sim.script =
        Box::new(|_, _| Script::Fail(CallError::new(ErrorKind::Network, "Failed to fetch.")));
    let sim = sim.finish();
    assert!(sim.finished.is_none());
    assert!(
        sim.stopped[0].contains("could not be reached: Failed to fetch."),
        "{}",
        sim.stopped[0]
    );
    assert!(
        sim.sent.len() < 50,
        "{} calls: the run stopped before trying every item",
        sim.sent.len()
    );
}

/// Simulates `items` items at concurrency `conc` with lognormal latency (median 200 ms, sigma 0.8);
/// returns (makespan, lower bound): the bound is the larger of total latency / concurrency and the
/// longest item's chain.
fn simulate(items: usize, conc: u32, seed: u64, schedule: Schedule) -> (f64, f64) {
    let mut sim = Sim::new(run_with(items, conc, |s| s.schedule = schedule));
    let rng = std::rc::Rc::new(std::cell::RefCell::new(ChaCha8Rng::seed_from_u64(seed)));
    let total = std::rc::Rc::new(std::cell::Cell::new(0.0));
    let (r, t) = (rng.clone(), total.clone());
    sim.latency = Box::new(move |_| {
        let mut r = r.borrow_mut();
        let u1: f64 = r.random::<f64>().max(1e-12);
        let u2: f64 = r.random();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        let x = 200.0 * (0.8 * z).exp();
        t.set(t.get() + x);
        x
    });
    let sim = sim.finish();
    assert_eq!(sim.finished.unwrap().accepted, items);
    let chain = sim
        .engine
        .run()
        .items
        .iter()
        .map(|i| i.calls.iter().map(|c| c.ms).sum::<f64>())
        .fold(0.0, f64::max);
    (sim.now, (total.get() / conc as f64).max(chain))
}

#[test]
fn the_schedule_stays_close_to_the_lower_bound_in_simulation() {
    let mean = |conc: u32, schedule: Schedule| {
        let ratios: Vec<f64> = (1..=8)
            .map(|seed| {
                let (wall, bound) = simulate(200, conc, seed, schedule);
                wall / bound
            })
            .collect();
        ratios.iter().sum::<f64>() / ratios.len() as f64
    };
    let pipelined_50 = mean(50, Schedule::Pipelined);
    let barrier_50 = mean(50, Schedule::StageBarrier);
    let pipelined_6 = mean(6, Schedule::Pipelined);
    assert!(pipelined_50 <= 1.30, "{pipelined_50}");
    assert!(pipelined_6 <= 1.05, "{pipelined_6}");
    assert!(
        barrier_50 / pipelined_50 >= 1.15,
        "{barrier_50} vs {pipelined_50}"
    );
}
