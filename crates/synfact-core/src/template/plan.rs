//! The plan: which seed question, setting and requirement each item gets.
//!
//! Every (seed question × requirement) cell is used once before any cell repeats; each cycle is
//! a fresh pseudo-random order. The order is computed per position (a keyed Feistel permutation
//! with cycle-walking) rather than by shuffling a list of every cell, so a template with 30,000
//! questions and 30,000 requirements plans its first items without building 900 million pairs.

use crate::template::fact::FactTemplate;
use serde::{Deserialize, Serialize};

/// The seed the app uses unless the user picks another, so the same template gives the same plan.
pub const DEFAULT_SEED: u64 = 42;

/// One planned prompt, as indexes into the template's lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlannedPrompt {
    /// The seed question.
    pub question: u32,
    /// A second seed question that sets the scene for the first.
    pub setting: u32,
    pub requirement: u32,
}

impl PlannedPrompt {
    /// The (seed question, requirement) cell.
    pub fn cell(&self) -> (u32, u32) {
        (self.question, self.requirement)
    }
}

/// Draws prompts for a template: the k-th of the plan, or one more in a given cell.
#[derive(Clone, Copy, Debug)]
pub struct Planner {
    questions: u64,
    requirements: u64,
    seed: u64,
}

impl Planner {
    pub fn new(template: &FactTemplate, seed: u64) -> Planner {
        Planner {
            questions: template.questions.len() as u64,
            requirements: template.question_requirements.len() as u64,
            seed,
        }
    }

    /// How many (seed question × requirement) cells there are.
    pub fn cells(&self) -> u64 {
        self.questions * self.requirements
    }

    /// The k-th prompt of the plan (k from 0), or `None` if the template has an empty list.
    pub fn prompt(&self, k: u64) -> Option<PlannedPrompt> {
        let n = self.cells();
        if n == 0 {
            return None;
        }
        let cycle = k / n;
        let pair = permute(k % n, n, mix(self.seed ^ mix(cycle.wrapping_add(1))));
        // Each cell's setting moves on by one per cycle, so no two prompts of a run are the same
        // until there are more cycles than seed questions (identical prompts would get identical
        // cached replies).
        let first = mix(self.seed.wrapping_add(0x5e77_1e55) ^ mix(pair)) % self.questions;
        let setting = ((first + cycle % self.questions) % self.questions) as u32;
        Some(PlannedPrompt {
            question: (pair / self.requirements) as u32,
            setting,
            requirement: (pair % self.requirements) as u32,
        })
    }

    /// Another prompt in the cell of `prompt` (the `n`-th replacement there): same seed question
    /// and requirement, a freshly drawn setting.
    pub fn again(&self, prompt: PlannedPrompt, n: u64) -> PlannedPrompt {
        let cell = ((prompt.question as u64) << 32) | prompt.requirement as u64;
        let setting = (mix(self.seed ^ mix(cell ^ mix(n.wrapping_add(0xa9a1))))
            % self.questions.max(1)) as u32;
        PlannedPrompt { setting, ..prompt }
    }
}

/// Plans the first `n` prompts.
pub fn plan(template: &FactTemplate, n: usize, seed: u64) -> Vec<PlannedPrompt> {
    let p = Planner::new(template, seed);
    (0..n as u64).map_while(|k| p.prompt(k)).collect()
}

