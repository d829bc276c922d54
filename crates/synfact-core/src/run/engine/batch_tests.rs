//! Runs sent as batches, in simulation: the rounds a run takes, the same dataset as a live run
//! given the same replies, lines the provider did not run or failed, the budget before a round,
//! a failed batch, a reopened page, and switching between live and batch.

use super::sim::{Script, Sim};
use super::tests::run_with;
use super::*;
use crate::provider::error::BatchProblem;
use crate::run::batch::BatchState;
use crate::run::calls::{call_for, Texts};
use crate::run::RunSettings;
use crate::testing::chat_jsonl;
use std::collections::{HashMap, HashSet};

/// A number from a call's content (its cache key), the same in every run that makes the call.
fn hash_of(req: &CallRequest) -> u64 {
    u64::from_str_radix(&req.cache_key[..15], 16).unwrap_or(0)
}

fn batch_run(examples: usize, settings: impl FnOnce(&mut RunSettings)) -> Run {
    run_with(examples, 50, |s| {
        s.batch = true;
        settings(s);
    })
}

/// How many times each call (by cache key) was sent.
fn sends(sim: &Sim) -> HashMap<&String, usize> {
    let mut per_key: HashMap<&String, usize> = HashMap::new();
    for (_, r) in &sim.sent {
        *per_key.entry(&r.cache_key).or_default() += 1;
    }
    per_key
}

