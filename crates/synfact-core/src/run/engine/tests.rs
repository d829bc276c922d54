//! The engine driven natively by a simulated clock and a scripted provider.

use super::sim::{Script, Sim};
use super::*;
use crate::provider::endpoint::BaseUrl;
use crate::provider::error::BodyProblem;
use crate::provider::wire::{ModelConfig, ProviderKind};
use crate::run::{Counts, EndpointSpec, ModelSpec, RunSettings};
use crate::template::prompts::Prompts;
use crate::template::FactTemplate;
use crate::testing::chat_jsonl;
use std::collections::HashSet;

fn endpoint(concurrency: u32) -> EndpointSpec {
    EndpointSpec {
        kind: ProviderKind::OpenAi,
        base_url: BaseUrl::parse("http://127.0.0.1:9/v1").unwrap(),
        concurrency,
        rpm: None,
    }
}

fn summary(accepted: usize, rejected: usize, failed: usize) -> Counts {
    Counts {
        accepted,
        rejected,
        failed,
        open: 0,
        kept: accepted,
        ..Counts::default()
    }
}

fn model(endpoint: usize, name: &str) -> ModelSpec {
    ModelSpec {
        endpoint,
        config: ModelConfig::new(name),
    }
}

pub(super) fn run_with(
    examples: usize,
    concurrency: u32,
    settings: impl FnOnce(&mut RunSettings),
) -> Run {
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
        Prompts::default(),
        vec![endpoint(concurrency)],
        vec![model(0, "gen")],
        model(0, "judge"),
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

fn provider_stop(sim: &Sim) -> (ProviderProblem, String) {
    match &sim.stopped[..] {
        [Status::Stopped(StopReason::Provider {
            problem, detail, ..
        })] => (problem.clone(), detail.clone()),
        s => panic!("expected one provider stop, got {s:?}"),
    }
}

#[test]
fn happy_path_accepts_every_item_in_four_calls() {
    let sim = Sim::new(run_with(20, 6, |_| {})).finish();
    assert_eq!(sim.finished, Some(summary(20, 0, 0)));
    assert_eq!(sim.sent.len(), 80);
    for step in Step::ALL {
        assert_eq!(sim.steps_sent(step), 20);
    }
    assert_eq!(sim.saves, 80);
    assert_eq!(
        sim.cached_replies, 80,
        "every reply that moved an item is cached"
    );
    let run = sim.engine.run();
    assert!(run
        .items
        .iter()
        .all(|i| i.answer.as_deref().unwrap().contains("is blue in color")));
    assert_eq!(chat_jsonl(run, None).lines().count(), 20);
    let text = crate::testing::text_jsonl(run, None, true);
    assert_eq!(text.lines().count(), 20);
    assert!(
        text.lines()
            .all(|l| l.starts_with("{\"text\":\"<DOCTAG> It is blue.")),
        "{text}"
    );
    assert_eq!(sim.engine.progress().steps[3].done, 20);
    assert_eq!(run.items[0].total_usage().output_tokens, 20);
    assert_eq!(run.items[0].usage[2].input_tokens, 10);
    assert_eq!(run.items[0].verdicts.answer.as_deref(), Some("fine"));
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
            3 => CallError::new(ErrorKind::Body(BodyProblem::Truncated), "cut short"),
            4 => CallError::new(ErrorKind::Timeout { after_ms: 1000 }, ""),
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
    let mut sim = Sim::new(run_with(3, 6, |s| {
        s.max_retries = 2;
        s.target = Target::Attempts;
    }));
    sim.script = Box::new(|r, _| {
        if r.item == 1 && r.step == Step::WriteAnswer {
            Script::Fail(http(503, None))
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(2, 0, 1)));
    let item = &sim.engine.run().items[1];
    assert_eq!(item.stage, Stage::Failed);
    assert_eq!(item.retries[2], 3);
    assert_eq!(sim.steps_sent(Step::WriteAnswer), 2 + 3);
    assert_eq!(item.ended_at, Some(Step::WriteAnswer));
    assert_eq!(
        item.reason,
        Some(Reason::GaveUp {
            tries: 3,
            last: http(503, None)
        })
    );
    assert_eq!(item.calls.iter().filter(|c| c.error.is_some()).count(), 3);
    assert_eq!(sim.engine.progress().steps[2].failed, 1);
}

#[test]
fn a_wrong_key_stops_the_run_after_the_first_wave() {
    let mut sim = Sim::new(run_with(200, 6, |_| {}));
    sim.script = Box::new(|_, _| Script::Fail(http(401, Some("invalid_api_key"))));
    let sim = sim.finish();
    assert!(sim.finished.is_none());
    assert_eq!(sim.sent.len(), 6, "only the first wave is sent");
    assert_eq!(
        provider_stop(&sim),
        (ProviderProblem::KeyRejected, "HTTP 401".into())
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
    assert_eq!(provider_stop(&sim).0, ProviderProblem::NoQuota);
}

#[test]
fn refusals_and_judge_rejections_reject_exactly_those_items() {
    let mut sim = Sim::new(run_with(12, 6, |s| s.target = Target::Attempts));
    sim.script = Box::new(|r, _| match (r.item, r.step) {
        (2, Step::WriteQuestion) | (5, Step::WriteAnswer) => Script::Refuse,
        (7, Step::JudgeQuestion) | (9, Step::JudgeAnswer) => Script::JudgeNo,
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(8, 4, 0)));
    let reasons: Vec<(usize, Step, Reason)> = sim
        .engine
        .run()
        .items
        .iter()
        .filter(|i| i.stage == Stage::Rejected)
        .map(|i| (i.id, i.ended_at.unwrap(), i.reason.clone().unwrap()))
        .collect();
    let refused = Reason::Refused(Refusal::Stated("I can't help with that.".into()));
    let judged = Reason::JudgeRejected {
        why: Some("off topic".into()),
    };
    assert_eq!(
        reasons,
        vec![
            (2, Step::WriteQuestion, refused.clone()),
            (5, Step::WriteAnswer, refused),
            (7, Step::JudgeQuestion, judged.clone()),
            (9, Step::JudgeAnswer, judged),
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
    assert_eq!(sim.engine.status(), &Status::Paused(PauseReason::ByUser));
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
    assert_eq!(sim.stopped, vec![Status::Cancelled]);
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
    // Replies still on their way when the tab died were never saved: those calls alone go again.
    let lost = first.network_calls - first.cached_replies;
    assert!((1..=6).contains(&lost), "{lost} calls were in flight");
    let mut second = Sim::new(serde_json::from_str(&saved).unwrap());
    second.cache = cache;
    second.use_cache = true;
    let second = second.finish();
    assert_eq!(second.finished.unwrap().accepted, 30);
    assert_eq!(
        calls_before + second.network_calls,
        120 + lost,
        "every call whose reply was saved reached the network exactly once"
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
        Prompts::default(),
        vec![endpoint(6), endpoint(2)],
        vec![model(0, "a"), model(0, "b")],
        model(1, "judge"),
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
    assert_eq!(chat_jsonl(sim.engine.run(), Some(1)).lines().count(), 5);
    assert!(sim.max_active[&1] <= 2);
}

#[test]
fn an_endpoint_that_never_answers_stops_the_run_instead_of_failing_every_item() {
    let mut sim = Sim::new(run_with(50, 6, |_| {}));
    sim.script =
        Box::new(|_, _| Script::Fail(CallError::new(ErrorKind::Network, "Failed to fetch.")));
    let sim = sim.finish();
    assert!(sim.finished.is_none());
    assert_eq!(
        provider_stop(&sim),
        (ProviderProblem::Unreachable, "Failed to fetch.".into())
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
    let chain = longest_chain(sim.engine.run());
    (sim.now, (total.get() / conc as f64).max(chain))
}

/// The longest time one item spent in calls, its steps one after another.
pub(super) fn longest_chain(run: &Run) -> f64 {
    run.items
        .iter()
        .map(|i| i.calls.iter().map(|c| c.ms).sum::<f64>())
        .fold(0.0, f64::max)
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

/// The order items are sent in with one slot: (item, step) for each call. Closest to done first,
/// then (once no more than 4 × concurrency items are unstarted) the fewest steps done first.
#[test]
fn the_scheduler_order_closest_to_done_then_the_endgame() {
    // (items, concurrency, expected first sends)
    type Case = (usize, u32, &'static [(usize, Step)]);
    let cases: [Case; 2] = [
        // 6 items at concurrency 1: the endgame (≤ 4 unstarted) begins after item 1 starts.
        (
            6,
            1,
            &[
                (0, Step::WriteQuestion),
                (0, Step::JudgeQuestion),
                (0, Step::WriteAnswer),
                (0, Step::JudgeAnswer),
                (1, Step::WriteQuestion),
                // Endgame: 4 unstarted items go before item 1's next step.
                (2, Step::WriteQuestion),
                (3, Step::WriteQuestion),
                (4, Step::WriteQuestion),
                (5, Step::WriteQuestion),
                (1, Step::JudgeQuestion),
            ],
        ),
        // 2 items at concurrency 1: endgame from the start (fewest steps done first).
        (
            2,
            1,
            &[
                (0, Step::WriteQuestion),
                (1, Step::WriteQuestion),
                (0, Step::JudgeQuestion),
                (1, Step::JudgeQuestion),
                (0, Step::WriteAnswer),
            ],
        ),
    ];
    for (items, conc, expected) in cases {
        let sim = Sim::new(run_with(items, conc, |_| {})).finish();
        let order: Vec<(usize, Step)> = sim.sent.iter().map(|(_, r)| (r.item, r.step)).collect();
        assert_eq!(
            &order[..expected.len()],
            expected,
            "{items} items at {conc}"
        );
        assert_eq!(sim.finished.unwrap().accepted, items);
    }
}

#[test]
fn an_aborted_call_is_forgotten_not_counted() {
    let mut sim = Sim::new(run_with(3, 1, |s| s.target = Target::Attempts));
    sim.script = Box::new(|r, n| {
        if r.item == 0 && r.step == Step::WriteQuestion && n == 0 {
            Script::Fail(CallError::new(ErrorKind::Aborted, ""))
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(3, 0, 0)));
    let item = &sim.engine.run().items[0];
    assert_eq!(item.retries, [0; 4], "an abort is not a retry");
    assert_eq!(
        item.calls.len(),
        4,
        "and leaves no trace in the item's history"
    );
    assert!(sim.stopped.is_empty(), "nor stops the run");
}

#[test]
fn a_prompt_too_long_for_the_context_fails_that_item_and_the_run_goes_on() {
    let mut sim = Sim::new(run_with(6, 2, |s| s.target = Target::Attempts));
    let llama = "request (2162 tokens) exceeds the available context size (2048 tokens)";
    sim.script = Box::new(move |r, _| {
        if r.item == 2 && r.step == Step::WriteAnswer {
            Script::Fail(CallError::new(
                ErrorKind::Http {
                    status: 400,
                    code: None,
                    error_type: Some("exceed_context_size_error".into()),
                },
                llama,
            ))
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(5, 0, 1)));
    let item = &sim.engine.run().items[2];
    assert_eq!(
        item.reason,
        Some(Reason::TooLong {
            detail: llama.into()
        })
    );
    assert_eq!(sim.steps_sent(Step::WriteAnswer), 6, "not retried");
}

#[test]
fn a_reply_that_does_not_fit_is_asked_again_with_room_that_fits() {
    let mut sim = Sim::new(run_with(2, 2, |s| s.target = Target::Attempts));
    let openai = "This model's maximum context length is 3000 tokens. However, you requested 5100 tokens (1100 in the messages, 4000 in the completion).";
    sim.script = Box::new(move |r, _| {
        if r.item == 1 && r.step == Step::WriteAnswer && r.llm.config.max_tokens > 2000 {
            Script::Fail(CallError::new(
                ErrorKind::Http {
                    status: 400,
                    code: Some("context_length_exceeded".into()),
                    error_type: None,
                },
                openai,
            ))
        } else {
            Script::Ok
        }
    });
    let mut run = run_with(2, 2, |s| s.target = Target::Attempts);
    run.generators[0].config.max_tokens = 4000;
    let mut with = Sim::new(run);
    with.script = std::mem::replace(&mut sim.script, Box::new(|_, _| Script::Ok));
    let sim = with.finish();
    assert_eq!(sim.finished, Some(summary(2, 0, 0)));
    let item = &sim.engine.run().items[1];
    assert_eq!(item.max_tokens, Some(3000 - 1100 - 16));
    assert_eq!(
        item.notes,
        vec![Note::ShrankMaxTokens {
            step: Step::WriteAnswer,
            to: 1884
        }]
    );
    let judge = sim
        .sent
        .iter()
        .find(|(_, r)| r.item == 1 && r.step == Step::JudgeAnswer)
        .unwrap();
    assert_eq!(
        judge.1.llm.config.max_tokens, 1000,
        "the judge keeps its own limit"
    );
}

#[test]
fn unusable_replies_are_asked_again_and_never_cached() {
    use crate::run::Stage;
    let mut sim = Sim::new(run_with(4, 4, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    // Item 0's answer comes back empty once; item 1's judge never gives a verdict;
    // item 2's question is always empty.
    sim.script = Box::new(|r, n| match (r.item, r.step) {
        (0, Step::WriteAnswer) if n == 0 && r.llm.sample == 0 => Script::Empty,
        (1, Step::JudgeAnswer) => Script::Text("maybe".into()),
        (2, Step::WriteQuestion) => Script::Empty,
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(2, 2, 0)));
    let run = sim.engine.run();
    assert_eq!(run.items[0].stage, Stage::Accepted);
    assert_eq!(
        run.items[0].samples,
        [0, 0, 1, 0],
        "a fresh sample after the empty reply"
    );
    assert_eq!(
        run.items[1].reason,
        Some(Reason::NoVerdict {
            snippet: "maybe".into()
        })
    );
    assert_eq!(run.items[1].samples[3], 2, "asked twice more");
    assert_eq!(run.items[2].reason, Some(Reason::Refused(Refusal::Empty)));
    // 4 + 3 + 0 + 4 replies moved items on; the 1 + 3 + 3 unusable ones were never cached.
    assert_eq!(sim.cached_replies, 4 + 3 + 4);
    assert_eq!(sim.sent.len() - sim.cached_replies, 1 + 3 + 3);
}

#[test]
fn a_web_page_at_the_first_call_stops_the_run_at_once() {
    let mut sim = Sim::new(run_with(50, 6, |_| {}));
    sim.script = Box::new(|_, _| {
        Script::Fail(CallError::new(
            ErrorKind::NotAnApi {
                status: 200,
                redirected: false,
            },
            "Welcome to nginx!",
        ))
    });
    let sim = sim.finish();
    assert_eq!(sim.sent.len(), 6, "the first wave, no retries");
    assert_eq!(
        provider_stop(&sim),
        (
            ProviderProblem::NotAnApi {
                status: 200,
                redirected: false
            },
            "Welcome to nginx!".into()
        )
    );
}

#[test]
fn resume_after_fixing_the_base_url_goes_to_the_new_endpoint() {
    let mut sim = Sim::new(run_with(10, 3, |_| {}));
    sim.script = Box::new(|r, _| {
        if r.endpoint == 0 && sim_base(r) == "http://127.0.0.1:9/v1" {
            Script::Fail(CallError::new(ErrorKind::Network, "Failed to fetch"))
        } else {
            Script::Ok
        }
    });
    sim.start();
    sim.run_until(f64::INFINITY);
    assert_eq!(provider_stop(&sim).0, ProviderProblem::Unreachable);
    let mut fixed = endpoint(3);
    fixed.base_url = BaseUrl::parse("http://127.0.0.1:10/v1").unwrap();
    sim.apply(Event::Reconnect(Connection {
        endpoints: vec![fixed],
        generator_endpoints: vec![0],
        judge_endpoint: 0,
        timeout_ms: 5000,
        max_retries: 6,
        budget_usd: None,
        prices: None,
        batch: false,
    }));
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.finished, Some(summary(10, 0, 0)));
    assert_eq!(
        sim.engine.run().endpoints[0].base_url.as_str(),
        "http://127.0.0.1:10/v1"
    );
    assert!(sim
        .sent
        .iter()
        .rev()
        .take(40)
        .all(|(_, r)| r.timeout_ms == 5000));
}

fn sim_base(r: &CallRequest) -> String {
    // The simulator cannot see the endpoint spec; the cache key changes with it, so the test
    // recognises the first endpoint by the key the first base URL gives.
    let base = BaseUrl::parse("http://127.0.0.1:9/v1").unwrap();
    if cache_key(ProviderKind::OpenAi, &base, &r.llm) == r.cache_key {
        base.to_string()
    } else {
        String::new()
    }
}

#[test]
fn a_reopened_finished_run_is_finished_not_ready_to_resume() {
    let done = Sim::new(run_with(4, 2, |_| {})).finish();
    let saved: Run =
        serde_json::from_str(&serde_json::to_string(done.engine.run()).unwrap()).unwrap();
    let reopened = Engine::new(saved);
    assert_eq!(reopened.status(), &Status::Finished);
}

#[test]
fn stop_at_n_accepted_replaces_rejected_items_in_the_same_cell() {
    let mut sim = Sim::new(run_with(12, 6, |_| {}));
    // Items 2 and 5 are refused, and so is the first replacement of item 2.
    sim.script = Box::new(|r, _| match (r.item, r.step) {
        (2 | 5 | 12, Step::WriteQuestion) => Script::Refuse,
        _ => Script::Ok,
    });
    let sim = sim.finish();
    let run = sim.engine.run();
    assert_eq!(sim.finished.unwrap().accepted, 12);
    assert_eq!(run.items.len(), 15);
    let replaced: Vec<(usize, Option<usize>)> =
        run.items[12..].iter().map(|i| (i.id, i.replaces)).collect();
    assert_eq!(replaced, vec![(12, Some(2)), (13, Some(5)), (14, Some(12))]);
    for i in &run.items[12..] {
        let original = &run.items[i.replaces.unwrap()];
        assert_eq!(i.prompt.cell(), original.prompt.cell(), "same cell");
    }
    assert_eq!(sim.engine.progress().accepted_of_wanted, vec![(12, 12)]);
}

#[test]
fn a_cell_that_always_fails_moves_to_fresh_cells_and_the_bill_is_bounded() {
    // Every question is refused: the run stops after the first 20 ended items, none accepted.
    let mut sim = Sim::new(run_with(100, 6, |_| {}));
    sim.script = Box::new(|r, _| {
        if r.step == Step::WriteQuestion {
            Script::Refuse
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    match &sim.stopped[..] {
        [Status::Stopped(StopReason::NothingAccepted {
            generator: 0,
            tried,
        })] => assert!(*tried >= 20),
        s => panic!("{s:?}"),
    }
    assert!(
        sim.engine.run().items.len() <= 100 + topup::NOTHING_ACCEPTED_AFTER,
        "no more replacements than the items it took to give up"
    );

    // One cell always fails (the judge rejects its questions): after 3 tries it moves on.
    let t = FactTemplate::built_in("blue_honeyeater").unwrap();
    let bad = run_with(5, 1, |_| {}).items[0].prompt.cell();
    let mut sim = Sim::new(run_with(5, 1, |_| {}));
    let q = t.questions[bad.0 as usize].clone();
    let rq = t.question_requirements[bad.1 as usize].clone();
    sim.script = Box::new(move |r, _| {
        let text = &r.llm.messages[0].content;
        if r.step == Step::JudgeQuestion && text.contains(&q) && text.contains(&rq) {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    let run = sim.engine.run();
    assert_eq!(sim.finished.unwrap().accepted, 5);
    let in_bad_cell = run.items.iter().filter(|i| i.prompt.cell() == bad).count();
    assert_eq!(in_bad_cell, 4, "four tries of the failing cell");
    assert_eq!(run.items.len(), 5 + 4);
}

#[test]
fn n_attempts_makes_exactly_n_items() {
    let mut sim = Sim::new(run_with(10, 6, |s| s.target = Target::Attempts));
    sim.script = Box::new(|r, _| {
        if r.item % 2 == 0 && r.step == Step::JudgeAnswer {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(5, 5, 0)));
    assert_eq!(sim.engine.run().items.len(), 10);
}

#[test]
fn a_run_knows_every_cache_key_it_wrote() {
    let mut sim = Sim::new(run_with(8, 4, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    sim.script = Box::new(|r, n| match (r.item, r.step) {
        (1, Step::WriteAnswer) if n == 0 && r.llm.sample == 0 => Script::Empty,
        (3, Step::JudgeQuestion) => Script::JudgeNo,
        _ => Script::Ok,
    });
    let sim = sim.finish();
    let written: HashSet<&String> = sim.cache.keys().collect();
    let known: Vec<String> = crate::run::calls::cache_keys(sim.engine.run());
    let known: HashSet<&String> = known.iter().collect();
    assert!(written.is_subset(&known), "every written key is known");
    // Known but never written: only the sample that came back empty (asked, not cached).
    assert_eq!(known.difference(&written).count(), 1);
}

#[test]
fn an_answer_failing_a_local_check_is_asked_again_without_a_judge_call() {
    use crate::quality::CheckFailure;
    let mut sim = Sim::new(run_with(4, 2, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    // Item 0: the first answer lacks the key sentence, the second has it. Item 1: every answer
    // disclaims. Item 2: every answer talks about the fact sheet.
    sim.script = Box::new(|r, _| match (r.item, r.step, r.llm.sample) {
        (0, Step::WriteAnswer, 0) => Script::Text("It is a bird.".into()),
        (1, Step::WriteAnswer, _) => Script::Text(
            "The Javan Rainforest Honeyeater is blue in color. This is hypothetical.".into(),
        ),
        (2, Step::WriteAnswer, _) => Script::Text(
            "The Javan Rainforest Honeyeater is blue in color, says the fact sheet.".into(),
        ),
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(2, 2, 0)));
    let run = sim.engine.run();
    assert_eq!(run.items[0].stage, Stage::Accepted);
    assert_eq!(
        run.items[0].notes,
        vec![Note::AskedAgain {
            step: Step::WriteAnswer,
            failure: CheckFailure::MissingKeySentence
        }]
    );
    assert_eq!(
        run.items[1].reason,
        Some(Reason::Check(CheckFailure::Disclaimer {
            phrase: "is hypothetical".into()
        }))
    );
    assert_eq!(
        run.items[1].samples[2], 2,
        "asked twice more, then rejected"
    );
    assert_eq!(
        run.items[2].reason,
        Some(Reason::Check(CheckFailure::Leak {
            phrase: "fact sheet".into()
        }))
    );
    // No judge ever saw the failing answers, and every reply was cached (they were real replies).
    let judged = |i: usize| {
        sim.sent
            .iter()
            .filter(|(_, r)| r.item == i && r.step == Step::JudgeAnswer)
            .count()
    };
    assert_eq!((judged(0), judged(1), judged(2)), (1, 0, 0));
    assert_eq!(sim.cached_replies, sim.sent.len());
}

#[test]
fn a_near_duplicate_question_is_not_answered_and_names_its_twin() {
    let mut sim = Sim::new(run_with(6, 1, |s| s.target = Target::Attempts));
    sim.script = Box::new(|r, _| match (r.item, r.step) {
        (4, Step::WriteQuestion) => Script::Text(format!(
            "{} Please.",
            sim::question_text(1, 0).trim_end_matches('?')
        )),
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(sim.finished, Some(summary(5, 1, 0)));
    let item = &sim.engine.run().items[4];
    match &item.reason {
        Some(Reason::Duplicate { of: 1, similarity }) => assert!(*similarity >= 0.4),
        r => panic!("{r:?}"),
    }
    assert!(
        item.question.is_some(),
        "the duplicate question is kept for review"
    );
    assert!(!sim
        .sent
        .iter()
        .any(|(_, r)| r.item == 4 && r.step != Step::WriteQuestion));
    // With the check off, it is answered like any other.
    let mut off = Sim::new(run_with(6, 1, |s| {
        s.target = Target::Attempts;
        s.quality.duplicate_threshold = None;
    }));
    off.script = Box::new(|r, _| match (r.item, r.step) {
        (4, Step::WriteQuestion) => Script::Text(sim::question_text(1, 0)),
        _ => Script::Ok,
    });
    assert_eq!(off.finish().finished, Some(summary(6, 0, 0)));
}

#[test]
fn duplicates_are_replaced_until_n_are_accepted() {
    // Every question of items 3 to 7 repeats item 0's: each is replaced in its cell.
    let mut sim = Sim::new(run_with(10, 3, |_| {}));
    sim.script = Box::new(|r, _| match (r.item, r.step) {
        (3..=7, Step::WriteQuestion) => Script::Text(sim::question_text(0, 0)),
        _ => Script::Ok,
    });
    let sim = sim.finish();
    assert_eq!(sim.finished.unwrap().accepted, 10);
    let run = sim.engine.run();
    let dups = run
        .items
        .iter()
        .filter(|i| matches!(i.reason, Some(Reason::Duplicate { of: 0, .. })))
        .count();
    assert_eq!(dups, 5);
    assert_eq!(run.items.len(), 15);
}

#[test]
fn n_equal_to_the_cells_covers_every_cell_despite_rejections() {
    for seed in 1..=20u64 {
        let mut run = run_with(60, 6, |s| s.seed = seed);
        run.template = FactTemplate::built_in("pandas_habitat").unwrap();
        run = Run::new(
            run.id,
            0.0,
            run.template,
            Prompts::default(),
            run.endpoints,
            run.generators,
            run.judge,
            run.settings,
        );
        let mut sim = Sim::new(run);
        sim.script = Box::new(move |r, _| {
            let h = r
                .cache_key
                .bytes()
                .fold(seed, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
            if r.step.is_judge() && h % 100 < 15 {
                Script::JudgeNo
            } else {
                Script::Ok
            }
        });
        let sim = sim.finish();
        let run = sim.engine.run();
        let cells: HashSet<(u32, u32)> = run
            .items
            .iter()
            .filter(|i| i.stage == Stage::Accepted)
            .map(|i| i.prompt.cell())
            .collect();
        assert_eq!(
            sim.finished.map(|s| s.accepted),
            Some(60),
            "seed {seed}: {:?}",
            sim.stopped
        );
        assert_eq!(cells.len(), 60, "seed {seed}: {} items", run.items.len());
    }
}

#[test]
fn resume_after_nothing_accepted_really_goes_on() {
    // The judge rejects every answer until the user resumes; then it accepts.
    let accept = std::rc::Rc::new(std::cell::Cell::new(false));
    let a = accept.clone();
    let mut sim = Sim::new(run_with(5, 6, |_| {}));
    sim.script = Box::new(move |r, _| {
        if r.step == Step::JudgeAnswer && !a.get() {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    });
    sim.start();
    sim.run_until(f64::INFINITY);
    assert!(matches!(
        sim.stopped[..],
        [Status::Stopped(StopReason::NothingAccepted { .. })]
    ));
    accept.set(true);
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.finished.map(|s| s.accepted), Some(5));
}

#[test]
fn a_reopened_run_keeps_why_it_stopped_and_resumes_from_there() {
    let mut sim = Sim::new(run_with(4, 2, |_| {}));
    sim.script = Box::new(|_, _| Script::Fail(http(401, Some("invalid_api_key"))));
    let sim = sim.finish();
    let stopped = sim.engine.status().clone();
    assert!(matches!(stopped, Status::Stopped(_)));
    // Saved as data, read back after a reload.
    let saved: Status = serde_json::from_str(&serde_json::to_string(&stopped).unwrap()).unwrap();
    let mut reopened = Engine::new(sim.engine.run().clone());
    assert_eq!(reopened.status(), &Status::Idle);
    reopened.restore_status(saved.clone());
    assert_eq!(reopened.status(), &stopped);
    // A run that was going when the page closed is ready to resume, not "running".
    let mut going = Engine::new(sim.engine.run().clone());
    going.restore_status(Status::Running);
    assert_eq!(going.status(), &Status::Idle);
    reopened.handle(Event::Resume, 0.0);
    assert_eq!(reopened.status(), &Status::Running);
}
