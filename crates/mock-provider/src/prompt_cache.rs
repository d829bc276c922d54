//! The providers' prompt caches, as their documentation describes them, so that a client's
//! caching (and its bill) can be measured locally.
//!
//! - OpenAI caches by itself: a prompt of 1,024 tokens or more is cached in steps of 128
//!   tokens; a later prompt whose start is byte-identical to a cached step is served from it,
//!   and `usage.prompt_tokens_details.cached_tokens` says how much.
//! - Anthropic caches only what comes up to a block marked `cache_control` (the system prompt,
//!   then the messages, in order; tools, which come first at Anthropic, are not counted here), only when that is at least the model's
//!   minimum; the first request writes it (`cache_creation_input_tokens`), later ones read it
//!   (`cache_read_input_tokens`), and `input_tokens` counts only what follows the breakpoint.
//!
//! A prompt is looked up when the request arrives and stored when its reply is sent, as a
//! provider does: requests sent together before any reply all miss.

use crate::reply::tokens;
use serde_json::Value;
use std::collections::HashSet;

const OPENAI_MIN: u64 = 1024;
const OPENAI_STEP: u64 = 128;

/// Cached prefixes (by model and exact bytes), per protocol.
#[derive(Default)]
pub struct Caches {
    openai: HashSet<u64>,
    anthropic: HashSet<u64>,
}

fn key(model: &str, prefix: &str) -> u64 {
    crate::faults::fnv1a(0, &[model.as_bytes(), prefix.as_bytes()])
}

/// The byte index after the first `n` characters of `s`.
fn char_end(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// The text an OpenAI prompt is cached by: its messages in order, with their roles.
pub fn openai_prompt(request: &Value) -> String {
    let mut out = String::new();
    for m in request["messages"].as_array().into_iter().flatten() {
        out.push_str(m["role"].as_str().unwrap_or(""));
        out.push('\n');
        out.push_str(&crate::content_text(&m["content"]));
        out.push('\n');
    }
    out
}

/// OpenAI's cacheable steps of a prompt: (tokens, key), shortest first.
fn openai_steps(model: &str, prompt: &str) -> Vec<(u64, u64)> {
    let total = tokens(prompt);
    let mut steps = Vec::new();
    let mut t = OPENAI_MIN;
    while t <= total {
        let end = char_end(prompt, (t * 4) as usize);
        steps.push((t, key(model, &prompt[..end])));
        t += OPENAI_STEP;
    }
    steps
}

/// The smallest cacheable prefix of an Anthropic model.
fn anthropic_min(model: &str) -> u64 {
    let m = model.to_ascii_lowercase();
    if ["haiku-4-5", "opus-4-5", "opus-4-6"]
        .iter()
        .any(|s| m.contains(s))
    {
        4096
    } else if ["3-5-haiku", "3-haiku"].iter().any(|s| m.contains(s)) {
        2048
    } else {
        1024
    }
}

/// The text up to and including the last block marked `cache_control`, if any.
pub fn anthropic_breakpoint(request: &Value) -> Option<String> {
    let mut text = String::new();
    let mut marked = None;
    let mut blocks = |content: &Value, text: &mut String| match content {
        Value::String(s) => text.push_str(s),
        Value::Array(parts) => {
            for p in parts {
                text.push_str(p["text"].as_str().unwrap_or(""));
                if p.get("cache_control").is_some() {
                    marked = Some(text.clone());
                }
            }
        }
        _ => {}
    };
    if let Some(system) = request.get("system") {
        blocks(system, &mut text);
    }
    for m in request["messages"].as_array().into_iter().flatten() {
        blocks(&m["content"], &mut text);
    }
    marked
}

/// What a request's usage says of the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUse {
    pub read: u64,
    pub written: u64,
}

/// What is stored once the reply goes out.
pub enum Store {
    Nothing,
    OpenAi(Vec<u64>),
    Anthropic(u64),
}

impl Caches {
    /// Looks an OpenAI prompt up: the cached tokens, and what to store with the reply.
    pub fn openai_lookup(&self, model: &str, prompt: &str) -> (CacheUse, Store) {
        let steps = openai_steps(model, prompt);
        let read = steps
            .iter()
            .rev()
            .find(|(_, k)| self.openai.contains(k))
            .map_or(0, |(t, _)| *t);
        let store = Store::OpenAi(steps.into_iter().map(|(_, k)| k).collect());
        (CacheUse { read, written: 0 }, store)
    }

    /// Looks an Anthropic request's breakpoint up: read it, write it, or neither (no breakpoint,
    /// or too short to cache).
    pub fn anthropic_lookup(&self, model: &str, request: &Value) -> (CacheUse, Store) {
        let Some(prefix) = anthropic_breakpoint(request) else {
            return (CacheUse::default(), Store::Nothing);
        };
        let n = tokens(&prefix);
        if n < anthropic_min(model) {
            return (CacheUse::default(), Store::Nothing);
        }
        let k = key(model, &prefix);
        if self.anthropic.contains(&k) {
            (
                CacheUse {
                    read: n,
                    written: 0,
                },
                Store::Nothing,
            )
        } else {
            (
                CacheUse {
                    read: 0,
                    written: n,
                },
                Store::Anthropic(k),
            )
        }
    }

    pub fn store(&mut self, store: Store) {
        match store {
            Store::Nothing => {}
            Store::OpenAi(keys) => self.openai.extend(keys),
            Store::Anthropic(k) => {
                self.anthropic.insert(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openai_serves_the_shared_start_in_steps_from_its_minimum() {
        let mut c = Caches::default();
        let facts = "f".repeat(4 * 1300);
        let a = format!("user\n{facts} question one");
        let (u, s) = c.openai_lookup("m", &a);
        assert_eq!(u, CacheUse::default(), "a cold cache");
        c.store(s);
        let b = format!("user\n{facts} another question");
        assert_eq!(c.openai_lookup("m", &b).0.read, 1280);
        assert_eq!(c.openai_lookup("other", &b).0.read, 0, "per model");
        let short = "s".repeat(4 * 1000);
        let (_, s) = c.openai_lookup("m", &short);
        c.store(s);
        assert_eq!(c.openai_lookup("m", &short).0.read, 0, "under 1,024 tokens");
        let moved = format!("user\nquestion first {facts}");
        assert_eq!(c.openai_lookup("m", &moved).0.read, 0, "the start differs");
    }

    #[test]
    fn anthropic_caches_only_up_to_a_marked_block_of_the_minimum_length() {
        let mut c = Caches::default();
        let facts = "f".repeat(4 * 1100);
        let marked = |q: &str| {
            json!({"system": [{"type": "text", "text": facts, "cache_control": {"type": "ephemeral"}}],
                   "messages": [{"role": "user", "content": q}]})
        };
        let (u, s) = c.anthropic_lookup("claude-sonnet-4", &marked("one"));
        assert_eq!(
            u,
            CacheUse {
                read: 0,
                written: 1100
            }
        );
        c.store(s);
        assert_eq!(
            c.anthropic_lookup("claude-sonnet-4", &marked("two")).0,
            CacheUse {
                read: 1100,
                written: 0
            }
        );
        let unmarked = json!({"system": facts, "messages": [{"role": "user", "content": "two"}]});
        assert_eq!(
            c.anthropic_lookup("claude-sonnet-4", &unmarked).0,
            CacheUse::default(),
            "no breakpoint, no cache"
        );
        assert_eq!(
            c.anthropic_lookup("claude-3-5-haiku-latest", &marked("x"))
                .0,
            CacheUse::default(),
            "Haiku 3.5 needs 2,048 tokens"
        );
    }
}
