//! Counts of a run's items by outcome and by what review did to them.

use super::{Item, Stage};
use serde::{Deserialize, Serialize};

/// Counts of items by outcome, and by what review did to them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub accepted: usize,
    pub rejected: usize,
    pub failed: usize,
    /// Not ended yet.
    pub open: usize,
    /// Items in the dataset after review.
    #[serde(default)]
    pub kept: usize,
    #[serde(default)]
    pub edited: usize,
    #[serde(default)]
    pub deleted: usize,
}

impl Counts {
    pub fn of<'a>(items: impl IntoIterator<Item = &'a Item>) -> Counts {
        let mut c = Counts::default();
        for i in items {
            c.count(i);
        }
        c
    }

    pub fn count(&mut self, i: &Item) {
        match i.stage {
            Stage::Accepted => self.accepted += 1,
            Stage::Rejected => self.rejected += 1,
            Stage::Failed => self.failed += 1,
            _ => self.open += 1,
        }
        self.kept += usize::from(i.is_kept());
        self.edited += usize::from(i.review.is_edited());
        self.deleted += usize::from(i.review.deleted);
    }

    pub fn total(&self) -> usize {
        self.accepted + self.rejected + self.failed + self.open
    }

    pub fn ended(&self) -> usize {
        self.accepted + self.rejected + self.failed
    }
}
