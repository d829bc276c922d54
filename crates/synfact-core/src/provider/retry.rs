//! The retry policy: which failures are worth another try, how long to wait, and which mean the
//! item or the whole run cannot go on.

use crate::provider::error::{CallError, ErrorKind, ProviderProblem};
use crate::run::reason::Reason;

/// What to do about a failed call.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Try the same call again later.
    Retry,
    /// This item cannot go on (its prompt does not fit the model); the others can.
    FailItem(Reason),
    /// Stop the run: every further call would fail the same way.
    StopRun(ProviderProblem),
    /// The app took the call back: forget it, as if it had never been sent.
    Forget,
}

/// Classifies a failure. `reached` tells whether the endpoint has ever answered with a completion.
pub fn decide(error: &CallError, reached: bool) -> Decision {
    match &error.kind {
        ErrorKind::Network | ErrorKind::Timeout { .. } | ErrorKind::Body(_) => Decision::Retry,
        ErrorKind::Request => Decision::StopRun(ProviderProblem::RequestRefused),
        ErrorKind::Aborted => Decision::Forget,
        // A web page where the API should be: a wrong address, unless the endpoint has already
        // answered properly (then it is a proxy's hiccup).
        ErrorKind::NotAnApi { status, redirected } => {
            if reached {
                Decision::Retry
            } else {
                Decision::StopRun(ProviderProblem::NotAnApi {
                    status: *status,
                    redirected: *redirected,
                })
            }
        }
        ErrorKind::Http {
            status,
            code,
            error_type,
        } => {
            let code = code.as_deref().unwrap_or("");
            let error_type = error_type.as_deref().unwrap_or("");
            let lower = error.detail.to_ascii_lowercase();
            if code == "insufficient_quota" || error_type == "insufficient_quota" {
                return Decision::StopRun(ProviderProblem::NoQuota);
            }
            if error_type == "billing_error"
                || *status == 402
                || lower.contains("spend limit")
                || lower.contains("credit balance")
            {
                return Decision::StopRun(ProviderProblem::Billing);
            }
            if matches!(status, 400 | 413) && too_long(code, error_type, &lower) {
                return Decision::FailItem(Reason::TooLong {
                    detail: error.detail.clone(),
                });
            }
            match status {
                408 | 409 | 429 | 500..=599 => Decision::Retry,
                401 if lower.contains("cors") || lower.contains("browser") => {
                    Decision::StopRun(ProviderProblem::BrowserAccessRefused)
                }
                401 => Decision::StopRun(ProviderProblem::KeyRejected),
                403 => Decision::StopRun(ProviderProblem::Forbidden),
                404 => Decision::StopRun(ProviderProblem::NotFound),
                s => Decision::StopRun(ProviderProblem::BadRequest { status: *s }),
            }
        }
    }
}

/// A request larger than the model's context, in the words of OpenAI, llama.cpp, Anthropic,
/// vLLM and others.
fn too_long(code: &str, error_type: &str, lower_message: &str) -> bool {
    const PHRASES: [&str; 9] = [
        "context length",
        "context size",
        "context window",
        "maximum context",
        "too many tokens",
        "prompt is too long",
        "input is too long",
        "exceeds the available context",
        "reduce the length of the messages",
    ];
    code == "context_length_exceeded"
        || error_type == "exceed_context_size_error"
        || PHRASES.iter().any(|p| lower_message.contains(p))
}

/// When a context-length error says how much room the messages leave (OpenAI: "maximum context
/// length is 8192 tokens. However, you requested 9000 tokens (5000 in the messages, 4000 in the
/// completion)"), the largest `max_tokens` that fits, if that is smaller than `current`.
pub fn fitting_max_tokens(detail: &str, current: u32) -> Option<u32> {
    let lower = detail.to_ascii_lowercase();
    let number_after = |needle: &str| -> Option<u64> {
        let at = lower.find(needle)? + needle.len();
        lower[at..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let limit = number_after("maximum context length is")?;
    let messages = {
        let end = lower.find(" in the messages")?;
        let start = lower[..end].rfind(|c: char| !c.is_ascii_digit())? + 1;
        lower[start..end].parse::<u64>().ok()?
    };
    // A little room for the tokens a chat template adds around the messages.
    let room = limit.checked_sub(messages)?.checked_sub(16)?;
    (room >= 16 && room < current as u64).then_some(room as u32)
}

/// Backoff before retry number `retry` (1-based): exponential with full jitter in [base·2^(n-1)/2, base·2^(n-1)],
/// capped, and never shorter than the provider's own hint. `unit` is a uniform draw in [0, 1).
pub fn backoff_ms(retry: u32, base_ms: u64, max_ms: u64, hint_ms: Option<u64>, unit: f64) -> u64 {
    let exp = base_ms
        .saturating_mul(1u64 << retry.saturating_sub(1).min(20))
        .min(max_ms);
    let jittered = (exp as f64 * (0.5 + 0.5 * unit)) as u64;
    match hint_ms {
        // Honour the hint, plus a little jitter so that many items told the same do not return at once.
        Some(h) => h.max(jittered.min(h + base_ms)),
        None => jittered,
    }
}

#[cfg(test)]
mod tests;
