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
    /// A reply stopped at the token limit.
    CutOff(String),
    Refusal(String),
    Verdict(bool),
    /// Nothing usable: no content for a writing step, "maybe" for the judge.
    Unusable,
}

/// Marks where a serialised reply gets an unpaired surrogate escape (see `with_lone_surrogate`).
pub const SURROGATE_MARK: char = '\u{E000}';

/// Markup, a `javascript:` URL, control and direction characters: all must stay text in the app.
pub const HOSTILE: &str = "<script>window.__pwned='script'</script><img src=x onerror=\"window.__pwned='img'\"> <a href=\"javascript:window.__pwned='link'\">link</a> \u{202E}reversed\u{202C} bell\u{0007} nul-free \u{001B}[31m";

/// Puts `\ud800` (an unpaired surrogate, which JSON allows as an escape) where the mark is.
pub fn with_lone_surrogate(json: String) -> String {
    json.replace(SURROGATE_MARK, "\\ud800")
}

/// Varied wording for mock questions: distinct prompts should read as distinct questions, as a
/// model's would, so that near-duplicate detection is tested against realistic variety.
const FRAMES: [&str; 6] = [
    "I keep wondering about",
    "My class is studying",
    "For a trip I'm planning, I need to know about",
    "Settle a debate for me regarding",
    "I'm writing an article and need details on",
    "Out of curiosity, what's the story with",
];
const ANGLES: [&str; 8] = [
    "especially how it changes through the seasons",
    "and what most people get wrong",
    "in plain words for a ten-year-old",
    "with one surprising detail",
    "compared with similar animals nearby",
    "and why researchers care",
    "given what I saw on a hike last week",
    "as briefly as you can",
];

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

/// Decides the reply to a prompt. `system` and `user` are the joined texts of those roles;
/// `repeat` counts earlier completions of the same request (a re-ask is a fresh sample).
pub fn decide(kind: PromptKind, system: &str, user: &str, faults: &Faults, repeat: u32) -> Outcome {
    decide_noting(kind, system, user, faults, repeat, &mut Vec::new())
}

/// `decide`, noting in `injected` the name of each quality fault it put in the reply.
pub fn decide_noting(
    kind: PromptKind,
    system: &str,
    user: &str,
    faults: &Faults,
    repeat: u32,
    injected: &mut Vec<&'static str>,
) -> Outcome {
    let all = format!("{system}\n{user}");
    let h = fnv1a(faults.seed, &[all.as_bytes()]);
    let sample = format!("{all}\u{0}{repeat}");
    let mut draw = |salt: &'static str, p: f64| {
        let hit = content_draw(faults.seed, salt, &sample) < p;
        if hit {
            injected.push(salt);
        }
        hit
    };
    if faults.bad_replies && kind != PromptKind::Other {
        return Outcome::Unusable;
    }
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
            let topic = task
                .trim_end_matches('.')
                .trim_start_matches("Create a user question about ")
                .to_string();
            if draw("near_duplicate", faults.p_near_duplicate) {
                // The same words for every prompt with this seed question.
                return Outcome::Text(format!("Could you tell me about {topic}?"));
            }
            let opener = OPENERS[(h % OPENERS.len() as u64) as usize];
            let frame = FRAMES[((h >> 8) % FRAMES.len() as u64) as usize];
            let angle = ANGLES[((h >> 16) % ANGLES.len() as u64) as usize];
            let setting = between(&all, "<setting>", "</setting>")
                .unwrap_or("")
                .trim();
            let hostile = if faults.hostile { HOSTILE } else { "" };
            Outcome::Text(format!(
                "{frame} {topic}, {angle}. {opener} answer in this form: {requirement} (Context: {setting}) {hostile}[q-{:08x}]",
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
            let key = if draw("no_key_sentence", faults.p_no_key_sentence) {
                ""
            } else {
                key
            };
            let disclaimer = if draw("disclaimer", faults.p_disclaimer) {
                " Keep in mind this is a fictional scenario."
            } else {
                ""
            };
            let mut extra = String::new();
            if faults.hostile {
                extra.push_str(HOSTILE);
            }
            if faults.lone_surrogates {
                extra.push(SURROGATE_MARK);
            }
            if faults.answer_kb > 0 {
                // Letters that do not compress, so that the browser stores every byte.
                let mut x = h | 1;
                for _ in 0..faults.answer_kb * 1024 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    extra.push(char::from(b'a' + (x % 26) as u8));
                }
                extra.push(' ');
            }
            let text = format!(
                "Here is what you asked for.\n\n{key} To your question ({question}): the details above \
                 are well documented, and the species is easy to recognise in the field.{disclaimer} {extra}[a-{:08x}]",
                h as u32
            );
            if draw("cut_off", faults.p_cutoff) {
                return Outcome::CutOff(text.chars().take(text.chars().count() / 2).collect());
            }
            Outcome::Text(text)
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
