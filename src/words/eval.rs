//! The Evaluate section's messages: writing eval questions, the leakage check, what an
//! evaluation lacks, and its results.

use super::{call_error, count, field_error};
use crate::errors::EvalWriteError;
use synfact_core::eval::leakage::Leak;
use synfact_core::eval::results::{Difference, EvalResults, Outcome, Rate};
use synfact_core::eval::{EvalKind, EvalProblem};

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

/// "Showing 50 of 120 answers."
pub fn answers_shown(shown: usize, of: usize) -> String {
    format!("Showing {shown} of {}.", count(of, "answer", "answers"))
}
