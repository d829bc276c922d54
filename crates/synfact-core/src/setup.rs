//! From what the user typed to a run: provider presets and form parsing with field-specific errors.

use crate::run::{EndpointSpec, Generator, Run, RunSettings, Schedule};
use crate::template::FactTemplate;
use crate::wire::{ModelConfig, ProviderKind};
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
}

pub const PRESETS: [Preset; 8] = [
    Preset {
        id: "openai",
        label: "OpenAI",
        kind: ProviderKind::OpenAi,
        base_url: "https://api.openai.com/v1",
        model: "gpt-4.1-mini",
        judge_model: "gpt-4.1-mini",
    },
    Preset {
        id: "anthropic",
        label: "Anthropic",
        kind: ProviderKind::Anthropic,
        base_url: "https://api.anthropic.com/v1",
        model: "claude-sonnet-4-5",
        judge_model: "claude-haiku-4-5",
    },
    Preset {
        id: "openrouter",
        label: "OpenRouter",
        kind: ProviderKind::OpenAi,
        base_url: "https://openrouter.ai/api/v1",
        model: "openai/gpt-4.1-mini",
        judge_model: "openai/gpt-4.1-mini",
    },
    Preset {
        id: "gemini",
        label: "Google Gemini (OpenAI-compatible)",
        kind: ProviderKind::OpenAi,
        base_url: "https://generativelanguage.googleapis.com/v1beta/openai",
        model: "gemini-2.5-flash",
        judge_model: "gemini-2.5-flash",
    },
    Preset {
        id: "ollama",
        label: "Ollama",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:11434/v1",
        model: "llama3.1",
        judge_model: "llama3.1",
    },
    Preset {
        id: "llamacpp",
        label: "llama.cpp server",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:8080/v1",
        model: "local",
        judge_model: "local",
    },
    Preset {
        id: "lmstudio",
        label: "LM Studio",
        kind: ProviderKind::OpenAi,
        base_url: "http://localhost:1234/v1",
        model: "",
        judge_model: "",
    },
    Preset {
        id: "custom",
        label: "Custom",
        kind: ProviderKind::OpenAi,
        base_url: "",
        model: "",
        judge_model: "",
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
    let u = url.trim().trim_end_matches('/');
    u.is_empty() || PRESETS.iter().any(|p| p.base_url == u)
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

impl ModelForm {
    pub fn for_preset(id: &str) -> ModelForm {
        let p = preset(id);
        ModelForm {
            provider: p.id.into(),
            base_url: p.base_url.into(),
            model: p.model.into(),
            temperature: "1.0".into(),
            // Room for "3-8 paragraphs"; an answer cut off at the limit is rejected.
            max_tokens: "4000".into(),
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
    pub concurrency: String,
    pub rpm: String,
    pub timeout_s: String,
    pub max_retries: String,
    pub seed: String,
    pub schedule: String,
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
            concurrency: String::new(),
            rpm: String::new(),
            timeout_s: "120".into(),
            max_retries: "6".into(),
            seed: crate::plan::DEFAULT_SEED.to_string(),
            schedule: "pipelined".into(),
        }
    }
}

/// A run ready to start, and the key for each of its endpoints (kept apart from the run record).
#[derive(Debug)]
pub struct Prepared {
    pub run: Run,
    pub keys: Vec<String>,
}

fn number<T: std::str::FromStr>(field: &str, text: &str, errors: &mut Vec<String>) -> Option<T> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<T>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(format!("{field}: \"{t}\" is not a valid number."));
            None
        }
    }
}

fn endpoint_index(
    endpoints: &mut Vec<EndpointSpec>,
    keys: &mut Vec<String>,
    kind: ProviderKind,
    base_url: &str,
    key: &str,
    concurrency: Option<u32>,
    rpm: Option<u32>,
) -> usize {
    let base = base_url.trim().trim_end_matches('/').to_string();
    if let Some(i) = endpoints
        .iter()
        .position(|e| e.kind == kind && e.base_url == base)
    {
        return i;
    }
    endpoints.push(EndpointSpec {
        kind,
        concurrency: concurrency.unwrap_or_else(|| EndpointSpec::default_concurrency(&base)),
        base_url: base,
        rpm,
    });
    keys.push(key.trim().to_string());
    endpoints.len() - 1
}

