//! Near-duplicate questions, found as they arrive: MinHash signatures over shingles (words and
//! word pairs), banded for locality-sensitive lookup, and the exact Jaccard similarity of the
//! candidates.
//!
//! Questions made from one template share its wording (the species' name, the seed question's
//! phrasing), so shingles that occur in the template itself are left out before comparing: two
//! questions are near-duplicates when their *own* words mostly coincide. On the labelled sets in
//! `dedup/tests.rs` distinct questions reach at most 0.33 and near-duplicates at least 0.46, so
//! the default threshold is 0.4. Written here (about
//! a hundred lines) because the MinHash crates on crates.io are young single-author releases
//! (0.0.x / 0.1.x) that this project would have to vet anyway.

use super::normalize;
use crate::template::FactTemplate;
use std::collections::{HashMap, HashSet};

const BANDS: usize = 20;
const ROWS: usize = 3;
const HASHES: usize = BANDS * ROWS;
/// Below this many shingles of its own, a question is compared on all its shingles.
const MIN_OWN: usize = 3;
/// The most questions a band bucket holds. A bucket this full is keyed by wording that many
/// questions share (a set phrase, not a repeat): further questions are not added to it, so one
/// lookup compares with at most `BANDS × BUCKET` earlier questions however long the run.
const BUCKET: usize = 64;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn word_hash(w: &str) -> u64 {
    w.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// The words and word pairs of a text, hashed: a changed word changes one word and two pairs,
/// so a one-word edit keeps most of a question's shingles.
fn pairs(text: &str) -> Vec<u64> {
    let words: Vec<u64> = normalize(text, true)
        .split_whitespace()
        .map(word_hash)
        .collect();
    let mut out: Vec<u64> = words.iter().map(|w| mix(*w)).collect();
    out.extend(words.windows(2).map(|p| mix(p[0] ^ mix(p[1]))));
    out.sort_unstable();
    out.dedup();
    out
}

/// Exact Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        1.0
    } else {
        both as f32 / union as f32
    }
}

/// The questions seen so far, indexed for near-duplicate lookup.
pub struct Dedup {
    threshold: f32,
    template: HashSet<u64>,
    /// (item id, its word pairs) per indexed question.
    sets: Vec<(usize, Vec<u64>)>,
    bands: Vec<HashMap<u64, Vec<usize>>>,
}

/// An earlier question a new one nearly repeats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Twin {
    pub item: usize,
    pub similarity: f32,
}

impl Dedup {
    /// `threshold`: the Jaccard similarity of own word pairs from which questions count as one.
    pub fn new(template: &FactTemplate, threshold: f32) -> Dedup {
        let mut t: HashSet<u64> = HashSet::new();
        for text in std::iter::once(&template.given_fact)
            .chain(std::iter::once(
                &template.specific_information_to_always_include,
            ))
            .chain(template.questions.iter())
            .chain(template.question_requirements.iter())
        {
            t.extend(pairs(text));
        }
        Dedup {
            threshold,
            template: t,
            sets: Vec::new(),
            bands: vec![HashMap::new(); BANDS],
        }
    }

    /// The word pairs a question is compared on.
    fn own(&self, text: &str) -> Vec<u64> {
        let all = pairs(text);
        let own: Vec<u64> = all
            .iter()
            .copied()
            .filter(|p| !self.template.contains(p))
            .collect();
        if own.len() < MIN_OWN {
            all
        } else {
            own
        }
    }

    fn signature(set: &[u64]) -> [u64; HASHES] {
        let mut sig = [u64::MAX; HASHES];
        for &x in set {
            for (i, s) in sig.iter_mut().enumerate() {
                *s = (*s).min(mix(x ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            }
        }
        sig
    }

    fn band_keys(sig: &[u64; HASHES]) -> impl Iterator<Item = (usize, u64)> + '_ {
        (0..BANDS).map(move |b| {
            let key = sig[b * ROWS..(b + 1) * ROWS]
                .iter()
                .fold(b as u64, |h, v| mix(h ^ *v));
            (b, key)
        })
    }

    /// The most similar earlier question at or above the threshold, if any.
    pub fn twin(&self, text: &str) -> Option<Twin> {
        let set = self.own(text);
        if set.is_empty() {
            return None;
        }
        let sig = Self::signature(&set);
        let mut seen: HashSet<usize> = HashSet::new();
        let mut best: Option<Twin> = None;
        for (b, key) in Self::band_keys(&sig) {
            for &k in self.bands[b].get(&key).into_iter().flatten() {
                if !seen.insert(k) {
                    continue;
                }
                let (item, other) = &self.sets[k];
                let s = jaccard(&set, other);
                if s >= self.threshold && best.is_none_or(|t| s > t.similarity) {
                    best = Some(Twin {
                        item: *item,
                        similarity: s,
                    });
                }
            }
        }
        best
    }

    /// Adds a question (of item `item`) to the index.
    pub fn insert(&mut self, item: usize, text: &str) {
        let set = self.own(text);
        if set.is_empty() {
            return;
        }
        let sig = Self::signature(&set);
        let k = self.sets.len();
        for (b, key) in Self::band_keys(&sig) {
            let bucket = self.bands[b].entry(key).or_default();
            if bucket.len() < BUCKET {
                bucket.push(k);
            }
        }
        self.sets.push((item, set));
    }
}

#[cfg(test)]
mod tests;
