//! An evaluation's results: per model and kind of question, the belief rate (answers that
//! support the fact, of those that decide either way) with its 95% Wilson interval, the counts
//! left out (undecided, incoherent, failed), and the difference between two models.

use super::stats::{difference, wilson, Z95};
use super::{Belief, EvalKind};
use crate::run::{Item, Run, Stage};
use serde::{Deserialize, Serialize};

/// One model's answers of one kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub supports: usize,
    pub contradicts: usize,
    /// Answered, but neither way (or unreadable).
    pub undecided: usize,
    /// Open answers the judge scored below the coherence threshold: left out.
    pub incoherent: usize,
    /// Items whose call failed.
    pub failed: usize,
    /// Items not answered yet.
    pub open: usize,
}

impl Rate {
    /// Answers that decide either way: the rate's n.
    pub fn decided(&self) -> usize {
        self.supports + self.contradicts
    }

    /// Supports ÷ decided, `None` with nothing decided.
    pub fn rate(&self) -> Option<f64> {
        (self.decided() > 0).then(|| self.supports as f64 / self.decided() as f64)
    }

    /// The 95% Wilson interval of the rate.
    pub fn interval(&self) -> (f64, f64) {
        wilson(self.supports, self.decided(), Z95)
    }
}

/// Where one answer lands in the counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Supports,
    Contradicts,
    Undecided,
    Incoherent,
    Failed,
    NotAnswered,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Supports,
        Outcome::Contradicts,
        Outcome::Undecided,
        Outcome::Incoherent,
        Outcome::Failed,
        Outcome::NotAnswered,
    ];

    /// An evaluation item's outcome (`None` for a dataset item); open answers the judge scored
    /// under `threshold` are incoherent whatever their label.
    pub fn of(item: &Item, threshold: u32) -> Option<Outcome> {
        let case = item.eval.as_ref()?;
        Some(match item.stage {
            Stage::Failed => Outcome::Failed,
            Stage::Accepted | Stage::Rejected => match case.belief {
                _ if case.coherence.is_some_and(|c| c < threshold) => Outcome::Incoherent,
                Some(Belief::Supports) => Outcome::Supports,
                Some(Belief::Contradicts) => Outcome::Contradicts,
                Some(Belief::NotSure) | None => Outcome::Undecided,
            },
            _ => Outcome::NotAnswered,
        })
    }
}

impl Rate {
    fn count(&mut self, o: Outcome) {
        *match o {
            Outcome::Supports => &mut self.supports,
            Outcome::Contradicts => &mut self.contradicts,
            Outcome::Undecided => &mut self.undecided,
            Outcome::Incoherent => &mut self.incoherent,
            Outcome::Failed => &mut self.failed,
            Outcome::NotAnswered => &mut self.open,
        } += 1;
    }
}

/// The results of an evaluation run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvalResults {
    /// Model names, in the run's order.
    pub models: Vec<String>,
    /// The kinds asked, in order.
    pub kinds: Vec<EvalKind>,
    /// `rates[model][kind]`, in the orders above.
    pub rates: Vec<Vec<Rate>>,
}

/// The difference of two models' rates of one kind, with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub kind: EvalKind,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl EvalResults {
    /// Counts every item of an evaluation run.
    pub fn of(run: &Run) -> EvalResults {
        let Some(spec) = &run.eval else {
            return EvalResults::default();
        };
        let kinds = spec.settings.kinds();
        let threshold = spec.settings.coherence_threshold;
        let mut rates = vec![vec![Rate::default(); kinds.len()]; run.generators.len()];
        for item in &run.items {
            let Some(case) = &item.eval else { continue };
            let Some(k) = kinds.iter().position(|k| *k == case.kind) else {
                continue;
            };
            let Some(r) = rates.get_mut(item.generator).and_then(|m| m.get_mut(k)) else {
                continue;
            };
            if let Some(o) = Outcome::of(item, threshold) {
                r.count(o);
            }
        }
        EvalResults {
            models: run
                .generators
                .iter()
                .map(|g| g.config.model.clone())
                .collect(),
            kinds,
            rates,
        }
    }

    /// The model the others are compared with: the first that is not a fine-tune (`ft:…`),
    /// else the first. So a fine-tune's difference is positive when it learned the fact,
    /// whichever row it was put in.
    pub fn baseline(&self) -> usize {
        self.models
            .iter()
            .position(|m| !m.trim().starts_with("ft:"))
            .unwrap_or(0)
    }

    /// Every other model's differences from the baseline: (model, differences).
    pub fn against_baseline(&self) -> Vec<(usize, Vec<Difference>)> {
        let base = self.baseline();
        (0..self.models.len())
            .filter(|&m| m != base)
            .map(|m| (m, self.differences(base, m)))
            .collect()
    }

    /// Model `b`'s rate minus model `a`'s, per kind both have decided answers for.
    pub fn differences(&self, a: usize, b: usize) -> Vec<Difference> {
        let (Some(ra), Some(rb)) = (self.rates.get(a), self.rates.get(b)) else {
            return Vec::new();
        };
        self.kinds
            .iter()
            .zip(ra.iter().zip(rb))
            .filter_map(|(kind, (x, y))| {
                let (value, low, high) =
                    difference(y.supports, y.decided(), x.supports, x.decided())?;
                Some(Difference {
                    kind: *kind,
                    value,
                    low,
                    high,
                })
            })
            .collect()
    }
}
