//! From what the user typed to a run: provider presets and form parsing with field-specific errors.

use crate::endpoint::{check_key, BaseUrl, KeyError, UrlError};
use crate::engine::Connection;
use crate::prompts::Prompts;
use crate::quality::{KeySentenceCheck, QualitySettings};
use crate::run::{EndpointSpec, ModelSpec, Run, RunSettings, Schedule, Target};
use crate::template::FactTemplate;
use crate::wire::{ModelConfig, ProviderKind, RESERVED_BODY_FIELDS};
use serde::{Deserialize, Serialize};

/// A provider choice in the Provider list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    pub id: &'static str,
    pub label: &'static str,
    pub kind: ProviderKind,
    pub base_url: &'static str,
    /// A sensible model to start from ("" where the user must choose).
    pub model: &'static str,
    pub judge_model: &'static str,
    /// The provider refuses calls without a key.
    pub needs_key: bool,
}

pub const PRESETS: [Preset; 8] = [
    Preset {
        id: "openai",
        label: "OpenAI",
        kind: ProviderKind::OpenAi,
        base_url: "https://api.openai.com/v1",
        model: "gpt-4.1-mini",
        judge_model: "gpt-4.1-mini",
        needs_key: true,
    },
    Preset {
        id: "anthropic",
        label: "Anthropic",
        kind: ProviderKind::Anthropic,
        base_url: "https://api.anthropic.com/v1",
        model: "claude-sonnet-4-5",
        judge_model: "claude-haiku-4-5",
        needs_key: true,
    },
    Preset {
        id: "openrouter",
        label: "OpenRouter",
        kind: ProviderKind::OpenAi,
        base_url: "https://openrouter.ai/api/v1",
        model: "openai/gpt-4.1-mini",
        judge_model: "openai/gpt-4.1-mini",
        needs_key: true,
    },
    Preset {
        id: "gemini",
        label: "Google Gemini (OpenAI-compatible)",
        kind: ProviderKind::OpenAi,
        base_url: "https://generativelanguage.googleapis.com/v1beta/openai",
        model: "gemini-2.5-flash",
        judge_model: "gemini-2.5-flash",
        needs_key: true,
    },
    Preset {
        id: "ollama",
        label: "Ollama",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:11434/v1",
        model: "llama3.1",
        judge_model: "llama3.1",
        needs_key: false,
    },
    Preset {
        id: "llamacpp",
        label: "llama.cpp server",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:8080/v1",
        model: "local",
        judge_model: "local",
        needs_key: false,
    },
    Preset {
        id: "lmstudio",
        label: "LM Studio",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:1234/v1",
        model: "",
        judge_model: "",
        needs_key: false,
    },
    Preset {
        id: "custom",
        label: "Custom",
        kind: ProviderKind::OpenAi,
        base_url: "",
        model: "",
        judge_model: "",
        needs_key: false,
    },
];

pub fn preset(id: &str) -> Preset {
    PRESETS
        .iter()
        .copied()
        .find(|p| p.id == id)
        .unwrap_or(PRESETS[7])
}

/// True when `url` is empty or one of the presets' own URLs: switching provider may replace it.
pub fn is_default_base_url(url: &str) -> bool {
    url.trim().is_empty()
        || BaseUrl::parse(url).is_ok_and(|b| PRESETS.iter().any(|p| p.base_url == b.as_str()))
}

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
    pub budget_usd: String,
    pub quality: QualityForm,
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
            seed: crate::plan::DEFAULT_SEED.to_string(),
            schedule: "pipelined".into(),
            budget_usd: String::new(),
            quality: QualityForm::default(),
        }
    }
}

/// A field of the form, for a problem shown next to it. Row fields carry the model row (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Examples,
    Concurrency,
    Rpm,
    Timeout,
    MaxRetries,
    Seed,
    Budget,
    Reasks,
    DuplicateThreshold,
    Provider(usize),
    BaseUrl(usize),
    ApiKey(usize),
    Model(usize),
    Temperature(usize),
    TopP(usize),
    MaxTokens(usize),
    ExtraBody(usize),
    JudgeBaseUrl,
    JudgeApiKey,
    JudgeModel,
}

/// What is wrong with a field's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Empty,
    /// Not a plain decimal number ("abc", "1e9", "0x10").
    NotANumber(String),
    /// A fraction where a whole number is needed.
    NotWhole(String),
    /// Outside the allowed range (bounds as written for people).
    OutOfRange {
        min: &'static str,
        max: &'static str,
    },
    Url(UrlError),
    Key(KeyError),
    /// The provider refuses calls without a key.
    KeyNeeded,
    ExtraBodyNotObject,
    /// Extra body may not set a field the run decides.
    ExtraBodyReserved(String),
    /// Resume: this row's model differs from the one the run was made with.
    ModelChanged {
        was: String,
    },
    /// Resume: the run has a model row the form no longer has (or the other way round).
    ModelCountChanged {
        was: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

/// A run ready to start, and the key for each of its endpoints (kept apart from the run record).
#[derive(Debug)]
pub struct Prepared {
    pub run: Run,
    pub keys: Vec<String>,
}

/// Parses a plain decimal number ("12", "0.7", "-3"): no exponents, no hex, no words.
fn plain_number(t: &str) -> Option<f64> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    ok.then(|| crate::number::decimal(t)).flatten()
}

/// Collects field errors while a form is read.
struct Reader {
    errors: Vec<FieldError>,
}

impl Reader {
    fn fail(&mut self, field: Field, problem: Problem) {
        self.errors.push(FieldError { field, problem });
    }

    /// A number within `[min, max]`; `None` if empty (allowed) or wrong (recorded).
    fn number(
        &mut self,
        field: Field,
        text: &str,
        (min, max): (f64, f64),
        whole: bool,
        bounds: (&'static str, &'static str),
    ) -> Option<f64> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let Some(v) = plain_number(t) else {
            let problem = if whole {
                Problem::NotWhole(t.into())
            } else {
                Problem::NotANumber(t.into())
            };
            self.fail(field, problem);
            return None;
        };
        if whole && v.fract() != 0.0 {
            self.fail(field, Problem::NotWhole(t.into()));
            return None;
        }
        if !(min..=max).contains(&v) {
            self.fail(
                field,
                Problem::OutOfRange {
                    min: bounds.0,
                    max: bounds.1,
                },
            );
            return None;
        }
        Some(v)
    }

    fn required(&mut self, field: Field, text: &str) -> bool {
        if text.trim().is_empty() {
            self.fail(field, Problem::Empty);
            false
        } else {
            true
        }
    }

    fn url(&mut self, field: Field, text: &str) -> Option<BaseUrl> {
        BaseUrl::parse_typed(text)
            .map_err(|e| {
                self.fail(
                    field,
                    if e == UrlError::Empty {
                        Problem::Empty
                    } else {
                        Problem::Url(e)
                    },
                )
            })
            .ok()
    }

    fn key(&mut self, field: Field, key: &str, needed: bool) {
        if let Err(e) = check_key(key) {
            self.fail(field, Problem::Key(e));
        } else if needed && key.trim().is_empty() {
            self.fail(field, Problem::KeyNeeded);
        }
    }
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
        judge.max_tokens = if crate::wire::is_reasoning_model(&judge.model) {
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
            .map_or(crate::plan::DEFAULT_SEED, |v| v as u64);
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
            },
            parsed.keys,
        ))
    }
}

#[cfg(test)]
mod tests;
