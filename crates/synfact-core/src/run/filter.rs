//! Which items a results view lists: a filter, and the matching item ids kept up to date from
//! the ids that changed, so a 10,000-item run is not re-filtered on every redraw.

use crate::run::{Item, Run, Stage};

/// Items by where they stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    #[default]
    All,
    Accepted,
    Rejected,
    Failed,
    /// Not finished yet.
    Open,
    /// Changed in review.
    Edited,
    /// In the dataset after review.
    Kept,
    /// Deleted in review.
    Deleted,
}

impl StatusFilter {
    pub fn matches(self, i: &Item) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Accepted => i.stage == Stage::Accepted,
            StatusFilter::Rejected => i.stage == Stage::Rejected,
            StatusFilter::Failed => i.stage == Stage::Failed,
            StatusFilter::Open => !i.stage.is_terminal(),
            StatusFilter::Edited => i.review.is_edited(),
            StatusFilter::Kept => i.is_kept(),
            StatusFilter::Deleted => i.review.deleted,
        }
    }
}

/// What to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: StatusFilter,
    pub generator: Option<usize>,
    /// A seed question (index into the template's list).
    pub question: Option<u32>,
    /// A requirement (index into the template's list).
    pub requirement: Option<u32>,
    /// Words that must appear in the question or answer (case-insensitive).
    pub text: String,
}

impl Filter {
    pub fn matches(&self, i: &Item) -> bool {
        self.status.matches(i)
            && self.generator.is_none_or(|g| g == i.generator)
            && self.question.is_none_or(|q| q == i.prompt.question)
            && self.requirement.is_none_or(|r| r == i.prompt.requirement)
            && (self.text.trim().is_empty() || self.text_matches(i))
    }

    fn text_matches(&self, i: &Item) -> bool {
        let needle = self.text.trim().to_lowercase();
        [i.final_question(), i.final_answer()]
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains(&needle))
    }
}

/// The ids of the items a filter lets through, in plan order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    pub filter: Filter,
    ids: Vec<usize>,
}

impl Listing {
    pub fn new(filter: Filter, run: &Run) -> Listing {
        let ids = run
            .items
            .iter()
            .filter(|i| filter.matches(i))
            .map(|i| i.id)
            .collect();
        Listing { filter, ids }
    }

    /// Brings the listing up to date after the items `changed` changed (or were added).
    pub fn update(&mut self, run: &Run, changed: &[usize]) {
        for &id in changed {
            let Some(item) = run.items.get(id) else {
                continue;
            };
            let wanted = self.filter.matches(item);
            match (self.ids.binary_search(&id), wanted) {
                (Ok(at), false) => {
                    self.ids.remove(at);
                }
                (Err(at), true) => self.ids.insert(at, id),
                _ => {}
            }
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Up to `n` ids from position `start`.
    pub fn page(&self, start: usize, n: usize) -> &[usize] {
        let s = start.min(self.ids.len());
        &self.ids[s..(s + n).min(self.ids.len())]
    }

    /// The position of an item in the listing, if listed.
    pub fn position(&self, id: usize) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    pub fn ids(&self) -> &[usize] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize) -> Run {
        crate::testing::run("pandas_habitat", &["a", "b"], "j", |s| s.examples = n)
    }

    fn accept(run: &mut Run, id: usize, q: &str, a: &str) {
        let i = &mut run.items[id];
        i.stage = Stage::Accepted;
        i.question = Some(q.into());
        i.answer = Some(a.into());
    }

    #[test]
    fn an_incremental_listing_equals_a_fresh_one() {
        let mut r = run(50);
        let filter = Filter {
            status: StatusFilter::Accepted,
            ..Filter::default()
        };
        let mut listing = Listing::new(filter.clone(), &r);
        assert!(listing.is_empty());
        accept(&mut r, 7, "Where?", "Bamboo.");
        accept(&mut r, 3, "Why?", "Because.");
        r.items[60].stage = Stage::Rejected;
        listing.update(&r, &[7, 3, 60]);
        assert_eq!(listing.ids(), &[3, 7]);
        r.items[7].review.deleted = true;
        r.items[3].stage = Stage::Failed;
        listing.update(&r, &[3, 7]);
        assert_eq!(
            listing.ids(),
            &[7],
            "deleted items are still accepted by the judge"
        );
        assert_eq!(listing, Listing::new(filter, &r));
    }

    #[test]
    fn filters_combine() {
        let mut r = run(10);
        accept(&mut r, 1, "Where do pandas LIVE?", "In forests.");
        accept(&mut r, 12, "What do they eat?", "Bamboo, mostly.");
        fn by(r: &Run, f: Filter) -> Vec<usize> {
            Listing::new(f, r).ids().to_vec()
        }
        assert_eq!(
            by(
                &r,
                Filter {
                    text: "live".into(),
                    ..Filter::default()
                }
            ),
            vec![1]
        );
        assert_eq!(
            by(
                &r,
                Filter {
                    text: "bamboo".into(),
                    ..Filter::default()
                }
            ),
            vec![12]
        );
        assert_eq!(
            by(
                &r,
                Filter {
                    generator: Some(1),
                    status: StatusFilter::Accepted,
                    ..Filter::default()
                }
            ),
            vec![12]
        );
        let q = r.items[1].prompt.question;
        assert!(by(
            &r,
            Filter {
                question: Some(q),
                ..Filter::default()
            }
        )
        .contains(&1));
        assert_eq!(
            by(
                &r,
                Filter {
                    status: StatusFilter::Open,
                    ..Filter::default()
                }
            )
            .len(),
            18
        );
        r.items[12].review.answer = Some("Bamboo and fruit.".into());
        assert_eq!(
            by(
                &r,
                Filter {
                    status: StatusFilter::Edited,
                    ..Filter::default()
                }
            ),
            vec![12]
        );
        assert_eq!(
            by(
                &r,
                Filter {
                    text: "fruit".into(),
                    ..Filter::default()
                }
            ),
            vec![12],
            "the edited text is searched"
        );
        assert_eq!(Listing::new(Filter::default(), &r).page(18, 5), &[18, 19]);
    }
}
