//! What can go wrong, as plain data. The core never words these for a person: the app does,
//! in one place (`src/words.rs`), so the same failure always reads the same way.

use serde::{Deserialize, Serialize};

/// What went wrong with one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind:?}: {detail}")]
pub struct CallError {
    pub kind: ErrorKind,
    /// The provider's or the browser's own words, with any key removed; may be empty.
    pub detail: String,
    /// The provider's hint of when to try again.
    pub retry_after_ms: Option<u64>,
}

/// Longest provider text kept with an error: enough to read, not enough to bloat a saved run.
pub const DETAIL_MAX_CHARS: usize = 300;

impl CallError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        let detail = if detail.chars().count() > DETAIL_MAX_CHARS {
            let mut d: String = detail.chars().take(DETAIL_MAX_CHARS).collect();
            d.push('…');
            d
        } else {
            detail
        };
        CallError {
            kind,
            detail,
            retry_after_ms: None,
        }
    }
}

/// The kinds of failure the retry policy tells apart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No HTTP answer: connection refused, DNS, CORS, offline.
    Network,
    /// The request could not be made at all (the browser refused a header, say). Never retried:
    /// it would fail the same way.
    Request,
    Timeout {
        after_ms: u64,
    },
    /// The app took the call back (Cancel, or the run was closed).
    Aborted,
    /// An HTTP error status with the provider's error object (or none).
    Http {
        status: u16,
        code: Option<String>,
        error_type: Option<String>,
    },
    /// A success status whose body cannot be used.
    Body(BodyProblem),
    /// The address answers, but not as an LLM API: a web page, a login redirect, a 501.
    NotAnApi {
        status: u16,
        redirected: bool,
    },
}

/// Why a body that came with a success status is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyProblem {
    /// Nothing at all.
    Empty,
    /// JSON that stops part-way (a dropped connection, a proxy cutting it short).
    Truncated,
    /// Text that is not JSON.
    NotJson,
    /// A server-sent event stream: the server ignored `stream: false`.
    EventStream,
    /// JSON with an `error` object instead of a completion; the detail holds its message.
    ErrorObject,
    /// JSON, but not the protocol's completion shape.
    WrongShape,
}

/// Why a whole run stopped: every further call would fail the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// An endpoint's answer means nothing more can be done with it as configured.
    Provider {
        endpoint: usize,
        problem: ProviderProblem,
        /// The provider's or browser's words (key removed).
        detail: String,
    },
    /// "Stop at N accepted": a model's first items all ended without one accepted, so
    /// replacing them would only add to the bill.
    NothingAccepted { generator: usize, tried: usize },
}

/// What is wrong with an endpoint, as the stop reason names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderProblem {
    /// Never answered: wrong address, server down, or CORS.
    Unreachable,
    /// Answers with a web page or similar, not an API.
    NotAnApi { status: u16, redirected: bool },
    /// 401: the key is wrong.
    KeyRejected,
    /// 401 for a browser request (Anthropic without the browser-access header, or forbidden by the organisation).
    BrowserAccessRefused,
    /// 403.
    Forbidden,
    /// 404: wrong base URL or model.
    NotFound,
    /// Another 4xx the settings caused.
    BadRequest { status: u16 },
    /// The account has no quota left.
    NoQuota,
    /// A spend limit or a billing problem.
    Billing,
    /// The request could not be made (a character a header cannot carry, say).
    RequestRefused,
}

/// Why the engine paused by itself (the user can always pause too).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PauseReason {
    ByUser,
    /// The spent cost reached the run's budget.
    Budget {
        spent_usd: f64,
        budget_usd: f64,
    },
    /// The browser's storage is full: results made since are kept in memory.
    StorageFull,
    /// An endpoint stopped answering (or refused every call) for a while: the items it held are
    /// left unfinished, to go on when it is back.
    Outage {
        endpoint: usize,
        outage: Outage,
        /// The last failure's own words (key removed).
        detail: String,
    },
    /// A run sent as batches: the next round would take the spent cost past the budget, so it
    /// was not submitted.
    RoundOverBudget {
        spent_usd: f64,
        round_usd: f64,
        budget_usd: f64,
    },
    /// A run sent as batches: the provider's batch service could not take or run the round.
    /// Its calls are back among the unanswered; Resume submits them again (or sends them live).
    Batch(BatchProblem),
}

/// What kept a round of batches from running, with the provider's or the browser's own words
/// (key removed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchProblem {
    /// No HTTP answer from the file or batch routes: the server refuses a browser (CORS), or the
    /// network is down.
    Unreachable { detail: String },
    /// The upload of the round's file was refused (too big, a bad line).
    UploadRefused { status: u16, detail: String },
    /// The batch failed the provider's validation.
    Failed { errors: Vec<String> },
    /// The routes answered with an error (after retries, for a 429 or a 5xx).
    Http { status: u16, detail: String },
    /// A reply that is not what the API documents.
    Unreadable { detail: String },
    /// The front end's own code for batches could not be loaded (a page's chunk).
    NotLoaded { detail: String },
}

/// What an endpoint did that made the run pause by itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outage {
    /// No HTTP answer (connections refused, timeouts) for this long.
    NoAnswer { for_ms: u64 },
    /// 429 on every call for this long.
    RateLimited { for_ms: u64 },
    /// A server error (5xx) on every call for this long.
    Failing { status: u16, for_ms: u64 },
}
