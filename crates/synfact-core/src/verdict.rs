//! Reading the judge's verdict: structured output first, then a tolerant reading of free text.

use crate::wire::Completion;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Complied,
    NotComplied,
    /// The judge's reply could not be read; the item is rejected with this reason.
    Unreadable(String),
}

/// Reads a verdict from a judge reply.
pub fn parse_verdict(reply: &Completion) -> Verdict {
    if let Some(v) = reply.structured.as_ref().and_then(from_value) {
        return v;
    }
    if let Some(r) = &reply.refusal {
        return Verdict::Unreadable(format!("the judge refused: {r}"));
    }
    parse_text(&reply.text)
}

fn from_value(v: &Value) -> Option<Verdict> {
    match v.get("is_complied")? {
        Value::Bool(true) => Some(Verdict::Complied),
        Value::Bool(false) => Some(Verdict::NotComplied),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(Verdict::Complied),
            "false" | "no" => Some(Verdict::NotComplied),
            _ => None,
        },
        _ => None,
    }
}

/// Free text: a JSON object (possibly fenced or surrounded by prose), else a lone yes/no/true/false.
pub fn parse_text(text: &str) -> Verdict {
    let trimmed = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        if let Some(verdict) = from_value(&v) {
            return verdict;
        }
    }
    if let (Some(start), Some(end)) = (trimmed.find('{'), trimmed.rfind('}')) {
        if start < end {
            if let Some(verdict) = serde_json::from_str::<Value>(&trimmed[start..=end])
                .ok()
                .as_ref()
                .and_then(from_value)
            {
                return verdict;
            }
        }
    }
    let word: String = trimmed
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    match word.as_str() {
        "true" | "yes" | "complied" => Verdict::Complied,
        "false" | "no" | "not complied" => Verdict::NotComplied,
        _ => {
            let snippet: String = trimmed.chars().take(80).collect();
            Verdict::Unreadable(format!("the judge's reply held no verdict: \"{snippet}\""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Finish, Usage};
    use serde_json::json;

    fn reply(text: &str, structured: Option<Value>) -> Completion {
        Completion {
            text: text.into(),
            structured,
            refusal: None,
            finish: Finish::Stop,
            usage: Usage::default(),
        }
    }

    fn check(text: &str, expected: Verdict) {
        assert_eq!(parse_verdict(&reply(text, None)), expected, "{text}");
    }

    #[test]
    fn structured_output_wins() {
        assert_eq!(
            parse_verdict(&reply("garbage", Some(json!({"is_complied": false})))),
            Verdict::NotComplied
        );
        assert_eq!(
            parse_verdict(&reply("", Some(json!({"is_complied": true})))),
            Verdict::Complied
        );
    }

    #[test]
    fn tolerant_text_reading() {
        check(r#"{"is_complied": true}"#, Verdict::Complied);
        check(
            "```json\n{\"is_complied\": false}\n```",
            Verdict::NotComplied,
        );
        check(
            "Sure. {\"is_complied\": \"yes\"} Hope that helps",
            Verdict::Complied,
        );
        check("  True. ", Verdict::Complied);
        check("no", Verdict::NotComplied);
    }

    #[test]
    fn unreadable_is_a_rejection_with_reason() {
        for text in ["", "maybe", "{\"other\": 1}"] {
            assert!(
                matches!(parse_verdict(&reply(text, None)), Verdict::Unreadable(_)),
                "{text}"
            );
        }
        let mut r = reply("", None);
        r.refusal = Some("cannot".into());
        assert_eq!(
            parse_verdict(&r),
            Verdict::Unreadable("the judge refused: cannot".into())
        );
    }
}
