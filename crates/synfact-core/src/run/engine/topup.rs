//! "Stop at N accepted": when an item ends unaccepted, a new one takes its place in the same
//! cell of the plan (seed question × requirement), within bounds, so a run reaches N accepted
//! examples that still cover the plan — and a template that nothing passes stops early.

use crate::provider::error::StopReason;
use crate::run::{Item, Run, Stage};
use std::collections::HashMap;

/// Tries of one cell (the first item included) before its replacements move to another cell.
pub(super) const TRIES_PER_CELL: u32 = 4;
/// A model whose first this-many ended items include no accepted one stops the run.
pub(super) const NOTHING_ACCEPTED_AFTER: usize = 20;

/// The most items a model may make for `wanted` accepted ones: enough for a judge that rejects
/// half, bounded so that one that rejects nearly everything cannot run up an endless bill.
pub(super) fn max_items(wanted: usize) -> usize {
    wanted * 3 + 10
}

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    items: usize,
    accepted: usize,
    ended: usize,
    /// Open items past the question judge: acceptances may be on their way.
    advanced: usize,
}

/// What to do after an item ended unaccepted.
pub(super) enum Next {
    Item(Box<Item>),
    Nothing,
    Stop(StopReason),
}

pub(super) struct TopUp {
    per_generator: Vec<Tally>,
    cell_tries: HashMap<(usize, (u32, u32)), u32>,
    /// Items per (generator, cell) that are accepted or still open: a cell at 0 is uncovered.
    cell_live: HashMap<(usize, (u32, u32)), u32>,
    /// The next unused plan position per generator.
    next_position: Vec<u64>,
    /// The user resumed after "nothing accepted": do not stop for it again.
    keep_going: bool,
    /// Items allowed beyond `max_items`, granted each time the user resumes after a stop.
    allowance: usize,
    /// Items per (generator, prompt): a new item with a prompt used before takes the next draw.
    draws: HashMap<(usize, crate::template::plan::PlannedPrompt), u32>,
}

impl TopUp {
    pub(super) fn new(run: &Run) -> TopUp {
        let mut t = TopUp {
            per_generator: vec![Tally::default(); run.generators.len()],
            cell_tries: HashMap::new(),
            cell_live: HashMap::new(),
            keep_going: false,
            allowance: 0,
            draws: HashMap::new(),
            next_position: vec![run.settings.examples as u64; run.generators.len()],
        };
        for i in &run.items {
            t.added(i);
            t.restage_counts(i.generator, i.prompt.cell(), Stage::Planned, i.stage);
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
    /// A new item of the run (its draw set from the items with its prompt so far).
    fn item(
        &self,
        id: usize,
        g: usize,
        prompt: crate::template::plan::PlannedPrompt,
        replaces: Option<usize>,
    ) -> Item {
        let mut item = Item::new(id, g, prompt, replaces);
        item.draw = self.draws.get(&(g, prompt)).copied().unwrap_or(0);
        item
    }

    pub(super) fn added(&mut self, item: &Item) {
        let draw = self.draws.entry((item.generator, item.prompt)).or_default();
        *draw = (*draw).max(item.draw + 1);
        if let Some(c) = self.per_generator.get_mut(item.generator) {
            c.items += 1;
        }
        *self
            .cell_tries
            .entry((item.generator, item.prompt.cell()))
            .or_default() += 1;
        *self
            .cell_live
            .entry((item.generator, item.prompt.cell()))
            .or_default() += 1;
    }

    fn restage_counts(&mut self, generator: usize, cell: (u32, u32), from: Stage, to: Stage) {
        let live = |s: Stage| !matches!(s, Stage::Rejected | Stage::Failed);
        if live(from) != live(to) {
            let n = self.cell_live.entry((generator, cell)).or_default();
            if live(to) {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        }
        let Some(c) = self.per_generator.get_mut(generator) else {
            return;
        };
        let advanced = |s: Stage| matches!(s, Stage::QuestionJudged | Stage::Answer);
        match (advanced(from), advanced(to)) {
            (false, true) => c.advanced += 1,
            (true, false) => c.advanced -= 1,
            _ => {}
        }
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
        self.restage_counts(item.generator, item.prompt.cell(), item.stage, stage);
    }

    /// A prompt in another cell: the next in the plan that nothing covers yet, looking as far as
    /// two cycles ahead (a window of one cycle can miss a cell across a cycle boundary), so that
    /// N ≥ cells still covers every cell. Bounded for templates with millions of cells.
    fn fresh(
        &mut self,
        planner: &crate::template::plan::Planner,
        g: usize,
    ) -> Option<crate::template::plan::PlannedPrompt> {
        let start = self.next_position[g];
        let window = (planner.cells() * 2).min(8192);
        let uncovered = (start..start + window)
            .find(|k| {
                planner
                    .prompt(*k)
                    .is_some_and(|p| self.cell_live.get(&(g, p.cell())).copied().unwrap_or(0) == 0)
            })
            .unwrap_or(start);
        self.next_position[g] = uncovered + 1;
        planner.prompt(uncovered)
    }

    /// New items for generators short of N (accepted and open), within the bound: after a stop
    /// that added none.
    pub(super) fn fill(&mut self, run: &Run) -> Vec<Item> {
        let wanted = run.settings.examples;
        let planner = run.planner();
        let mut out = Vec::new();
        for g in 0..self.per_generator.len() {
            loop {
                let c = self.per_generator[g];
                let open = c.items - c.ended;
                if c.accepted + open >= wanted || c.items >= max_items(wanted) + self.allowance {
                    break;
                }
                let Some(p) = self.fresh(&planner, g) else {
                    break;
                };
                let item = self.item(run.items.len() + out.len(), g, p, None);
                self.added(&item);
                out.push(item);
            }
        }
        out
    }

    /// The user chose to go on after "nothing accepted": no early stop, and another round of items.
    pub(super) fn go_on(&mut self, run: &Run) {
        self.keep_going = true;
        self.allowance += max_items(run.settings.examples);
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
        // Nothing accepted and nothing on its way to acceptance after many items: stop, unless
        // the user has said to go on.
        if !self.keep_going
            && c.accepted == 0
            && c.advanced == 0
            && c.ended >= NOTHING_ACCEPTED_AFTER.min(max_items(wanted))
        {
            return Next::Stop(StopReason::NothingAccepted {
                generator: g,
                tried: c.ended,
            });
        }
        if c.items >= max_items(wanted) + self.allowance {
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
            match self.fresh(&planner, g) {
                Some(p) => p,
                None => return Next::Nothing,
            }
        };
        let item = self.item(run.items.len(), g, prompt, Some(idx));
        self.added(&item);
        Next::Item(Box::new(item))
    }
}
