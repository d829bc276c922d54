//! Re-sending slow calls at the end of a run (opt-in, `RunSettings::resend_slow`). A run's last
//! minutes are its slowest calls: nothing else is left to start, slots sit idle, and the run waits
//! for a few replies in the tail of the latency distribution. When nothing is left to start and an
//! endpoint has an idle slot, a call that has run longer than its step's 90th percentile so far is
//! sent a second time (the same request, so the same cache key); the first reply wins and the
//! other copy is aborted (a failure of one copy waits for the other). Extra calls are capped at a
//! share of the calls sent, and billed (the aborted copy as if it had answered the same).

use super::*;

/// Calls of a step that must have answered before its 90th percentile is trusted.
const MIN_SAMPLES: usize = 10;

/// How long each step's calls took, and the copies sent.
#[derive(Clone, Debug, Default)]
pub(super) struct Resend {
    took: [Vec<f64>; 4],
    /// Each step's 90th percentile, as of its last call (recomputed only when it changed).
    p90: [Option<f64>; 4],
    stale: [bool; 4],
    /// Second copies sent so far.
    pub(super) sent: u64,
}

impl Resend {
    /// A call of `step` answered after `ms` (from the network, not the cache).
    pub(super) fn took(&mut self, step: Step, ms: f64) {
        self.took[step.index()].push(ms);
        self.stale[step.index()] = true;
    }

    /// Each step's 90th percentile of call times, once enough calls answered.
    fn p90s(&mut self) -> [Option<f64>; 4] {
        for s in 0..4 {
            if !self.stale[s] {
                continue;
            }
            self.stale[s] = false;
            let took = &mut self.took[s];
            if took.len() >= MIN_SAMPLES {
                let k = (took.len() * 9 / 10).min(took.len() - 1);
                let (_, p, _) = took.select_nth_unstable_by(k, f64::total_cmp);
                self.p90[s] = Some(*p);
            }
        }
        self.p90
    }
}

impl Engine {
    /// Whether the run is in its tail: every item's next call is in flight (none ready, none
    /// waiting out a backoff).
    fn in_tail(&self) -> bool {
        self.run.settings.resend_slow.is_some()
            && self.waiting.is_empty()
            && (0..self.run.endpoints.len()).all(|e| !self.ready.has(e))
    }

    /// How many second copies the cap allows now.
    fn resend_allowed(&self) -> u64 {
        let share = self.run.settings.resend_slow.unwrap_or(0.0).clamp(0.0, 1.0);
        let first_copies = (self.next_call - 1).saturating_sub(self.resend.sent);
        ((first_copies as f64 * share).floor() as u64).saturating_sub(self.resend.sent)
    }

    /// The calls that may get a second copy, oldest first: one copy in flight, and slower than
    /// their step's 90th percentile (`None`: its percentile is not known yet).
    fn slow_calls(&mut self, now: f64) -> Vec<(u64, f64)> {
        let p90 = self.resend.p90s();
        let mut calls: Vec<(u64, f64)> = self
            .in_flight
            .iter()
            .filter(|(_, f)| !f.copied && !f.resent)
            .filter_map(|(&c, f)| Some((c, f.started + p90[f.step.index()]?)))
            .filter(|&(_, due)| due < now)
            .collect();
        calls.sort_by(|a, b| a.1.total_cmp(&b.1));
        calls
    }

    /// Sends second copies of slow calls into idle slots, within the cap.
    pub(super) fn resend_slow(&mut self, now: f64, out: &mut Vec<Command>) {
        if !self.in_tail() {
            return;
        }
        for (call, _) in self.slow_calls(now) {
            if self.resend_allowed() == 0 {
                return;
            }
            let Some(f) = self.in_flight.get(&call).cloned() else {
                continue;
            };
            let spec = &self.run.endpoints[f.endpoint];
            let rpm_full = spec
                .rpm
                .filter(|r| *r > 0)
                .is_some_and(|r| self.sent[f.endpoint].len() >= r as usize);
            if self.busy[f.endpoint] >= spec.concurrency.max(1) || rpm_full {
                continue;
            }
            let llm = self.call_for(f.item, f.step);
            let copy = self.next_call;
            self.next_call += 1;
            self.resend.sent += 1;
            self.busy[f.endpoint] += 1;
            self.sent[f.endpoint].push_back(now);
            if let Some(first) = self.in_flight.get_mut(&call) {
                first.twin = Some(copy);
                first.copied = true;
            }
            self.in_flight.insert(
                copy,
                InFlight {
                    started: now,
                    twin: Some(call),
                    copied: true,
                    resent: true,
                    ..f.clone()
                },
            );
            out.push(Command::Send(CallRequest {
                call: copy,
                item: f.item,
                step: f.step,
                endpoint: f.endpoint,
                llm,
                cache_key: f.cache_key,
                timeout_ms: self.run.settings.timeout_ms,
            }));
        }
    }

    /// When the next call in flight becomes slow enough to re-send, in the tail.
    pub(super) fn resend_wake(&mut self, now: f64) -> Option<f64> {
        if !self.in_tail() || self.resend_allowed() == 0 {
            return None;
        }
        let p90 = self.resend.p90s();
        self.in_flight
            .values()
            .filter(|f| !f.copied && !f.resent)
            // Just past the percentile: a call is slow once it has run longer than it.
            .filter_map(|f| Some(f.started + p90[f.step.index()]? + 1.0))
            .filter(|&due| due > now)
            .reduce(f64::min)
    }

    /// Second copies of slow calls sent so far (extra calls).
    pub fn resent_calls(&self) -> u64 {
        self.resend.sent
    }
}
