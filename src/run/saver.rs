//! Saving a run as it goes: changed items, replies to cache and the run's counts, in one
//! IndexedDB transaction every few hundred milliseconds. What is not yet committed stays here —
//! a failed write is retried with everything it held, never dropped.

use crate::storage::db::{self, StorageError, Write};
use crate::storage::{cache, runs};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use synfact_core::provider::wire::Completion;
use synfact_core::Engine;

/// Writes not yet committed.
#[derive(Default)]
pub struct Saver {
    items: RefCell<BTreeSet<usize>>,
    replies: RefCell<Vec<(String, Completion)>>,
    /// The run's settings changed (a reconnect): rewrite its settings record.
    settings: Cell<bool>,
    writing: Cell<bool>,
    /// A flush was asked for while a write was under way.
    again: Cell<bool>,
    /// Failed writes in a row.
    pub failures: Cell<u32>,
}

/// What a flush took out, to put back if the write fails.
pub struct Batch {
    items: BTreeSet<usize>,
    replies: Vec<(String, Completion)>,
    settings: bool,
}

impl Saver {
    pub fn item(&self, idx: usize) {
        self.items.borrow_mut().insert(idx);
    }

    pub fn reply(&self, key: String, completion: Completion) {
        self.replies.borrow_mut().push((key, completion));
    }

    pub fn settings_changed(&self) {
        self.settings.set(true);
    }

    /// Takes what is pending and the writes that save it, unless a write is under way (then the
    /// flush happens when it ends).
    pub fn begin(&self, engine: &Engine, w: &runs::Writers) -> Option<(Batch, Vec<Write>)> {
        if self.writing.get() {
            self.again.set(true);
            return None;
        }
        let batch = Batch {
            items: std::mem::take(&mut *self.items.borrow_mut()),
            replies: std::mem::take(&mut *self.replies.borrow_mut()),
            settings: self.settings.replace(false),
        };
        let run = engine.run();
        let mut writes: Vec<Write> = batch
            .replies
            .iter()
            .map(|(k, c)| cache::put(k, c))
            .collect();
        writes.extend(
            batch
                .items
                .iter()
                .filter_map(|&i| run.items.get(i))
                .map(|i| (w.item)(&run.id, i)),
        );
        if batch.settings {
            writes.push((w.settings)(run));
        }
        // The counts go last, and only ever count items written with or before them.
        writes.push((w.progress)(run, engine.status()));
        self.writing.set(true);
        Some((batch, writes))
    }

    /// After the write: on failure everything goes back to be written next time. Returns
    /// whether a flush was asked for meanwhile.
    pub fn end(&self, batch: Batch, result: &Result<(), StorageError>) -> bool {
        self.writing.set(false);
        match result {
            Ok(()) => self.failures.set(0),
            Err(_) => {
                self.failures.set(self.failures.get() + 1);
                self.items.borrow_mut().extend(batch.items);
                let mut replies = batch.replies;
                replies.append(&mut self.replies.borrow_mut());
                *self.replies.borrow_mut() = replies;
                if batch.settings {
                    self.settings.set(true);
                }
            }
        }
        self.again.replace(false)
    }
}

/// Writes a batch.
pub async fn write(database: &idb::Database, writes: &[Write]) -> Result<(), StorageError> {
    db::write(database, writes).await
}
