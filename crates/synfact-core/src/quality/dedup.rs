//! Near-duplicate questions, found as they arrive: the words and word pairs ("shingles") of each
//! question, weighted by how rare they are among the run's own questions, and the weighted
//! Jaccard similarity of a new question with the earlier ones that share its rarer shingles.
//!
//! Questions of one run share their framing: the subject's name, the requirement's wording, and
//! whatever opening a model favours ("Could you tell me about the … of the animal described").
//! Counted like any other words, that framing makes questions that differ in the one word that
//! carries their meaning ("diet" / "song") look alike — a known failure of plain MinHash on
//! templated text. So each shingle weighs its inverse document frequency over every question the
//! run has seen, squared: framing that most questions share weighs next to nothing, the words
//! only a few questions use weigh most, and two questions are near-duplicates when their *rare*
//! words coincide. Shingles of the template's requirements and seed questions, which models copy
//! into questions by design, start at a quarter of their weight.
//!
//! Written here (about two hundred lines) rather than taken from a crate: the similarity-search
//! crates on crates.io work on fixed vectors or fixed MinHash signatures, and these weights change
//! with every question that arrives.

use crate::template::fact::FactTemplate;
use crate::text::normalize;
use std::collections::{HashMap, HashSet};

/// The most indexed questions a shingle's postings list holds. A shingle this common is framing
/// (its weight is small); further questions are not listed under it, so one lookup visits at
/// most `POSTINGS` questions per shingle however long the run.
const POSTINGS: usize = 64;
/// The weight of a shingle the template's requirements or seed questions hold, relative to others.
const TEMPLATE_PRIOR: f64 = 0.25;
/// The weight of a function word ("the", "is", "that"), relative to others: rewording a question
/// changes them most, and they say least about what it asks. A word pair counts the mean of its
/// two words'.
const FUNCTION_WORD_PRIOR: f64 = 0.5;
/// English function words (a short list: other languages are weighed by the run's questions
/// alone).
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is",
    "it", "its", "just", "may", "me", "might", "more", "most", "my", "of", "on", "or", "our",
    "please", "s", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "too", "us", "very", "was", "we", "were",
    "what", "whats", "when", "where", "which", "while", "who", "whom", "whose", "why", "will",
    "with", "would", "you", "your", "tell", "know", "like", "also", "really", "much", "many",
    "one", "get", "here", "all", "both",
];

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

/// The words and word pairs of a text, hashed, sorted, without repeats: a changed word changes
/// one word and two pairs, so a one-word edit keeps most of a question's shingles.
fn shingles(text: &str) -> Vec<u64> {
    let mut out: Vec<u64> = weighed_shingles(text).into_iter().map(|(s, _)| s).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Each shingle of a text with its prior weight (function words weigh less).
fn weighed_shingles(text: &str) -> Vec<(u64, f64)> {
    let words: Vec<(u64, f64)> = normalize(text, true)
        .split_whitespace()
        .map(|w| {
            let prior = if FUNCTION_WORDS.contains(&w) {
                FUNCTION_WORD_PRIOR
            } else {
                1.0
            };
            (word_hash(w), prior)
        })
        .collect();
    let mut out: Vec<(u64, f64)> = words.iter().map(|(w, p)| (mix(*w), *p)).collect();
    out.extend(
        words
            .windows(2)
            .map(|p| (mix(p[0].0 ^ mix(p[1].0)), (p[0].1 + p[1].1) / 2.0)),
    );
    out
}

/// The questions seen so far: how often each shingle occurs, and an index of the questions a new
/// one is compared with.
#[derive(Clone)]
pub struct Dedup {
    threshold: f64,
    /// Shingles of the template's requirements and seed questions.
    template: HashSet<u64>,
    /// Shingles whose prior weight is below 1 (function words and pairs of them).
    light: HashMap<u64, f64>,
    /// Questions seen: every arrival, near-duplicates too (they are framing evidence as well).
    seen: u32,
    /// In how many seen questions each shingle occurs.
    df: HashMap<u64, u32>,
    /// (item id, shingles) per indexed question.
    sets: Vec<(usize, Vec<u64>)>,
    /// Shingle → indexed questions holding it (the first `POSTINGS`).
    postings: HashMap<u64, smallvec::SmallVec<[u32; 2]>>,
    /// Normalised text → indexed question: exact repeats are found however common their words.
    exact: HashMap<String, u32>,
}

/// An earlier question a new one nearly repeats.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Twin {
    pub item: usize,
    pub similarity: f32,
}

