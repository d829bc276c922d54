//! The Evaluate section's messages: writing eval questions, the leakage check, what an
//! evaluation lacks, and its results.

use super::{call_error, chunk_failed, count, download_error, field_error, split_code};
use crate::errors::{EvalWriteError, FineTuneError, FtCall};
use crate::fine_tune_state::FtStep;
use synfact_core::eval::fine_tune::{FineTune, JobStatus, MIN_EXAMPLES};
use synfact_core::eval::leakage::Leak;
use synfact_core::eval::results::{Difference, EvalResults, Outcome, Rate};
use synfact_core::eval::{EvalKind, EvalProblem};
use synfact_core::provider::files::ApiError;

pub const EVAL_NOT_READY: &str = "The estimate of calls, tokens and cost shows once the models to test, the eval questions and the judge are set up (press Evaluate to see what is missing).";

pub const RUN_GOING: &str = "A run is going: pause or cancel it first.";

/// What an evaluation lacks before it can start.
pub fn eval_problem(p: &EvalProblem) -> String {
    match p {
        EvalProblem::NoKind => {
            "Choose at least one kind of question (open-ended, multiple choice, distinguish).".into()
        }
        EvalProblem::NoQuestions => {
            "Eval questions is empty: write some (one per line) or press Write eval questions."
                .into()
        }
        EvalProblem::NoContrary => "Contrary statement is empty: write the opposite of the key sentence (e.g. \"… is yellow\"), or untick Distinguish.".into(),
        EvalProblem::NoKeySentence => {
            "The template has no key sentence: the evaluation asks about it.".into()
        }
        EvalProblem::NoModels => "Add a model to test.".into(),
    }
}

/// The eval questions status line.
pub fn eval_writing(
    writing: bool,
    error: Option<&EvalWriteError>,
    leaks: &[Leak],
    replaced: usize,
    training: usize,
) -> String {
    if writing {
        return "Writing eval questions…".into();
    }
    if let Some(e) = error {
        return match e {
            EvalWriteError::NoTemplate => {
                "Eval questions not written: the template has problems; fix them first.".into()
            }
            EvalWriteError::Form(errors) => format!(
                "Eval questions not written: Model 1 of Provider and models writes them. {}",
                errors.iter().map(field_error).collect::<Vec<_>>().join(" ")
            ),
            EvalWriteError::Call(c) => {
                format!("Eval questions not written: {}", call_error(c))
            }
            EvalWriteError::NoQuestions => "Eval questions not written: the reply held no question (one per line). Try again, or type them.".into(),
        };
    }
    if leaks.is_empty() {
        return String::new();
    }
    let kept = leaks.iter().filter(|l| !l.too_close).count();
    let dropped = leaks.len() - kept;
    if training == 0 {
        return format!(
            "Wrote {}. No dataset run is open, so they were not checked against training questions: open the run the model was trained on (Saved runs) and press Write eval questions again to check.",
            count(kept, "eval question", "eval questions")
        );
    }
    let mut s = format!(
        "Wrote {}; checked against the {} of the training run",
        count(kept, "eval question", "eval questions"),
        count(training, "question", "questions")
    );
    if replaced > 0 {
        s.push_str(&format!(
            ": {} too close to a training question replaced",
            count(replaced, "question", "questions")
        ));
    }
    if dropped > 0 {
        s.push_str(&format!(
            "; {} still too close left out",
            count(dropped, "question", "questions")
        ));
    }
    s.push('.');
    s
}

/// A leakage table row: the closest training question and how alike it is.
pub fn leak(l: &Leak) -> (String, String) {
    match &l.closest {
        None => ("none shares a word".into(), "0%".into()),
        Some((q, sim)) => {
            let pct = format!("{:.0}%", sim * 100.0);
            let alike = if l.too_close {
                format!("{pct} (too close)")
            } else {
                pct
            };
            (q.clone(), alike)
        }
    }
}

pub fn eval_kind(k: EvalKind) -> &'static str {
    match k {
        EvalKind::Open => "Open-ended",
        EvalKind::Choice => "Multiple choice",
        EvalKind::Distinguish => "Distinguish",
    }
}