fn check_url(field: &str, url: &str, errors: &mut Vec<String>) {
    let u = url.trim();
    if u.is_empty() {
        errors.push(format!(
            "{field} is empty: enter the provider's API address, e.g. https://api.openai.com/v1."
        ));
    } else if !(u.starts_with("http://") || u.starts_with("https://")) {
        errors.push(format!(
            "{field} must start with http:// or https:// (got \"{u}\")."
        ));
    }
}

impl RunForm {
    /// Checks every field and builds the run, or lists what to fix.
    pub fn prepare(
        &self,
        template: &FactTemplate,
        id: String,
        now_ms: f64,
    ) -> Result<Prepared, Vec<String>> {
        let mut errors = Vec::new();
        let examples: Option<usize> = number("Examples", &self.examples, &mut errors);
        let examples = match examples {
            Some(n) if (1..=100_000).contains(&n) => n,
            Some(_) => {
                errors.push("Examples must be between 1 and 100000.".into());
                1
            }
            None => {
                if self.examples.trim().is_empty() {
                    errors.push("Examples is empty: enter how many examples to make.".into());
                }
                1
            }
        };
        let concurrency: Option<u32> = number("Concurrency", &self.concurrency, &mut errors);
        if concurrency == Some(0) {
            errors.push("Concurrency must be at least 1.".into());
        }
        let rpm: Option<u32> = number("Requests per minute", &self.rpm, &mut errors);
        let timeout_s: f64 =
            number("Timeout (seconds)", &self.timeout_s, &mut errors).unwrap_or(120.0);
        if timeout_s <= 0.0 {
            errors.push("Timeout (seconds) must be more than 0.".into());
        }
        let defaults = RunSettings::default();
        let settings = RunSettings {
            examples,
            seed: number("Seed", &self.seed, &mut errors).unwrap_or(defaults.seed),
            max_retries: number("Max retries", &self.max_retries, &mut errors)
                .unwrap_or(defaults.max_retries),
            timeout_ms: (timeout_s * 1000.0) as u64,
            schedule: if self.schedule == "barrier" {
                Schedule::StageBarrier
            } else {
                Schedule::Pipelined
            },
            ..defaults
        };
        let mut endpoints = Vec::new();
        let mut keys = Vec::new();
        let mut generators = Vec::new();
        for (i, m) in self.models.iter().enumerate() {
            let n = if i == 0 {
                String::new()
            } else {
                format!(" {}", i + 1)
            };
            let p = preset(&m.provider);
            check_url(&format!("Base URL{n}"), &m.base_url, &mut errors);
            if m.model.trim().is_empty() {
                errors.push(format!(
                    "Model{n} is empty: enter the model's name, e.g. {}.",
                    if p.model.is_empty() {
                        "gpt-4.1-mini"
                    } else {
                        p.model
                    }
                ));
            }
            if p.kind == ProviderKind::Anthropic && m.api_key.trim().is_empty() {
                errors.push(format!("API key{n} is empty: Anthropic needs a key."));
            }
            let mut config = ModelConfig::new(m.model.trim());
            config.temperature = number(&format!("Temperature{n}"), &m.temperature, &mut errors);
            config.top_p = number(&format!("Top p{n}"), &m.top_p, &mut errors);
            config.max_tokens =
                number(&format!("Max tokens{n}"), &m.max_tokens, &mut errors).unwrap_or(1000);
            if let Some(t) = config.temperature {
                let max = if p.kind == ProviderKind::Anthropic {
                    1.0
                } else {
                    2.0
                };
                if !(0.0..=max).contains(&t) {
                    errors.push(format!("Temperature{n} must be between 0 and {max}."));
                }
            }
            let effort = m.reasoning_effort.trim();
            config.reasoning_effort = (!effort.is_empty()).then(|| effort.to_string());
            let extra = m.extra_body.trim();
            if !extra.is_empty() {
                match serde_json::from_str::<serde_json::Value>(extra) {
                    Ok(serde_json::Value::Object(map)) => config.extra_body = Some(map),
                    _ => errors.push(format!("Extra body{n} must be a JSON object, e.g. {{\"provider\": {{\"sort\": \"price\"}}}}.")),
                }
            }
            let e = endpoint_index(
                &mut endpoints,
                &mut keys,
                p.kind,
                &m.base_url,
                &m.api_key,
                concurrency,
                rpm,
            );
            generators.push(Generator {
                endpoint: e,
                config,
            });
        }
        if generators.is_empty() {
            errors.push("Add at least one model.".into());
        }
        if self.judge_model.trim().is_empty() {
            errors.push(
                "Judge model is empty: enter the model that checks each question and answer."
                    .into(),
            );
        }
        let mut judge_config = ModelConfig::new(self.judge_model.trim());
        judge_config.temperature = Some(0.0);
        // A verdict is a few tokens, but a reasoning model spends its budget thinking first.
        judge_config.max_tokens = if crate::wire::is_reasoning_model(&judge_config.model) {
            4000
        } else {
            100
        };
        let judge_endpoint = if self.judge_provider.trim().is_empty() {
            generators.first().map_or(0, |g| g.endpoint)
        } else {
            let p = preset(&self.judge_provider);
            check_url("Judge base URL", &self.judge_base_url, &mut errors);
            endpoint_index(
                &mut endpoints,
                &mut keys,
                p.kind,
                &self.judge_base_url,
                &self.judge_api_key,
                concurrency,
                rpm,
            )
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let judge = Generator {
            endpoint: judge_endpoint,
            config: judge_config,
        };
        Ok(Prepared {
            run: Run::new(
                id,
                now_ms,
                template.clone(),
                endpoints,
                generators,
                judge,
                settings,
            ),
            keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> FactTemplate {
        FactTemplate::built_in("pandas_habitat").unwrap()
    }

    #[test]
    fn the_default_form_makes_a_run() {
        let p = RunForm::default()
            .prepare(&template(), "r".into(), 0.0)
            .unwrap();
        assert_eq!(p.run.items.len(), 10);
        assert_eq!(p.run.endpoints.len(), 1);
        assert_eq!(
            p.run.endpoints[0].concurrency, 32,
            "HTTPS providers get HTTP/2 concurrency"
        );
        assert_eq!(p.run.judge.config.temperature, Some(0.0));
        assert_eq!(p.run.judge.config.max_tokens, 100);
        let reasoning = RunForm {
            judge_model: "o4-mini".into(),
            ..RunForm::default()
        };
        assert_eq!(
            reasoning
                .prepare(&template(), "r".into(), 0.0)
                .unwrap()
                .run
                .judge
                .config
                .max_tokens,
            4000
        );
    }

    #[test]
    fn errors_name_the_field() {
        let mut f = RunForm {
            examples: "ten".into(),
            ..RunForm::default()
        };
        f.models[0].base_url = "api.openai.com".into();
        f.models[0].model = " ".into();
        f.models[0].extra_body = "[1]".into();
        f.judge_model.clear();
        f.models.push(ModelForm {
            provider: "anthropic".into(),
            base_url: "https://api.anthropic.com/v1".into(),
            model: "c".into(),
            ..ModelForm::default()
        });
        let errors = f.prepare(&template(), "r".into(), 0.0).unwrap_err();
        let expected = [
            "Examples: \"ten\" is not a valid number.",
            "Base URL must start with http:// or https:// (got \"api.openai.com\").",
            "Model is empty: enter the model's name, e.g. gpt-4.1-mini.",
            "Extra body must be a JSON object, e.g. {\"provider\": {\"sort\": \"price\"}}.",
            "API key 2 is empty: Anthropic needs a key.",
            "Judge model is empty: enter the model that checks each question and answer.",
        ];
        assert_eq!(errors, expected);
    }

    #[test]
    fn models_share_an_endpoint_and_the_judge_can_have_its_own() {
        let mut f = RunForm::default();
        f.models[0].base_url = "http://127.0.0.1:9/v1".into();
        f.models.push(ModelForm {
            model: "second".into(),
            ..f.models[0].clone()
        });
        f.judge_provider = "anthropic".into();
        f.judge_base_url = "https://api.anthropic.com/v1".into();
        f.judge_api_key = "sk-ant".into();
        f.examples = "3".into();
        let p = f.prepare(&template(), "r".into(), 0.0).unwrap();
        assert_eq!(p.run.endpoints.len(), 2);
        assert_eq!(
            p.run.endpoints[0].concurrency, 6,
            "plain HTTP gets the browser's six"
        );
        assert_eq!(p.keys, vec!["".to_string(), "sk-ant".to_string()]);
        assert_eq!(p.run.items.len(), 6);
        assert_eq!(p.run.judge.endpoint, 1);
        assert!(
            serde_json::to_string(&p.run)
                .unwrap()
                .find("sk-ant")
                .is_none(),
            "keys stay out of the run record"
        );
    }

    #[test]
    fn switching_provider_only_replaces_preset_urls() {
        assert!(is_default_base_url("https://api.openai.com/v1/"));
        assert!(is_default_base_url(""));
        assert!(!is_default_base_url("http://127.0.0.1:8787/v1"));
    }
}