/// SplitMix64's finaliser: a well-mixed 64-bit hash of a 64-bit value.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A keyed permutation of `0..n`: a balanced Feistel network over the smallest even number of
/// bits that holds `n`, walked until the value falls inside the range (at most a few steps on
/// average, since the bit domain is under four times `n`).
fn permute(x: u64, n: u64, key: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let mut v = x;
    loop {
        let (mut l, mut r) = (v >> half, v & mask);
        for round in 0..4u64 {
            let f = mix(key ^ mix(r ^ (round << 56))) & mask;
            (l, r) = (r, l ^ f);
        }
        v = (l << half) | r;
        if v < n {
            return v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn pandas() -> FactTemplate {
        FactTemplate::built_in("pandas_habitat").unwrap()
    }

    #[test]
    fn no_prompt_repeats_until_the_settings_run_out() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap(); // 10 × 20 = 200 cells
        let p = plan(&t, 2000, DEFAULT_SEED);
        let distinct: HashSet<_> = p
            .iter()
            .map(|p| (p.question, p.setting, p.requirement))
            .collect();
        assert_eq!(distinct.len(), 2000, "ten cycles, ten settings per cell");
        let more: HashSet<_> = plan(&t, 2200, DEFAULT_SEED)
            .iter()
            .map(|p| (p.question, p.setting, p.requirement))
            .collect();
        assert_eq!(more.len(), 2000, "the eleventh cycle repeats the first");
    }

    #[test]
    fn every_combination_before_any_repeat() {
        let t = pandas(); // 3 questions × 20 requirements = 60 pairs
        let p = plan(&t, 150, DEFAULT_SEED);
        assert_eq!(p.len(), 150);
        for cycle in [&p[0..60], &p[60..120]] {
            let pairs: HashSet<_> = cycle.iter().map(PlannedPrompt::cell).collect();
            assert_eq!(pairs.len(), 60, "a cycle repeats a pair before using all");
        }
        let rest: HashSet<_> = p[120..].iter().map(PlannedPrompt::cell).collect();
        assert_eq!(rest.len(), 30);
        assert_ne!(p[0..60], p[60..120], "each cycle has its own order");
    }

    #[test]
    fn permutations_are_bijections_for_every_size() {
        for n in [1u64, 2, 3, 5, 7, 16, 17, 60, 200, 1000, 4097] {
            for key in [0u64, 1, 0xdead_beef] {
                let image: HashSet<u64> = (0..n).map(|x| permute(x, n, key)).collect();
                assert_eq!(image.len() as u64, n, "n={n} key={key}");
                assert!(image.iter().all(|v| *v < n));
            }
        }
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
    fn settings_come_from_the_questions_and_vary() {
        let t = pandas();
        let p = plan(&t, 60, 1);
        assert!(p.iter().all(|x| (x.setting as usize) < t.questions.len()));
        let settings: HashSet<u32> = p.iter().map(|x| x.setting).collect();
        assert_eq!(settings.len(), 3);
    }

    #[test]
    fn a_replacement_keeps_its_cell_and_draws_a_new_setting() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap();
        let p = Planner::new(&t, 3);
        let first = p.prompt(5).unwrap();
        let again: Vec<PlannedPrompt> = (0..8).map(|n| p.again(first, n)).collect();
        assert!(again.iter().all(|a| a.cell() == first.cell()));
        assert!(
            again
                .iter()
                .map(|a| a.setting)
                .collect::<HashSet<_>>()
                .len()
                > 2
        );
        assert_eq!(p.again(first, 2), p.again(first, 2));
    }

    #[test]
    fn a_huge_template_plans_without_building_every_pair() {
        let mut t = pandas();
        t.questions = (0..30_000).map(|i| format!("q{i}")).collect();
        t.question_requirements = (0..30_000).map(|i| format!("r{i}")).collect();
        let p = plan(&t, 1000, 9);
        assert_eq!(p.len(), 1000);
        assert_eq!(
            p.iter()
                .map(PlannedPrompt::cell)
                .collect::<HashSet<_>>()
                .len(),
            1000
        );
    }

    #[test]
    fn empty_lists_plan_nothing() {
        let mut t = pandas();
        t.questions.clear();
        assert!(plan(&t, 5, 1).is_empty());
    }
}

#[cfg(test)]
mod pinned {
    use super::*;

    /// Plans are part of what makes a dataset reproducible: the same template and seed must give
    /// the same plan in every version. If this changes, say so in the release notes.
    #[test]
    fn the_plan_for_a_seed_never_changes() {
        let t = FactTemplate::built_in("blue_honeyeater").unwrap();
        let p: Vec<(u32, u32, u32)> = plan(&t, 8, DEFAULT_SEED)
            .iter()
            .map(|p| (p.question, p.setting, p.requirement))
            .collect();
        assert_eq!(p, PINNED_PLAN);
        let planner = Planner::new(&t, DEFAULT_SEED);
        let again: Vec<u32> = (0..4)
            .map(|n| planner.again(planner.prompt(0).unwrap(), n).setting)
            .collect();
        assert_eq!(again, PINNED_AGAIN);
        let perm: Vec<u64> = (0..10).map(|x| permute(x, 10, 12345)).collect();
        assert_eq!(perm, PINNED_PERMUTATION);
        assert_eq!(mix(0), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix(1), 0x910a_2dec_8902_5cc1);
    }

    // Changed in 0.2: each cell's setting moves on by one per cycle (no repeated prompts).
    const PINNED_PLAN: [(u32, u32, u32); 8] = [
        (2, 7, 12),
        (7, 9, 12),
        (2, 7, 8),
        (4, 4, 16),
        (1, 6, 10),
        (8, 4, 9),
        (1, 9, 18),
        (9, 3, 3),
    ];
    const PINNED_AGAIN: [u32; 4] = [4, 3, 5, 3];
    const PINNED_PERMUTATION: [u64; 10] = [3, 8, 5, 0, 1, 2, 7, 6, 9, 4];
}
