//! Cache keys: a SHA-256 of everything that determines a reply, and nothing secret.

use crate::provider::endpoint::BaseUrl;
use crate::provider::wire::{request_body, LlmCall, ProviderKind};
use sha2::{Digest, Sha256};

/// Hex SHA-256 over (protocol tag, base URL, request body, sample number). The API key is not
/// an input, and neither is any display label: rewording the UI never empties a cache.
pub fn cache_key(kind: ProviderKind, base_url: &BaseUrl, call: &LlmCall) -> String {
    let mut h = Sha256::new();
    h.update(b"synfact-cache-v1\0");
    h.update(kind.cache_tag().as_bytes());
    h.update(b"\0");
    h.update(base_url.as_str().as_bytes());
    h.update(b"\0");
    h.update(request_body(kind, call).to_string().as_bytes());
    h.update(b"\0");
    // Sample and draw in one number, as the first version of the key had them: keys made by
    // earlier versions stay valid.
    h.update((call.sample + (call.draw << 16)).to_le_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit((b >> 4) as u32, 16).expect("a nibble"));
        out.push(char::from_digit((b & 15) as u32, 16).expect("a nibble"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::wire::{Message, ModelConfig};

    fn call() -> LlmCall {
        LlmCall {
            messages: vec![Message::user("hi")],
            config: ModelConfig::new("m"),
            schema: None,
            sample: 0,
            draw: 0,
            shared: None,
        }
    }

    fn base(s: &str) -> BaseUrl {
        BaseUrl::parse(s).unwrap()
    }

    #[test]
    fn a_known_request_keeps_its_key_across_versions() {
        // Pinned: if this changes, every reply cached in users' browsers would be asked again.
        assert_eq!(
            cache_key(ProviderKind::OpenAi, &base("http://a/v1"), &call()),
            "8fa03efef78059ef45e000a175743387e1d545acf7c3f156d65df820d6322540"
        );
        assert_eq!(
            cache_key(
                ProviderKind::Anthropic,
                &base("https://api.anthropic.com/v1"),
                &call()
            ),
            "243bef5e91012f687556c9ca459497d1c011ae402e6855dd620792e4a1b6a369"
        );
    }

    #[test]
    fn key_depends_on_every_input() {
        let k = cache_key(ProviderKind::OpenAi, &base("http://a/v1"), &call());
        assert_eq!(k.len(), 64);
        assert_eq!(
            k,
            cache_key(ProviderKind::OpenAi, &base("HTTP://A/v1/"), &call())
        );
        assert_ne!(
            k,
            cache_key(ProviderKind::Anthropic, &base("http://a/v1"), &call())
        );
        assert_ne!(
            k,
            cache_key(ProviderKind::OpenAi, &base("http://b/v1"), &call())
        );
        let mut c = call();
        c.sample = 1;
        assert_ne!(k, cache_key(ProviderKind::OpenAi, &base("http://a/v1"), &c));
        let mut c = call();
        c.config.temperature = Some(0.5);
        assert_ne!(k, cache_key(ProviderKind::OpenAi, &base("http://a/v1"), &c));
        let mut c = call();
        c.messages[0].content.push('!');
        assert_ne!(k, cache_key(ProviderKind::OpenAi, &base("http://a/v1"), &c));
    }
}
