//! The retry policy: which failures are worth another try, how long to wait, and what to tell
//! the user when a failure means the whole run must stop.

use crate::wire::{CallError, ErrorKind};

/// What to do about a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Try the same call again later.
    Retry,
    /// Stop the run: every further call would fail the same way. The text says what to fix.
    StopRun(String),
}

/// Classifies a failure. `provider` names the endpoint in messages ("OpenAI-compatible at http://…").
pub fn decide(error: &CallError, provider: &str) -> Decision {
    match &error.kind {
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Malformed => Decision::Retry,
        ErrorKind::Aborted => Decision::StopRun("The run was cancelled.".into()),
        ErrorKind::Http {
            status,
            code,
            error_type,
        } => {
            let code = code.as_deref().unwrap_or("");
            let error_type = error_type.as_deref().unwrap_or("");
            let msg = &error.message;
            let lower = msg.to_ascii_lowercase();
            if code == "insufficient_quota" || error_type == "insufficient_quota" {
                return Decision::StopRun(format!(
                    "{provider} says the account has no quota left: {msg} Add credit or use another key, then press Resume."
                ));
            }
            if error_type == "billing_error"
                || *status == 402
                || lower.contains("spend limit")
                || lower.contains("credit balance")
            {
                return Decision::StopRun(format!(
                    "{provider} refused on billing grounds: {msg} Raise the spend limit or add credit, then press Resume."
                ));
            }
            match status {
                408 | 409 | 429 | 500..=599 => Decision::Retry,
                401 if lower.contains("cors") => Decision::StopRun(format!(
                    "{provider} rejected a browser request (401): {msg}"
                )),
                401 => Decision::StopRun(format!(
                    "{provider} rejected the API key (401): {msg} Check the API key, then press Resume."
                )),
                403 => Decision::StopRun(format!(
                    "{provider} refused access (403): {msg} The key may lack permission for this model, or the organisation may forbid browser access."
                )),
                404 => Decision::StopRun(format!(
                    "{provider} answered 404: {msg} Check the base URL and the model name."
                )),
                _ => Decision::StopRun(format!(
                    "{provider} rejected the request ({status}): {msg} Check the model and its settings."
                )),
            }
        }
    }
}

/// Backoff before retry number `retry` (1-based): exponential with full jitter in [base·2^(n-1)/2, base·2^(n-1)],
/// capped, and never shorter than the provider's own hint. `unit` is a uniform draw in [0, 1).
pub fn backoff_ms(retry: u32, base_ms: u64, max_ms: u64, hint_ms: Option<u64>, unit: f64) -> u64 {
    let exp = base_ms
        .saturating_mul(1u64 << retry.saturating_sub(1).min(20))
        .min(max_ms);
    let jittered = (exp as f64 * (0.5 + 0.5 * unit)) as u64;
    match hint_ms {
        Some(h) => h.max(jittered.min(h + base_ms)),
        None => jittered,
    }
}

/// The provider's hint of when to try again: `retry-after-ms`, `retry-after` (seconds), or
/// OpenAI's "try again in 1.574s" / "in 20ms" in the message.
pub fn retry_after_ms(header: &dyn Fn(&str) -> Option<String>, message: &str) -> Option<u64> {
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
        return Some(ms.max(0.0) as u64);
    }
    if let Some(s) = header("retry-after").and_then(|v| v.trim().parse::<f64>().ok()) {
        return Some((s.max(0.0) * 1000.0) as u64);
    }
    let lower = message.to_ascii_lowercase();
    let at = lower.find("try again in ")? + "try again in ".len();
    let rest = &lower[at..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let value: f64 = number.parse().ok()?;
    let unit = &rest[number.len()..];
    if unit.starts_with("ms") {
        Some(value as u64)
    } else if unit.starts_with('s') {
        Some((value * 1000.0) as u64)
    } else if unit.starts_with('m') {
        Some((value * 60_000.0) as u64)
    } else {
        None
    }
}

