//! What the engine takes in (events) and gives out (commands), and where a run is (status).

use crate::provider::error::{CallError, PauseReason, StopReason};
use crate::provider::wire::{Completion, LlmCall};
use crate::run::review::ReviewAction;
use crate::run::{EndpointSpec, Step};

/// Something that happened.
#[derive(Clone, Debug)]
pub enum Event {
    /// Begin, or carry on with a reopened run.
    Start,
    Reply {
        call: u64,
        result: Result<Completion, CallError>,
        cached: bool,
    },
    Timer,
    /// The user paused.
    Pause,
    Resume,
    Cancel,
    /// New endpoint settings from the form (applied before a Resume); ignored while running.
    Reconnect(Connection),
    /// The browser's storage is full: pause until the user frees space.
    StorageFull,
    /// The fine-tune started from this run, as last read (saved with the run).
    FineTune(Option<crate::eval::fine_tune::FineTune>),
    /// A reviewer acted on items (checked with `review::check`; items that fail it are left alone).
    Review {
        items: Vec<usize>,
        action: ReviewAction,
    },
    /// Batch runs: how far the provider is with the round (lines done, of all).
    AtProvider {
        done: u64,
        total: u64,
    },
    /// Batch runs: the round's batches as they stand now (saved with the run).
    BatchSaved(Option<crate::run::batch::BatchState>),
    /// Batch runs: the round could not be submitted or run. Its calls go back among the
    /// unanswered and the run pauses.
    BatchFailed(crate::provider::error::BatchProblem),
}

/// Where a reopened run's calls go now: the endpoints in the form, and per-run limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub endpoints: Vec<EndpointSpec>,
    /// The endpoint of each generator, in order.
    pub generator_endpoints: Vec<usize>,
    pub judge_endpoint: usize,
    pub timeout_ms: u64,
    pub max_retries: u32,
    pub budget_usd: Option<f64>,
    /// The price table as the user keeps it now, when it is to replace the run's.
    pub prices: Option<crate::cost::price::PriceTable>,
    /// Send the calls as batches from now on (a round already at the provider is followed).
    pub batch: bool,
}

/// A call for the adapter to make. The adapter adds the key and builds the HTTP request.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRequest {
    pub call: u64,
    pub item: usize,
    pub step: Step,
    pub endpoint: usize,
    pub llm: LlmCall,
    pub cache_key: String,
    pub timeout_ms: u64,
}

/// Something for the adapter to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Send(CallRequest),
    /// Batch runs: send these calls as one round through the provider's batch service (a call
    /// already cached is answered from the cache, never put in a batch). Their replies come back
    /// as `Event::Reply`; a line the provider did not run comes back `Aborted` and goes in the
    /// next round.
    SendRound {
        round: u32,
        calls: Vec<CallRequest>,
    },
    Abort(u64),
    /// Deliver `Event::Timer` at this time (ms).
    WakeAt(f64),
    /// Persist this item as it is now; with `reply`, also cache that reply under its key, in the
    /// same transaction, so a saved item is never ahead of its cached reply.
    Save {
        item: usize,
        reply: Option<(String, Completion)>,
    },
    /// `Engine::status` changed.
    Status,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    /// Reopened, not started.
    Idle,
    Running,
    Paused(PauseReason),
    /// Stopped by an error no retry can fix.
    Stopped(StopReason),
    Cancelled,
    Finished,
}

impl Status {
    /// Resume would carry on from here.
    pub fn is_resumable(&self) -> bool {
        matches!(
            self,
            Status::Idle | Status::Paused(_) | Status::Stopped(_) | Status::Cancelled
        )
    }
}

impl CallRequest {
    /// The id of this call's line in a batch: its item, step and the start of its cache key,
    /// the same in a page opened later.
    pub fn line_id(&self) -> String {
        crate::provider::batch::custom_id(self.item, self.step.index(), &self.cache_key)
    }
}
