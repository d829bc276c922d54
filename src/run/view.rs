//! What the page shows of the current run: signals the executor publishes a few times a second.
//! Items are not copied into signals: a revision number says that items changed and which, and
//! the views read the few they show from the run itself.

use crate::storage::db::StorageError;
use leptos::prelude::*;
use std::sync::Arc;
use synfact_core::Progress;

/// Where a run is, for the buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No run open.
    Empty,
    Running,
    /// Paused, stopped by an error, cancelled, or reopened unfinished: Resume carries on.
    Resumable,
    Finished,
}

/// A change to the run's items: which changed since the previous revision, or all of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Revision {
    pub number: u64,
    /// Items changed (or added) since revision `number - 1`.
    pub changed: Arc<Vec<usize>>,
    /// Everything may have changed (another run was opened): rebuild from scratch.
    pub all: bool,
}

/// The signals a run shows itself through.
#[derive(Clone, Copy)]
pub struct RunView {
    pub status_line: RwSignal<String>,
    pub progress: RwSignal<Progress>,
    pub phase: RwSignal<Phase>,
    pub revision: RwSignal<Revision>,
    pub storage_error: RwSignal<Option<StorageError>>,
    /// Something to know about the runs beside the status (a run paused to show another).
    pub note: RwSignal<Option<String>>,
    /// Under a finished run's status: why most items were not accepted, when they were not.
    pub outcome: RwSignal<Option<String>>,
}

impl RunView {
    pub fn new() -> RunView {
        RunView {
            status_line: RwSignal::new(crate::words::LOOKING_FOR_RUNS.into()),
            progress: RwSignal::new(Progress::default()),
            phase: RwSignal::new(Phase::Empty),
            revision: RwSignal::new(Revision::default()),
            storage_error: RwSignal::new(None),
            note: RwSignal::new(None),
            outcome: RwSignal::new(None),
        }
    }

    /// Publishes changed items (or all, for a newly shown run).
    pub fn publish(&self, changed: Vec<usize>, all: bool) {
        self.revision.update(|r| {
            r.number += 1;
            r.changed = Arc::new(changed);
            r.all = all;
        });
    }
}

impl Default for RunView {
    fn default() -> Self {
        Self::new()
    }
}
