//! From what the user typed to a run: provider presets and form parsing with field-specific errors.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::{ModelConfig, ProviderKind, RESERVED_BODY_FIELDS};
use crate::quality::{KeySentenceCheck, QualitySettings};
use crate::run::engine::Connection;
use crate::run::{EndpointSpec, ModelSpec, Run, RunSettings, Schedule, Target};
use crate::template::fact::FactTemplate;
use crate::template::prompts::Prompts;
use serde::{Deserialize, Serialize};

pub mod eval;
pub mod fields;
pub mod fine_tune;
pub mod presets;

use fields::Reader;
pub use fields::{Field, FieldError, Problem};
pub use presets::{is_default_base_url, preset, Preset, PRESETS};

/// One model row of the form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelForm {
    pub provider: String,
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub temperature: String,
    pub top_p: String,
    pub max_tokens: String,
    pub reasoning_effort: String,
    pub extra_body: String,
}

/// Output tokens a generator gets unless the user says otherwise: room for "3-8 paragraphs".
pub const DEFAULT_MAX_TOKENS: u32 = 4000;

impl ModelForm {
    pub fn for_preset(id: &str) -> ModelForm {
        let p = preset(id);
        ModelForm {
            provider: p.id.into(),
            base_url: p.base_url.into(),
            model: p.model.into(),
            temperature: "1.0".into(),
            max_tokens: DEFAULT_MAX_TOKENS.to_string(),
            ..ModelForm::default()
        }
    }
}

/// The whole form, as typed. Saved in the browser so a reload keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunForm {
    pub models: Vec<ModelForm>,
    /// "" means the judge uses model 1's provider.
    pub judge_provider: String,
    pub judge_base_url: String,
    pub judge_api_key: String,
    pub judge_model: String,
    pub examples: String,
    /// "accepted" (stop at N accepted) or "attempts" (N attempts).
    pub target: String,
    pub concurrency: String,
    pub rpm: String,
    pub timeout_s: String,
    pub max_retries: String,
    pub seed: String,
    pub schedule: String,
    /// "on": re-send slow calls at the end of the run (up to 3 % extra calls); else off.
    pub resend_slow: String,
    /// "batch": send the calls through the provider's batch service, in rounds; else live.
    pub send_as: String,
    pub budget_usd: String,
    pub quality: QualityForm,
    /// The front end can reach every batch service (the command line): Anthropic's Message
    /// Batches too, which a browser cannot. Never saved with the form.
    #[serde(skip)]
    pub native: bool,
}

/// The quality checks as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualityForm {
    /// "lenient", "strict" or "off".
    pub key_sentence: String,
    pub disclaimers: bool,
    pub leaks: bool,
    pub requirements: bool,
    pub duplicates: bool,
    pub duplicate_threshold: String,
    pub reasks: String,
}

impl Default for QualityForm {
    fn default() -> Self {
        let q = QualitySettings::default();
        QualityForm {
            key_sentence: "lenient".into(),
            disclaimers: q.disclaimers,
            leaks: q.leaks,
            requirements: q.requirements,
            duplicates: q.duplicate_threshold.is_some(),
            duplicate_threshold: q.duplicate_threshold.unwrap_or(0.4).to_string(),
            reasks: q.reasks.to_string(),
        }
    }
}

impl Default for RunForm {
    fn default() -> Self {
        RunForm {
            models: vec![ModelForm::for_preset("openai")],
            judge_provider: String::new(),
            judge_base_url: String::new(),
            judge_api_key: String::new(),
            judge_model: preset("openai").judge_model.into(),
            examples: "10".into(),
            target: "accepted".into(),
            concurrency: String::new(),
            rpm: String::new(),
            timeout_s: "120".into(),
            max_retries: "6".into(),
            seed: crate::template::plan::DEFAULT_SEED.to_string(),
            schedule: "pipelined".into(),
            resend_slow: "off".into(),
            send_as: "live".into(),
            budget_usd: String::new(),
            quality: QualityForm::default(),
            native: false,
        }
    }
}

/// A run ready to start, and the key for each of its endpoints (kept apart from the run record).
#[derive(Debug)]
pub struct Prepared {
    pub run: Run,
    pub keys: Vec<String>,
}

