//! The ready queue: items whose next call may go now, by endpoint and by how far along they are.

use std::collections::BTreeSet;

/// Per endpoint, one ordered set of item indexes per number of steps done (0 to 3).
pub(super) struct ReadyQueue {
    sets: Vec<[BTreeSet<usize>; 4]>,
}

impl ReadyQueue {
    pub(super) fn new(endpoints: usize) -> ReadyQueue {
        ReadyQueue {
            sets: (0..endpoints).map(|_| Default::default()).collect(),
        }
    }

    pub(super) fn insert(&mut self, endpoint: usize, steps_done: usize, item: usize) {
        self.sets[endpoint][steps_done.min(3)].insert(item);
    }

    pub(super) fn has(&self, endpoint: usize) -> bool {
        self.sets[endpoint].iter().any(|s| !s.is_empty())
    }

    /// Takes the next item for `endpoint`: the most steps done first (lowest index among equals),
    /// or in the `endgame` the fewest; with the stage barrier `closed`, no answer steps.
    pub(super) fn pop(&mut self, endpoint: usize, endgame: bool, closed: bool) -> Option<usize> {
        let order: [usize; 4] = if endgame { [0, 1, 2, 3] } else { [3, 2, 1, 0] };
        let sets = &mut self.sets[endpoint];
        order
            .into_iter()
            .filter(|s| !closed || *s < 2)
            .find_map(|s| sets[s].pop_first())
    }
}
