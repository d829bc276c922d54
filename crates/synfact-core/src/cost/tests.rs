use super::*;
use crate::run::RunSettings;

fn run(examples: usize, generator: &str, judge: &str) -> Run {
    crate::testing::run(
        "pandas_habitat",
        &[generator],
        judge,
        |s: &mut RunSettings| s.examples = examples,
    )
}

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    }
}

#[test]
fn prices_are_found_by_snapshot_and_router_names_but_never_guessed() {
    let t = PriceTable::defaults();
    let mini = t.price_of("gpt-4o-mini").unwrap();
    assert_eq!((mini.input, mini.output), (0.15, 0.60));
    assert_eq!(t.price_of("gpt-4o-mini-2024-07-18"), Some(mini));
    assert_eq!(t.price_of("openai/gpt-4o-mini"), Some(mini));
    assert_eq!(t.price_of(" gpt-4o-mini "), Some(mini));
    let sonnet = t.price_of("claude-3-5-sonnet-20241022").unwrap();
    assert_eq!(sonnet.output, 15.0);
    assert_eq!(t.price_of("claude-3-5-sonnet-latest"), Some(sonnet));
    // A longer name is another model, not its prefix.
    assert_eq!(t.price_of("gpt-4o"), Some(t.prices["gpt-4o"]));
    assert_ne!(t.price_of("gpt-4o"), Some(mini));
    assert_eq!(t.price_of("gpt-4o-mini-realtime"), None);
    assert_eq!(t.price_of("llama3.2:1b"), None);
    assert_eq!(t.price_of("my-model-2024"), None);
}

#[test]
fn cost_counts_cached_input_at_its_own_price() {
    let p = Price {
        input: 2.0,
        output: 8.0,
        cached_input: Some(0.5),
        cache_write: None,
        batch_input: None,
        batch_output: None,
    };
    let u = Usage {
        input_tokens: 1_000_000,
        output_tokens: 500_000,
        cached_tokens: 400_000,
        reasoning_tokens: 100_000,
        cache_write_tokens: 0,
        batch_input_tokens: 0,
        batch_output_tokens: 0,
    };
    // 600k fresh at 2, 400k cached at 0.5, 500k out at 8 (reasoning is inside output).
    assert!((p.cost(&u) - (1.2 + 0.2 + 4.0)).abs() < 1e-9);
    let no_cache_price = Price {
        cached_input: None,
        ..p
    };
    assert!((no_cache_price.cost(&u) - (2.0 + 4.0)).abs() < 1e-9);
}

#[test]
fn the_report_sums_per_model_and_stage_and_says_unknown() {
    let mut r = run(2, "gpt-4o-mini", "my-local-judge");
    for item in &mut r.items {
        item.usage[Step::WriteQuestion.index()] = usage(100, 10);
        item.usage[Step::WriteAnswer.index()] = usage(200, 50);
        item.usage[Step::JudgeQuestion.index()] = usage(300, 5);
        item.usage[Step::JudgeAnswer.index()] = usage(400, 5);
    }
    let report = CostReport::of(&r, &PriceTable::defaults());
    let row = |stage| report.rows.iter().find(|r| r.stage == stage).unwrap();
    assert_eq!(row(PromptKind::Question).usage, usage(200, 20));
    assert_eq!(row(PromptKind::Answer).usage, usage(400, 100));
    assert_eq!(row(PromptKind::Judge).usage, usage(1400, 20));
    assert_eq!(row(PromptKind::Judge).usd, None);
    assert!(report.unknown);
    let known = (600.0 * 0.15 + 120.0 * 0.60) / 1e6;
    assert!((report.known_usd - known).abs() < 1e-12);
    assert_eq!(report.usage, usage(2000, 140));
}

#[test]
fn the_estimate_grows_with_the_plan_and_is_unknown_without_a_price() {
    let small = estimate(
        &run(10, "gpt-4o-mini", "gpt-4o-mini"),
        &PriceTable::defaults(),
        None,
    );
    let large = estimate(
        &run(100, "gpt-4o-mini", "gpt-4o-mini"),
        &PriceTable::defaults(),
        None,
    );
    assert_eq!(small.calls, 40);
    assert_eq!(large.calls, 400);
    assert!(
        small.input_tokens > 40 * 100,
        "every prompt carries the fact sheet"
    );
    assert!(large.input_tokens >= 9 * small.input_tokens);
    assert!(large.usd.unwrap() > small.usd.unwrap());
    assert!(!small.measured);
    let unknown = estimate(
        &run(10, "gpt-4o-mini", "local"),
        &PriceTable::defaults(),
        None,
    );
    assert_eq!(unknown.usd, None);
    assert_eq!(unknown.calls, 40);
}

#[test]
fn a_measured_run_sets_tokens_and_the_items_needed() {
    let mut done = run(4, "gpt-4o-mini", "gpt-4o-mini");
    for (n, item) in done.items.iter_mut().enumerate() {
        item.usage = [usage(100, 10), usage(300, 5), usage(200, 60), usage(400, 5)];
        item.stage = if n % 2 == 0 {
            Stage::Accepted
        } else {
            Stage::Rejected
        };
    }
    let next = run(10, "gpt-4o-mini", "gpt-4o-mini");
    let e = estimate(&next, &PriceTable::defaults(), Some(&done));
    assert!(e.measured);
    // Half were accepted, so 10 accepted take 20 items.
    assert_eq!(e.items, 20);
    assert_eq!(e.calls, 80);
    assert_eq!(e.input_tokens, 20 * 1000);
    assert_eq!(e.output_tokens, 20 * 80);
}