/// Endpoints, keys and models as the form describes them.
struct Parsed {
    endpoints: Vec<EndpointSpec>,
    keys: Vec<String>,
    generators: Vec<ModelSpec>,
    judge: ModelSpec,
}

fn endpoint_index(
    p: &mut Parsed,
    kind: ProviderKind,
    base_url: BaseUrl,
    key: &str,
    concurrency: Option<u32>,
    rpm: Option<u32>,
) -> usize {
    if let Some(i) = p
        .endpoints
        .iter()
        .position(|e| e.kind == kind && e.base_url == base_url)
    {
        return i;
    }
    p.endpoints.push(EndpointSpec {
        kind,
        concurrency: concurrency.unwrap_or_else(|| EndpointSpec::default_concurrency(&base_url)),
        base_url,
        rpm,
    });
    p.keys.push(key.trim().to_string());
    p.endpoints.len() - 1
}

impl RunForm {
    /// Reads every model row and the judge: endpoints (shared where provider and URL agree),
    /// their keys, and each model's settings.
    fn parse_models(&self, r: &mut Reader, concurrency: Option<u32>, rpm: Option<u32>) -> Parsed {
        let mut p = Parsed {
            endpoints: Vec::new(),
            keys: Vec::new(),
            generators: Vec::new(),
            judge: ModelSpec {
                endpoint: 0,
                config: ModelConfig::new(""),
            },
        };
        for (i, m) in self.models.iter().enumerate() {
            let pre = preset(&m.provider);
            let url = r.url(Field::BaseUrl(i), &m.base_url);
            r.required(Field::Model(i), &m.model);
            r.key(Field::ApiKey(i), &m.api_key, pre.needs_key);
            let mut config = ModelConfig::new(m.model.trim());
            let max_t = if pre.kind == ProviderKind::Anthropic {
                (1.0, "1")
            } else {
                (2.0, "2")
            };
            config.temperature = r.number(
                Field::Temperature(i),
                &m.temperature,
                (0.0, max_t.0),
                false,
                ("0", max_t.1),
            );
            config.top_p = r.number(Field::TopP(i), &m.top_p, (0.0, 1.0), false, ("0", "1"));
            config.max_tokens = r
                .number(
                    Field::MaxTokens(i),
                    &m.max_tokens,
                    (1.0, 1_000_000.0),
                    true,
                    ("1", "1,000,000"),
                )
                .map_or(DEFAULT_MAX_TOKENS, |v| v as u32);
            let effort = m.reasoning_effort.trim();
            config.reasoning_effort = (!effort.is_empty()).then(|| effort.to_string());
            let extra = m.extra_body.trim();
            if !extra.is_empty() {
                match serde_json::from_str::<serde_json::Value>(extra) {
                    Ok(serde_json::Value::Object(map)) => {
                        match map
                            .keys()
                            .find(|k| RESERVED_BODY_FIELDS.contains(&k.as_str()))
                        {
                            Some(k) => {
                                r.fail(Field::ExtraBody(i), Problem::ExtraBodyReserved(k.clone()))
                            }
                            None => config.extra_body = Some(map),
                        }
                    }
                    _ => r.fail(Field::ExtraBody(i), Problem::ExtraBodyNotObject),
                }
            }
            let endpoint = match url {
                Some(u) => endpoint_index(&mut p, pre.kind, u, &m.api_key, concurrency, rpm),
                None => 0,
            };
            p.generators.push(ModelSpec { endpoint, config });
        }
        r.required(Field::JudgeModel, &self.judge_model);
        let mut judge = ModelConfig::new(self.judge_model.trim());
        judge.temperature = Some(0.0);
        // A verdict is a few tokens, but a reasoning model spends its budget thinking first.
        judge.max_tokens = if crate::provider::wire::is_reasoning_model(&judge.model) {
            4000
        } else {
            200
        };
        let endpoint = if self.judge_provider.trim().is_empty() {
            p.generators.first().map_or(0, |g| g.endpoint)
        } else {
            let pre = preset(&self.judge_provider);
            r.key(Field::JudgeApiKey, &self.judge_api_key, pre.needs_key);
            match r.url(Field::JudgeBaseUrl, &self.judge_base_url) {
                Some(u) => {
                    endpoint_index(&mut p, pre.kind, u, &self.judge_api_key, concurrency, rpm)
                }
                None => 0,
            }
        };
        p.judge = ModelSpec {
            endpoint,
            config: judge,
        };
        p
    }

