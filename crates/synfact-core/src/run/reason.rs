//! Why an item was rejected or failed, as plain data (worded by the app).

use crate::provider::error::CallError;
use crate::provider::refusal::Refusal;
use serde::{Deserialize, Serialize};

/// Why an item ended without being accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    /// The model declined to write it.
    Refused(Refusal),
    /// The reply stopped at the token limit.
    CutOff,
    /// The judge said it did not comply, with its reason when it gave one.
    JudgeRejected { why: Option<String> },
    /// The judge's reply held no verdict (after asking again).
    NoVerdict { snippet: String },
    /// The judge declined to judge.
    JudgeRefused { text: String },
    /// A call kept failing; the last error.
    GaveUp { tries: u32, last: CallError },
    /// The prompt does not fit the model's context.
    TooLong { detail: String },
    /// A local check failed on every sample asked for.
    Check(crate::quality::CheckFailure),
    /// The question nearly repeats an earlier item's.
    Duplicate { of: usize, similarity: f32 },
    /// Rejected in review.
    Reviewer,
}

/// A reason's kind, without its details: what counts by reason are kept by (in reports and
/// manifests under its snake_case name, e.g. `judge_rejected`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    Refused,
    /// An empty reply every time (told apart from a refusal: it is usually a setting).
    Empty,
    CutOff,
    JudgeRejected,
    NoVerdict,
    JudgeRefused,
    GaveUp,
    TooLong,
    MissingKeySentence,
    Disclaimer,
    Leak,
    Requirement,
    Duplicate,
    Reviewer,
}

impl Reason {
    pub fn kind(&self) -> ReasonKind {
        use crate::quality::CheckFailure as C;
        match self {
            Reason::Refused(Refusal::Empty) => ReasonKind::Empty,
            Reason::Refused(_) => ReasonKind::Refused,
            Reason::CutOff => ReasonKind::CutOff,
            Reason::JudgeRejected { .. } => ReasonKind::JudgeRejected,
            Reason::NoVerdict { .. } => ReasonKind::NoVerdict,
            Reason::JudgeRefused { .. } => ReasonKind::JudgeRefused,
            Reason::GaveUp { .. } => ReasonKind::GaveUp,
            Reason::TooLong { .. } => ReasonKind::TooLong,
            Reason::Check(C::MissingKeySentence) => ReasonKind::MissingKeySentence,
            Reason::Check(C::Disclaimer { .. }) => ReasonKind::Disclaimer,
            Reason::Check(C::Leak { .. }) => ReasonKind::Leak,
            Reason::Check(C::Requirement(_)) => ReasonKind::Requirement,
            Reason::Duplicate { .. } => ReasonKind::Duplicate,
            Reason::Reviewer => ReasonKind::Reviewer,
        }
    }
}
