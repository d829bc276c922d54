//! No leakage from the training set: each eval question is compared with the training run's
//! questions by the near-duplicate detector, and one that nearly repeats a training question
//! is marked to be replaced (the closest training question and how alike they are are shown
//! either way).

use crate::quality::dedup::Dedup;

/// Stricter than the dataset's duplicate threshold (0.4): an eval question should not even
/// resemble a training question, so one this alike is replaced.
pub const LEAK_THRESHOLD: f32 = 0.3;
use crate::template::fact::FactTemplate;
use serde::{Deserialize, Serialize};

/// What the check found for one eval question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    pub question: String,
    /// The closest training question and its similarity (0 to 1), if any shares a word.
    pub closest: Option<(String, f32)>,
    /// At or over the threshold: it nearly repeats a training question.
    pub too_close: bool,
}

/// Checks `questions` against `training` (the training run's questions) at `threshold`.
pub fn check(
    template: &FactTemplate,
    training: &[String],
    questions: &[String],
    threshold: f32,
) -> Vec<Leak> {
    let mut index = Dedup::new(template, threshold);
    for (i, t) in training.iter().enumerate() {
        index.observe(t);
        index.insert(i, t);
    }
    questions
        .iter()
        .map(|q| {
            // Each question is weighed among the training set alone, not its fellow eval questions.
            let mut d = index.clone();
            d.observe(q);
            let closest = d.closest(q);
            let too_close = closest.is_some_and(|c| c.similarity >= threshold);
            Leak {
                question: q.clone(),
                closest: closest.map(|c| (training[c.item].clone(), c.similarity)),
                too_close,
            }
        })
        .collect()
}
