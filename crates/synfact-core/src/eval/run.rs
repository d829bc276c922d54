//! An evaluation as a run: its items planned from the cases, one set per model under test.

use super::{cases, prompts, EvalSpec};
use crate::quality::QualitySettings;
use crate::run::{EndpointSpec, Item, ModelSpec, Run, RunSettings, Stage, Target};
use crate::template::fact::FactTemplate;
use crate::template::plan::PlannedPrompt;
use crate::template::prompts::Prompts;

impl Run {
    /// An evaluation run: every case of `spec` for each model under test (`models`), answered
    /// at the evaluation's temperature; `judge` labels open answers (at temperature 0). Every
    /// item is made up front (no replacements), and no dataset check applies.
    #[allow(clippy::too_many_arguments)]
    pub fn new_eval(
        id: String,
        created_ms: f64,
        template: FactTemplate,
        endpoints: Vec<EndpointSpec>,
        mut models: Vec<ModelSpec>,
        mut judge: ModelSpec,
        mut settings: RunSettings,
        spec: EvalSpec,
    ) -> Run {
        for m in &mut models {
            m.config.temperature = Some(spec.settings.temperature);
        }
        judge.config.temperature = Some(0.0);
        settings.target = Target::Attempts;
        settings.quality = QualitySettings {
            duplicate_threshold: None,
            ..QualitySettings::default()
        };
        let cases = cases(&spec, settings.seed);
        settings.examples = cases.len();
        let key = template.specific_information_to_always_include.clone();
        let mut items = Vec::with_capacity(cases.len() * models.len());
        for g in 0..models.len() {
            for case in &cases {
                let prompt = PlannedPrompt {
                    question: case.question,
                    setting: 0,
                    requirement: 0,
                };
                let mut item = Item::new(items.len(), g, prompt, None);
                item.stage = Stage::QuestionJudged;
                item.question = Some(prompts::question_text(case, &spec.questions, &key));
                item.eval = Some(case.clone());
                items.push(item);
            }
        }
        Run {
            id,
            created_ms,
            template,
            prompts: Prompts::default(),
            endpoints,
            generators: models,
            judge,
            settings,
            items,
            eval: Some(spec),
            fine_tune: None,
            batch: None,
        }
    }
}
