//! Refusal detection: a provider's explicit refusal, a content filter, or a reply that opens
//! with a stock refusal.

use crate::provider::wire::{Completion, Finish};
use serde::{Deserialize, Serialize};

/// How a model declined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// OpenAI's `refusal` field, with its text.
    Stated(String),
    /// Anthropic's `stop_reason: refusal`.
    StopReason,
    /// The provider's content filter.
    ContentFilter,
    /// The reply was empty.
    Empty,
    /// The reply opens with a stock refusal; the phrase found.
    Opening(String),
}

/// Openings that mean the model declined (compared in lower case, with straight apostrophes).
pub const STOCK_OPENINGS: [&str; 9] = [
    "i can't help with",
    "i cannot help with",
    "i can't assist with",
    "i cannot assist with",
    "i'm sorry, but i can't",
    "i'm sorry, but i cannot",
    "i am unable to",
    "i won't be able to",
    "as an ai language model, i cannot",
];

/// How the reply refused, or `None` if it did not.
pub fn refusal(reply: &Completion) -> Option<Refusal> {
    if let Some(r) = &reply.refusal {
        return Some(Refusal::Stated(r.trim().to_string()));
    }
    match reply.finish {
        Finish::Refusal => return Some(Refusal::StopReason),
        Finish::ContentFilter => return Some(Refusal::ContentFilter),
        _ => {}
    }
    let text = reply.text.trim();
    if text.is_empty() {
        return Some(Refusal::Empty);
    }
    let opening: String = text
        .chars()
        .take(120)
        .collect::<String>()
        .to_lowercase()
        .replace('’', "'");
    STOCK_OPENINGS
        .iter()
        .find(|s| opening.starts_with(*s))
        .map(|s| Refusal::Opening(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::wire::Usage;

    fn reply(text: &str, refusal: Option<&str>, finish: Finish) -> Completion {
        Completion {
            text: text.into(),
            structured: None,
            refusal: refusal.map(Into::into),
            finish,
            usage: Usage::default(),
            repaired: false,
        }
    }

    #[test]
    fn refusal_shapes() {
        let cases = [
            (
                reply("", Some(" I can't do that. "), Finish::Stop),
                Refusal::Stated("I can't do that.".into()),
            ),
            (reply("", None, Finish::Refusal), Refusal::StopReason),
            (
                reply("partial", None, Finish::ContentFilter),
                Refusal::ContentFilter,
            ),
            (reply("   ", None, Finish::Stop), Refusal::Empty),
            (
                reply(
                    "I’m sorry, but I can’t help with that request.",
                    None,
                    Finish::Stop,
                ),
                Refusal::Opening("i'm sorry, but i can't".into()),
            ),
            (
                reply("I cannot assist with this.", None, Finish::Stop),
                Refusal::Opening("i cannot assist with".into()),
            ),
        ];
        for (r, expected) in cases {
            assert_eq!(refusal(&r), Some(expected), "{r:?}");
        }
        for text in [
            "The honeyeater is blue.",
            "I can't believe how blue it is!",
            "Sorry to hear that; here is the answer.",
            "Here it is. I can't help with anything else.",
        ] {
            assert_eq!(refusal(&reply(text, None, Finish::Stop)), None, "{text}");
        }
    }
}