    /// The run-wide limits: concurrency, requests per minute, timeout, retries, budget.
    fn parse_limits(&self, r: &mut Reader) -> (Option<u32>, Option<u32>, u64, u32, Option<f64>) {
        let concurrency = r
            .number(
                Field::Concurrency,
                &self.concurrency,
                (1.0, 256.0),
                true,
                ("1", "256"),
            )
            .map(|v| v as u32);
        let rpm = r
            .number(
                Field::Rpm,
                &self.rpm,
                (1.0, 100_000.0),
                true,
                ("1", "100,000"),
            )
            .map(|v| v as u32);
        let timeout_s = r
            .number(
                Field::Timeout,
                &self.timeout_s,
                (1.0, 3600.0),
                false,
                ("1", "3600"),
            )
            .unwrap_or(120.0);
        let max_retries = r
            .number(
                Field::MaxRetries,
                &self.max_retries,
                (0.0, 20.0),
                true,
                ("0", "20"),
            )
            .map_or(RunSettings::default().max_retries, |v| v as u32);
        let budget = r.number(
            Field::Budget,
            &self.budget_usd,
            (0.0001, 1_000_000.0),
            false,
            ("0.0001", "1,000,000"),
        );
        (
            concurrency,
            rpm,
            (timeout_s * 1000.0) as u64,
            max_retries,
            budget,
        )
    }

    /// Reads the run's settings and models, collecting every problem.
    fn read(&self, r: &mut Reader) -> (RunSettings, Parsed) {
        let examples = if r.required(Field::Examples, &self.examples) {
            r.number(
                Field::Examples,
                &self.examples,
                (1.0, 100_000.0),
                true,
                ("1", "100,000"),
            )
        } else {
            None
        };
        let (concurrency, rpm, timeout_ms, max_retries, budget_usd) = self.parse_limits(r);
        let seed = r
            .number(
                Field::Seed,
                &self.seed,
                (0.0, 9_007_199_254_740_991.0),
                true,
                ("0", "9,007,199,254,740,991"),
            )
            .map_or(crate::template::plan::DEFAULT_SEED, |v| v as u64);
        let parsed = self.parse_models(r, concurrency, rpm);
        let q = &self.quality;
        let reasks = r
            .number(Field::Reasks, &q.reasks, (0.0, 5.0), true, ("0", "5"))
            .map_or(QualitySettings::default().reasks, |v| v as u32);
        let threshold = r
            .number(
                Field::DuplicateThreshold,
                &q.duplicate_threshold,
                (0.05, 1.0),
                false,
                ("0.05", "1"),
            )
            .unwrap_or(0.4);
        let quality = QualitySettings {
            key_sentence: match q.key_sentence.as_str() {
                "strict" => KeySentenceCheck::Strict,
                "off" => KeySentenceCheck::Off,
                _ => KeySentenceCheck::Lenient,
            },
            disclaimers: q.disclaimers,
            leaks: q.leaks,
            requirements: q.requirements,
            reasks,
            duplicate_threshold: q.duplicates.then_some(threshold),
        };
        let settings = RunSettings {
            examples: examples.map_or(1, |v| v as usize),
            target: if self.target == "attempts" {
                Target::Attempts
            } else {
                Target::Accepted
            },
            seed,
            max_retries,
            timeout_ms,
            schedule: if self.schedule == "barrier" {
                Schedule::StageBarrier
            } else {
                Schedule::Pipelined
            },
            budget_usd,
            quality,
            resend_slow: (self.resend_slow == "on").then_some(crate::run::RESEND_SHARE),
            batch: self.batch(r, &parsed.endpoints),
            ..RunSettings::default()
        };
        (settings, parsed)
    }

