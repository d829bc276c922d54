//! Outages against bad luck, in simulation: a provider that goes away (or refuses every call)
//! pauses the run with its items unfinished, and Resume finishes them with no failure the outage
//! caused; one item failing alone still fails alone.

use super::health::{NO_ANSWER_MS, REFUSING_MS};
use super::sim::{Script, Sim};
use super::*;
use crate::provider::endpoint::BaseUrl;
use crate::provider::error::Outage;
use crate::provider::wire::{ModelConfig, ProviderKind};
use crate::run::EndpointSpec;
use crate::run::{ModelSpec, RunSettings};
use crate::template::prompts::Prompts;
use crate::template::FactTemplate;
use std::cell::Cell;
use std::rc::Rc;

fn run(examples: usize, max_retries: u32) -> Run {
    let endpoint = EndpointSpec {
        kind: ProviderKind::OpenAi,
        base_url: BaseUrl::parse("http://127.0.0.1:9/v1").unwrap(),
        concurrency: 4,
        rpm: None,
    };
    let model = |name: &str| ModelSpec {
        endpoint: 0,
        config: ModelConfig::new(name),
    };
    Run::new(
        "outage".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        Prompts::default(),
        vec![endpoint],
        vec![model("gen")],
        model("judge"),
        RunSettings {
            examples,
            max_retries,
            ..RunSettings::default()
        },
    )
}

fn http(status: u16) -> CallError {
    CallError::new(
        ErrorKind::Http {
            status,
            code: None,
            error_type: None,
        },
        format!("HTTP {status}"),
    )
}

/// A provider that fails every call with `error` while the switch is on.
fn switchable(sim: &mut Sim, error: CallError) -> Rc<Cell<bool>> {
    let down = Rc::new(Cell::new(false));
    let d = down.clone();
    sim.script = Box::new(move |_, _| {
        if d.get() {
            Script::Fail(error.clone())
        } else {
            Script::Ok
        }
    });
    down
}

/// When the run first paused for an outage, and why.
fn outage_pause(sim: &Sim) -> (f64, Outage) {
    sim.statuses
        .iter()
        .find_map(|(t, s)| match s {
            Status::Paused(PauseReason::Outage { outage, .. }) => Some((*t, outage.clone())),
            _ => None,
        })
        .expect("the run paused for an outage")
}

fn resume_and_finish(mut sim: Sim) -> Sim {
    sim.apply(Event::Resume);
    sim.run_until(f64::INFINITY);
    sim
}

#[test]
fn a_provider_that_goes_away_pauses_the_run_and_resume_fails_nothing() {
    let mut sim = Sim::new(run(40, 6));
    let down = switchable(
        &mut sim,
        CallError::new(ErrorKind::Network, "Failed to fetch"),
    );
    sim.start();
    sim.run_until(1_000.0);
    let done_before = sim.engine.run().counts().ended();
    down.set(true);
    sim.run_until(10.0 * 60_000.0);
    let (at, outage) = outage_pause(&sim);
    assert!(matches!(outage, Outage::NoAnswer { .. }), "{outage:?}");
    // Told within a few seconds of the rule's 20 s (the last answer came before 1 s).
    assert!(at <= 1_000.0 + NO_ANSWER_MS + 2_000.0, "paused at {at} ms");
    let summary = sim.engine.run().counts();
    assert_eq!(summary.failed, 0, "no item failed because of the outage");
    assert!(summary.open > 0 && summary.ended() >= done_before);
    let Status::Paused(PauseReason::Outage {
        detail, endpoint, ..
    }) = sim.engine.status().clone()
    else {
        panic!("{:?}", sim.engine.status())
    };
    assert_eq!((endpoint, detail.as_str()), (0, "Failed to fetch"));
    // Nothing more is sent while paused (the calls in flight came back).
    let sent = sim.sent.len();
    sim.run_until(20.0 * 60_000.0);
    assert_eq!(sim.sent.len(), sent);
    down.set(false);
    let sim = resume_and_finish(sim);
    let s = sim.finished.expect("finished after Resume");
    assert_eq!((s.accepted, s.failed), (40, 0));
}

#[test]
fn rate_limits_on_every_call_pause_after_a_minute_without_failing_items() {
    // Retries enough to outlast the minute: the time rule, not the retries, pauses the run.
    let mut sim = Sim::new(run(30, 60));
    let mut limited = http(429);
    limited.retry_after_ms = Some(2_000);
    let down = switchable(&mut sim, limited);
    down.set(true);
    sim.start();
    sim.run_until(30.0 * 60_000.0);
    let (at, outage) = outage_pause(&sim);
    assert!(matches!(outage, Outage::RateLimited { .. }), "{outage:?}");
    assert!(
        (REFUSING_MS..=REFUSING_MS + 5_000.0).contains(&at),
        "paused at {at} ms"
    );
    assert_eq!(sim.engine.run().counts().failed, 0);
    down.set(false);
    let sim = resume_and_finish(sim);
    assert_eq!(sim.finished.unwrap().failed, 0);
}

#[test]
fn with_few_retries_an_outage_still_fails_no_item() {
    // Two retries run out long before 20 s: giving up on an item while others fail the same
    // way pauses the run instead.
    let mut sim = Sim::new(run(20, 2));
    let down = switchable(&mut sim, http(503));
    sim.start();
    sim.run_until(500.0);
    down.set(true);
    sim.run_until(10.0 * 60_000.0);
    let (_, outage) = outage_pause(&sim);
    assert!(
        matches!(outage, Outage::Failing { status: 503, .. }),
        "{outage:?}"
    );
    assert_eq!(sim.engine.run().counts().failed, 0);
    down.set(false);
    let sim = resume_and_finish(sim);
    assert_eq!(sim.finished.unwrap().failed, 0);
}

#[test]
fn one_flaky_item_fails_alone_and_the_run_goes_on() {
    let mut sim = Sim::new(run(12, 3));
    sim.script = Box::new(|r, _| {
        if r.item == 5 {
            Script::Fail(CallError::new(ErrorKind::Network, "connection reset"))
        } else {
            Script::Ok
        }
    });
    let sim = sim.finish();
    assert!(
        !sim.statuses
            .iter()
            .any(|(_, s)| matches!(s, Status::Paused(_))),
        "{:?}",
        sim.statuses
    );
    let s = sim.finished.unwrap();
    assert_eq!(
        (s.accepted, s.failed),
        (12, 1),
        "the flaky item failed, a replacement was made"
    );
    assert!(matches!(
        sim.engine.run().items[5].reason,
        Some(Reason::GaveUp { .. })
    ));
}
