//! What can go wrong in the app's own work (files, downloads, imports, the Hub, the judge's
//! self-test), as data. `words` turns each into the sentence the user reads.

use crate::storage::db::StorageError;
use synfact_core::dataset::chat::{ItemProblem, LineProblem};
use synfact_core::dataset::hub::{HubError, HubInputError};
use synfact_core::form::FieldError;
use synfact_core::provider::error::CallError;
use synfact_core::TemplateIssue;

/// Reading a picked file or saving a download.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FileError {
    /// The browser could not read the file (its words).
    #[error("{name}: unreadable: {detail}")]
    Unreadable { name: String, detail: String },
    /// Not UTF-8 text: the 1-based position of the first invalid byte.
    #[error("{name}: not UTF-8 at byte {at}")]
    NotUtf8 { name: String, at: usize },
    /// The page could not offer the download (no document, or the link could not be made).
    #[error("download refused: {0}")]
    NotSaved(String),
}

/// Why a template file was not imported (nothing was changed).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{0}: empty")]
    Empty(String),
    /// Its problems, with the unknown names that may explain them.
    #[error("{file}: not a template")]
    Invalid {
        file: String,
        issues: Vec<TemplateIssue>,
    },
}

/// Why the template could not be exported or shared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TemplateFileError {
    /// The JSON holds no template yet.
    #[error("not valid JSON")]
    NotJson,
    /// The template has problems a share link must not carry.
    #[error("not shareable")]
    NotShareable(Vec<TemplateIssue>),
    /// The page has no address to put the link on.
    #[error("no address")]
    NoAddress,
    #[error(transparent)]
    File(#[from] FileError),
    /// The code of the section's actions could not be fetched.
    #[error("chunk")]
    Chunk,
}

/// Why the dataset was not downloaded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DownloadError {
    /// The validation share as typed.
    #[error("bad share {0:?}")]
    BadShare(String),
    /// The split seed as typed.
    #[error("bad seed {0:?}")]
    BadSeed(String),
    /// Kept items that break the chat format (all of them).
    #[error("chat format")]
    ChatFormat(Vec<ItemProblem>),
    #[error("no run")]
    NoRun,
    #[error(transparent)]
    File(#[from] FileError),
}

/// Why a chat JSONL file was not opened for review.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{0}: no lines")]
    Empty(String),
    /// No line is a chat example: the first problem.
    #[error("{name}: no examples")]
    NoExamples { name: String, first: LineProblem },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A file opened with some lines skipped.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedNote {
    pub name: String,
    pub read: usize,
    pub skipped: usize,
    pub first: LineProblem,
}

/// Why a push to the Hub did not go through (any token already removed from the text).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PushError {
    /// The form: every problem at once.
    #[error("form")]
    Form(Vec<HubInputError>),
    #[error(transparent)]
    Hub(#[from] HubError),
    /// A file the Hub wants through Git LFS.
    #[error("LFS {0}")]
    NeedsLfs(String),
    #[error(transparent)]
    Download(#[from] DownloadError),
}

/// Why the judge's self-test did not run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SelfTestError {
    /// The test answers are made from the template, which does not parse.
    #[error("no template")]
    NoTemplate,
    #[error("judge settings")]
    Judge(Vec<FieldError>),
    /// Not one case got an answer: the last failure.
    #[error("unreachable")]
    Unanswered(CallError),
}

/// Something the browser could not keep (it stays in this tab meanwhile).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SaveError {
    /// The form, in localStorage.
    #[error("form not saved")]
    Form,
    /// The price table, in localStorage.
    #[error("prices not saved")]
    Prices,
    /// The working template, in IndexedDB.
    #[error("template not saved")]
    Template(StorageError),
    /// One of My templates (its name).
    #[error("{name} not saved")]
    MyTemplate { name: String, error: StorageError },
}

/// Why Write eval questions wrote none.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalWriteError {
    /// The template's JSON holds no template.
    #[error("no template")]
    NoTemplate,
    /// The main form's Model 1 is not set up.
    #[error("form")]
    Form(Vec<FieldError>),
    #[error("call")]
    Call(CallError),
    /// The reply held no question.
    #[error("no questions")]
    NoQuestions,
}

/// Which fine-tuning call went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtCall {
    Upload,
    Create,
    Follow,
    Cancel,
}

/// Why Start a fine-tune (or following or cancelling it) did not go on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FineTuneError {
    #[error("form")]
    Form(Vec<FieldError>),
    /// The export could not be made, or holds nothing to train on.
    #[error("files")]
    Files(DownloadError),
    /// The training file has fewer lines than the provider takes.
    #[error("too few")]
    TooFew { lines: usize },
    /// The browser got no HTTP answer: the network, or a route that does not answer a
    /// browser's CORS preflight.
    #[error("refused")]
    Refused { call: FtCall, detail: String },
    /// The provider answered with an error (its words).
    #[error("provider")]
    Provider {
        call: FtCall,
        error: synfact_core::provider::files::ApiError,
    },
    /// The part of the page that follows a job could not be loaded.
    #[error("chunk")]
    Chunk,
}
