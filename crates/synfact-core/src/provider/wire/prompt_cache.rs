//! The providers' prompt caches, as they publish them: what start of a prompt they can serve
//! from their cache, so that a request marks it (Anthropic) and an estimate counts it.
//!
//! - OpenAI (and OpenAI-compatible services that bill like it) caches by itself: a prompt of at
//!   least 1,024 tokens whose start repeats an earlier prompt's is served from the cache in
//!   steps of 128 tokens, reported as `usage.prompt_tokens_details.cached_tokens`.
//! - Anthropic caches only up to a `cache_control` breakpoint, and only when what comes before it
//!   is at least the model's minimum (1,024 tokens for most Sonnet and Opus models, 2,048 for
//!   the Haiku 3 models, 4,096 for Haiku 4.5 and Opus 4.5/4.6): written once at 1.25× the input
//!   price, then read at 0.1× for five minutes after each use.

use super::ProviderKind;

/// Tokens a text costs, roughly: four characters a token (English prose with the common
/// tokenizers), rounded up.
pub fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// OpenAI's smallest cached prompt, and the step its cached length grows by.
pub const OPENAI_MIN_TOKENS: u64 = 1024;
pub const OPENAI_STEP_TOKENS: u64 = 128;

/// The shortest prefix an Anthropic model caches (by model name, dated or not).
pub fn anthropic_min_tokens(model: &str) -> u64 {
    let name = model
        .rsplit('/')
        .next()
        .unwrap_or(model)
        .to_ascii_lowercase();
    let has = |s: &str| name.contains(s);
    if has("haiku-4-5")
        || has("haiku-4.5")
        || has("opus-4-5")
        || has("opus-4.5")
        || has("opus-4-6")
        || has("opus-4.6")
    {
        4096
    } else if has("3-5-haiku") || has("3-haiku") || has("haiku-3") {
        2048
    } else {
        1024
    }
}

/// Whether a shared start of `tokens` tokens is long enough for an Anthropic model to cache (a
/// breakpoint on a shorter one does nothing, so none is sent).
pub fn worth_marking(model: &str, tokens: u64) -> bool {
    tokens >= anthropic_min_tokens(model)
}

/// How many tokens of a shared start of `shared_tokens` a provider serves from its cache once it
/// holds it: 0 below its minimum.
pub fn cacheable_tokens(kind: ProviderKind, model: &str, shared_tokens: u64) -> u64 {
    match kind {
        ProviderKind::OpenAi if shared_tokens >= OPENAI_MIN_TOKENS => {
            shared_tokens / OPENAI_STEP_TOKENS * OPENAI_STEP_TOKENS
        }
        ProviderKind::OpenAi => 0,
        ProviderKind::Anthropic if worth_marking(model, shared_tokens) => shared_tokens,
        ProviderKind::Anthropic => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_caches_from_its_own_minimum() {
        use ProviderKind::*;
        assert_eq!(cacheable_tokens(OpenAi, "gpt-4o-mini", 1023), 0);
        assert_eq!(cacheable_tokens(OpenAi, "gpt-4o-mini", 1024), 1024);
        assert_eq!(cacheable_tokens(OpenAi, "gpt-4o-mini", 1300), 1280);
        assert_eq!(
            cacheable_tokens(Anthropic, "claude-sonnet-4-20250514", 1023),
            0
        );
        assert_eq!(
            cacheable_tokens(Anthropic, "claude-sonnet-4-20250514", 1030),
            1030
        );
        assert_eq!(
            cacheable_tokens(Anthropic, "claude-3-5-haiku-latest", 2000),
            0
        );
        assert_eq!(
            cacheable_tokens(Anthropic, "claude-3-haiku-20240307", 2048),
            2048
        );
        assert_eq!(
            cacheable_tokens(Anthropic, "anthropic/claude-haiku-4.5", 4000),
            0
        );
        assert_eq!(cacheable_tokens(Anthropic, "claude-opus-4-5", 4096), 4096);
        assert!(worth_marking("claude-opus-4-1", 1024));
    }
}
