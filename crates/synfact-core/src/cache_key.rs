//! Cache keys: a SHA-256 of everything that determines a reply, and nothing secret.

use crate::wire::{request_body, LlmCall, ProviderKind};
use sha2::{Digest, Sha256};

/// Hex SHA-256 over (protocol, base URL, request body, sample number). The API key is not an input.
pub fn cache_key(kind: ProviderKind, base_url: &str, call: &LlmCall) -> String {
    let mut h = Sha256::new();
    h.update(b"synfact-cache-v1\0");
    h.update(kind.label().as_bytes());
    h.update(b"\0");
    h.update(base_url.trim().trim_end_matches('/').as_bytes());
    h.update(b"\0");
    h.update(request_body(kind, call).to_string().as_bytes());
    h.update(b"\0");
    h.update(call.attempt.to_le_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Message, ModelConfig};

    fn call() -> LlmCall {
        LlmCall {
            messages: vec![Message::user("hi")],
            config: ModelConfig::new("m"),
            verdict_schema: false,
            attempt: 0,
        }
    }

    #[test]
    fn key_depends_on_every_input() {
        let base = cache_key(ProviderKind::OpenAi, "http://a/v1", &call());
        assert_eq!(base.len(), 64);
        assert_eq!(
            base,
            cache_key(ProviderKind::OpenAi, "http://a/v1/", &call())
        );
        assert_ne!(
            base,
            cache_key(ProviderKind::Anthropic, "http://a/v1", &call())
        );
        assert_ne!(
            base,
            cache_key(ProviderKind::OpenAi, "http://b/v1", &call())
        );
        let mut c = call();
        c.attempt = 1;
        assert_ne!(base, cache_key(ProviderKind::OpenAi, "http://a/v1", &c));
        let mut c = call();
        c.config.temperature = Some(0.5);
        assert_ne!(base, cache_key(ProviderKind::OpenAi, "http://a/v1", &c));
        let mut c = call();
        c.messages[0].content.push('!');
        assert_ne!(base, cache_key(ProviderKind::OpenAi, "http://a/v1", &c));
    }
}