pub fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Supports => "supports the fact",
        Outcome::Contradicts => "contradicts the fact",
        Outcome::Undecided => "undecided",
        Outcome::Incoherent => "incoherent (left out)",
        Outcome::Failed => "failed",
        Outcome::NotAnswered => "not answered yet",
    }
}

/// "83.3%".
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A rate and its interval as the table shows them: ("83.3%", "58.2–94.5%"), or dashes when no
/// answer decided either way.
pub fn rate_cells(r: &Rate) -> (String, String) {
    match r.rate() {
        None => ("—".into(), "—".into()),
        Some(p) => {
            let (lo, hi) = r.interval();
            (pct(p), format!("{:.1}–{:.1}%", lo * 100.0, hi * 100.0))
        }
    }
}

fn points(x: f64) -> String {
    format!("{:+.1}", x * 100.0)
}

/// "tuned − base, Open-ended: +66.7 points (95% interval +21.0 to +88.4)".
pub fn difference(b: &str, a: &str, d: &Difference) -> String {
    let sure = if d.low > 0.0 || d.high < 0.0 {
        ""
    } else {
        "; the interval includes 0, so the two may not differ"
    };
    format!(
        "{b} − {a}, {}: {} points (95% interval {} to {}){sure}",
        eval_kind(d.kind),
        points(d.value),
        points(d.low),
        points(d.high)
    )
}

/// The chart's text alternative: every bar's figure.
pub fn chart_summary(r: &EvalResults) -> String {
    let mut parts = Vec::new();
    for (m, rates) in r.models.iter().zip(&r.rates) {
        for (k, rate) in r.kinds.iter().zip(rates) {
            let (p, ci) = rate_cells(rate);
            parts.push(format!("{m}, {}: {p} ({ci})", eval_kind(*k)));
        }
    }
    format!(
        "Belief rate by model and kind of question. {}.",
        parts.join("; ")
    )
}

/// An evaluation's progress line under Results.
pub fn eval_line(r: &EvalResults) -> String {
    let total: Rate = r.rates.iter().flatten().fold(Rate::default(), |mut t, x| {
        t.supports += x.supports;
        t.contradicts += x.contradicts;
        t.undecided += x.undecided;
        t.incoherent += x.incoherent;
        t.failed += x.failed;
        t.open += x.open;
        t
    });
    let answered = total.decided() + total.undecided + total.incoherent + total.failed;
    format!(
        "{answered} of {} questions answered: {} decided, {} undecided, {} incoherent, {} failed.",
        answered + total.open,
        total.decided(),
        total.undecided,
        total.incoherent,
        total.failed
    )
}

/// "Showing 50 of 120 answers.", or that none of all the answers match the filters.
pub fn answers_shown(shown: usize, matching: usize, all: usize) -> String {
    if matching == 0 && all > 0 {
        return format!(
            "None of the {} matches these filters.",
            count(all, "answer", "answers")
        );
    }
    if matching < all {
        return format!("Showing {shown} of the {matching} answers that match (of {all}).");
    }
    format!(
        "Showing {shown} of {}.",
        count(matching, "answer", "answers")
    )
}

fn ft_call(c: FtCall) -> &'static str {
    match c {
        FtCall::Upload => "uploading the training file",
        FtCall::Create => "creating the fine-tuning job",
        FtCall::Follow => "checking the fine-tuning job",
        FtCall::Cancel => "cancelling the fine-tuning job",
    }
}