    /// The judge's endpoint, key and settings as the form gives them (for a self-test).
    pub fn judge(&self) -> Result<(EndpointSpec, String, ModelConfig), Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let (_, parsed) = self.read(&mut r);
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        let e = parsed.judge.endpoint;
        Ok((
            parsed.endpoints[e].clone(),
            parsed.keys[e].clone(),
            parsed.judge.config,
        ))
    }

    /// Model 1's endpoint, key and settings as the form gives them (it writes eval questions).
    pub fn writer(&self) -> Result<(EndpointSpec, String, ModelConfig), Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let (_, parsed) = self.read(&mut r);
        match parsed.generators.first() {
            Some(g) if r.errors.is_empty() => Ok((
                parsed.endpoints[g.endpoint].clone(),
                parsed.keys[g.endpoint].clone(),
                g.config.clone(),
            )),
            _ => Err(r.errors),
        }
    }

    /// Every problem in the form, without building a run (cheap enough to run as the user types).
    pub fn check(&self) -> Vec<FieldError> {
        let mut r = Reader { errors: Vec::new() };
        self.read(&mut r);
        r.errors
    }

    /// Checks every field and builds the run, or lists what to fix.
    pub fn prepare(
        &self,
        template: &FactTemplate,
        prompts: &Prompts,
        id: String,
        now_ms: f64,
    ) -> Result<Prepared, Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let (settings, parsed) = self.read(&mut r);
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        Ok(Prepared {
            run: Run::new(
                id,
                now_ms,
                template.clone(),
                prompts.clone(),
                parsed.endpoints,
                parsed.generators,
                parsed.judge,
                settings,
            ),
            keys: parsed.keys,
        })
    }

    /// Whether a key field the run would use is empty (after a reload, say, when keys are not
    /// remembered).
    pub fn has_empty_key(&self) -> bool {
        self.models.iter().any(|m| m.api_key.trim().is_empty())
            || (!self.judge_provider.is_empty() && self.judge_api_key.trim().is_empty())
    }

    /// Where a reopened run's calls go now: the endpoints, keys and limits in the form, for the
    /// same models the run was made with (so its cached replies still serve it).
    pub fn connection(&self, run: &Run) -> Result<(Connection, Vec<String>), Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        let (concurrency, rpm, timeout_ms, max_retries, budget_usd) = self.parse_limits(&mut r);
        let parsed = self.parse_models(&mut r, concurrency, rpm);
        if parsed.generators.len() != run.generators.len() {
            r.fail(
                Field::Model(parsed.generators.len().min(run.generators.len())),
                Problem::ModelCountChanged {
                    was: run.generators.len(),
                },
            );
        }
        for (i, (now, was)) in parsed.generators.iter().zip(&run.generators).enumerate() {
            if now.config.model != was.config.model {
                r.fail(
                    Field::Model(i),
                    Problem::ModelChanged {
                        was: was.config.model.clone(),
                    },
                );
            }
        }
        if parsed.judge.config.model != run.judge.config.model {
            r.fail(
                Field::JudgeModel,
                Problem::ModelChanged {
                    was: run.judge.config.model.clone(),
                },
            );
        }
        let batch = self.batch(&mut r, &parsed.endpoints);
        if !r.errors.is_empty() {
            return Err(r.errors);
        }
        Ok((
            Connection {
                endpoints: parsed.endpoints,
                generator_endpoints: parsed.generators.iter().map(|g| g.endpoint).collect(),
                judge_endpoint: parsed.judge.endpoint,
                timeout_ms,
                max_retries,
                budget_usd,
                prices: None,
                batch,
            },
            parsed.keys,
        ))
    }

    /// Whether to send as a batch: in a browser only where it can reach the batch service
    /// (OpenAI's routes, on OpenAI or a compatible server); natively on Anthropic too.
    fn batch(&self, r: &mut Reader, endpoints: &[EndpointSpec]) -> bool {
        let batch = self.send_as == "batch";
        if batch && !self.native && endpoints.iter().any(|e| e.kind == ProviderKind::Anthropic) {
            r.fail(Field::SendAs, Problem::BatchNeedsOpenAi);
        }
        batch
    }
}

#[cfg(test)]
mod tests;
