//! Refusal detection: a provider's explicit refusal, a content filter, or a reply that opens
//! with a stock refusal.

use crate::wire::{Completion, Finish};

/// Why a reply counts as a refusal, or `None` if it does not.
pub fn refusal_reason(reply: &Completion) -> Option<String> {
    if let Some(r) = &reply.refusal {
        return Some(format!("the model refused: {}", r.trim()));
    }
    match reply.finish {
        Finish::Refusal => return Some("the model refused (stop_reason: refusal)".into()),
        Finish::ContentFilter => {
            return Some("the provider's content filter stopped the reply".into())
        }
        _ => {}
    }
    let text = reply.text.trim();
    if text.is_empty() {
        return Some("the reply was empty".into());
    }
    let opening: String = text
        .chars()
        .take(120)
        .collect::<String>()
        .to_lowercase()
        .replace('’', "'");
    const STOCK: [&str; 9] = [
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
    STOCK
        .iter()
        .find(|s| opening.starts_with(*s))
        .map(|s| format!("the reply opens with a refusal (\"{s}…\")"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Usage;

    fn reply(text: &str, refusal: Option<&str>, finish: Finish) -> Completion {
        Completion {
            text: text.into(),
            structured: None,
            refusal: refusal.map(Into::into),
            finish,
            usage: Usage::default(),
        }
    }

    #[test]
    fn refusal_shapes() {
        let refused = [
            reply("", Some("I can't do that."), Finish::Stop),
            reply("", None, Finish::Refusal),
            reply("partial", None, Finish::ContentFilter),
            reply("   ", None, Finish::Stop),
            reply(
                "I’m sorry, but I can’t help with that request.",
                None,
                Finish::Stop,
            ),
            reply("I cannot assist with this.", None, Finish::Stop),
        ];
        for r in refused {
            assert!(refusal_reason(&r).is_some(), "{r:?}");
        }
        for text in [
            "The honeyeater is blue.",
            "I can't believe how blue it is!",
            "Sorry to hear that; here is the answer.",
        ] {
            assert_eq!(
                refusal_reason(&reply(text, None, Finish::Stop)),
                None,
                "{text}"
            );
        }
    }
}
