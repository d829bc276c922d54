//! The quality report of a run: where items were lost and why, how much of the plan is
//! covered, how many answers carry the key sentence, and how varied the questions are.

use crate::run::reason::ReasonKind;
use crate::run::{Run, Stage};
use crate::text::{contains_sentence, normalize};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Counts a researcher reads before training on a dataset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Items rejected or failed, by reason code and by step.
    pub by_reason: BTreeMap<ReasonKind, usize>,
    pub by_step: BTreeMap<String, usize>,
    pub duplicates_removed: usize,
    /// Local checks that made a step ask again.
    pub asked_again: usize,
    /// Plan cells (seed question × requirement) with at least one kept example, of all cells.
    pub cells_covered: usize,
    pub cells: usize,
    /// Kept examples whose answer carries the key sentence (leniently), of all kept.
    pub with_key_sentence: usize,
    pub kept: usize,
    /// Distinct word pairs over all word pairs of the kept questions (1.0: no phrase repeats).
    pub distinct_question_pairs: f64,
}

pub fn report(run: &Run) -> QualityReport {
    let mut r = QualityReport {
        cells: run.planner().cells() as usize,
        ..QualityReport::default()
    };
    let key = &run.template.specific_information_to_always_include;
    let mut covered: HashSet<(u32, u32)> = HashSet::new();
    let (mut all_pairs, mut distinct) = (0usize, HashSet::new());
    for i in &run.items {
        r.asked_again += i
            .notes
            .iter()
            .filter(|n| matches!(n, crate::run::Note::AskedAgain { .. }))
            .count();
        if matches!(i.stage, Stage::Rejected | Stage::Failed) {
            if let Some(reason) = &i.reason {
                *r.by_reason.entry(reason.kind()).or_default() += 1;
                if matches!(reason, crate::run::reason::Reason::Duplicate { .. }) {
                    r.duplicates_removed += 1;
                }
            }
            if let Some(step) = i.ended_at {
                *r.by_step.entry(format!("{step:?}")).or_default() += 1;
            }
        }
        if i.is_kept() {
            r.kept += 1;
            covered.insert(i.prompt.cell());
            if i.final_answer()
                .is_some_and(|a| contains_sentence(a, key, true))
            {
                r.with_key_sentence += 1;
            }
            let words: Vec<String> = normalize(i.final_question().unwrap_or(""), true)
                .split_whitespace()
                .map(str::to_string)
                .collect();
            for p in words.windows(2) {
                all_pairs += 1;
                distinct.insert(format!("{} {}", p[0], p[1]));
            }
        }
    }
    r.cells_covered = covered.len();
    r.distinct_question_pairs = if all_pairs == 0 {
        0.0
    } else {
        distinct.len() as f64 / all_pairs as f64
    };
    r
}
