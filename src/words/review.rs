//! An item as the review shows it: why it was not accepted, the check it failed, where it
//! came from, its conversation.

use super::*;
use synfact_core::provider::refusal::Refusal;
use synfact_core::quality::CheckFailure;
use synfact_core::run::reason::Reason;
use synfact_core::run::Note;
use synfact_core::{Item, Stage, Step};

/// A chat message's role as the review shows it.
pub fn role(role: &str) -> String {
    match role {
        "system" => "System:".into(),
        "user" => "User:".into(),
        "assistant" => "Assistant:".into(),
        other => format!("{other}:"),
    }
}

/// Why an item was rejected or failed, prefixed with the step.
pub fn reason(r: &Reason, at: Option<Step>) -> String {
    let text = match r {
        Reason::Refused(f) => match f {
            Refusal::Stated(t) => format!("the model refused: {t}"),
            Refusal::StopReason => "the model refused (stop_reason: refusal)".into(),
            Refusal::ContentFilter => "the provider's content filter stopped the reply".into(),
            Refusal::Empty => "the reply was empty every time it was asked".into(),
            Refusal::Opening(p) => format!("the reply opens with a refusal (\"{p}…\")"),
        },
        Reason::CutOff => "the reply was cut off at the token limit (raise Max tokens)".into(),
        Reason::JudgeRejected { why } => match why {
            Some(w) => format!("the judge found it did not comply: {w}"),
            None => "the judge found it did not comply".into(),
        },
        Reason::NoVerdict { snippet } => {
            format!("the judge's reply held no verdict: \"{snippet}\"")
        }
        Reason::JudgeRefused { text } => format!("the judge refused: {text}"),
        Reason::GaveUp { tries, last } => format!(
            "gave up after {}; last error: {}",
            count(*tries as usize, "try", "tries"),
            call_error(last)
        ),
        Reason::TooLong { detail } => {
            format!("the prompt is too long for the model's context: {detail}")
        }
        Reason::Check(c) => check(c),
        Reason::Duplicate { of, similarity } => format!(
            "the question nearly repeats item {}'s ({:.0}% alike)",
            of + 1,
            similarity * 100.0
        ),
        Reason::Reviewer => "rejected in review".into(),
    };
    match at {
        Some(s) => format!("{}: {text}", step(s)),
        None => text,
    }
}

pub fn check(c: &CheckFailure) -> String {
    match c {
        CheckFailure::MissingKeySentence => "the answer leaves out the key sentence".into(),
        CheckFailure::Disclaimer { phrase } => {
            format!("the reply disclaims or hedges (\"{phrase}\")")
        }
        CheckFailure::Leak { phrase } => format!("the reply mentions its set-up (\"{phrase}\")"),
        CheckFailure::Requirement(rule) => {
            use synfact_core::quality::RequirementRule as R;
            match rule {
                R::Language(l) => format!("the question is not in {}", capitalised(l)),
                R::MaxWords(n) => format!("the question is longer than {n} words"),
                R::MinWords(n) => format!("the question is shorter than {n} words"),
            }
        }
    }
}

/// The plan's cell an item came from (1-based numbers).
pub fn item_origin(question: u32, text: &str, requirement: u32, req_text: &str) -> String {
    format!(
        "Seed question {}: {text} · Requirement {}: {req_text}",
        question + 1,
        requirement + 1
    )
}

pub const UNSAVED_EDIT: &str =
    "The edit is not saved: press Esc again to leave it unsaved, or Save.";

/// A review action that could not be applied to an item.
pub fn not_changed(id: usize, e: &synfact_core::run::review::ReviewRefusal) -> String {
    use synfact_core::run::review::ReviewRefusal as R;
    let why = match e {
        R::NoAnswer => "the item has no answer yet (Edit lets you write one)",
        R::EmptyText => "an edited question or answer cannot be empty",
        R::Busy => "the item is still being worked on",
    };
    format!("Item {} was not changed: {why}.", id + 1)
}

/// Something worth knowing about an item.
pub fn note(n: &Note) -> String {
    match n {
        Note::RepairedText(step) => format!(
            "The {} reply held broken characters, replaced.",
            super::step(*step)
        ),
        Note::ShrankMaxTokens { step, to } => format!(
            "The {} was asked again with at most {to} output tokens to fit the model's context.",
            super::step(*step)
        ),
        Note::AskedAgain { step, failure } => format!(
            "The {} was asked again: {}.",
            super::step(*step),
            check(failure)
        ),
    }
}

/// Every call an item made, a line each.
pub fn calls(i: &Item) -> Vec<String> {
    i.calls
        .iter()
        .map(|c| {
            let what = match (&c.error, c.cached) {
                (Some(e), _) => format!("failed: {}", call_error(e)),
                (None, true) => "answered from the cache".to_string(),
                (None, false) => "answered".to_string(),
            };
            format!("{} — {what} ({:.1} s)", step(c.step), c.ms / 1000.0)
        })
        .collect()
}

/// A stage's name.
pub fn stage(s: Stage) -> &'static str {
    match s {
        Stage::Accepted => "accepted",
        Stage::Rejected => "rejected",
        Stage::Failed => "failed",
        Stage::Planned => "planned",
        Stage::Question => "question written",
        Stage::QuestionJudged => "question accepted",
        Stage::Answer => "answer written",
    }
}

/// The item's state as a row shows it: the judge's outcome and what review changed.
pub fn item_state(i: &Item) -> String {
    use synfact_core::run::ReviewDecision;
    let mut s = stage(i.stage).to_string();
    match i.review.decision {
        Some(ReviewDecision::Accept) => s.push_str(" · you accepted"),
        Some(ReviewDecision::Reject) => s.push_str(" · you rejected"),
        None => {}
    }
    if i.review.is_edited() {
        s.push_str(" · edited");
    }
    if i.review.deleted {
        s.push_str(" · deleted");
    }
    s
}

pub const NO_QUESTION_YET: &str = "(no question yet)";

/// A bulk button: "Accept all 12 shown".
pub fn bulk(verb: &str, shown: usize) -> String {
    format!("{verb} all {shown} shown")
}

/// The review's count line over its filters.
pub fn showing(shown: usize, c: &synfact_core::run::Counts) -> String {
    format!(
        "Showing {} of {} items. Accepted {} · rejected {} · failed {} · unfinished {} · edited {} · deleted {} · in the dataset {}.",
        shown,
        c.total(),
        c.accepted,
        c.rejected,
        c.failed,
        c.open,
        c.edited,
        c.deleted,
        c.kept
    )
}
