//! Dataset quality beyond the judge: local checks on every reply (`checks`), near-duplicate
//! questions (`dedup`), a self-test of the judge (`selftest`) and a report (`report`).

use serde::{Deserialize, Serialize};

pub mod checks;
pub mod dedup;
pub mod report;
pub mod selftest;

/// A local check that a reply failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckFailure {
    /// The answer does not carry the key sentence.
    MissingKeySentence,
    /// The reply disclaims or refuses ("as an AI", "fictional"); the phrase found.
    Disclaimer { phrase: String },
    /// The reply talks about its set-up ("the fact sheet", "the prompt"); the phrase found.
    Leak { phrase: String },
    /// The question misses a checkable part of its requirement.
    Requirement(RequirementRule),
}

/// A part of a requirement that can be checked on the question without a model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequirementRule {
    /// "The question should be in Spanish".
    Language(String),
    /// "The question should be under 20 words": at most this many words.
    MaxWords(usize),
    /// "The question should be at least 30 words": at least this many.
    MinWords(usize),
}

/// How strictly the answer must carry the key sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySentenceCheck {
    Off,
    /// Same words in the same order, ignoring case, spacing, punctuation and quote styles.
    #[default]
    Lenient,
    /// The exact sentence, ignoring only spacing and quote styles.
    Strict,
}

/// Which local checks run, and how hard a failing step is retried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualitySettings {
    pub key_sentence: KeySentenceCheck,
    pub disclaimers: bool,
    pub leaks: bool,
    pub requirements: bool,
    /// Samples asked again after a local check fails, per step, before the item is rejected.
    pub reasks: u32,
    /// Reject a question this similar (estimated Jaccard similarity of word shingles) to an
    /// earlier one; `None` turns the check off.
    pub duplicate_threshold: Option<f64>,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings {
            key_sentence: KeySentenceCheck::Lenient,
            disclaimers: true,
            leaks: true,
            requirements: true,
            reasks: 2,
            duplicate_threshold: Some(0.4),
        }
    }
}
