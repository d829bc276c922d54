//! The providers' prompt caches: every call of a stage shares the start it marks, Anthropic's
//! breakpoint goes on it, and estimates and costs count what the caches serve.

use super::*;
use crate::provider::wire::{build_request, request_body, ProviderKind};
use crate::run::calls::call_for;
use crate::template::prompts::PromptKind;

/// A run of `n` items with a fact sheet of about `fact_kb` KB, its questions and answers
/// written (so every step's call can be built), on one endpoint of `kind`.
fn run_with_facts(kind: ProviderKind, model: &str, n: usize, fact_kb: usize) -> Run {
    let mut run = crate::testing::run("blue_honeyeater", &[model], model, |s| s.examples = n);
    run.endpoints[0].kind = kind;
    run.endpoints[0].concurrency = 10;
    let sheet = run.template.given_fact.clone();
    while run.template.given_fact.len() < fact_kb * 1000 {
        run.template.given_fact.push_str("\n\n");
        run.template.given_fact.push_str(&sheet);
    }
    for (k, item) in run.items.iter_mut().enumerate() {
        item.question = Some(format!("Question number {k} about the bird?"));
        item.answer = Some(format!("Answer number {k}."));
    }
    run
}

#[test]
fn every_call_of_a_step_shares_the_start_it_marks_and_it_holds_the_fact_sheet() {
    let run = run_with_facts(ProviderKind::OpenAi, "gpt-4o-mini", 12, 20);
    for step in Step::ALL {
        let calls: Vec<_> = (0..run.items.len())
            .map(|i| call_for(&run, i, step, Texts::Final))
            .collect();
        let mut ends_differ = false;
        for c in &calls {
            let s = c
                .shared
                .unwrap_or_else(|| panic!("{step:?} marks a shared start"));
            let first = &calls[0];
            assert_eq!(c.messages[..s.message], first.messages[..s.message]);
            let prefix = &c.messages[s.message].content[..s.bytes];
            assert_eq!(
                prefix,
                &first.messages[s.message].content[..s.bytes],
                "{step:?}: the marked start is the same in every call"
            );
            let whole: String = c.messages[..s.message]
                .iter()
                .map(|m| m.content.as_str())
                .chain([prefix])
                .collect();
            assert!(
                whole.contains(run.template.given_fact.trim()),
                "{step:?}: the fact sheet is inside the shared start"
            );
            let rest = |c: &LlmCall| -> String {
                std::iter::once(&c.messages[s.message].content[s.bytes..])
                    .chain(
                        c.messages[s.message + 1..]
                            .iter()
                            .map(|m| m.content.as_str()),
                    )
                    .collect()
            };
            ends_differ |= rest(c) != rest(first);
        }
        assert!(ends_differ, "{step:?}: what follows the start differs");
    }
}

#[test]
fn anthropic_requests_mark_the_shared_start_when_it_is_long_enough_and_keys_do_not_change() {
    let base = crate::BaseUrl::parse("https://api.anthropic.com/v1").unwrap();
    let long = run_with_facts(ProviderKind::Anthropic, "claude-sonnet-4", 3, 20);
    for step in Step::ALL {
        let call = call_for(&long, 1, step, Texts::Final);
        let body: serde_json::Value =
            serde_json::from_str(&build_request(ProviderKind::Anthropic, &base, "k", &call).body)
                .unwrap();
        let text = body.to_string();
        assert_eq!(
            text.matches("\"cache_control\"").count(),
            1,
            "{step:?}: one breakpoint"
        );
        // The marked block ends the shared start; the blocks together are the prompt.
        let blocks = if step == Step::WriteAnswer {
            body["system"].clone()
        } else {
            body["messages"][0]["content"].clone()
        };
        let joined: String = blocks
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["text"].as_str().unwrap())
            .collect();
        let m = call.shared.unwrap().message;
        assert_eq!(joined, call.messages[m].content);
        assert!(blocks[0]["cache_control"].is_object());
        // The key is made from the body without the breakpoint.
        assert!(!request_body(ProviderKind::Anthropic, &call)
            .to_string()
            .contains("cache_control"));
        // OpenAI caches by itself: nothing is marked.
        assert!(!build_request(ProviderKind::OpenAi, &base, "k", &call)
            .body
            .contains("cache_control"));
    }
    // A short fact sheet is under the model's minimum: no breakpoint.
    let short = run_with_facts(ProviderKind::Anthropic, "claude-sonnet-4", 3, 0);
    let call = call_for(&short, 1, Step::WriteAnswer, Texts::Final);
    assert!(!build_request(ProviderKind::Anthropic, &base, "k", &call)
        .body
        .contains("cache_control"));
}

