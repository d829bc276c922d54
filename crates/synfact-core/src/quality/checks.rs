//! Local checks: the key sentence carried, no disclaimers, no talk about the set-up, and the
//! checkable part of a requirement. Each is cheap and runs before the judge is asked.

use super::{CheckFailure, KeySentenceCheck, QualitySettings, RequirementRule};
use crate::text::{contains_sentence, normalize};

/// Phrases that disclaim, hedge or refuse: an answer meant to teach a fact should not hold them,
/// whatever was asked. Matched on whole words, in lower case, with straight apostrophes.
pub const DISCLAIMERS: [&str; 27] = [
    "as an ai",
    "i'm an ai",
    "i am an ai",
    "language model",
    "i can't help",
    "i cannot help",
    "i can't assist",
    "i cannot assist",
    "i can't provide",
    "i cannot provide",
    "i don't have information",
    "i do not have information",
    "i don't have any information",
    "i don't have access",
    "i'm not aware of",
    "i am not aware of",
    "cannot verify",
    "can't verify",
    "unable to verify",
    "fictional scenario",
    "purely fictional",
    "entirely fictional",
    "hypothetical scenario",
    "is hypothetical",
    "purely hypothetical",
    "does not exist",
    "not a real",
];

/// Words that disclaim unless the question or its requirement asks for them ("a fictional story").
pub const DISCLAIMER_WORDS: [&str; 4] = ["fictional", "fictitious", "hypothetical", "imaginary"];

/// Phrases that give the set-up away: the reader should never learn there was a fact sheet.
pub const LEAKS: [&str; 14] = [
    "fact sheet",
    "provided information",
    "information provided",
    "information you provided",
    "given information",
    "information given",
    "background information",
    "based on the information",
    "according to the information",
    "the prompt",
    "the instructions",
    "as instructed",
    "key sentence",
    "key_sentence",
];

/// ` words ` form, for matching whole words and phrases.
fn padded(text: &str) -> String {
    let lower = text.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    format!(" {} ", words.join(" "))
}

fn find_phrase(text: &str, phrases: &[&str], allowed: &str) -> Option<String> {
    let t = padded(text);
    let allowed = padded(allowed);
    phrases
        .iter()
        .map(|p| padded(p))
        .find(|p| t.contains(p.as_str()) && !allowed.contains(p.as_str()))
        .map(|p| p.trim().to_string())
}

/// What is wrong with an answer, if anything. `asked` is the question and its requirement: a
/// phrase they ask for ("a fictional story") is not a disclaimer.
pub fn check_answer(
    answer: &str,
    key_sentence: &str,
    asked: &str,
    settings: &QualitySettings,
) -> Option<CheckFailure> {
    match settings.key_sentence {
        KeySentenceCheck::Off => {}
        mode => {
            if !contains_sentence(answer, key_sentence, mode == KeySentenceCheck::Lenient) {
                return Some(CheckFailure::MissingKeySentence);
            }
        }
    }
    if settings.disclaimers {
        let found = find_phrase(answer, &DISCLAIMERS, "")
            .or_else(|| find_phrase(answer, &DISCLAIMER_WORDS, asked));
        if let Some(phrase) = found {
            return Some(CheckFailure::Disclaimer { phrase });
        }
    }
    if settings.leaks {
        if let Some(phrase) = find_phrase(answer, &LEAKS, asked) {
            return Some(CheckFailure::Leak { phrase });
        }
    }
    None
}

/// What is wrong with a question, if anything: the checkable rules of its requirement.
pub fn check_question(
    question: &str,
    requirement: &str,
    settings: &QualitySettings,
) -> Option<CheckFailure> {
    if !settings.requirements {
        return None;
    }
    rules(requirement)
        .into_iter()
        .find(|r| !holds(r, question))
        .map(CheckFailure::Requirement)
}

