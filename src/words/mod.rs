//! Every message the app shows — about a run, a field, a template, a file or a failure — worded
//! in one place. The core hands over plain data (`StopReason`, `Reason`, `FieldError`, …); these
//! modules turn it into sentences that say what happened and what to do. Fixed labels and hints
//! stay in their component's markup.

mod dataset;
mod eval;
mod form;
mod quality;
mod review;
mod run;
mod storage;
mod template;

pub use dataset::*;
pub use eval::*;
pub use form::*;
pub use quality::*;
pub use review::*;
pub use run::*;
pub use storage::*;
pub use template::*;

use synfact_core::provider::wire::ProviderKind;
use synfact_core::EndpointSpec;

/// "1 item", "2 items".
/// Dollars: cents for sums of a cent or more, four places below (a test run costs fractions).
pub fn usd(x: f64) -> String {
    if x == 0.0 {
        "$0.00".into()
    } else if x < 0.01 {
        format!("${x:.4}")
    } else {
        format!("${x:.2}")
    }
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn said(detail: &str) -> String {
    let d = detail.trim();
    if d.is_empty() {
        String::new()
    } else if d.ends_with(['.', '!', '?']) {
        format!(" {d}")
    } else {
        format!(" {d}.")
    }
}

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// "20 s", "2 min 5 s".
fn duration(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s.is_multiple_of(60) {
        format!("{} min", s / 60)
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn protocol(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "OpenAI-compatible",
        ProviderKind::Anthropic => "Anthropic",
    }
}

/// "The OpenAI-compatible endpoint http://…/v1".
pub fn endpoint(e: &EndpointSpec) -> String {
    format!("The {} endpoint {}", protocol(e.kind), e.base_url)
}

#[cfg(test)]
mod tests;
