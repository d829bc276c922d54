//! Runs for tests: one endpoint, the given models, a built-in template.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::{ModelConfig, ProviderKind};
use crate::run::{EndpointSpec, ModelSpec, Run, RunSettings};
use crate::template::prompts::Prompts;
use crate::template::FactTemplate;

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