#[test]
fn a_batch_run_takes_four_rounds_and_makes_the_dataset_of_a_live_run() {
    let live = Sim::new(run_with(200, 50, |s| s.target = Target::Attempts)).finish();
    let mut sim = Sim::new(batch_run(200, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    let sim = sim.finish();
    assert_eq!(sim.engine.status(), &Status::Finished);
    assert_eq!(sim.rounds, [200, 200, 200, 200]);
    assert_eq!(
        chat_jsonl(sim.engine.run(), None),
        chat_jsonl(live.engine.run(), None)
    );
    // The same calls: the same cache keys, each sent once.
    let keys = |s: &Sim| {
        let mut k: Vec<String> = s.sent.iter().map(|(_, r)| r.cache_key.clone()).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&sim), keys(&live));
    assert!(sends(&sim).values().all(|n| *n == 1));
    // Billed at the batch price: every token counted as a batch token.
    let usage = sim.engine.run().items[0].usage[0];
    assert_eq!(usage.batch_input_tokens, usage.input_tokens);
    assert!(usage.input_tokens > 0);
}

#[test]
fn rejected_items_are_judged_and_replaced_in_later_rounds_until_n_are_accepted() {
    // The judge rejects a sixth of the questions, by their content.
    let script = |req: &CallRequest, _| {
        if req.step == Step::JudgeQuestion && hash_of(req).is_multiple_of(6) {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    };
    let mut sim = Sim::new(batch_run(100, |_| {}));
    sim.script = Box::new(script);
    let sim = sim.finish();
    assert_eq!(sim.engine.status(), &Status::Finished);
    let counts = sim.engine.run().counts();
    assert_eq!(counts.accepted, 100);
    assert!(counts.rejected > 0);
    // Four rounds for the first items, then the replacements' own (their question goes in the
    // round after the rejection, alongside the first items' answers).
    assert!(sim.rounds.len() > 4, "rounds {:?}", sim.rounds);
    assert_eq!(sim.rounds[0], 100);
    assert_eq!(sim.rounds.iter().sum::<usize>(), sim.sent.len());
    // The live run reaches the same count with the same judge.
    let mut live = Sim::new(run_with(100, 50, |_| {}));
    live.script = Box::new(script);
    let live = live.finish();
    assert_eq!(live.engine.run().counts().accepted, 100);
}

#[test]
fn lines_the_provider_did_not_run_or_failed_go_in_the_next_round_and_change_no_result() {
    let clean = {
        let mut s = Sim::new(batch_run(200, |s| s.target = Target::Attempts));
        s.use_cache = true;
        s.finish()
    };
    let mut sim = Sim::new(batch_run(200, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    // A tenth of the lines fail once (a 500 in the output), another tenth expire once.
    sim.script = Box::new(|req, n| {
        if n == 0 && hash_of(req) % 10 == 3 {
            Script::Fail(CallError::new(
                ErrorKind::Http {
                    status: 500,
                    code: None,
                    error_type: None,
                },
                "server error",
            ))
        } else {
            Script::Ok
        }
    });
    let mut expired: HashSet<String> = HashSet::new();
    sim.expire =
        Box::new(move |req| hash_of(req) % 10 == 7 && expired.insert(req.cache_key.clone()));
    let sim = sim.finish();
    assert_eq!(sim.engine.status(), &Status::Finished);
    assert_eq!(
        chat_jsonl(sim.engine.run(), None),
        chat_jsonl(clean.engine.run(), None)
    );
    assert!(
        sim.rounds.len() > 4,
        "retries take rounds of their own: {:?}",
        sim.rounds
    );
    // A failure counts as a retry; a line the provider did not run does not.
    let retried: u32 = sim.engine.run().items.iter().flat_map(|i| i.retries).sum();
    let failed_lines = sim
        .sent
        .iter()
        .filter(|(_, r)| hash_of(r) % 10 == 3)
        .map(|(_, r)| &r.cache_key)
        .collect::<HashSet<_>>()
        .len();
    assert_eq!(retried as usize, failed_lines);
    println!(
        "200 items, 10 % of lines failed once and 10 % expired once: rounds {:?}",
        sim.rounds
    );
}

#[test]
fn a_round_that_would_pass_the_budget_is_not_submitted() {
    // Each reply costs 10 input + 5 output tokens at the batch price; the budget lets the first
    // rounds go and stops before one that would pass it.
    let mut run = batch_run(50, |s| s.target = Target::Attempts);
    let price = run.settings.prices.price_of("gpt-4o-mini").unwrap();
    let mut p = price;
    p.batch_input = Some(10_000.0);
    p.batch_output = Some(10_000.0);
    run.settings.prices.prices.insert("gen".into(), p);
    run.settings.prices.prices.insert("judge".into(), p);
    run.settings.budget_usd = Some(1.0);
    let mut sim = Sim::new(run);
    sim.start();
    sim.run_until(f64::INFINITY);
    let status = sim.engine.status().clone();
    let Status::Paused(PauseReason::RoundOverBudget {
        spent_usd,
        round_usd,
        budget_usd,
    }) = status
    else {
        panic!(
            "expected a pause before the round, got {status:?} after {:?}",
            sim.rounds
        );
    };
    assert!(spent_usd <= budget_usd, "spent {spent_usd} of {budget_usd}");
    assert!(spent_usd + round_usd > budget_usd);
    assert!(
        sim.rounds.is_empty(),
        "the first round alone passes it: {:?}",
        sim.rounds
    );
    // Raised, the run goes on from where it was.
    let mut raise = sim.engine.run().clone();
    raise.settings.budget_usd = Some(1000.0);
    sim.apply(Event::Reconnect(Connection {
        endpoints: raise.endpoints.clone(),
        generator_endpoints: vec![0],
        judge_endpoint: 0,
        timeout_ms: 5000,
        max_retries: 6,
        budget_usd: Some(1000.0),
        prices: None,
        batch: true,
    }));
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.engine.status(), &Status::Finished);
    assert_eq!(sim.rounds, [50, 50, 50, 50]);
}

#[test]
fn a_budget_stops_between_rounds_once_the_next_would_pass_it() {
    let mut run = batch_run(50, |s| s.target = Target::Attempts);
    let mut p = run.settings.prices.price_of("gpt-4o-mini").unwrap();
    p.batch_input = Some(100.0);
    p.batch_output = Some(100.0);
    run.settings.prices.prices.insert("gen".into(), p);
    run.settings.prices.prices.insert("judge".into(), p);
    // Half as much again as the first round is expected to cost.
    let calls: Vec<LlmCall> = (0..50)
        .map(|i| call_for(&run, i, Step::WriteQuestion, Texts::Final))
        .collect();
    let refs: Vec<(usize, Step, &LlmCall)> = calls
        .iter()
        .enumerate()
        .map(|(i, c)| (i, Step::WriteQuestion, c))
        .collect();
    let first = crate::cost::round_usd(&run, &run.settings.prices, &refs);
    // Each call spends 15 tokens at 100 $ a million; the next round's estimate is close to the
    // first's (its prompts hold the fact sheet too).
    run.settings.budget_usd = Some(first * 1.05);
    let mut sim = Sim::new(run);
    sim.start();
    sim.run_until(f64::INFINITY);
    let Status::Paused(PauseReason::RoundOverBudget {
        spent_usd,
        round_usd,
        budget_usd,
    }) = sim.engine.status().clone()
    else {
        panic!(
            "expected a pause before a round, got {:?}",
            sim.engine.status()
        );
    };
    assert_eq!(sim.rounds, [50], "the first round went, the second did not");
    assert!(spent_usd <= budget_usd && spent_usd + round_usd > budget_usd);
    assert_eq!(sim.engine.progress().counts.open, 50);
}

#[test]
fn a_failed_batch_pauses_the_run_and_resume_sends_its_calls_again() {
    let mut sim = Sim::new(batch_run(20, |s| s.target = Target::Attempts));
    sim.batch_failure = Some(BatchProblem::Failed {
        errors: vec!["line 3: Model is required".into()],
    });
    sim.start();
    sim.run_until(f64::INFINITY);
    assert_eq!(
        sim.engine.status(),
        &Status::Paused(PauseReason::Batch(BatchProblem::Failed {
            errors: vec!["line 3: Model is required".into()]
        }))
    );
    assert_eq!(sim.engine.progress().counts.open, 20);
    assert!(sim.engine.run().batch.is_none());
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.engine.status(), &Status::Finished);
    // The failed round and four that ran.
    assert_eq!(sim.rounds, [20, 20, 20, 20, 20]);
}

#[test]
fn a_reopened_run_sends_the_round_at_the_provider_again_under_its_number() {
    let mut sim = Sim::new(batch_run(30, |s| s.target = Target::Attempts));
    sim.batch_delay = 1000.0;
    sim.start();
    // Round 2 goes out at 1 s; the page closes while it is at the provider.
    sim.run_until(1500.0);
    assert_eq!(sim.rounds.len(), 2);
    let round2: Vec<String> = sim
        .sent
        .iter()
        .filter(|(t, _)| *t >= 1000.0)
        .map(|(_, r)| r.line_id())
        .collect();
    // The adapter saved the round's batches with the run.
    let state = BatchState {
        round: 2,
        jobs: vec![crate::run::batch::BatchJob {
            endpoint: 0,
            model: "judge".into(),
            custom_ids: round2.clone(),
            file_id: Some("file-1".into()),
            batch_id: Some("batch_1".into()),
            status: None,
            completed: 0,
            failed: 0,
            collected: false,
        }],
    };
    sim.apply(Event::BatchSaved(Some(state)));
    let saved = sim.engine.run().clone();

    let mut again = Sim::new(saved);
    again.batch_delay = 1000.0;
    again.start();
    let first = again.engine.progress().batch.unwrap();
    assert_eq!((first.round, first.at_provider), (2, true));
    again.run_until(f64::INFINITY);
    assert_eq!(again.engine.status(), &Status::Finished);
    let resent: Vec<String> = again.sent[..30].iter().map(|(_, r)| r.line_id()).collect();
    let (mut a, mut b) = (resent.clone(), round2.clone());
    a.sort();
    b.sort();
    assert_eq!(
        a, b,
        "the same lines, for the adapter to find in the saved batch"
    );
    assert_eq!(again.rounds, [30, 30, 30]);
    let last = again.engine.progress().batch.unwrap();
    assert_eq!((last.round, last.rounds, last.at_provider), (4, 4, false));
}

#[test]
fn a_live_run_continues_as_batches_and_back_without_asking_anything_twice() {
    let live = Sim::new(run_with(60, 10, |s| s.target = Target::Attempts)).finish();
    let mut sim = Sim::new(run_with(60, 10, |s| s.target = Target::Attempts));
    sim.use_cache = true;
    sim.start();
    sim.run_until(1000.0);
    sim.apply(Event::Pause);
    sim.run_until(5000.0);
    let to = |batch: bool, run: &Run| Connection {
        endpoints: run.endpoints.clone(),
        generator_endpoints: vec![0],
        judge_endpoint: 0,
        timeout_ms: 5000,
        max_retries: 6,
        budget_usd: None,
        prices: None,
        batch,
    };
    let c = to(true, sim.engine.run());
    sim.apply(Event::Reconnect(c));
    sim.apply(Event::Resume);
    sim.run_until(sim.now + 3_600_000.0 * 2.5);
    assert!(!sim.rounds.is_empty());
    sim.apply(Event::Pause);
    let c = to(false, sim.engine.run());
    sim.apply(Event::Reconnect(c));
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.engine.status(), &Status::Finished);
    assert_eq!(
        chat_jsonl(sim.engine.run(), None),
        chat_jsonl(live.engine.run(), None)
    );
    assert!(
        sends(&sim).values().all(|n| *n == 1),
        "a call was sent twice"
    );
}

#[test]
fn a_cached_run_sent_as_batches_again_asks_the_provider_nothing() {
    let mut first = Sim::new(batch_run(40, |s| s.target = Target::Attempts));
    first.use_cache = true;
    let first = first.finish();
    let mut again = Sim::new(batch_run(40, |s| s.target = Target::Attempts));
    again.use_cache = true;
    again.cache = first.cache.clone();
    let again = again.finish();
    assert_eq!(again.network_calls, 0);
    assert_eq!(
        chat_jsonl(again.engine.run(), None),
        chat_jsonl(first.engine.run(), None)
    );
}
