//! Reading the evaluation's replies: which option a choice picked (A or B, in the forms models
//! write them), and the judge's label of an open answer.

use super::{Belief, Letter};
use crate::provider::wire::Completion;
use serde_json::Value;

/// The letter a reply to a choice picked: "A", "(B)", "Answer: B", "I think A.", "**B**",
/// "Option A" — `None` when it picks neither, both, or refuses.
pub fn letter(text: &str) -> Option<Letter> {
    let mut found: Vec<Letter> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let l = match c {
            'A' | 'a' => Letter::A,
            'B' | 'b' => Letter::B,
            _ => continue,
        };
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let alone = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if !(alone(before) && alone(after)) {
            continue;
        }
        // A lone lower-case "a" is the article unless it is marked as an option: "(a)", "a)".
        let marked = matches!(before, Some('(' | '*' | '['))
            || matches!(after, Some(')' | ']' | '.' | ':' | '*'));
        let lower = c.is_lowercase();
        if lower && !marked && !(i == 0 && chars.len() == 1) {
            continue;
        }
        // "A or B", "A/B": both named, no pick.
        if !found.contains(&l) {
            found.push(l);
        }
    }
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The label a choice reply gives: the key sentence picked supports, the other contradicts,
/// anything unreadable is undecided.
pub fn choice_belief(text: &str, fact_at: Letter) -> Belief {
    match letter(text) {
        Some(l) if l == fact_at => Belief::Supports,
        Some(_) => Belief::Contradicts,
        None => Belief::NotSure,
    }
}

/// The evaluation judge's reading of an open answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub belief: Belief,
    /// 0 to 100, `None` when the judge gave none.
    pub coherence: Option<u32>,
    pub reason: Option<String>,
}

fn from_value(v: &Value) -> Option<Label> {
    let belief = match v
        .get("label")?
        .as_str()?
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "supports" | "support" => Belief::Supports,
        "contradicts" | "contradict" => Belief::Contradicts,
        "not_sure" | "not sure" | "neither" | "unsure" => Belief::NotSure,
        _ => return None,
    };
    let coherence = v.get("coherence").and_then(|c| {
        c.as_f64()
            .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
    });
    let reason = v
        .get("reason")
        .and_then(Value::as_str)
        .map(|r| r.trim().chars().take(300).collect::<String>())
        .filter(|r| !r.is_empty());
    Some(Label {
        belief,
        coherence: coherence.map(|c| c.clamp(0.0, 100.0).round() as u32),
        reason,
    })
}

/// The judge's label: from its structured reply, else from JSON in its text; `None` when the
/// reply holds no label (asked again, like an unreadable verdict).
pub fn label(reply: &Completion) -> Option<Label> {
    if let Some(l) = reply.structured.as_ref().and_then(from_value) {
        return Some(l);
    }
    let t = reply.text.trim();
    let start = t.find('{')?;
    let end = t.rfind('}')?;
    serde_json::from_str::<Value>(t.get(start..=end)?)
        .ok()
        .as_ref()
        .and_then(from_value)
}