impl Dedup {
    /// `threshold`: the weighted Jaccard similarity from which two questions count as one.
    pub fn new(template: &FactTemplate, threshold: f32) -> Dedup {
        let template = template
            .questions
            .iter()
            .chain(template.question_requirements.iter())
            .flat_map(|t| shingles(t))
            .collect();
        Dedup {
            threshold: f64::from(threshold),
            template,
            light: HashMap::new(),
            seen: 0,
            df: HashMap::new(),
            sets: Vec::new(),
            postings: HashMap::new(),
            exact: HashMap::new(),
        }
    }

    /// Counts a question the run has written (call once per question, before `twin`).
    pub fn observe(&mut self, text: &str) {
        self.seen += 1;
        for (s, prior) in weighed_shingles(text) {
            if prior < 1.0 {
                self.light.insert(s, prior);
            }
        }
        for s in shingles(text) {
            *self.df.entry(s).or_default() += 1;
        }
    }

    /// How much a shingle says about a question: rare in the run's questions weighs most.
    fn weight(&self, s: u64) -> f64 {
        let df = f64::from(self.df.get(&s).copied().unwrap_or(0));
        let idf = ((f64::from(self.seen) + 1.0) / (df + 0.5)).ln().max(0.0);
        let mut prior = self.light.get(&s).copied().unwrap_or(1.0);
        if self.template.contains(&s) {
            prior *= TEMPLATE_PRIOR;
        }
        idf * idf * prior
    }

    /// The weighted Jaccard similarity of two sorted shingle sets.
    fn similarity(&self, a: &[u64], b: &[u64]) -> f64 {
        let (mut i, mut j) = (0, 0);
        let (mut both, mut all) = (0.0, 0.0);
        while i < a.len() || j < b.len() {
            let (s, shared) = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    i += 1;
                    j += 1;
                    (*x, true)
                }
                (Some(x), Some(y)) if x < y => {
                    i += 1;
                    (*x, false)
                }
                (Some(x), None) => {
                    i += 1;
                    (*x, false)
                }
                (_, Some(y)) => {
                    j += 1;
                    (*y, false)
                }
                (None, None) => unreachable!("the loop ends first"),
            };
            let w = self.weight(s);
            all += w;
            if shared {
                both += w;
            }
        }
        if all <= 0.0 {
            // Nothing but shingles every question has: the texts are the same words.
            1.0
        } else {
            both / all
        }
    }

    /// The most similar indexed question at or above the threshold that `keep` accepts, if any.
    pub fn twin(&self, text: &str, keep: impl Fn(usize) -> bool) -> Option<Twin> {
        self.best(text, keep, self.threshold)
    }

    /// The most similar indexed question sharing a word or two with `text`, however similar.
    pub fn closest(&self, text: &str) -> Option<Twin> {
        self.best(text, |_| true, 0.0)
    }

    fn best(&self, text: &str, keep: impl Fn(usize) -> bool, threshold: f64) -> Option<Twin> {
        let set = shingles(text);
        if set.is_empty() {
            return None;
        }
        if let Some(&k) = self.exact.get(&normalize(text, true)) {
            let item = self.sets[k as usize].0;
            if keep(item) {
                return Some(Twin {
                    item,
                    similarity: 1.0,
                });
            }
        }
        // Candidates: indexed questions sharing a shingle, with the weight they share so far.
        let weights: Vec<f64> = set.iter().map(|s| self.weight(*s)).collect();
        let total: f64 = weights.iter().sum();
        let mut shared: HashMap<u32, f64> = HashMap::new();
        for (s, w) in set.iter().zip(&weights) {
            for &k in self.postings.get(s).into_iter().flatten() {
                *shared.entry(k).or_default() += w;
            }
        }
        // The similarity is at most the shared weight over the new question's own.
        let mut candidates: Vec<(u32, f64)> = shared
            .into_iter()
            .filter(|(_, w)| total <= 0.0 || *w >= threshold * total * 0.5)
            .collect();
        candidates.sort_unstable_by_key(|(k, _)| *k);
        let mut best: Option<Twin> = None;
        for (k, _) in candidates {
            let (item, other) = &self.sets[k as usize];
            if !keep(*item) {
                continue;
            }
            let s = self.similarity(&set, other);
            if s >= threshold && best.is_none_or(|t| s as f32 > t.similarity) {
                best = Some(Twin {
                    item: *item,
                    similarity: s as f32,
                });
            }
        }
        best
    }

    /// Adds a question (of item `item`) to the index of questions later ones are compared with.
    pub fn insert(&mut self, item: usize, text: &str) {
        let set = shingles(text);
        if set.is_empty() {
            return;
        }
        let k = self.sets.len() as u32;
        for s in &set {
            let list = self.postings.entry(*s).or_default();
            if list.len() < POSTINGS {
                list.push(k);
            }
        }
        self.exact.entry(normalize(text, true)).or_insert(k);
        self.sets.push((item, set));
    }
}

#[cfg(test)]
mod tests;