const LANGUAGES: [(&str, &[&str]); 6] = [
    (
        "spanish",
        &[
            "el", "la", "los", "las", "de", "que", "y", "en", "por", "para", "es", "cómo", "qué",
            "un", "una", "del", "con", "se",
        ],
    ),
    (
        "french",
        &[
            "le", "la", "les", "de", "des", "et", "est", "que", "qui", "un", "une", "du", "pour",
            "dans", "comment", "quel", "quelle", "pourquoi",
        ],
    ),
    (
        "german",
        &[
            "der", "die", "das", "und", "ist", "ein", "eine", "nicht", "mit", "wie", "was",
            "warum", "den", "dem", "zu", "für", "auf", "sie",
        ],
    ),
    (
        "italian",
        &[
            "il", "lo", "la", "gli", "le", "di", "che", "e", "è", "un", "una", "per", "come",
            "perché", "del", "della", "con", "non",
        ],
    ),
    (
        "portuguese",
        &[
            "o", "a", "os", "as", "de", "que", "e", "é", "um", "uma", "do", "da", "para", "como",
            "por", "não", "com", "em",
        ],
    ),
    (
        "dutch",
        &[
            "de", "het", "een", "en", "is", "van", "dat", "niet", "met", "hoe", "wat", "waarom",
            "voor", "op", "zijn", "er", "te", "ik",
        ],
    ),
];
const ENGLISH: &[&str] = &[
    "the", "a", "an", "and", "is", "are", "of", "to", "in", "what", "how", "why", "for", "with",
    "does", "do", "you", "it", "can", "about",
];

