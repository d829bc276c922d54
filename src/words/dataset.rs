//! Files and datasets: downloads, chat JSONL opened for review, pushes to the Hub.

use super::*;
use crate::errors::{DownloadError, FileError, OpenError, OpenedNote, PushError};
use crate::hub::PushStep;
use synfact_core::dataset::chat::{ChatProblem, ItemProblem, LineProblem};
use synfact_core::dataset::hub::{HubError, HubInputError};

/// What is wrong with one chat line.
pub fn chat_problem(p: &ChatProblem) -> String {
    match p {
        ChatProblem::NotJson(e) => format!("it is not a JSON object ({e})"),
        ChatProblem::NoMessages => "it has no \"messages\" list".into(),
        ChatProblem::BadRole(n) => {
            format!("message {n} has no role, or a role other than system, user or assistant")
        }
        ChatProblem::EmptyContent(n) => format!("message {n} has empty content"),
        ChatProblem::NoExchange => "it has no user message followed by an assistant message".into(),
        ChatProblem::NoFinalReply => {
            "it does not end with a user message and the assistant's reply to it".into()
        }
        ChatProblem::ToolCall(n) => format!(
            "message {n} calls a tool (tool_calls or function_call), which synfact cannot show or export"
        ),
        ChatProblem::NotText(n) => format!(
            "message {n}'s content is not plain text (a list of parts or an image), which synfact cannot show or export"
        ),
    }
}

fn line_problem(p: &LineProblem) -> String {
    format!("line {}: {}", p.line, chat_problem(&p.problem))
}

/// Reading a picked file, or offering a download, went wrong. `verb` says what the file was
/// for ("imported", "opened").
pub fn file_error(e: &FileError, verb: &str) -> String {
    match e {
        FileError::Unreadable { name, detail } => format!("{name} could not be read: {detail}"),
        FileError::NotUtf8 { name, at } => format!(
            "{name} was not {verb}: it is not UTF-8 text (an invalid byte at position {at}). Save it as UTF-8 and try again."
        ),
        FileError::NotSaved(why) => format!("The download failed: {why}"),
    }
}

/// Why the dataset was not downloaded.
pub fn download_error(e: &DownloadError) -> String {
    match e {
        DownloadError::BadShare(t) => format!(
            "Validation share must be a percentage from 0 to 100; \"{}\" is not.",
            t.trim()
        ),
        DownloadError::BadSeed(_) => "Split seed must be a whole number from 0 up.".into(),
        DownloadError::ChatFormat(problems) => {
            let first: Option<&ItemProblem> = problems.first();
            match first {
                Some(first) => format!(
                    "Not downloaded: item {} breaks the chat format ({}){}. Edit or reject it in Review.",
                    first.item,
                    chat_problem(&first.problem),
                    match problems.len() - 1 {
                        0 => String::new(),
                        n => format!(", and {n} more"),
                    }
                ),
                None => "Not downloaded: an item breaks the chat format.".into(),
            }
        }
        DownloadError::NoRun => "No run is open.".into(),
        DownloadError::File(f) => file_error(f, "saved"),
    }
}

/// Why a chat JSONL file was not opened.
pub fn open_error(e: &OpenError) -> String {
    match e {
        OpenError::File(f) => file_error(f, "opened"),
        OpenError::Empty(name) => format!("{name} was not opened: it holds no lines."),
        OpenError::NoExamples { name, first } => format!(
            "{name} was not opened: no line is a chat example ({}). A line must be {{\"messages\": [{{\"role\": \"user\", …}}, {{\"role\": \"assistant\", …}}]}}.",
            line_problem(first)
        ),
        OpenError::Storage(s) => storage_error(s),
    }
}

/// A file opened with some lines skipped.
pub fn opened(n: &OpenedNote) -> String {
    format!(
        "Opened {}: {} read, {} skipped (first, {}).",
        n.name,
        count(n.read, "example", "examples"),
        count(n.skipped, "line", "lines"),
        line_problem(&n.first)
    )
}

fn hub_input(e: &HubInputError) -> String {
    match e {
        HubInputError::NoToken => "the Hub token is empty".into(),
        HubInputError::BadRepo => "the repository must be written owner/name (letters, digits, '-', '_' and '.'), such as alice/birds".into(),
        HubInputError::TooLarge(f) => format!("{f} is larger than 10 MB, which needs Git LFS; split the dataset or push it with huggingface-cli"),
        HubInputError::Empty => "there is nothing to push: no example is in the dataset".into(),
        HubInputError::BadAddress => "the Hub address must be an https:// address (http:// only for this computer)".into(),
    }
}

fn hub_error(e: &HubError) -> String {
    match e {
        HubError::Unauthorized => {
            "the Hub did not accept the token (401): check it, or make a new one with write access".into()
        }
        HubError::Forbidden { repo } => format!(
            "the token may not write to {repo} (403): give it write access to that repository or organisation"
        ),
        HubError::Http { status, message } => format!("the Hub answered {status}: {message}"),
        HubError::Unreadable(why) => format!("the Hub's reply was not understood: {why}"),
        HubError::Unreachable(why) => format!(
            "the Hub could not be reached ({why}): check the network and the Hub address"
        ),
        HubError::TokenNotSendable => {
            "the token holds a character a request header cannot carry: paste it again".into()
        }
    }
}

/// Why a push did not go through.
pub fn push_error(e: &PushError) -> String {
    match e {
        PushError::Form(problems) => {
            let list: Vec<String> = problems.iter().map(hub_input).collect();
            format!("Not pushed: {}.", list.join("; "))
        }
        PushError::Hub(h) => hub_error(h),
        PushError::NeedsLfs(f) => format!("Not pushed: the Hub wants {f} through Git LFS, which synfact does not speak; split the dataset or push it with huggingface-cli."),
        PushError::Download(d) => download_error(d),
    }
}

/// Where a push stands.
pub fn push_step(s: &PushStep) -> String {
    match s {
        PushStep::Checking => "Checking the token…".into(),
        PushStep::Creating => "Creating the dataset repository (or finding it)…".into(),
        PushStep::Uploading(n) => format!("Committing {n} files…"),
        PushStep::Done { url, commit } => format!("Pushed to {url} (commit {commit})."),
    }
}

/// The commit message of a push.
pub fn push_summary(fact_name: &str) -> String {
    format!("Add {fact_name} from synfact")
}
