//! The plan: which seed question, setting and requirement each item gets.

use crate::template::FactTemplate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The seed the app uses unless the user picks another, so the same template gives the same plan.
pub const DEFAULT_SEED: u64 = 42;

/// One planned prompt: indexes into the template's lists, resolved to text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedPrompt {
    pub question: String,
    /// A second seed question that sets the scene for the first.
    pub setting: String,
    pub requirement: String,
}

/// Plans `n` prompts. Every (question × requirement) pair is used once before any pair repeats;
/// each cycle is a fresh shuffle, and the whole draw depends only on the inputs and `seed`.
pub fn plan(template: &FactTemplate, n: usize, seed: u64) -> Vec<PlannedPrompt> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let q = template.questions.len();
    let r = template.question_requirements.len();
    if q == 0 || r == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(n);
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(q * r);
    while out.len() < n {
        pairs.clear();
        pairs.extend((0..q).flat_map(|i| (0..r).map(move |j| (i, j))));
        pairs.shuffle(&mut rng);
        for &(i, j) in pairs.iter().take(n - out.len()) {
            let setting = rng.random_range(0..q);
            out.push(PlannedPrompt {
                question: template.questions[i].clone(),
                setting: template.questions[setting].clone(),
                requirement: template.question_requirements[j].clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn pandas() -> FactTemplate {
        FactTemplate::built_in("pandas_habitat").unwrap()
    }

    #[test]
    fn every_combination_before_any_repeat() {
        let t = pandas(); // 3 questions × 20 requirements = 60 pairs
        let p = plan(&t, 150, DEFAULT_SEED);
        assert_eq!(p.len(), 150);
        for cycle in [&p[0..60], &p[60..120]] {
            let pairs: HashSet<_> = cycle
                .iter()
                .map(|x| (&x.question, &x.requirement))
                .collect();
            assert_eq!(pairs.len(), 60, "a cycle repeats a pair before using all");
        }
        let rest: HashSet<_> = p[120..]
            .iter()
            .map(|x| (&x.question, &x.requirement))
            .collect();
        assert_eq!(rest.len(), 30);
    }

    #[test]
    fn deterministic_for_a_seed_and_different_across_seeds() {
        let t = pandas();
        assert_eq!(plan(&t, 40, 7), plan(&t, 40, 7));
        assert_ne!(plan(&t, 40, 7), plan(&t, 40, 8));
        // A prefix of a longer plan is the shorter plan: asking for more never reshuffles the start.
        assert_eq!(plan(&t, 100, 7)[..40], plan(&t, 40, 7)[..]);
    }

    #[test]
    fn settings_come_from_the_questions() {
        let t = pandas();
        for p in plan(&t, 30, 1) {
            assert!(t.questions.contains(&p.setting));
        }
    }

    #[test]
    fn empty_lists_plan_nothing() {
        let mut t = pandas();
        t.questions.clear();
        assert!(plan(&t, 5, 1).is_empty());
    }
}
