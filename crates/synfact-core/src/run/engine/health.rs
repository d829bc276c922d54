//! Outages told from bad luck: per endpoint, the calls that failed since it last answered. One
//! item failing again and again is that item's problem (it fails alone, after its retries);
//! calls of several items failing for a while with no answer in between is the provider's, and
//! the run pauses with those items unfinished, to go on when the provider is back.

use crate::provider::error::{CallError, ErrorKind, Outage};
use std::collections::BTreeSet;

/// Distinct items whose calls must fail before a streak can be an outage.
pub const OUTAGE_ITEMS: usize = 3;
/// No answer at all (connections refused, timeouts) for this long: the provider is away.
pub const NO_ANSWER_MS: f64 = 20_000.0;
/// Refused every call (429, 5xx) for this long: the provider will not take this load.
pub const REFUSING_MS: f64 = 60_000.0;

/// What one endpoint has done since it last answered properly.
#[derive(Clone, Debug)]
pub struct Health {
    /// When it last gave a completion (or when the run started or resumed).
    answered_at: f64,
    /// Items whose calls got no HTTP answer since.
    unanswered: BTreeSet<usize>,
    /// Items whose calls were refused (429 or 5xx) since, and when the first was.
    refused: BTreeSet<usize>,
    refused_since: Option<f64>,
    /// The status of the last refusal.
    last_status: u16,
}

/// How a failure counts towards an outage.
enum Kind {
    Unanswered,
    Refused(u16),
    Other,
}

fn kind(error: &CallError) -> Kind {
    match &error.kind {
        ErrorKind::Network | ErrorKind::Timeout { .. } => Kind::Unanswered,
        ErrorKind::Http { status, .. } if *status == 429 || *status >= 500 => {
            Kind::Refused(*status)
        }
        _ => Kind::Other,
    }
}

impl Health {
    pub fn new(now: f64) -> Health {
        Health {
            answered_at: now,
            unanswered: BTreeSet::new(),
            refused: BTreeSet::new(),
            refused_since: None,
            last_status: 0,
        }
    }

    /// The endpoint answered with a completion: any streak is over.
    pub fn answered(&mut self, now: f64) {
        *self = Health::new(now);
    }

    /// A call of `item` failed.
    pub fn failed(&mut self, item: usize, error: &CallError, now: f64) {
        match kind(error) {
            Kind::Unanswered => {
                self.unanswered.insert(item);
            }
            Kind::Refused(status) => {
                self.refused.insert(item);
                self.refused_since.get_or_insert(now);
                self.last_status = status;
            }
            // An HTTP answer of another kind: the provider is there.
            Kind::Other => {
                self.unanswered.clear();
            }
        }
    }

    /// When the streak, as it stands, becomes an outage (a wake-up then tells it in time).
    pub fn deadline(&self) -> Option<f64> {
        let no_answer =
            (self.unanswered.len() >= OUTAGE_ITEMS).then_some(self.answered_at + NO_ANSWER_MS);
        let refusing = self
            .refused_since
            .filter(|_| self.refused.len() >= OUTAGE_ITEMS)
            .map(|t| t + REFUSING_MS);
        match (no_answer, refusing) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether `error` belongs to a streak that other items share: then giving up on the item
    /// would blame it for the provider's trouble.
    pub fn shared(&self, item: usize, error: &CallError) -> bool {
        let others = |set: &BTreeSet<usize>| set.iter().any(|i| *i != item);
        match kind(error) {
            Kind::Unanswered => others(&self.unanswered),
            Kind::Refused(_) => others(&self.refused),
            Kind::Other => false,
        }
    }

    /// The outage the streak amounts to at `now`, if it does. `force`: a streak shared by other
    /// items counts whatever its length (an item is about to be given up on).
    pub fn outage(&self, now: f64, force: bool) -> Option<Outage> {
        let enough = |set: &BTreeSet<usize>| set.len() >= OUTAGE_ITEMS || (force && set.len() >= 2);
        let silent = now - self.answered_at;
        if enough(&self.unanswered) && (force || silent >= NO_ANSWER_MS) {
            return Some(Outage::NoAnswer {
                for_ms: silent.max(0.0) as u64,
            });
        }
        let since = self.refused_since?;
        if enough(&self.refused) && (force || now - since >= REFUSING_MS) {
            let for_ms = (now - since).max(0.0) as u64;
            return Some(if self.last_status == 429 {
                Outage::RateLimited { for_ms }
            } else {
                Outage::Failing {
                    status: self.last_status,
                    for_ms,
                }
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> CallError {
        CallError::new(ErrorKind::Network, "Failed to fetch")
    }

    fn limited() -> CallError {
        CallError::new(
            ErrorKind::Http {
                status: 429,
                code: None,
                error_type: None,
            },
            "slow down",
        )
    }

    #[test]
    fn one_item_failing_alone_is_never_an_outage() {
        let mut h = Health::new(0.0);
        for t in 1..100 {
            h.failed(7, &network(), t as f64 * 1000.0);
        }
        assert_eq!(h.outage(100_000.0, false), None);
        assert!(!h.shared(7, &network()));
        assert_eq!(h.outage(100_000.0, true), None);
    }

    #[test]
    fn several_items_unanswered_for_long_enough_are_an_outage() {
        let mut h = Health::new(0.0);
        for item in 0..3 {
            h.failed(item, &network(), 1000.0);
        }
        assert_eq!(h.outage(NO_ANSWER_MS - 1.0, false), None, "not yet");
        assert_eq!(
            h.outage(NO_ANSWER_MS, false),
            Some(Outage::NoAnswer {
                for_ms: NO_ANSWER_MS as u64
            })
        );
        // An answer in between ends it.
        h.answered(NO_ANSWER_MS);
        assert_eq!(h.outage(NO_ANSWER_MS * 3.0, false), None);
    }

    #[test]
    fn refusals_count_from_the_first_and_name_their_kind() {
        let mut h = Health::new(0.0);
        for item in 0..3 {
            h.failed(item, &limited(), 5_000.0 + item as f64);
        }
        assert_eq!(h.outage(5_000.0 + REFUSING_MS - 1.0, false), None);
        assert!(matches!(
            h.outage(5_000.0 + REFUSING_MS, false),
            Some(Outage::RateLimited { for_ms }) if for_ms == REFUSING_MS as u64
        ));
        let mut h = Health::new(0.0);
        let e503 = CallError::new(
            ErrorKind::Http {
                status: 503,
                code: None,
                error_type: None,
            },
            "",
        );
        for item in 0..3 {
            h.failed(item, &e503, 0.0);
        }
        assert!(matches!(
            h.outage(REFUSING_MS, false),
            Some(Outage::Failing { status: 503, .. })
        ));
    }

    #[test]
    fn a_shared_streak_is_an_outage_when_an_item_would_be_given_up() {
        let mut h = Health::new(0.0);
        h.failed(1, &network(), 10.0);
        h.failed(2, &network(), 20.0);
        assert!(h.shared(2, &network()));
        assert!(
            !h.shared(2, &limited()),
            "a refusal streak has no other item"
        );
        assert!(h.outage(30.0, true).is_some());
        assert_eq!(h.outage(30.0, false), None);
    }
}
