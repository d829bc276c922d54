//! Runs for tests: one endpoint, the given models, a built-in template.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::{ModelConfig, ProviderKind};
use crate::run::{EndpointSpec, ModelSpec, Run, RunSettings};
use crate::template::fact::FactTemplate;
use crate::template::prompts::Prompts;

/// A new run of `template` (a built-in) with these generator models and judge, on one
/// OpenAI-compatible endpoint of concurrency 2.
pub fn run(
    template: &str,
    generators: &[&str],
    judge: &str,
    settings: impl FnOnce(&mut RunSettings),
) -> Run {
    let mut s = RunSettings::default();
    settings(&mut s);
    let model = |name: &str| ModelSpec {
        endpoint: 0,
        config: ModelConfig::new(name),
    };
    Run::new(
        "r".into(),
        0.0,
        FactTemplate::built_in(template).expect("a built-in template"),
        Prompts::default(),
        vec![EndpointSpec {
            kind: ProviderKind::OpenAi,
            base_url: BaseUrl::parse("http://127.0.0.1:9/v1").expect("a valid URL"),
            concurrency: 2,
            rpm: None,
        }],
        generators.iter().map(|g| model(g)).collect(),
        model(judge),
        s,
    )
}

/// The chat JSONL a download of `run` would write (after review), of one generator or all.
pub fn chat_jsonl(run: &Run, generator: Option<usize>) -> String {
    let choice = crate::dataset::ExportChoice {
        generator,
        doctag: false,
        split: None,
    };
    crate::dataset::files(run, &choice).swap_remove(0).text
}

/// The text JSONL a download of `run` would write, with `<DOCTAG> ` when asked.
pub fn text_jsonl(run: &Run, generator: Option<usize>, doctag: bool) -> String {
    let choice = crate::dataset::ExportChoice {
        generator,
        doctag,
        split: None,
    };
    crate::dataset::files(run, &choice).swap_remove(1).text
}

/// A run of `template` with `n` items, every one accepted with its question and answer.
pub fn accepted_run(template: &str, n: usize) -> Run {
    let mut run = run(template, &["m"], "j", |s| s.examples = n);
    for (k, i) in run.items.iter_mut().enumerate() {
        i.stage = crate::run::Stage::Accepted;
        i.question = Some(format!("Question {k}?"));
        i.answer = Some(format!("Answer {k}."));
    }
    run
}
