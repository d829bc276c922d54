//! The Evaluate section → an evaluation run: the models to test (rows like the run's), the kinds
//! of question and their numbers; the judge, its endpoint and the run limits come from the main
//! form, so one judge setting serves both.

use super::fields::{Field, FieldError, Reader};
use super::{endpoint_index, preset, Parsed, Prepared, RunForm};
use crate::eval::{check, EvalProblem, EvalSettings, EvalSpec};
use crate::provider::wire::ModelConfig;
use crate::run::engine::Connection;
use crate::run::{ModelSpec, Run};
use crate::template::TemplateDoc;
use serde::{Deserialize, Serialize};

/// Output tokens a model under test gets: room for a few sentences.
pub const EVAL_MAX_TOKENS: u32 = 600;

/// One model to test, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalModelForm {
    pub provider: String,
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

/// The Evaluate section, as typed. Saved in the browser (keys only when the user opts in).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalForm {
    pub models: Vec<EvalModelForm>,
    pub open: bool,
    pub choice: bool,
    pub distinguish: bool,
    pub samples: String,
    pub temperature: String,
    pub coherence: String,
    /// How many questions Write eval questions asks for.
    pub wanted: String,
}

impl Default for EvalForm {
    fn default() -> Self {
        let d = EvalSettings::default();
        EvalForm {
            models: vec![EvalModelForm {
                provider: "openai".into(),
                base_url: preset("openai").base_url.into(),
                ..EvalModelForm::default()
            }],
            open: d.open,
            choice: d.choice,
            distinguish: d.distinguish,
            samples: d.samples.to_string(),
            temperature: d.temperature.to_string(),
            coherence: d.coherence_threshold.to_string(),
            wanted: d.questions_wanted.to_string(),
        }
    }
}

/// Why an evaluation cannot start: fields of either form, and what the evaluation lacks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalErrors {
    pub fields: Vec<FieldError>,
    pub problems: Vec<EvalProblem>,
}

impl EvalForm {
    /// How many questions Write eval questions asks for (the default when not a number).
    pub fn wanted(&self) -> u32 {
        self.settings(&mut Reader { errors: Vec::new() })
            .questions_wanted
    }

    /// Every problem of the section's own fields, as the user types.
    pub fn check(&self) -> Vec<FieldError> {
        let mut r = Reader { errors: Vec::new() };
        self.settings(&mut r);
        for (i, m) in self.models.iter().enumerate() {
            r.url(Field::EvalBaseUrl(i), &m.base_url);
            r.required(Field::EvalModel(i), &m.model);
            r.key(
                Field::EvalApiKey(i),
                &m.api_key,
                preset(&m.provider).needs_key,
            );
        }
        r.errors
    }

