//! One identity for an endpoint: a parsed, normalised base URL, and the checks an API key must
//! pass before it goes into a request header.
//!
//! The parser is written here rather than taken from the `url` crate: a base URL needs only a
//! scheme, a host, a port and a path, and `url` (with its IDNA tables) would add more to the
//! WebAssembly download than this whole module.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An API base URL such as `https://api.openai.com/v1`: http or https, a host, an optional port
/// and path, no credentials, no query, no trailing slash. Scheme and host are lower-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BaseUrl(String);

/// What is wrong with a typed base URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("empty")]
    Empty,
    /// No `scheme://` at all (e.g. `localhost:8080/v1`); holds the likely intended URL.
    #[error("missing scheme")]
    MissingScheme { suggestion: String },
    /// A scheme other than http or https.
    #[error("unsupported scheme {0}")]
    UnsupportedScheme(String),
    #[error("missing host")]
    MissingHost,
    /// `user:pass@host`: credentials would be stored and sent where they should not be.
    #[error("credentials in URL")]
    Credentials,
    #[error("bad port")]
    BadPort(String),
    /// A character a host name cannot hold (spaces, non-ASCII letters).
    #[error("bad host")]
    BadHost(String),
    /// `?query` or `#fragment`.
    #[error("query or fragment")]
    QueryOrFragment,
    /// Whitespace inside the URL.
    #[error("whitespace")]
    Whitespace,
    /// The URL of the call itself (`…/v1/chat/completions`), not the base it hangs under; holds
    /// the base.
    #[error("call path")]
    CallPath { suggestion: String },
}

/// The routes synfact adds to a base URL; a base that ends with one was copied from a call.
const CALL_ROUTES: [&str; 3] = ["/chat/completions", "/completions", "/messages"];

