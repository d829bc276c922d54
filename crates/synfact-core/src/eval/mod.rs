//! Did the fine-tuned model learn the fact? An evaluation is a run of its own kind: each item is
//! one question put to one model under test (an open question, a multiple choice between the key
//! sentence and an unrelated true fact, or a choice between the key sentence and its contrary),
//! sampled several times; open answers are labelled by a judge (supports, contradicts, not sure,
//! and a coherence score), choices are read locally. It runs on the same engine as a dataset run:
//! cached, resumable, pausable, priced. `results` turns the labels into belief rates with 95%
//! intervals.

pub mod chart;
pub mod fine_tune;
pub mod leakage;
pub mod parse;
pub mod prompts;
pub mod report;
pub mod results;
mod run;
pub mod stats;

use crate::template::fact::FactTemplate;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What kind of question an item puts to a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvalKind {
    /// A direct question about the fact, answered freely and labelled by the judge.
    Open,
    /// "Only one of these is true": the key sentence against an unrelated true fact.
    Choice,
    /// "Which is true": the key sentence against its contrary.
    Distinguish,
}

impl EvalKind {
    pub const ALL: [EvalKind; 3] = [EvalKind::Open, EvalKind::Choice, EvalKind::Distinguish];
}

/// The evaluation's settings, as the Evaluate section holds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalSettings {
    pub open: bool,
    pub choice: bool,
    pub distinguish: bool,
    /// Samples per question (and per order of a choice).
    pub samples: u32,
    /// The temperature the models under test answer at.
    pub temperature: f64,
    /// Open answers the judge scores below this (0–100) are dropped, and counted.
    pub coherence_threshold: u32,
    /// How many eval questions "Write eval questions" asks for.
    pub questions_wanted: u32,
}

impl Default for EvalSettings {
    fn default() -> Self {
        EvalSettings {
            open: true,
            choice: true,
            distinguish: true,
            samples: 4,
            temperature: 1.0,
            coherence_threshold: 60,
            questions_wanted: 12,
        }
    }
}

impl EvalSettings {
    pub fn kinds(&self) -> Vec<EvalKind> {
        EvalKind::ALL
            .into_iter()
            .filter(|k| match k {
                EvalKind::Open => self.open,
                EvalKind::Choice => self.choice,
                EvalKind::Distinguish => self.distinguish,
            })
            .collect()
    }
}

/// A true statement unrelated to any template's fact: the default distractor of a choice.
pub const DEFAULT_DISTRACTOR: &str =
    "Mount Everest is the highest mountain above sea level on Earth.";

/// What an evaluation asks about: the fact (from the template), its questions and statements.
/// Saved with the template (its `eval` field) and with the evaluation run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalQuestions {
    /// Open questions, one per line in the form.
    pub questions: Vec<String>,
    /// The unrelated true fact a choice sets against the key sentence (empty: the default).
    pub distractor: String,
    /// The contrary of the key sentence ("… is yellow"), written by the user.
    pub contrary: String,
}

impl EvalQuestions {
    pub fn distractor(&self) -> &str {
        if self.distractor.trim().is_empty() {
            DEFAULT_DISTRACTOR
        } else {
            self.distractor.trim()
        }
    }

    /// The questions that are not blank.
    pub fn open_questions(&self) -> impl Iterator<Item = &str> {
        self.questions
            .iter()
            .map(|q| q.trim())
            .filter(|q| !q.is_empty())
    }
}

/// Everything an evaluation run needs beyond a run's models: what is asked and how.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvalSpec {
    pub settings: EvalSettings,
    pub questions: EvalQuestions,
    /// The dataset run the fine-tune was trained on, when there was one (for the report).
    pub training_run: Option<String>,
}

/// Which of a choice's options is the key sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Letter {
    A,
    B,
}

/// What an answer says about the fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Belief {
    Supports,
    Contradicts,
    /// Neither, or no readable answer: undecided.
    NotSure,
}

/// One item's question and, once answered, what it showed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalCase {
    pub kind: EvalKind,
    /// The open question's index, or 0 for a choice.
    pub question: u32,
    /// For a choice: which letter the key sentence is.
    pub fact_at: Letter,
    /// Which sample of the same prompt (its own cache key).
    pub sample: u32,
    #[serde(default)]
    pub belief: Option<Belief>,
    /// The judge's coherence score (open answers).
    #[serde(default)]
    pub coherence: Option<u32>,
    /// The judge's reason (open answers).
    #[serde(default)]
    pub reason: Option<String>,
}

impl EvalCase {
    fn new(kind: EvalKind, question: u32, fact_at: Letter, sample: u32) -> EvalCase {
        EvalCase {
            kind,
            question,
            fact_at,
            sample,
            belief: None,
            coherence: None,
            reason: None,
        }
    }
}

/// The cases one model answers, in order: every open question × samples; each choice in both
/// orders × samples; each distinguish sample with the order drawn by the seed.
pub fn cases(spec: &EvalSpec, seed: u64) -> Vec<EvalCase> {
    let s = &spec.settings;
    let samples = s.samples.max(1);
    let mut out = Vec::new();
    if s.open {
        for (q, _) in spec.questions.open_questions().enumerate() {
            for k in 0..samples {
                out.push(EvalCase::new(EvalKind::Open, q as u32, Letter::A, k));
            }
        }
    }
    if s.choice {
        for fact_at in [Letter::A, Letter::B] {
            for k in 0..samples {
                out.push(EvalCase::new(EvalKind::Choice, 0, fact_at, k));
            }
        }
    }
    if s.distinguish {
        // Shuffled: half the samples each way, in an order the seed decides.
        let mut orders: Vec<Letter> = (0..2 * samples)
            .map(|k| if k % 2 == 0 { Letter::A } else { Letter::B })
            .collect();
        orders.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0xd157_1a95));
        for (k, fact_at) in orders.into_iter().enumerate() {
            out.push(EvalCase::new(EvalKind::Distinguish, 0, fact_at, k as u32));
        }
    }
    out
}

/// Why an evaluation cannot start, before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvalProblem {
    #[error("no kind of question chosen")]
    NoKind,
    #[error("no open question")]
    NoQuestions,
    #[error("no contrary statement")]
    NoContrary,
    #[error("no key sentence")]
    NoKeySentence,
    #[error("no model to test")]
    NoModels,
}

/// Every reason the evaluation cannot start, at once.
pub fn check(spec: &EvalSpec, template: &FactTemplate, models: usize) -> Vec<EvalProblem> {
    let s = &spec.settings;
    let mut out = Vec::new();
    if !(s.open || s.choice || s.distinguish) {
        out.push(EvalProblem::NoKind);
    }
    if s.open && spec.questions.open_questions().next().is_none() {
        out.push(EvalProblem::NoQuestions);
    }
    if s.distinguish && spec.questions.contrary.trim().is_empty() {
        out.push(EvalProblem::NoContrary);
    }
    if template
        .specific_information_to_always_include
        .trim()
        .is_empty()
    {
        out.push(EvalProblem::NoKeySentence);
    }
    if models == 0 {
        out.push(EvalProblem::NoModels);
    }
    out
}

#[cfg(test)]
mod tests;