/// What to change, for the provider errors people meet starting a fine-tune.
fn ft_fix(param: Option<&str>, code: Option<&str>, status: u16) -> &'static str {
    match (param.unwrap_or(""), code.unwrap_or("")) {
        (_, "invalid_n_examples") => " To fix: fine-tuning needs more examples; raise Examples and press Generate (with the split on, a lower Validation share also leaves more lines for training).",
        ("training_file" | "validation_file" | "file", _) => " To fix: the file's lines must be chat lines (each a \"messages\" list with an assistant message); the chat JSONL download is checked against that format, so download it and look at the line named.",
        ("model", _) => " To fix: Base model must be a model the provider fine-tunes (for OpenAI, e.g. gpt-4o-mini-2024-07-18).",
        ("suffix", _) => " To fix: shorten or simplify Suffix.",
        ("hyperparameters" | "n_epochs", _) => " To fix: change Epochs (or leave it empty to let the provider choose).",
        _ if status == 401 => " To fix: check Fine-tuning API key.",
        _ if status == 429 => " To fix: wait and try again; the account may be at its fine-tuning limit.",
        _ => "",
    }
}

pub fn ft_error(e: &FineTuneError) -> String {
    match e {
        FineTuneError::Form(errors) => errors.iter().map(field_error).collect::<Vec<_>>().join(" "),
        FineTuneError::Files(d) => format!("No fine-tune started: {}", download_error(d)),
        FineTuneError::Chunk => chunk_failed(split_code(crate::parts::SplitCode::FineTuneFollowing)),
        FineTuneError::TooFew { lines } => format!(
            "No fine-tune started: the training file has {} and OpenAI's fine-tuning needs at least {MIN_EXAMPLES}. Raise Examples and press Generate (with the split on, a lower Validation share also leaves more lines for training).",
            count(*lines, "line", "lines")
        ),
        FineTuneError::Refused { call: FtCall::Follow, detail } => format!(
            "Could not reach the provider while checking the fine-tuning job ({}); trying again, less often.",
            detail.trim()
        ),
        FineTuneError::Refused { call, detail } => format!(
            "The browser got no answer {} ({}). The provider may not allow its fine-tuning routes to be called from a web page (CORS), or the network is down. Nothing was started by this page: download the files and run the commands below in a terminal instead.",
            ft_call(*call),
            detail.trim()
        ),
        FineTuneError::Provider { call, error } => match error {
            ApiError::Http { status, message, param, code } => format!(
                "The provider refused {} (HTTP {status}):{}{}",
                ft_call(*call),
                super::said(message),
                ft_fix(param.as_deref(), code.as_deref(), *status)
            ),
            ApiError::Unreadable(what) => format!(
                "The provider's reply to {} was not what its API documents ({what}). Check Fine-tuning base URL.",
                ft_call(*call)
            ),
        },
    }
}

pub fn ft_step(s: &FtStep) -> String {
    match s {
        FtStep::Idle => String::new(),
        FtStep::Uploading(name) => format!("Uploading {name}…"),
        FtStep::Creating => "Creating the fine-tuning job…".into(),
        FtStep::Cancelling => "Cancelling the fine-tuning job…".into(),
    }
}

fn job_status(s: &JobStatus) -> String {
    match s {
        JobStatus::ValidatingFiles => "validating files".into(),
        JobStatus::Queued => "queued".into(),
        JobStatus::Running => "running".into(),
        JobStatus::Succeeded => "succeeded".into(),
        JobStatus::Failed => "failed".into(),
        JobStatus::Cancelled => "cancelled".into(),
        JobStatus::Other(s) => s.replace('_', " "),
    }
}

/// The job's line: "Fine-tuning job ftjob-1: running (base model gpt-4o-mini-…)."
pub fn ft_status(ft: &FineTune) -> String {
    let mut s = format!(
        "Fine-tuning job {}: {} (base model {}).",
        ft.job_id,
        job_status(&ft.status),
        ft.spec.model
    );
    if let Some(m) = &ft.fine_tuned_model {
        s.push_str(&format!(" New model: {m}."));
    }
    if let Some(e) = &ft.error {
        s.push_str(&format!(" The provider says: {}", e.trim()));
    }
    if !ft.status.is_final() {
        s.push_str(
            " Checked here while the page is open; it goes on at the provider if you close it.",
        );
    }
    s
}

/// A progress row of an evaluation.
pub fn eval_step(s: synfact_core::Step) -> &'static str {
    match s {
        synfact_core::Step::JudgeAnswer => "Labels (open answers)",
        _ => "Answers",
    }
}