/// Removes anything key-like from text that will be shown or stored: the key itself, and words
/// such as "sk-abc***xyz" that providers echo back in their error messages.
pub fn redact(text: &str, key: &str) -> String {
    let key = key.trim();
    let mut out = if key.len() >= 4 {
        text.replace(key, "[redacted]")
    } else {
        text.to_string()
    };
    let looks_like_key = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '*');
        (w.starts_with("sk-") && w.len() > 6) || (w.contains("***") && w.len() > 6)
    };
    if out.split_whitespace().any(looks_like_key) {
        out = out
            .split(' ')
            .map(|w| if looks_like_key(w) { "[redacted]" } else { w })
            .collect::<Vec<_>>()
            .join(" ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, code: Option<&str>, error_type: Option<&str>, message: &str) -> CallError {
        CallError::new(
            ErrorKind::Http {
                status,
                code: code.map(Into::into),
                error_type: error_type.map(Into::into),
            },
            message,
        )
    }

    #[test]
    fn transient_failures_are_retried() {
        for e in [
            CallError::new(ErrorKind::Network, "x"),
            CallError::new(ErrorKind::Timeout, "x"),
            CallError::new(ErrorKind::Malformed, "x"),
            http(408, None, None, "x"),
            http(409, None, None, "x"),
            http(429, Some("rate_limit_exceeded"), None, "x"),
            http(500, None, None, "x"),
            http(503, None, None, "x"),
            http(529, None, Some("overloaded_error"), "x"),
        ] {
            assert_eq!(decide(&e, "P"), Decision::Retry, "{e:?}");
        }
    }

    #[test]
    fn permanent_failures_stop_the_run_with_what_to_fix() {
        let check = |e: CallError, needle: &str| match decide(&e, "P") {
            Decision::StopRun(m) => assert!(m.contains(needle), "{m}"),
            d => panic!("{e:?} gave {d:?}"),
        };
        check(http(400, None, None, "bad"), "Check the model");
        check(
            http(401, None, None, "Incorrect API key"),
            "Check the API key",
        );
        check(http(403, None, None, "no"), "forbid browser access");
        check(http(404, None, None, "no such model"), "base URL");
        check(
            http(429, Some("insufficient_quota"), None, "quota"),
            "no quota left",
        );
        check(
            http(
                400,
                None,
                Some("invalid_request_error"),
                "You have reached your specified API usage limits; spend limit",
            ),
            "spend limit",
        );
        check(http(400, None, Some("billing_error"), "billing"), "billing");
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_hints() {
        assert_eq!(backoff_ms(1, 500, 30_000, None, 0.0), 250);
        assert_eq!(backoff_ms(3, 500, 30_000, None, 0.999_999), 1999);
        assert_eq!(backoff_ms(30, 500, 30_000, None, 0.999_999), 29_999);
        assert_eq!(backoff_ms(1, 500, 30_000, Some(5_000), 0.0), 5_000);
    }

    #[test]
    fn reads_retry_hints() {
        let h =
            |name: &'static str, v: &'static str| move |n: &str| (n == name).then(|| v.to_string());
        assert_eq!(retry_after_ms(&h("retry-after-ms", "250"), ""), Some(250));
        assert_eq!(retry_after_ms(&h("retry-after", "2"), ""), Some(2000));
        let none = |_: &str| None;
        assert_eq!(
            retry_after_ms(&none, "Please try again in 1.574s."),
            Some(1574)
        );
        assert_eq!(retry_after_ms(&none, "try again in 20ms"), Some(20));
        assert_eq!(retry_after_ms(&none, "slow down"), None);
    }

    #[test]
    fn redacts_keys() {
        let m = redact(
            "Incorrect API key provided: sk-abc***wxyz. You can find",
            "sk-abcdefwxyz",
        );
        assert!(!m.contains("abc"), "{m}");
        assert_eq!(
            redact("bad key sk-live-12345 here", "sk-live-12345"),
            "bad key [redacted] here"
        );
        assert_eq!(redact("plain text", ""), "plain text");
    }
}
