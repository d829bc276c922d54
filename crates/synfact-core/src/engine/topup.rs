//! "Stop at N accepted": when an item ends unaccepted, a new one takes its place in the same
//! cell of the plan (seed question × requirement), within bounds, so a run reaches N accepted
//! examples that still cover the plan — and a template that nothing passes stops early.

use crate::error::StopReason;
use crate::run::{Item, Run, Stage};
use std::collections::HashMap;

/// Tries of one cell (the first item included) before its replacements move to a fresh cell.
pub(super) const TRIES_PER_CELL: u32 = 3;
/// A model whose first this-many ended items include no accepted one stops the run.
pub(super) const NOTHING_ACCEPTED_AFTER: usize = 20;

/// The most items a model may make for `wanted` accepted ones.
pub(super) fn max_items(wanted: usize) -> usize {
    wanted * 2 + 10
}

#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    items: usize,
    accepted: usize,
    ended: usize,
}

/// What to do after an item ended unaccepted.
pub(super) enum Next {
    Item(Box<Item>),
    Nothing,
    Stop(StopReason),
}

pub(super) struct TopUp {
    per_generator: Vec<Counts>,
    cell_tries: HashMap<(usize, (u32, u32)), u32>,
    /// The next unused plan position per generator.
    next_position: Vec<u64>,
}

impl TopUp {
    pub(super) fn new(run: &Run) -> TopUp {
        let mut t = TopUp {
            per_generator: vec![Counts::default(); run.generators.len()],
            cell_tries: HashMap::new(),
            next_position: vec![run.settings.examples as u64; run.generators.len()],
        };
        for i in &run.items {
            t.added(i);
            t.restage_counts(i.generator, Stage::Planned, i.stage);
            // A replacement in another cell than the item it replaced took a fresh plan position.
            if let Some(r) = i.replaces.and_then(|r| run.items.get(r)) {
                if r.prompt.cell() != i.prompt.cell() {
                    t.next_position[i.generator] += 1;
                }
            }
        }
        t
    }

    /// Counts a new item.
    pub(super) fn added(&mut self, item: &Item) {
        if let Some(c) = self.per_generator.get_mut(item.generator) {
            c.items += 1;
        }
        *self
            .cell_tries
            .entry((item.generator, item.prompt.cell()))
            .or_default() += 1;
    }

    fn restage_counts(&mut self, generator: usize, from: Stage, to: Stage) {
        let Some(c) = self.per_generator.get_mut(generator) else {
            return;
        };
        if from == Stage::Accepted {
            c.accepted -= 1;
        }
        if to == Stage::Accepted {
            c.accepted += 1;
        }
        match (from.is_terminal(), to.is_terminal()) {
            (false, true) => c.ended += 1,
            (true, false) => c.ended -= 1,
            _ => {}
        }
    }

    /// Counts an item moving to `stage`.
    pub(super) fn restage(&mut self, item: &Item, stage: Stage) {
        self.restage_counts(item.generator, item.stage, stage);
    }

    /// After item `idx` ended unaccepted: a replacement, nothing (enough are accepted or on
    /// their way, or the bound is reached), or a stop when nothing is ever accepted.
    pub(super) fn replace(&mut self, run: &Run, idx: usize) -> Next {
        let item = &run.items[idx];
        let g = item.generator;
        let wanted = run.settings.examples;
        let c = self.per_generator[g];
        let open = c.items - c.ended;
        if c.accepted + open >= wanted {
            return Next::Nothing;
        }
        if c.accepted == 0 && c.ended >= NOTHING_ACCEPTED_AFTER.min(max_items(wanted)) {
            return Next::Stop(StopReason::NothingAccepted {
                generator: g,
                tried: c.ended,
            });
        }
        if c.items >= max_items(wanted) {
            return Next::Nothing;
        }
        let planner = run.planner();
        let tries = self
            .cell_tries
            .get(&(g, item.prompt.cell()))
            .copied()
            .unwrap_or(0);
        let prompt = if tries < TRIES_PER_CELL {
            planner.again(item.prompt, tries as u64)
        } else {
            let k = self.next_position[g];
            self.next_position[g] += 1;
            match planner.prompt(k) {
                Some(p) => p,
                None => return Next::Nothing,
            }
        };
        Next::Item(Box::new(Item::new(run.items.len(), g, prompt, Some(idx))))
    }
}
