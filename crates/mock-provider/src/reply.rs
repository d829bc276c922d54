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
    /// An evaluation judge's label (`supports`, `contradicts`, `not_sure`) and coherence.
    Belief {
        label: String,
        coherence: u32,
    },
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
const PERSONAS: [&str; 12] = [
    "As a retired teacher",
    "Being new to birding",
    "Speaking as a photographer",
    "For my grandmother",
    "As a biology student",
    "Asking for my book club",
    "As someone moving to Indonesia",
    "For a podcast episode",
    "As a park volunteer",
    "For my nephew's homework",
    "As a travel blogger",
    "Being a bit sceptical",
];
const DETAILS: [&str; 16] = [
    "my guidebook was vague on this",
    "a friend claimed something odd yesterday",
    "the museum label said little",
    "I only have a few minutes",
    "the documentary skipped it",
    "my notes from class are a mess",
    "the forum thread went nowhere",
    "I want to get it right before my trip",
    "our quiz night depends on it",
    "the ranger was too busy to explain",
    "I saw a sketch of it on a postcard",
    "my map of Java marks the area",
    "the radio mentioned it briefly",
    "I could not find a clear source",
    "my kids keep asking",
    "it came up during dinner",
];
/// Words for the part of a question only it has: real questions differ in many small words.
const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "du", "ga", "shi", "zo", "be", "fa",
    "ku", "le", "mo", "ni", "ra", "so", "te", "wa", "yo",
];

const VOCABULARY: [&str; 93] = [
    "quickly",
    "honestly",
    "really",
    "exactly",
    "usually",
    "mostly",
    "nearby",
    "lately",
    "tomorrow",
    "yesterday",
    "tonight",
    "weekend",
    "morning",
    "evening",
    "village",
    "valley",
    "ridge",
    "slope",
    "trail",
    "cabin",
    "lodge",
    "station",
    "guidebook",
    "notebook",
    "camera",
    "lens",
    "tripod",
    "sketch",
    "poster",
    "lecture",
    "seminar",
    "workshop",
    "podcast",
    "episode",
    "column",
    "blog",
    "essay",
    "quiz",
    "exam",
    "homework",
    "project",
    "report",
    "thesis",
    "survey",
    "census",
    "study",
    "season",
    "monsoon",
    "drought",
    "frost",
    "mist",
    "cloud",
    "breeze",
    "storm",
    "sunrise",
    "dusk",
    "friend",
    "cousin",
    "neighbour",
    "colleague",
    "student",
    "teacher",
    "ranger",
    "guide",
    "farmer",
    "tourist",
    "painter",
    "writer",
    "doctor",
    "child",
    "parent",
    "grandparent",
    "curious",
    "puzzled",
    "excited",
    "worried",
    "sceptical",
    "amazed",
    "tired",
    "careful",
    "patient",
    "eager",
    "quiet",
    "loud",
    "bright",
    "dull",
    "simple",
    "complex",
    "rare",
    "common",
    "famous",
    "hidden",
    "strange",
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

/// An evaluation judge's label as its schema shapes it.
pub fn belief_json(label: &str, coherence: u32) -> serde_json::Value {
    serde_json::json!({"reason": format!("The answer {} the statement.", label.replace('_', " ")), "label": label, "coherence": coherence})
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
    let sample = format!("{all}\u{0}{repeat}");
    let h = crate::faults::mix(if faults.vary_samples {
        fnv1a(faults.seed, &[sample.as_bytes()])
    } else {
        fnv1a(faults.seed, &[all.as_bytes()])
    });
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
            if faults.templated_questions {
                // A made-up topic word of three syllables (13,824 of them): distinct prompts get
                // distinct words, so only the word that carries the meaning differs.
                let word: String = (0..3)
                    .map(|i| SYLLABLES[((h >> (i * 8)) % SYLLABLES.len() as u64) as usize])
                    .collect();
                return Outcome::Text(format!(
                    "Could you tell me about the {word} of the animal described in the notes?"
                ));
            }
            let pick = |shift: u32, n: usize| ((h >> shift) % n as u64) as usize;
            let opener = OPENERS[pick(0, OPENERS.len())];
            let frame = FRAMES[pick(8, FRAMES.len())];
            let angle = ANGLES[pick(16, ANGLES.len())];
            let persona = PERSONAS[pick(24, PERSONAS.len())];
            let detail = DETAILS[pick(32, DETAILS.len())];
            let setting = between(&all, "<setting>", "</setting>")
                .unwrap_or("")
                .trim();
            let hostile = if faults.hostile { HOSTILE } else { "" };
            let mut x = h;
            // Words of the question's own (a real model varies its wording far more than a few
            // fixed phrases do): half from the vocabulary, half made of syllables, so that two
            // distinct questions share few words and are not taken for near-duplicates.
            let words: Vec<String> = (0..32)
                .map(|k| {
                    x = crate::faults::mix(x.wrapping_add(0x9e37_79b9_7f4a_7c15));
                    if k % 2 == 0 {
                        VOCABULARY[(x % VOCABULARY.len() as u64) as usize].to_string()
                    } else {
                        (0..3)
                            .map(|i| SYLLABLES[((x >> (i * 8)) % SYLLABLES.len() as u64) as usize])
                            .collect()
                    }
                })
                .collect();
            Outcome::Text(format!(
                "{persona}: {frame} {topic}, {angle}; {detail} ({}). {opener} ({requirement}; {setting}) {hostile}[q-{:08x}]",
                words.join(" "),
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