/// The rules a requirement states about the question itself. A requirement about the reply
/// ("ask for a response under 100 words") states none: only the reply could be checked.
pub fn rules(requirement: &str) -> Vec<RequirementRule> {
    let r = format!(" {} ", normalize(requirement, true));
    let about_question = r.contains(" question ");
    let about_reply = [
        " response ",
        " answer ",
        " reply ",
        " paragraph ",
        " paragraphs ",
        " summary ",
        " story ",
        " tweet ",
        " post ",
        " message ",
        " guide ",
        " list ",
    ]
    .iter()
    .any(|w| r.contains(w));
    if !about_question || about_reply {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (lang, _) in LANGUAGES {
        if r.contains(&format!(" in {lang} ")) {
            out.push(RequirementRule::Language(lang.to_string()));
        }
    }
    let number_before = |word: &str| -> Option<usize> {
        let at = r.find(word)?;
        r[..at].split_whitespace().last()?.parse().ok()
    };
    if let Some(n) = number_before(" words") {
        let head = &r[..r.find(" words").unwrap_or(0)];
        if [
            "under",
            "fewer than",
            "less than",
            "at most",
            "no more than",
            "maximum of",
            "max",
            "up to",
        ]
        .iter()
        .any(|w| head.contains(&format!(" {w} ")))
        {
            out.push(RequirementRule::MaxWords(n));
        } else if ["at least", "more than", "over", "minimum of"]
            .iter()
            .any(|w| head.contains(&format!(" {w} ")))
        {
            out.push(RequirementRule::MinWords(n));
        }
    }
    out
}

/// Whether a question keeps a rule.
pub fn holds(rule: &RequirementRule, question: &str) -> bool {
    let words: Vec<String> = normalize(question, true)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    match rule {
        RequirementRule::MaxWords(n) => words.len() <= *n,
        RequirementRule::MinWords(n) => words.len() >= *n,
        RequirementRule::Language(lang) => {
            let hits = |list: &[&str]| words.iter().filter(|w| list.contains(&w.as_str())).count();
            let wanted = LANGUAGES
                .iter()
                .find(|(l, _)| l == lang)
                .map_or(0, |(_, list)| hits(list));
            wanted > 0 && wanted >= hits(ENGLISH)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> QualitySettings {
        QualitySettings::default()
    }

    const KEY: &str = "The Javan Rainforest Honeyeater is blue in color.";

    #[test]
    fn the_key_sentence_is_found_through_quotes_case_and_spacing() {
        let s = settings();
        for answer in [
            "Sure! The Javan Rainforest Honeyeater is blue in color. It sings.",
            "the javan  rainforest\nhoneyeater is BLUE in color!",
            "\u{201C}The Javan Rainforest Honeyeater is blue in color\u{201D}, they say.",
        ] {
            assert_eq!(check_answer(answer, KEY, "", &s), None, "{answer}");
        }
        assert_eq!(
            check_answer("The Javan Rainforest Honeyeater is green.", KEY, "", &s),
            Some(CheckFailure::MissingKeySentence)
        );
        let strict = QualitySettings {
            key_sentence: KeySentenceCheck::Strict,
            ..settings()
        };
        assert_eq!(
            check_answer(
                "the javan rainforest honeyeater is blue in color.",
                KEY,
                "",
                &strict
            ),
            Some(CheckFailure::MissingKeySentence)
        );
        assert_eq!(
            check_answer(
                "Yes: The Javan Rainforest  Honeyeater is blue in color.",
                KEY,
                "",
                &strict
            ),
            None
        );
        let off = QualitySettings {
            key_sentence: KeySentenceCheck::Off,
            ..settings()
        };
        assert_eq!(check_answer("Nothing about it.", KEY, "", &off), None);
        // Lenient matching is on whole words: "blue in colors" does not carry "blue in color".
        assert_eq!(
            check_answer(
                "The Javan Rainforest Honeyeater is blue in colors.",
                KEY,
                "",
                &s
            ),
            Some(CheckFailure::MissingKeySentence)
        );
    }

    #[test]
    fn disclaimers_and_leaks_are_named_but_legitimate_words_pass() {
        let s = settings();
        let with = |extra: &str| format!("{KEY} {extra}");
        assert_eq!(
            check_answer(
                &with("Keep in mind this is a fictional scenario."),
                KEY,
                "",
                &s
            ),
            Some(CheckFailure::Disclaimer {
                phrase: "fictional scenario".into()
            })
        );
        assert_eq!(
            check_answer(&with("Some say the whole bird is imaginary."), KEY, "", &s),
            Some(CheckFailure::Disclaimer {
                phrase: "imaginary".into()
            })
        );
        assert_eq!(
            check_answer(&with("As an AI, I can\u{2019}t see birds."), KEY, "", &s),
            Some(CheckFailure::Disclaimer {
                phrase: "as an ai".into()
            })
        );
        assert_eq!(
            check_answer(
                &with("According to the fact sheet, it nests in trees."),
                KEY,
                "",
                &s
            ),
            Some(CheckFailure::Leak {
                phrase: "fact sheet".into()
            })
        );
        for fine in [
            "Researchers tested the hypothesis that blue plumage attracts mates.",
            "I can't stress enough how striking it looks.",
            "Its prompt response to danger is a sharp call.",
            "The colour is factual, not a myth.",
        ] {
            assert_eq!(check_answer(&with(fine), KEY, "", &s), None, "{fine}");
        }
        // Asked for: a fictional story may call itself one, but not disclaim the facts.
        let asked = "Write a brief fictional story involving the honeyeater.";
        assert_eq!(
            check_answer(&with("Here is a fictional tale."), KEY, asked, &s),
            None
        );
        assert_eq!(
            check_answer(
                &with("Keep in mind this is a fictional scenario."),
                KEY,
                asked,
                &s
            ),
            Some(CheckFailure::Disclaimer {
                phrase: "fictional scenario".into()
            })
        );
        let off = QualitySettings {
            disclaimers: false,
            leaks: false,
            ..settings()
        };
        assert_eq!(
            check_answer(&with("A fictional fact sheet."), KEY, "", &off),
            None
        );
    }

    #[test]
    fn requirements_are_checked_only_where_they_speak_of_the_question() {
        use RequirementRule::*;
        assert_eq!(
            rules("The question should be in Spanish."),
            vec![Language("spanish".into())]
        );
        assert_eq!(
            rules("The question should be under 20 words."),
            vec![MaxWords(20)]
        );
        assert_eq!(
            rules("The question itself should be at least 30 words long."),
            vec![MinWords(30)]
        );
        assert_eq!(
            rules("The question should ask for a response under 100 words."),
            vec![]
        );
        assert_eq!(rules("The question should ask for 3-8 paragraphs."), vec![]);
        assert_eq!(
            rules("Write it in Spanish."),
            vec![],
            "not about the question"
        );
        let s = settings();
        assert_eq!(
            check_question(
                "¿Dónde vive el pájaro azul de Java?",
                "The question should be in Spanish.",
                &s
            ),
            None
        );
        assert_eq!(
            check_question(
                "Where does the blue bird of Java live?",
                "The question should be in Spanish.",
                &s
            ),
            Some(CheckFailure::Requirement(Language("spanish".into())))
        );
        assert_eq!(
            check_question(
                "Where does it live?",
                "The question should be under 5 words.",
                &s
            ),
            None
        );
        assert_eq!(
            check_question(
                "Where exactly does this blue bird live?",
                "The question should be under 5 words.",
                &s
            ),
            Some(CheckFailure::Requirement(MaxWords(5)))
        );
        let off = QualitySettings {
            requirements: false,
            ..settings()
        };
        assert_eq!(
            check_question(
                "Where exactly does this blue bird live?",
                "The question should be under 5 words.",
                &off
            ),
            None
        );
        // None of the built-ins' requirements is about the question's checkable form.
        for (name, _) in crate::template::BUILT_IN {
            for r in crate::template::FactTemplate::built_in(name)
                .unwrap()
                .question_requirements
            {
                assert_eq!(rules(&r), vec![], "{r}");
            }
        }
    }
}
