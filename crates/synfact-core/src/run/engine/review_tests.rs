//! Review decisions, judging again, and the budget, driven through the engine.

use super::sim::{Script, Sim};
use super::*;
use crate::cost::{Price, PriceTable};
use crate::run::EndpointSpec;
use crate::run::RunSettings;
use crate::testing::chat_jsonl;

fn endpoint() -> EndpointSpec {
    run(0, |_| {}).endpoints[0].clone()
}

fn run(examples: usize, settings: impl FnOnce(&mut RunSettings)) -> Run {
    crate::testing::run("blue_honeyeater", &["gen"], "judge", |s| {
        s.examples = examples;
        settings(s);
    })
}

fn saves(cmds: &[Command]) -> Vec<usize> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::Save { item, reply: None } => Some(*item),
            _ => None,
        })
        .collect()
}

#[test]
fn review_decisions_are_saved_and_decide_the_export() {
    let mut sim = Sim::new(run(4, |_| {})).finish();
    let cmds = sim.engine.handle(
        Event::Review {
            items: vec![0, 2],
            action: ReviewAction::Reject,
        },
        1e9,
    );
    assert_eq!(saves(&cmds), vec![0, 2]);
    let cmds = sim.engine.handle(
        Event::Review {
            items: vec![1],
            action: ReviewAction::Edit {
                question: sim.engine.run().items[1].question.clone().unwrap(),
                answer: "An answer a person wrote.".into(),
            },
        },
        1e9,
    );
    assert_eq!(saves(&cmds), vec![1]);
    let chat = chat_jsonl(sim.engine.run(), None);
    assert_eq!(chat.lines().count(), 2);
    assert!(chat.contains("An answer a person wrote."));
    // Nothing changes twice, and nothing is sent.
    let again = sim.engine.handle(
        Event::Review {
            items: vec![0],
            action: ReviewAction::Reject,
        },
        1e9,
    );
    assert!(again.is_empty(), "{again:?}");
    sim.apply(Event::Review {
        items: vec![0],
        action: ReviewAction::Undecide,
    });
    assert_eq!(chat_jsonl(sim.engine.run(), None).lines().count(), 3);
    assert_eq!(sim.engine.status(), &Status::Finished);
}

#[test]
fn an_item_still_in_the_works_is_not_reviewed() {
    let mut sim = Sim::new(run(4, |_| {}));
    sim.start();
    let cmds = sim.engine.handle(
        Event::Review {
            items: vec![0],
            action: ReviewAction::Reject,
        },
        0.0,
    );
    assert!(saves(&cmds).is_empty());
    assert_eq!(sim.engine.run().items[0].review.decision, None);
}

#[test]
fn judge_again_asks_once_about_the_edited_answer_and_does_not_top_up() {
    let mut sim = Sim::new(run(3, |_| {})).finish();
    let sent_before = sim.sent.len();
    sim.script = Box::new(|req, _| {
        let edited = req
            .llm
            .messages
            .iter()
            .any(|m| m.content.contains("An edited answer"));
        if req.step == Step::JudgeAnswer && edited {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    });
    let q = sim.engine.run().items[0].question.clone().unwrap();
    sim.apply(Event::Review {
        items: vec![0],
        action: ReviewAction::Edit {
            question: q,
            answer: "An edited answer.".into(),
        },
    });
    sim.apply(Event::Review {
        items: vec![0],
        action: ReviewAction::JudgeAgain,
    });
    assert_eq!(sim.engine.status(), &Status::Running);
    sim.run_until(f64::INFINITY);
    let sent: Vec<Step> = sim.sent[sent_before..]
        .iter()
        .map(|(_, r)| r.step)
        .collect();
    assert_eq!(sent, vec![Step::JudgeAnswer]);
    let run = sim.engine.run();
    assert_eq!(run.items.len(), 3, "a reviewer's rejection is not replaced");
    assert_eq!(run.items[0].stage, Stage::Rejected);
    assert_eq!(run.items[0].verdicts.answer.as_deref(), Some("off topic"));
    assert_eq!(sim.engine.status(), &Status::Finished);
    // An unedited item asked again gets a fresh sample: a new call, not the cached verdict.
    sim.use_cache = true;
    let before = sim.network_calls;
    sim.apply(Event::Review {
        items: vec![1],
        action: ReviewAction::JudgeAgain,
    });
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.network_calls, before + 1);
    assert_eq!(sim.engine.run().items[1].stage, Stage::Accepted);
}

#[test]
fn the_budget_pauses_the_run_and_a_higher_one_lets_it_go_on() {
    let one_dollar = Price {
        input: 1.0,
        output: 1.0,
        cached_input: None,
        cache_write: None,
        batch_input: None,
        batch_output: None,
    };
    // Each simulated reply is 15 tokens: $0.000015 at these prices; the budget pays for 20.
    let mut sim = Sim::new(run(20, |s| {
        s.prices = PriceTable {
            prices: [
                ("gen".to_string(), one_dollar),
                ("judge".to_string(), one_dollar),
            ]
            .into_iter()
            .collect(),
        };
        s.budget_usd = Some(20.0 * 15e-6);
    }));
    sim.start();
    sim.run_until(f64::INFINITY);
    let Status::Paused(PauseReason::Budget {
        spent_usd,
        budget_usd,
    }) = sim.engine.status().clone()
    else {
        panic!("{:?}", sim.engine.status());
    };
    assert!(spent_usd >= budget_usd);
    // A reload counts what the items paid for, not what they used from the cache.
    let reopened = Engine::new(sim.engine.run().clone());
    assert!((reopened.spent_usd() - sim.engine.spent_usd()).abs() < 1e-12);
    let mut cached_only = sim.engine.run().clone();
    for i in &mut cached_only.items {
        i.spent_usd = 0.0;
    }
    assert_eq!(Engine::new(cached_only).spent_usd(), 0.0);
    // Calls already in flight finish, nothing more is sent.
    assert!((20..=22).contains(&sim.sent.len()), "{}", sim.sent.len());
    sim.apply(Event::Resume);
    assert!(matches!(
        sim.engine.status(),
        Status::Paused(PauseReason::Budget { .. })
    ));
    sim.apply(Event::Reconnect(Connection {
        endpoints: vec![endpoint()],
        generator_endpoints: vec![0],
        judge_endpoint: 0,
        timeout_ms: 5000,
        max_retries: 6,
        budget_usd: Some(1.0),
        prices: None,
        batch: false,
    }));
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    assert_eq!(sim.engine.status(), &Status::Finished);
    assert_eq!(sim.sent.len(), 80);
    assert!((sim.engine.spent_usd() - 80.0 * 15e-6).abs() < 1e-9);
}

#[test]
fn a_replacement_with_a_used_prompt_asks_for_a_fresh_question() {
    // pandas_habitat has three seed questions: replacements soon repeat a prompt. Every
    // question call of a run must still have its own cache key.
    let mut sim = Sim::new(crate::testing::run(
        "pandas_habitat",
        &["gen"],
        "judge",
        |s| {
            s.examples = 60;
        },
    ));
    sim.script = Box::new(|req, _| {
        if req.step == Step::JudgeAnswer && req.item % 3 == 0 {
            Script::JudgeNo
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    let keys: Vec<&String> = sim
        .sent
        .iter()
        .filter(|(_, r)| r.step == Step::WriteQuestion)
        .map(|(_, r)| &r.cache_key)
        .collect();
    let distinct: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(
        distinct.len(),
        keys.len(),
        "a question call repeated another's key"
    );
    assert!(
        sim.engine.run().items.iter().any(|i| i.draw > 0),
        "the test needs a repeat"
    );
}