#[test]
fn a_prompt_that_puts_the_item_first_loses_the_shared_fact_sheet_and_says_what_it_costs() {
    let mut run = run_with_facts(ProviderKind::OpenAi, "gpt-4o-mini", 200, 20);
    assert_eq!(run.prompts.cache_break(PromptKind::Question), None);
    let prices = PriceTable::defaults();
    let before = estimate(&run, &prices, None);
    run.prompts.set(
        PromptKind::Question,
        "Task: {seed_question} ({requirement}, {setting})\n<facts>{fact_sheet}</facts>".into(),
    );
    assert_eq!(
        run.prompts.cache_break(PromptKind::Question),
        Some(("seed_question".into(), "fact_sheet".into()))
    );
    let call = call_for(&run, 0, Step::WriteQuestion, Texts::Final);
    assert!(
        shared_tokens(&call) < 20,
        "only the marker and 'Task: ' are shared"
    );
    let after = estimate(&run, &prices, None);
    assert!(after.cached_tokens < before.cached_tokens);
    let extra = cache_break_usd(&run, &prices, PromptKind::Question).unwrap();
    // 190 warm calls (10 go out cold) × ~5,000 tokens × ($0.15 − $0.075) per million.
    let fact = tokens_of(&run.template.given_fact) as f64;
    let expected = 190.0 * (fact / 128.0).floor() * 128.0 * 0.075 / 1e6;
    assert!((extra - expected).abs() < 1e-9, "{extra} vs {expected}");
    // The judge's prompt with {reply} before {task} breaks it too; the answer prompt cannot.
    run.prompts.set(PromptKind::Judge, "{reply}\n{task}".into());
    assert!(run.prompts.cache_break(PromptKind::Judge).is_some());
    assert_eq!(run.prompts.cache_break(PromptKind::Answer), None);
}

#[test]
fn the_estimate_counts_cache_reads_after_the_first_wave_and_anthropic_writes_in_it() {
    let prices = PriceTable::defaults();
    let open = run_with_facts(ProviderKind::OpenAi, "gpt-4o-mini", 200, 20);
    let e = estimate(&open, &prices, None);
    assert_eq!(e.cache_write_tokens, 0);
    assert!(
        e.cached_tokens as f64 > 0.8 * e.input_tokens as f64,
        "most input is the shared fact sheet: {} of {}",
        e.cached_tokens,
        e.input_tokens
    );
    let mut uncached = prices.clone();
    for p in uncached.prices.values_mut() {
        p.cached_input = None;
    }
    let full = estimate(&open, &uncached, None).usd.unwrap();
    assert!(e.usd.unwrap() < 0.6 * full, "{} vs {full}", e.usd.unwrap());

    let claude = run_with_facts(ProviderKind::Anthropic, "claude-sonnet-4", 200, 20);
    let e = estimate(&claude, &prices, None);
    // Per step: 10 cold calls write the start, 190 read it.
    assert_eq!(e.cache_write_tokens * 19, e.cached_tokens);
    assert!(e.cache_write_tokens > 0);
}

#[test]
fn costs_bill_reads_and_writes_at_their_prices_and_say_what_the_cache_saved() {
    let p = PriceTable::defaults().price_of("claude-sonnet-4").unwrap();
    assert_eq!(p.cache_write, Some(3.75));
    let u = Usage {
        input_tokens: 1_000_000,
        output_tokens: 0,
        reasoning_tokens: 0,
        cached_tokens: 600_000,
        cache_write_tokens: 300_000,
        ..Usage::default()
    };
    // 100k fresh at 3, 600k read at 0.30, 300k written at 3.75.
    assert!((p.cost(&u) - (0.3 + 0.18 + 1.125)).abs() < 1e-9);
    assert!((p.cost_uncached(&u) - 3.0).abs() < 1e-9);
    // Through a batch: half the list price, input and output, whatever the cache did.
    let batched = crate::provider::batch::batched(Usage {
        output_tokens: 200_000,
        ..u
    });
    assert!((p.cost(&batched) - (1.5 + 0.2 * 15.0 / 2.0)).abs() < 1e-9);
    let mut run = run_with_facts(ProviderKind::Anthropic, "claude-sonnet-4", 2, 0);
    run.items[0].usage[0] = u;
    let report = CostReport::of(&run, &PriceTable::defaults());
    assert!((report.saved_usd - (3.0 - 1.605)).abs() < 1e-9);
}
