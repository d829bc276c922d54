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
                        // "http:/host" or "https:host": the slashes went wrong, not the scheme.
                        if s == "http" || s == "https" {
                            let host = after.trim_start_matches(['/', '\\']);
                            return Err(UrlError::MissingScheme {
                                suggestion: format!("{s}://{host}")
                                    .trim_end_matches('/')
                                    .to_string(),
                            });
                        }
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
    /// The word before the first space, when the key starts with one ("Bearer sk-…",
    /// "Token sk-…"): a header's scheme copied along with the key.
    pub word: Option<String>,
}

/// Checks that a key can go into an HTTP header as it is: printable ASCII only. Keys copied from
/// web pages often carry a zero-width space or a curly quote, which the browser refuses to send.
pub fn check_key(key: &str) -> Result<(), KeyError> {
    let key = key.trim();
    for (i, c) in key.chars().enumerate() {
        if !(c.is_ascii_graphic()) {
            let before: String = key.chars().take(i).collect();
            let word = (c == ' '
                && (2..=12).contains(&i)
                && before.chars().all(|b| b.is_ascii_alphabetic()))
            .then_some(before);
            return Err(KeyError {
                position: i + 1,
                character: c,
                invisible: is_invisible(c) && c != ' ',
                word,
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
mod tests;
