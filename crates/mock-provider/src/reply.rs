//! Deterministic "model" behaviour: what the server says to a prompt. It recognises synfact's
//! three prompts by the marker line each begins with, and otherwise echoes.

use crate::faults::{content_draw, fnv1a, Faults};

/// What a prompt asks for, told by the marker line synfact puts first in each of its prompts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Question,
    Answer,
    Judge,
    Other,
}

impl PromptKind {
    pub fn of(all_text: &str) -> PromptKind {
        if all_text.contains("[synfact:judge]") {
            PromptKind::Judge
        } else if all_text.contains("[synfact:write-question]") {
            PromptKind::Question
        } else if all_text.contains("[synfact:answer]") {
            PromptKind::Answer
        } else {
            PromptKind::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PromptKind::Question => "question",
            PromptKind::Answer => "answer",
            PromptKind::Judge => "judge",
            PromptKind::Other => "other",
        }
    }
}

/// The model's decision for one prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Text(String),
    Refusal(String),
    Verdict(bool),
}

/// A structured verdict as the requested schema shapes it: with a reason when the schema has one.
pub fn verdict_json(complied: bool, schema: &serde_json::Value) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    if schema["properties"].get("reason").is_some() {
        let why = if complied {
            "The reply does what the task asks."
        } else {
            "The reply does not do what the task asks."
        };
        v.insert("reason".into(), why.into());
    }
    v.insert("is_complied".into(), complied.into());
    serde_json::Value::Object(v)
}

const OPENERS: [&str; 6] = [
    "Could you",
    "Can you",
    "Please",
    "I'd love it if you could",
    "Quick one: could you",
    "Hey, can you",
];

/// Decides the reply to a prompt. `system` and `user` are the joined texts of those roles.
pub fn decide(kind: PromptKind, system: &str, user: &str, faults: &Faults) -> Outcome {
    let all = format!("{system}\n{user}");
    let h = fnv1a(faults.seed, &[all.as_bytes()]);
    match kind {
        PromptKind::Question => {
            if content_draw(faults.seed, "refuse", &all) < faults.p_refusal {
                return Outcome::Refusal(
                    "I'm sorry, but I can't help with writing that question.".into(),
                );
            }
            let task = between(&all, "<task>", "</task>")
                .unwrap_or("the topic")
                .trim();
            let requirement = between(&all, "<requirement>", "</requirement>")
                .unwrap_or("")
                .trim();
            let opener = OPENERS[(h % OPENERS.len() as u64) as usize];
            let topic = task
                .trim_end_matches('.')
                .trim_start_matches("Create a user question about ")
                .to_string();
            Outcome::Text(format!(
                "{opener} tell me about {topic}? ({requirement}) [q-{:08x}]",
                h as u32
            ))
        }
        PromptKind::Answer => {
            if content_draw(faults.seed, "refuse", &all) < faults.p_refusal {
                return Outcome::Refusal("I'm sorry, but I can't help with that.".into());
            }
            let key = between(system, "<key_sentence>", "</key_sentence>")
                .unwrap_or("")
                .trim();
            let question: String = user.chars().take(160).collect();
            Outcome::Text(format!(
                "Here is what you asked for.\n\n{key} To your question ({question}): the details above \
                 are well documented, and the species is easy to recognise in the field. [a-{:08x}]",
                h as u32
            ))
        }
        PromptKind::Judge => {
            let reply = between(user, "<reply>\n", "\n</reply>").unwrap_or("");
            let refused = reply.trim().is_empty() || reply.to_lowercase().starts_with("i'm sorry");
            let no = content_draw(faults.seed, "judge-no", &all) < faults.p_judge_no;
            Outcome::Verdict(!(refused || no))
        }
        PromptKind::Other => Outcome::Text(format!(
            "You said: {}",
            user.chars().take(200).collect::<String>()
        )),
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// A rough token count: four characters a token.
pub fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}