    /// The evaluation's numbers.
    fn settings(&self, r: &mut Reader) -> EvalSettings {
        let d = EvalSettings::default();
        let whole = |r: &mut Reader, f, t: &str, max: f64, hi: &'static str, default: u32| {
            r.number(f, t, (1.0, max), true, ("1", hi))
                .map_or(default, |v| v as u32)
        };
        EvalSettings {
            open: self.open,
            choice: self.choice,
            distinguish: self.distinguish,
            samples: whole(r, Field::EvalSamples, &self.samples, 50.0, "50", d.samples),
            temperature: r
                .number(
                    Field::EvalTemperature,
                    &self.temperature,
                    (0.0, 2.0),
                    false,
                    ("0", "2"),
                )
                .unwrap_or(d.temperature),
            coherence_threshold: r
                .number(
                    Field::EvalCoherence,
                    &self.coherence,
                    (0.0, 100.0),
                    true,
                    ("0", "100"),
                )
                .map_or(d.coherence_threshold, |v| v as u32),
            questions_wanted: whole(
                r,
                Field::EvalWanted,
                &self.wanted,
                100.0,
                "100",
                d.questions_wanted,
            ),
        }
    }

    /// The models to test and the main form's judge, with their endpoints and keys.
    fn parse(&self, form: &RunForm, r: &mut Reader) -> (crate::run::RunSettings, Parsed) {
        let (settings, main) = form.read(r);
        let mut p = Parsed {
            endpoints: Vec::new(),
            keys: Vec::new(),
            generators: Vec::new(),
            judge: main.judge.clone(),
        };
        let concurrency = main.endpoints.first().map(|e| e.concurrency);
        let rpm = main.endpoints.first().and_then(|e| e.rpm);
        for (i, m) in self.models.iter().enumerate() {
            let pre = preset(&m.provider);
            let url = r.url(Field::EvalBaseUrl(i), &m.base_url);
            r.required(Field::EvalModel(i), &m.model);
            r.key(Field::EvalApiKey(i), &m.api_key, pre.needs_key);
            let mut config = ModelConfig::new(m.model.trim());
            config.max_tokens = EVAL_MAX_TOKENS;
            let endpoint = match url {
                Some(u) => endpoint_index(&mut p, pre.kind, u, &m.api_key, concurrency, rpm),
                None => 0,
            };
            p.generators.push(ModelSpec { endpoint, config });
        }
        // The judge, on its own endpoint as the main form has it.
        if let Some(spec) = main.endpoints.get(main.judge.endpoint) {
            let key = main.keys[main.judge.endpoint].clone();
            p.judge.endpoint = endpoint_index(
                &mut p,
                spec.kind,
                spec.base_url.clone(),
                &key,
                Some(spec.concurrency),
                spec.rpm,
            );
        }
        (settings, p)
    }

    /// An evaluation run of `doc`'s fact and eval questions, or every problem at once.
    pub fn prepare(
        &self,
        form: &RunForm,
        doc: &TemplateDoc,
        training_run: Option<String>,
        id: String,
        now_ms: f64,
    ) -> Result<Prepared, EvalErrors> {
        let mut r = Reader { errors: Vec::new() };
        let eval = self.settings(&mut r);
        let (settings, p) = self.parse(form, &mut r);
        let spec = EvalSpec {
            settings: eval,
            questions: doc.eval.clone(),
            training_run,
        };
        let problems = check(&spec, &doc.template, self.models.len());
        if !r.errors.is_empty() || !problems.is_empty() {
            return Err(EvalErrors {
                fields: r.errors,
                problems,
            });
        }
        let run = Run::new_eval(
            id,
            now_ms,
            doc.template.clone(),
            p.endpoints,
            p.generators,
            p.judge,
            settings,
            spec,
        );
        Ok(Prepared { run, keys: p.keys })
    }

    /// Where a reopened evaluation's calls go now (Resume): the same models to test, the
    /// endpoints and keys in the section and the main form now.
    pub fn connection(
        &self,
        form: &RunForm,
        run: &Run,
    ) -> Result<(Connection, Vec<String>), Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let (settings, p) = self.parse(form, &mut r);
        if p.generators.len() != run.generators.len() {
            r.fail(
                Field::EvalModel(p.generators.len().min(run.generators.len())),
                super::Problem::ModelCountChanged {
                    was: run.generators.len(),
                },
            );
        }
        for (i, (now, was)) in p.generators.iter().zip(&run.generators).enumerate() {
            if now.config.model != was.config.model {
                r.fail(
                    Field::EvalModel(i),
                    super::Problem::ModelChanged {
                        was: was.config.model.clone(),
                    },
                );
            }
        }
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        Ok((
            Connection {
                endpoints: p.endpoints,
                generator_endpoints: p.generators.iter().map(|g| g.endpoint).collect(),
                judge_endpoint: p.judge.endpoint,
                timeout_ms: settings.timeout_ms,
                max_retries: settings.max_retries,
                budget_usd: settings.budget_usd,
                prices: None,
                batch: false,
            },
            p.keys,
        ))
    }
}