impl BaseUrl {
    /// Parses what the user typed. Leading and trailing whitespace and trailing slashes are ignored.
    pub fn parse(text: &str) -> Result<BaseUrl, UrlError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(UrlError::Empty);
        }
        if t.chars().any(char::is_whitespace) {
            return Err(UrlError::Whitespace);
        }
        let (scheme, rest) = match t.find("://") {
            Some(i) => (t[..i].to_ascii_lowercase(), &t[i + 3..]),
            None => {
                if let Some((s, after)) = t.split_once(':') {
                    let s = s.to_ascii_lowercase();
                    // "javascript:alert(1)", "file:/etc", "mailto:x" name a scheme; "host:8080" a port.
                    if !s.is_empty()
                        && s.chars().all(|c| c.is_ascii_alphabetic())
                        && !after.starts_with(|c: char| c.is_ascii_digit())
                    {
                        return Err(UrlError::UnsupportedScheme(s));
                    }
                }
                let local = looks_local(t);
                let suggestion = format!("{}://{}", if local { "http" } else { "https" }, t);
                return Err(UrlError::MissingScheme {
                    suggestion: suggestion.trim_end_matches('/').to_string(),
                });
            }
        };
        if scheme != "http" && scheme != "https" {
            return Err(UrlError::UnsupportedScheme(scheme));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(UrlError::Credentials);
        }
        if tail.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        let (host, port) = split_port(authority)?;
        if host.is_empty() {
            return Err(UrlError::MissingHost);
        }
        let host = host.to_ascii_lowercase();
        let bracketed = host.starts_with('[') && host.ends_with(']');
        let host_ok = if bracketed {
            host[1..host.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        } else {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        };
        if !host_ok {
            return Err(UrlError::BadHost(host));
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = match port {
            Some(p) if p == default_port => String::new(),
            Some(p) => format!(":{p}"),
            None => String::new(),
        };
        let path = tail.trim_end_matches('/');
        Ok(BaseUrl(format!("{scheme}://{host}{port}{path}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A base typed in a form: also refuses the address of a call (`…/v1/chat/completions`),
    /// which a base URL never is. Stored runs are read with the lenient `parse`, so a run saved
    /// with such an address still opens.
    pub fn parse_typed(text: &str) -> Result<BaseUrl, UrlError> {
        let url = BaseUrl::parse(text)?;
        match CALL_ROUTES.iter().find_map(|r| url.0.strip_suffix(r)) {
            Some(base) => Err(UrlError::CallPath {
                suggestion: base.to_string(),
            }),
            None => Ok(url),
        }
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The host (and port), for messages.
    pub fn host(&self) -> &str {
        let rest = &self.0[self.0.find("://").map_or(0, |i| i + 3)..];
        &rest[..rest.find('/').unwrap_or(rest.len())]
    }

    /// True for loopback and private-network hosts (local model servers).
    pub fn is_local(&self) -> bool {
        looks_local(self.host())
    }

    /// The endpoint URL for a route under the base (e.g. `chat/completions`).
    pub fn join(&self, route: &str) -> String {
        format!("{}/{}", self.0, route.trim_start_matches('/'))
    }

    /// The base with `/v1` added, when it has no version segment: what a user who typed only the
    /// server's address most likely meant.
    pub fn with_v1(&self) -> Option<BaseUrl> {
        let path = &self.0[self.0.find("://").map_or(0, |i| i + 3) + self.host().len()..];
        let versioned = path.split('/').any(|s| {
            s.len() >= 2 && s.starts_with('v') && s[1..].starts_with(|c: char| c.is_ascii_digit())
        });
        (!versioned).then(|| BaseUrl(format!("{}/v1", self.0)))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for BaseUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        BaseUrl::parse(&s).map_err(|e| format!("not a base URL ({e}): {s}"))
    }
}

impl From<BaseUrl> for String {
    fn from(b: BaseUrl) -> String {
        b.0
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    // "[::1]:8080" keeps its brackets; a bare IPv6 address without brackets is not a valid authority.
    let colon = if authority.starts_with('[') {
        authority
            .find(']')
            .and_then(|i| authority[i..].find(':').map(|j| i + j))
    } else {
        authority.rfind(':')
    };
    match colon {
        None => Ok((authority, None)),
        Some(i) => {
            let p = &authority[i + 1..];
            if p.is_empty() {
                return Ok((&authority[..i], None));
            }
            match p.parse::<u16>() {
                Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => {
                    Ok((&authority[..i], Some(n)))
                }
                _ => Err(UrlError::BadPort(p.to_string())),
            }
        }
    }
}

/// The host name at the start of `s` ("[::1]:80/v1" gives "::1", "localhost:1" gives "localhost").
fn host_name(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        return &rest[..rest.find(']').unwrap_or(rest.len())];
    }
    &s[..s.find([':', '/']).unwrap_or(s.len())]
}

fn looks_local(text: &str) -> bool {
    let h = host_name(text).to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "::1"
        || h.starts_with("10.")
        || h.starts_with("192.168.")
        || h.starts_with("0.0.0.0")
        || (h.starts_with("172.")
            && h.split('.')
                .nth(1)
                .and_then(|o| o.parse::<u8>().ok())
                .is_some_and(|o| (16..=31).contains(&o)))
}

/// A character in an API key that no request header can carry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad character in key at {position}")]
pub struct KeyError {
    /// 1-based position among the key's characters (after trimming).
    pub position: usize,
    pub character: char,
    /// True for characters that show as nothing (zero-width spaces, byte-order marks, soft hyphens).
    pub invisible: bool,
}

/// Checks that a key can go into an HTTP header as it is: printable ASCII only. Keys copied from
/// web pages often carry a zero-width space or a curly quote, which the browser refuses to send.
pub fn check_key(key: &str) -> Result<(), KeyError> {
    for (i, c) in key.trim().chars().enumerate() {
        if !(c.is_ascii_graphic()) {
            return Err(KeyError {
                position: i + 1,
                character: c,
                invisible: is_invisible(c),
            });
        }
    }
    Ok(())
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'..='\u{202E}'
    ) || c.is_control()
        || c.is_whitespace()
}

/// Prefixes of provider keys and tokens: OpenAI / Anthropic / OpenRouter (`sk-`), Google (`AIza`),
/// Hugging Face (`hf_`).
const KEY_PREFIXES: [&str; 3] = ["sk-", "AIza", "hf_"];

/// Whether a word looks like a key or a provider's masked echo of one ("sk-abc***wxyz").
fn looks_like_key(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '*');
    w.chars().count() > 6 && (KEY_PREFIXES.iter().any(|p| w.starts_with(p)) || w.contains("***"))
}

/// Removes anything key-like from text that will be shown or stored: the key itself (when it is
/// long enough not to match ordinary words), and words that look like keys or masked keys.
pub fn redact(text: &str, key: &str) -> String {
    const MASK: &str = "[redacted]";
    let key = key.trim();
    let text = if key.chars().count() >= 4 {
        text.replace(key, MASK)
    } else {
        text.to_string()
    };
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(s) = word_start.take() {
                let w = &text[s..i];
                out.push_str(if looks_like_key(w) { MASK } else { w });
            }
            if i < text.len() {
                out.push(c);
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, expected: &str) {
        assert_eq!(
            BaseUrl::parse(text).map(|b| b.to_string()),
            Ok(expected.to_string()),
            "{text}"
        );
    }

    fn bad(text: &str, expected: UrlError) {
        assert_eq!(BaseUrl::parse(text), Err(expected), "{text}");
    }

    #[test]
    fn normalises_what_people_type() {
        ok("https://api.openai.com/v1", "https://api.openai.com/v1");
        ok(
            "  https://api.openai.com/v1/  ",
            "https://api.openai.com/v1",
        );
        ok("HTTP://LocalHost:8080/v1", "http://localhost:8080/v1");
        ok(
            "https://Example.com:443/api/v1//",
            "https://example.com/api/v1",
        );
        ok("http://example.com:80", "http://example.com");
        ok("http://[::1]:11434/v1", "http://[::1]:11434/v1");
        ok("http://127.0.0.1:8787/v1", "http://127.0.0.1:8787/v1");
        ok("http://my_host.internal:1/", "http://my_host.internal:1");
    }

    #[test]
    fn refuses_what_would_send_a_key_astray() {
        bad("", UrlError::Empty);
        bad("   ", UrlError::Empty);
        bad("http://", UrlError::MissingHost);
        bad("https://", UrlError::MissingHost);
        bad("https:///v1", UrlError::MissingHost);
        bad("http://:8080/v1", UrlError::MissingHost);
        bad(
            "https://user:pass@api.example.com/v1",
            UrlError::Credentials,
        );
        bad("https://token@api.example.com/v1", UrlError::Credentials);
        bad(
            "file:///etc/passwd",
            UrlError::UnsupportedScheme("file".into()),
        );
        bad(
            "javascript:alert(1)",
            UrlError::UnsupportedScheme("javascript".into()),
        );
        bad(
            "ftp://example.com/v1",
            UrlError::UnsupportedScheme("ftp".into()),
        );
        bad(
            "ws://example.com/v1",
            UrlError::UnsupportedScheme("ws".into()),
        );
        bad(
            "https://api.example.com/v1?key=1",
            UrlError::QueryOrFragment,
        );
        bad("https://api.example.com/v1#x", UrlError::QueryOrFragment);
        bad("https://api.exa mple.com/v1", UrlError::Whitespace);
        // The address of a call pasted from an API's documentation: refused where it is typed,
        // still read where it was stored.
        assert_eq!(
            BaseUrl::parse_typed("http://127.0.0.1:8131/v1/chat/completions/"),
            Err(UrlError::CallPath {
                suggestion: "http://127.0.0.1:8131/v1".into(),
            })
        );
        assert_eq!(
            BaseUrl::parse_typed("https://api.anthropic.com/v1/messages"),
            Err(UrlError::CallPath {
                suggestion: "https://api.anthropic.com/v1".into(),
            })
        );
        assert!(BaseUrl::parse("https://api.anthropic.com/v1/messages").is_ok());
        assert!(BaseUrl::parse_typed("https://api.anthropic.com/v1").is_ok());
        bad(
            "http://localhost:99999/v1",
            UrlError::BadPort("99999".into()),
        );
        bad("http://localhost:abc/v1", UrlError::BadPort("abc".into()));
        bad(
            "https://bücher.example/v1",
            UrlError::BadHost("bücher.example".into()),
        );
        bad(
            "myserver:8080/v1",
            UrlError::MissingScheme {
                suggestion: "https://myserver:8080/v1".into(),
            },
        );
        bad(
            "localhost:1234",
            UrlError::MissingScheme {
                suggestion: "http://localhost:1234".into(),
            },
        );
        bad(
            "api.openai.com/v1/",
            UrlError::MissingScheme {
                suggestion: "https://api.openai.com/v1".into(),
            },
        );
    }

    #[test]
    fn parts_and_suggestions() {
        let b = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(b.host(), "127.0.0.1:8080");
        assert!(b.is_local() && !b.is_https());
        assert_eq!(
            b.join("chat/completions"),
            "http://127.0.0.1:8080/chat/completions"
        );
        assert_eq!(b.with_v1().unwrap().as_str(), "http://127.0.0.1:8080/v1");
        let v = BaseUrl::parse("https://generativelanguage.googleapis.com/v1beta/openai").unwrap();
        assert_eq!(v.with_v1(), None);
        assert!(!v.is_local());
        for local in [
            "http://localhost:1/v1",
            "http://192.168.1.4/v1",
            "http://172.20.0.1/v1",
            "http://[::1]/v1",
        ] {
            assert!(BaseUrl::parse(local).unwrap().is_local(), "{local}");
        }
        assert!(!BaseUrl::parse("http://172.40.0.1/v1").unwrap().is_local());
        // A version segment anywhere in the path, not in the host.
        let v1 = |s: &str| BaseUrl::parse(s).unwrap().with_v1().map(|b| b.to_string());
        assert_eq!(
            v1("https://v1.example.com"),
            Some("https://v1.example.com/v1".into())
        );
        assert_eq!(
            v1("https://example.com/vendor"),
            Some("https://example.com/vendor/v1".into())
        );
        assert_eq!(
            v1("https://example.com/v"),
            Some("https://example.com/v/v1".into())
        );
        assert_eq!(v1("https://example.com/api/v2/x"), None);
    }

    #[test]
    fn ports_and_brackets_are_checked_exactly() {
        bad("http://localhost:0/v1", UrlError::BadPort("0".into()));
        bad("http://localhost:+80/v1", UrlError::BadPort("+80".into()));
        ok("http://localhost:/v1", "http://localhost/v1");
        ok(
            "http://[::ffff:127.0.0.1]:8/v1",
            "http://[::ffff:127.0.0.1]:8/v1",
        );
        bad("http://[::1/v1", UrlError::BadHost("[::1".into()));
        bad("http://[::g]/v1", UrlError::BadHost("[::g]".into()));
        bad(
            "mailto:someone",
            UrlError::UnsupportedScheme("mailto".into()),
        );
        bad(
            "host:8080",
            UrlError::MissingScheme {
                suggestion: "https://host:8080".into(),
            },
        );
    }

    #[test]
    fn serialises_as_a_plain_string_and_refuses_bad_ones() {
        let b = BaseUrl::parse("https://a.example/v1").unwrap();
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            "\"https://a.example/v1\""
        );
        assert_eq!(
            serde_json::from_str::<BaseUrl>("\"https://a.example/v1/\"").unwrap(),
            b
        );
        assert!(serde_json::from_str::<BaseUrl>("\"http://\"").is_err());
    }

    #[test]
    fn redaction_removes_keys_and_their_masked_echoes() {
        let m = redact(
            "Incorrect API key provided: sk-abc***wxyz. You can find",
            "sk-abcdefwxyz",
        );
        assert_eq!(m, "Incorrect API key provided: [redacted] You can find");
        assert_eq!(
            redact("bad key sk-live-12345 here", "sk-live-12345"),
            "bad key [redacted] here"
        );
        assert_eq!(redact("plain text", ""), "plain text");
        // The key itself, wherever it is, once it is 4 characters or more.
        assert_eq!(redact("xabcdx", "abcd"), "x[redacted]x");
        assert_eq!(
            redact("xabcx", "abc"),
            "xabcx",
            "3 characters would hit ordinary words"
        );
        // Key-like words, whatever the key: over 6 characters with a key prefix or a mask.
        assert_eq!(redact("k sk-abcd k", "zzzz"), "k [redacted] k");
        assert_eq!(redact("k sk-abc k", "zzzz"), "k sk-abc k");
        assert_eq!(redact("AIzaSyA1 hf_abcdefg", ""), "[redacted] [redacted]");
        assert_eq!(
            redact("ab***cd a***bc ab**cdef", ""),
            "[redacted] a***bc ab**cdef"
        );
        // Words are whitespace-separated, newlines and tabs included, and the spacing is kept.
        assert_eq!(
            redact("line\nsk-abcdefg\tend  two", ""),
            "line\n[redacted]\tend  two"
        );
        assert_eq!(redact("(sk-abcdefg).", ""), "[redacted]");
        assert_eq!(redact("", "sk-abcdefg"), "");
    }

    #[test]
    fn keys_must_be_printable_ascii() {
        assert_eq!(check_key("  sk-abc123_-.XYZ  "), Ok(()));
        assert_eq!(check_key(""), Ok(()));
        let e = check_key("sk-proj-\u{200B}abc").unwrap_err();
        assert_eq!(
            (e.position, e.character, e.invisible),
            (9, '\u{200B}', true)
        );
        let e = check_key("“sk-abc”").unwrap_err();
        assert_eq!((e.position, e.invisible), (1, false));
        let e = check_key("sk-✓").unwrap_err();
        assert_eq!((e.position, e.character), (4, '✓'));
        let e = check_key("sk-a b").unwrap_err();
        assert!(e.invisible && e.position == 5);
        assert!(check_key("sk-\u{FEFF}").unwrap_err().invisible);
    }
}
