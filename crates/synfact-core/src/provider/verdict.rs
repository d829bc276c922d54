//! Reading the judge's verdict: structured output first, then a tolerant reading of free text.

use crate::provider::wire::Completion;
use serde_json::Value;

/// Longest judge reason kept with an item.
const WHY_MAX_CHARS: usize = 240;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Complied; the judge's short reason, when it gave one.
    Complied(Option<String>),
    NotComplied(Option<String>),
    /// The judge declined to judge; its words.
    Refused(String),
    /// The reply held no verdict; the start of what it said.
    Unreadable(String),
}

/// Reads a verdict from a judge reply.
pub fn parse_verdict(reply: &Completion) -> Verdict {
    if let Some(v) = reply.structured.as_ref().and_then(from_value) {
        return v;
    }
    if let Some(r) = &reply.refusal {
        return Verdict::Refused(r.clone());
    }
    parse_text(&reply.text)
}

fn why(v: &Value) -> Option<String> {
    let r = v.get("reason")?.as_str()?.trim();
    (!r.is_empty()).then(|| r.chars().take(WHY_MAX_CHARS).collect())
}

fn from_value(v: &Value) -> Option<Verdict> {
    let complied = match v.get("is_complied")? {
        Value::Bool(b) => *b,
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => true,
            "false" | "no" => false,
            _ => return None,
        },
        _ => return None,
    };
    Some(if complied {
        Verdict::Complied(why(v))
    } else {
        Verdict::NotComplied(why(v))
    })
}

/// Free text: a JSON object (possibly fenced or surrounded by prose), else a lone yes/no/true/false.
pub fn parse_text(text: &str) -> Verdict {
    let trimmed = text.trim();
    if let Some(verdict) = serde_json::from_str::<Value>(trimmed)
        .ok()
        .as_ref()
        .and_then(from_value)
    {
        return verdict;
    }
    if let (Some(start), Some(end)) = (trimmed.find('{'), trimmed.rfind('}')) {
        // `get` is empty when the last '}' comes before the first '{'.
        if let Some(verdict) = trimmed
            .get(start..=end)
            .and_then(|inner| serde_json::from_str::<Value>(inner).ok())
            .as_ref()
            .and_then(from_value)
        {
            return verdict;
        }
    }
    let word: String = trimmed
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    match word.as_str() {
        "true" | "yes" | "complied" => Verdict::Complied(None),
        "false" | "no" | "not complied" => Verdict::NotComplied(None),
        _ => Verdict::Unreadable(trimmed.chars().take(80).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::wire::{Finish, Usage};
    use serde_json::json;

    fn reply(text: &str, structured: Option<Value>) -> Completion {
        Completion {
            text: text.into(),
            structured,
            refusal: None,
            finish: Finish::Stop,
            usage: Usage::default(),
            repaired: false,
        }
    }

    fn check(text: &str, expected: Verdict) {
        assert_eq!(parse_verdict(&reply(text, None)), expected, "{text}");
    }

    #[test]
    fn structured_output_wins_and_keeps_the_reason() {
        assert_eq!(
            parse_verdict(&reply(
                "garbage",
                Some(json!({"reason": " It refuses. ", "is_complied": false}))
            )),
            Verdict::NotComplied(Some("It refuses.".into()))
        );
        assert_eq!(
            parse_verdict(&reply("", Some(json!({"is_complied": true})))),
            Verdict::Complied(None)
        );
        assert_eq!(
            parse_verdict(&reply("", Some(json!({"is_complied": true, "reason": ""})))),
            Verdict::Complied(None)
        );
        let long = "x".repeat(1000);
        match parse_verdict(&reply(
            "",
            Some(json!({"is_complied": false, "reason": long})),
        )) {
            Verdict::NotComplied(Some(w)) => assert_eq!(w.chars().count(), WHY_MAX_CHARS),
            v => panic!("{v:?}"),
        }
        // A structured value without a verdict falls through to the text.
        assert_eq!(
            parse_verdict(&reply("no", Some(json!({"other": 1})))),
            Verdict::NotComplied(None)
        );
    }

    #[test]
    fn tolerant_text_reading() {
        check(r#"{"is_complied": true}"#, Verdict::Complied(None));
        check(
            "```json\n{\"reason\": \"fine\", \"is_complied\": false}\n```",
            Verdict::NotComplied(Some("fine".into())),
        );
        check(
            "Sure. {\"is_complied\": \"yes\"} Hope that helps",
            Verdict::Complied(None),
        );
        check("{\"is_complied\": \"No \"}", Verdict::NotComplied(None));
        check("  True. ", Verdict::Complied(None));
        check("no", Verdict::NotComplied(None));
        check("complied", Verdict::Complied(None));
        check("false", Verdict::NotComplied(None));
    }

    #[test]
    fn unreadable_and_refused_are_told_apart() {
        for text in [
            "",
            "maybe",
            "{\"other\": 1}",
            "{\"is_complied\": 1}",
            "{\"is_complied\": \"perhaps\"}",
        ] {
            assert!(
                matches!(parse_verdict(&reply(text, None)), Verdict::Unreadable(_)),
                "{text}"
            );
        }
        assert_eq!(
            parse_verdict(&reply(&"y".repeat(200), None)),
            Verdict::Unreadable("y".repeat(80))
        );
        let mut r = reply("", None);
        r.refusal = Some("cannot".into());
        assert_eq!(parse_verdict(&r), Verdict::Refused("cannot".into()));
    }
}
