//! The core's near-duplicate detector on the questions this server writes for a 500-item run
//! with injected near-duplicates (20 %, as the end-to-end quality test runs it): each question
//! is labelled by the server itself (injected or not), so false positives and negatives are
//! counted, not guessed.

use mock_provider::faults::Faults;
use mock_provider::reply::{decide_noting, Outcome, PromptKind};
use synfact_core::provider::wire::{ModelConfig, ProviderKind, Role};
use synfact_core::quality::dedup::Dedup;
use synfact_core::run::calls::{call_for, Texts};
use synfact_core::template::prompts::Prompts;
use synfact_core::{BaseUrl, EndpointSpec, FactTemplate, ModelSpec, Run, RunSettings, Step};

#[test]
fn injected_repeats_are_caught_and_distinct_questions_kept() {
    let model = ModelSpec {
        endpoint: 0,
        config: ModelConfig::new("m"),
    };
    let run = Run::new(
        "r".into(),
        0.0,
        FactTemplate::built_in("blue_honeyeater").unwrap(),
        Prompts::default(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse("http://127.0.0.1:1/v1").unwrap(),
            concurrency: 6,
            rpm: None,
        }],
        vec![model.clone()],
        model,
        RunSettings {
            examples: 500,
            ..RunSettings::default()
        },
    );
    let faults = Faults {
        seed: 9,
        vary_samples: true,
        p_near_duplicate: 0.2,
        ..Faults::default()
    };
    let mut dedup = Dedup::new(&run.template, 0.4);
    let (mut injected, mut caught, mut first_of_kind) = (0, 0, 0);
    let (mut distinct, mut flagged) = (0, 0);
    let mut seen_canned = std::collections::HashSet::new();
    for idx in 0..run.items.len() {
        let call = call_for(&run, idx, Step::WriteQuestion, Texts::Final);
        let text = |role: Role| {
            call.messages
                .iter()
                .filter(|m| m.role == role)
                .map(|m| m.content.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut noted = Vec::new();
        let Outcome::Text(q) = decide_noting(
            PromptKind::Question,
            &text(Role::System),
            &text(Role::User),
            &faults,
            call.sample + (call.draw << 16),
            &mut noted,
        ) else {
            panic!("a question")
        };
        dedup.observe(&q);
        let twin = dedup.twin(&q, |_| true);
        if twin.is_none() {
            dedup.insert(idx, &q);
        }
        if noted.contains(&"near_duplicate") {
            if seen_canned.insert(q.clone()) {
                // The first canned question of its seed question repeats nothing yet.
                first_of_kind += 1;
                flagged += usize::from(twin.is_some());
            } else {
                injected += 1;
                caught += usize::from(twin.is_some());
            }
        } else {
            distinct += 1;
            flagged += usize::from(twin.is_some());
        }
    }
    println!(
        "500 items: {injected} injected repeats, {caught} caught; {} distinct questions, {flagged} flagged",
        distinct + first_of_kind
    );
    assert!(injected > 50, "{injected}");
    assert_eq!(caught, injected, "every injected repeat is caught");
    assert_eq!(flagged, 0, "no distinct question is flagged");
}
