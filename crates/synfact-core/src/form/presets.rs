//! The providers the form offers, with their protocol, base URL and whether they need a key.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::ProviderKind;

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
